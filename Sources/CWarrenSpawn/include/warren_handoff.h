// SCM_RIGHTS over a SOCK_SEQPACKET pair: how warren hands an accepted connection to a prespawned
// engine (docs/engine-protocol.md). CMSG_* are macros Swift cannot use, so the message is built here.
#ifndef WARREN_HANDOFF_H
#define WARREN_HANDOFF_H

#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/// socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC); -1 and errno on failure.
int warren_seqpacket_pair(int fds[2]);

/// One sendmsg: `len` bytes of `data` and `fd` in SCM_RIGHTS, with `flags` (MSG_DONTWAIT, ...).
/// Returns the bytes sent, or -1 and errno.
ssize_t warren_send_fd(int sock, int fd, const void *data, size_t len, int flags);

/// One recvmsg (MSG_CMSG_CLOEXEC): up to `cap` bytes into `data` and at most one received fd into
/// `*fd` (-1 when the message carried none). Returns the bytes received (0: end of file), -1 and
/// errno on failure, or -2 when the message was truncated or carried more than one fd (those are
/// closed).
ssize_t warren_recv_fd(int sock, void *data, size_t cap, int *fd);

#ifdef __cplusplus
}
#endif

#endif
