// Thin wrappers over the syscalls quill-engine needs that Swift cannot call through Glibc
// (openat2 has no glibc wrapper and syscall() is variadic). Each returns -1 and sets errno on
// failure, like the syscall it wraps.
#ifndef QUILL_SYS_H
#define QUILL_SYS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/// openat2(dirfd, path, O_RDONLY|O_CLOEXEC|O_NOCTTY|O_NONBLOCK, RESOLVE_BENEATH|RESOLVE_NO_MAGICLINKS|
/// RESOLVE_NO_XDEV): the path may follow symlinks, but never out of dirfd's tree.
int quill_open_beneath(int dirfd, const char *path);

/// send(fd, buf, len, MSG_MORE | MSG_NOSIGNAL): the response head, held back by the kernel until
/// the body that follows with sendfile, so head and body leave in one segment.
ssize_t quill_send_more(int fd, const void *buf, size_t len);

/// sendfile(out, in, &offset, count).
ssize_t quill_sendfile(int out_fd, int in_fd, int64_t *offset, size_t count);

/// fstat reduced to what the engine uses; kind: 1 regular file, 2 directory, 3 socket, 0 other.
struct quill_stat {
    int kind;
    int64_t size;
    int64_t mtime_sec;
    int64_t mtime_nsec;
};
int quill_fstat(int fd, struct quill_stat *out);

/// One recvmsg(sock, MSG_CMSG_CLOEXEC) of a prespawned engine's handoff message (see
/// docs/engine-protocol.md), EINTR retried. `fd` is the first descriptor received (-1 if none);
/// any further descriptors are closed here and counted in `fd_count`.
struct quill_handoff {
    int64_t length;     // data bytes received
    int fd;             // the first SCM_RIGHTS descriptor, or -1
    int fd_count;       // descriptors received in all
    int other_control;  // a control message other than SCM_RIGHTS was present
    int truncated;      // MSG_TRUNC or MSG_CTRUNC
};
/// Returns 0, or -1 with errno set (nothing received).
int quill_receive_handoff(int sock, void *data, size_t capacity, struct quill_handoff *out);

/// The process's argc and argv, saved before main (CommandLine needs /proc in a static binary).
int quill_argc(void);
char *const *quill_argv(void);

#ifdef __cplusplus
}
#endif

#endif
