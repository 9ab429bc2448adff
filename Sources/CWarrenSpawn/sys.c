// Syscall wrappers for the Swift side (see warren_sys.h). Not used by the child path, which calls
// the raw syscalls itself.
#define _GNU_SOURCE
#include "warren_sys.h"

#include <sys/syscall.h>
#include <unistd.h>

int warren_pidfd_open(pid_t pid, unsigned int flags) {
    return (int)syscall(SYS_pidfd_open, pid, flags);
}

int warren_pidfd_send_signal(int pidfd, int sig, unsigned int flags) {
    return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, flags);
}

int warren_close_range(unsigned int first, unsigned int last, unsigned int flags) {
    return (int)syscall(SYS_close_range, first, last, flags);
}

int warren_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags) {
    return accept4(fd, addr, len, flags);
}

int warren_pipe2(int fds[2], int flags) { return pipe2(fds, flags); }
