// Thin syscall wrappers for quill-engine; see include/quill_sys.h.
#define _GNU_SOURCE
#include "quill_sys.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int quill_open_beneath(int dirfd, const char *path) {
    struct open_how how = {
        .flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
        .mode = 0,
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
    };
    return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

ssize_t quill_send_more(int fd, const void *buf, size_t len) {
    return send(fd, buf, len, MSG_MORE | MSG_NOSIGNAL);
}

ssize_t quill_sendfile(int out_fd, int in_fd, int64_t *offset, size_t count) {
    off_t off = (off_t)*offset;
    ssize_t n = sendfile(out_fd, in_fd, &off, count);
    *offset = (int64_t)off;
    return n;
}

int quill_fstat(int fd, struct quill_stat *out) {
    struct stat st;
    if (fstat(fd, &st) != 0) return -1;
    out->kind = S_ISREG(st.st_mode) ? 1 : S_ISDIR(st.st_mode) ? 2 : S_ISSOCK(st.st_mode) ? 3 : 0;
    out->size = (int64_t)st.st_size;
    out->mtime_sec = (int64_t)st.st_mtim.tv_sec;
    out->mtime_nsec = (int64_t)st.st_mtim.tv_nsec;
    return 0;
}

int quill_receive_handoff(int sock, void *data, size_t capacity, struct quill_handoff *out) {
    // Room for a few descriptors, so that a sender's extra ones are received (and closed) rather
    // than silently dropped: the protocol error is then visible.
    union {
        struct cmsghdr header;
        char bytes[CMSG_SPACE(4 * sizeof(int))];
    } control;
    struct iovec iov = {.iov_base = data, .iov_len = capacity};
    struct msghdr msg = {
        .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.bytes, .msg_controllen = sizeof control.bytes};
    ssize_t n;
    for (;;) {
        n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
        if (n >= 0 || errno == EINTR) {
            if (n >= 0) break;
            continue;
        }
        if (errno != EAGAIN) return -1;
        // A non-blocking descriptor (the protocol asks for a blocking one): wait, then retry.
        struct pollfd p = {.fd = sock, .events = POLLIN};
        if (poll(&p, 1, -1) < 0 && errno != EINTR) return -1;
    }
    out->length = n;
    out->fd = -1;
    out->fd_count = 0;
    out->other_control = 0;
    out->truncated = (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
            out->other_control = 1;
            continue;
        }
        size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < count; i++) {
            int fd;
            memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
            if (out->fd < 0)
                out->fd = fd;
            else
                close(fd);
            out->fd_count++;
        }
    }
    return 0;
}

static int saved_argc;
static char **saved_argv;

int quill_argc(void) { return saved_argc; }
char *const *quill_argv(void) { return saved_argv; }

// Runs before the Swift runtime's own initialisers (priority 101 precedes the default), with the
// argc/argv glibc passes to init functions. Two reasons:
// - a static Swift binary looks for its runtime path through /proc/self/exe at start and aborts
//   when the sandbox has no /proc, unless SWIFT_ROOT is set: fill in a missing value, so the
//   engine does not depend on the policy's environment for it;
// - the runtime's crash backtracer execs swift-backtrace, which the sandbox never holds (and
//   exec is not in the engine's syscall list): off unless the caller asks for it;
// - without /proc, CommandLine.arguments comes back empty in a static binary (it reads
//   /proc/self/cmdline), so the engine takes its arguments from here.
__attribute__((constructor(101))) static void quill_start(int argc, char **argv, char **envp) {
    (void)envp;
    saved_argc = argc;
    saved_argv = argv;
    setenv("SWIFT_ROOT", "/", 0);
    setenv("SWIFT_BACKTRACE", "enable=no", 0);
}
