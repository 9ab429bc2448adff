// Thin wrappers over syscalls Swift cannot call through Glibc (syscall() is variadic, and these
// have no glibc wrapper or are hidden behind _GNU_SOURCE). Each returns -1 and sets errno on failure.
#ifndef WARREN_SYS_H
#define WARREN_SYS_H

#include <signal.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

int warren_pidfd_open(pid_t pid, unsigned int flags);
int warren_pidfd_send_signal(int pidfd, int sig, unsigned int flags);
int warren_close_range(unsigned int first, unsigned int last, unsigned int flags);
int warren_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);
int warren_pipe2(int fds[2], int flags);

#ifdef __cplusplus
}
#endif

#endif
