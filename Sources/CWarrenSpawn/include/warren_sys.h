// Thin wrappers over syscalls Swift cannot call through Glibc (syscall() is variadic, and these
// have no glibc wrapper or are hidden behind _GNU_SOURCE). Each returns -1 and sets errno on failure.
#ifndef WARREN_SYS_H
#define WARREN_SYS_H

#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

int warren_pidfd_open(pid_t pid, unsigned int flags);
int warren_pidfd_send_signal(int pidfd, int sig, unsigned int flags);
int warren_close_range(unsigned int first, unsigned int last, unsigned int flags);
int warren_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);
int warren_pipe2(int fds[2], int flags);

// Event-loop wrappers (WarrenServer).

/// How a child ended, from siginfo_t (whose si_status Swift cannot reach).
struct warren_exit {
    int code;     // CLD_EXITED, CLD_KILLED, CLD_DUMPED, ... (0: the child has not exited yet)
    int status;   // exit status, or the signal number
};

/// waitid(P_PIDFD, pidfd, WEXITED | options); fills `out`.
int warren_waitid_pidfd(int pidfd, int options, struct warren_exit *out);
/// signalfd4 over the given signal numbers (count of them), SFD_NONBLOCK | SFD_CLOEXEC.
int warren_signalfd(const int *signals, int count);
/// Blocks the given signals in the calling thread (sigprocmask SIG_BLOCK).
int warren_block_signals(const int *signals, int count);
/// Reads one signalfd_siginfo; returns the signal number, 0 when none is pending, -1 on error.
int warren_signalfd_read(int fd);
/// Ignores a signal (SIGPIPE: a closed stderr must not kill warren). Engines reset it before execve.
int warren_ignore_signal(int sig);
/// Puts every thread of `pid` at SCHED_OTHER, nice 0 (sched_setattr; a prespawned engine that
/// started at SCHED_IDLE, at its handoff). 0, or -1 and errno of the first failure.
int warren_sched_restore(pid_t pid);
/// sched_getscheduler(tid): SCHED_OTHER 0, SCHED_IDLE 5, ...; -1 and errno on failure.
int warren_sched_policy(pid_t tid);
/// "ENOENT" for ENOENT; NULL when unknown (glibc's strerrorname_np, hidden behind _GNU_SOURCE).
const char *warren_errno_name(int err);
/// "SEGV" for SIGSEGV; NULL when unknown (glibc's sigabbrev_np).
const char *warren_signal_abbrev(int sig);

#ifdef __cplusplus
}
#endif

#endif
