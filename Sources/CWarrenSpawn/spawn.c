// clone and the child's path to execve. Only raw, async-signal-safe syscalls after the clone:
// the child shares nothing with Swift's runtime and allocates nothing.
#define _GNU_SOURCE
#include "warren_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

// Fds the child moves its inputs to before placing them on 0, 1, 2 and 3, so that no input can be
// overwritten by another's dup (the parent's fds may be any numbers, including 0-3).
#define HIGH_FD 100

// Writes the failing step and errno to the report pipe, then exits. Never returns.
static void __attribute__((noreturn)) fail(int report_fd, const char *step, int err) {
    struct warren_report r;
    // No memset/strncpy from libc needed, but both are async-signal-safe in glibc; keep it explicit.
    for (size_t i = 0; i < sizeof r.step; i++) r.step[i] = 0;
    for (size_t i = 0; i + 1 < sizeof r.step && step[i]; i++) r.step[i] = step[i];
    r.err = err;
    (void)syscall(SYS_write, report_fd, &r, sizeof r);
    syscall(SYS_exit_group, 127);
    __builtin_unreachable();
}

// Default dispositions for every signal and an empty mask: warren blocks SIGCHLD, SIGTERM, ...
// for its signalfd, and an engine must not inherit that.
static void reset_signals(int report_fd) {
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < _NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        // Raw rt_sigaction takes the kernel's sigaction layout; SIG_DFL with no flags and an empty
        // mask is the same bytes in both, so glibc's struct is fine here. Signals 32-33 are
        // glibc-reserved and may refuse: ignore EINVAL for them.
        if (syscall(SYS_rt_sigaction, sig, &dfl, NULL, _NSIG / 8) != 0 && errno != EINVAL)
            fail(report_fd, "sigaction", errno);
    }
    sigset_t empty;
    sigemptyset(&empty);
    if (syscall(SYS_rt_sigprocmask, SIG_SETMASK, &empty, NULL, _NSIG / 8) != 0)
        fail(report_fd, "sigprocmask", errno);
}

// Socket on 0 and 1, log pipe on 2, the report pipe on 3 (close-on-exec), nothing else.
static int setup_fds(const struct warren_conn *conn) {
    int report = conn->report_fd;
    int sock = (int)syscall(SYS_fcntl, conn->sock_fd, F_DUPFD, HIGH_FD);
    if (sock < 0) fail(report, "dup_socket", errno);
    int log = (int)syscall(SYS_fcntl, conn->log_fd, F_DUPFD, HIGH_FD);
    if (log < 0) fail(report, "dup_log", errno);
    int rep = (int)syscall(SYS_fcntl, report, F_DUPFD_CLOEXEC, HIGH_FD);
    if (rep < 0) fail(report, "dup_report", errno);
    if (syscall(SYS_dup3, rep, 3, O_CLOEXEC) < 0) fail(rep, "dup_report", errno);
    rep = 3;
    if (syscall(SYS_dup2, sock, 0) < 0) fail(rep, "dup_stdin", errno);
    if (syscall(SYS_dup2, sock, 1) < 0) fail(rep, "dup_stdout", errno);
    if (syscall(SYS_dup2, log, 2) < 0) fail(rep, "dup_stderr", errno);
    if (syscall(SYS_close_range, 4, ~0U, 0) != 0) fail(rep, "close_range", errno);
    return rep;
}

static void __attribute__((noreturn)) child(const struct warren_plan *plan,
                                            const struct warren_conn *conn) {
    reset_signals(conn->report_fd);
    int report = setup_fds(conn);
    syscall(SYS_execve, plan->path, plan->argv, conn->envp);
    fail(report, "execve", errno);
}

int warren_spawn(const struct warren_plan *plan, const struct warren_conn *conn,
                 struct warren_child *out) {
    int pidfd = -1;
    struct clone_args args;
    memset(&args, 0, sizeof args);
    args.flags = CLONE_PIDFD;
    args.pidfd = (uint64_t)(uintptr_t)&pidfd;
    args.exit_signal = SIGCHLD;
    long pid = syscall(SYS_clone3, &args, sizeof args);
    if (pid < 0) return -errno;
    if (pid == 0) child(plan, conn);
    out->pid = (pid_t)pid;
    out->pidfd = pidfd;
    return 0;
}
