// clone and the child's path to execve. Only raw, async-signal-safe syscalls after the clone:
// the child shares nothing with Swift's runtime and allocates nothing.
#define _GNU_SOURCE
#include "child.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

// Fds the child moves its inputs to before placing them on 0, 1, 2 and 3, so that no input can be
// overwritten by another's dup (the parent's fds may be any numbers, including 0-3).
#define HIGH_FD 100

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
            warren_fail(report_fd, "sigaction", sig, errno);
    }
    sigset_t empty;
    sigemptyset(&empty);
    if (syscall(SYS_rt_sigprocmask, SIG_SETMASK, &empty, NULL, _NSIG / 8) != 0)
        warren_fail(report_fd, "sigprocmask", -1, errno);
}

// Socket on 0 and 1, the service's log socket on 2, the report pipe on 3 (close-on-exec), nothing else: the
// namespace fds and every fd of warren (listeners, other connections) are closed here. A prespawned
// engine's handoff socket takes fd 3 (the number docs/engine-protocol.md fixes, so policies can
// filter recvmsg on it) and moves the report pipe to fd 4.
static int setup_fds(int report, const struct warren_conn *conn) {
    int sock = (int)syscall(SYS_fcntl, conn->sock_fd, F_DUPFD, HIGH_FD);
    if (sock < 0) warren_fail(report, "dup_socket", -1, errno);
    int out = conn->out_fd >= 0 ? (int)syscall(SYS_fcntl, conn->out_fd, F_DUPFD, HIGH_FD) : sock;
    if (out < 0) warren_fail(report, "dup_output", -1, errno);
    int log = (int)syscall(SYS_fcntl, conn->log_fd, F_DUPFD, HIGH_FD);
    if (log < 0) warren_fail(report, "dup_log", -1, errno);
    int handoff = conn->handoff_fd >= 0 ? (int)syscall(SYS_fcntl, conn->handoff_fd, F_DUPFD, HIGH_FD) : -1;
    if (conn->handoff_fd >= 0 && handoff < 0) warren_fail(report, "dup_handoff", -1, errno);
    int rep = (int)syscall(SYS_fcntl, report, F_DUPFD_CLOEXEC, HIGH_FD);
    if (rep < 0) warren_fail(report, "dup_report", -1, errno);
    int rep_target = handoff >= 0 ? 4 : 3;
    if (syscall(SYS_dup3, rep, rep_target, O_CLOEXEC) < 0) warren_fail(rep, "dup_report", -1, errno);
    rep = rep_target;
    if (handoff >= 0 && syscall(SYS_dup2, handoff, 3) < 0) warren_fail(rep, "dup_handoff", -1, errno);
    if (syscall(SYS_dup2, sock, 0) < 0) warren_fail(rep, "dup_stdin", -1, errno);
    if (syscall(SYS_dup2, out, 1) < 0) warren_fail(rep, "dup_stdout", -1, errno);
    if (syscall(SYS_dup2, log, 2) < 0) warren_fail(rep, "dup_stderr", -1, errno);
    if (syscall(SYS_close_range, rep + 1, ~0U, 0) != 0) warren_fail(rep, "close_range", -1, errno);
    return rep;
}

// The child's steps, in this order (each one's reason is in its file):
//   SCHED_IDLE (waiters only) → signals → own session (setsid) → shared namespaces, template mount namespace, own copy (ns.c)
//   → own /proc and tmpfs (mnt.c) → cwd → hostname → identity: user namespace or setresuid, with
//   the capability lock (user.c, caps.c) → fds 0-3 → rlimits (limits.c) → capabilities to the keep-list and
//   no_new_privs (caps.c) → seccomp (seccomp.c) → execve.
void warren_child(const struct warren_plan *plan, const struct warren_conn *conn) {
    int report = conn->report_fd;
    // A waiter (prespawn) is not on any client's critical path: its whole set-up, execve and the
    // engine's start-up run only on CPU nobody else wants, so that a refill never competes with
    // the connection just handed over. Warren restores SCHED_OTHER before its handoff (the engine
    // itself could not: leaving SCHED_IDLE needs CAP_SYS_NICE or RLIMIT_NICE).
    if (conn->idle_priority) {
        struct sched_param none = {0};
        if (syscall(SYS_sched_setscheduler, 0, SCHED_IDLE, &none) != 0)
            warren_fail(report, "sched_idle", -1, errno);
    }
    reset_signals(report);
    // A session (and process group) of its own: a Ctrl-C or SIGHUP aimed at warren's terminal or
    // group must not reach engines directly; warren drains or kills them itself.
    if (syscall(SYS_setsid) < 0) warren_fail(report, "setsid", -1, errno);
    const struct warren_sandbox *sb = plan->sandbox;
    if (sb) {
        warren_enter_namespaces(report, sb);
        warren_mounts(report, sb->mounts, sb->mount_count);
        if (syscall(SYS_chdir, sb->cwd) != 0) warren_fail(report, "chdir", -1, errno);
        warren_set_hostname(report, sb);
        warren_identity(report, sb);
    }
    report = setup_fds(report, conn);
    if (sb) {
        warren_rlimits(report, sb);
        warren_caps_final(report, sb);
        warren_seccomp(report, sb);
    }
    syscall(SYS_execve, plan->path, plan->argv, conn->envp);
    warren_fail(report, "execve", -1, errno);
}

// CLONE_VM|CLONE_VFORK clone3, not a fork-like one. Measured on this 2-core VM (bench/profile.sh,
// ab -c 8, quill.toml): the fork-like clone3 from the ~21 MB warren cost ~409 us of CPU per
// connection in clone3 (dup_mmap copying warren's page tables ~309 us), ~321 us in exit_mmap (the
// child dropping that copy at execve) and ~132 us of copy-on-write faults in warren afterwards.
// A CLONE_VM child shares warren's memory until its execve: none of that exists. Measured after the
// change (schedstat of warren's threads, same machine, same minutes, foreign load): warren's own
// CPU per new connection fell from ~840-1,230 us to ~240-450 us (ab -c 32) and from 1,088 to 413 us
// (ab -c 1). The price is
// that the caller sleeps until the child's execve (its whole sandbox set-up, ~0.3-0.5 ms), so the
// server calls this from a dedicated spawn thread (spawn_thread.c), never from its event loop;
// `warren run` and tests call it directly. The child runs on `stack` (never the caller's), uses
// no libc state (raw syscalls; errno lands in the sleeping caller's TLS, which nobody reads
// meanwhile) and starts with every signal blocked: the caller blocks them all, so no handler of
// warren's can run on the shared memory before the child resets them to their defaults. What the
// child changes in the shared memory map itself is warren's too: the dumpable flag, which each
// child's id change clears (so warren is non-dumpable after its first spawn) and which no child
// may set again (user.c says why).
struct child_start {
    const struct warren_plan *plan;
    const struct warren_conn *conn;
    unsigned int keep_below;      // > 0: cloned with CLONE_FILES; unshare fds [0, keep_below) first
};

static void child_entry(void *arg) {
    const struct child_start *start = arg;
    // Until this step the fd table is warren's own (CLONE_FILES): nothing before it may open, close
    // or dup an fd, and its failure only writes the report (an fd below keep_below) and exits.
    // CLOSE_RANGE_UNSHARE with ~0U copies only the fds below keep_below into a private table
    // (fs/file.c: dup_fd stops at the range's start), so a warren holding 10,000 pidfds costs the
    // child nothing.
    if (start->keep_below > 0 &&
        syscall(SYS_close_range, start->keep_below, ~0U, CLOSE_RANGE_UNSHARE) != 0)
        warren_fail(start->conn->report_fd, "unshare_fds", -1, errno);
    warren_child(start->plan, start->conn);
}

// `pidfd_at`: where clone3 writes the child's pidfd (NULL: a local). The kernel writes it before
// the child runs, so another thread can signal a child that hangs in its set-up (spawn_thread.c).
static int clone_child(const struct warren_plan *plan, const struct warren_conn *conn,
                       struct warren_child *out, void *stack, size_t stack_size, unsigned int keep_below,
                       int *pidfd_at) {
    // Read by the child on the caller's stack: valid, since the caller sleeps until the execve.
    struct child_start start = {plan, conn, keep_below};
    int local = -1;   // with pidfd_at, the caller has set it to -1
    int *pidfd = pidfd_at ? pidfd_at : &local;
    struct clone_args args;
    memset(&args, 0, sizeof args);
    args.flags = CLONE_VM | CLONE_VFORK | CLONE_PIDFD | (plan->sandbox ? plan->sandbox->clone_flags : 0);
    if (keep_below > 0) args.flags |= CLONE_FILES;
    args.pidfd = (uint64_t)(uintptr_t)pidfd;
    args.exit_signal = SIGCHLD;
    args.stack = (uint64_t)(uintptr_t)stack;
    args.stack_size = stack_size;
    // Born inside its leaf: no moment outside it, no write to cgroup.procs after the fact.
    if (conn->cgroup_fd >= 0) {
        args.flags |= CLONE_INTO_CGROUP;
        args.cgroup = (uint64_t)conn->cgroup_fd;
    }
    long pid = warren_clone3_vm(&args, sizeof args, child_entry, &start);
    if (pid < 0) return (int)pid;
    out->pid = (pid_t)pid;
    out->pidfd = *pidfd;
    return 0;
}

int warren_spawn_on_stack(const struct warren_plan *plan, const struct warren_conn *conn,
                          struct warren_child *out, void *stack, size_t stack_size) {
    return clone_child(plan, conn, out, stack, stack_size, 0, NULL);
}

// Moves one input the child reads onto the next free slot; the field then names the slot. Every
// slot is close-on-exec: the child places or closes each one itself before its execve (setup_fds),
// so the flag matters only for anything else warren may start meanwhile.
static int place(int *fd, const struct warren_slots *slots, int *used) {
    if (*fd < 0) return 0;
    if (*used >= WARREN_SLOT_COUNT) return -EMFILE;
    int slot = slots->fds[*used];
    if (dup3(*fd, slot, O_CLOEXEC) < 0) return -errno;
    (*used)++;
    *fd = slot;
    return 0;
}

// A clone without CLONE_FILES copied warren's whole fd table (dup_fd) and the child's close_range
// dropped it again. Here the child's inputs sit in low slots, and the child copies only the table
// below them. Warren's CPU per new connection with 0 / 2,000 / 8,000 connections held
// (bench/held-spawn.sh, ab -c 8, quill.toml, this 2-core VM under foreign load): before
// 365-457 / 561-712 / 1,284-1,322 us, after 416 / 375 / 421 us.
int warren_spawn_in_slots(const struct warren_plan *plan, const struct warren_conn *conn,
                          struct warren_child *out, void *stack, size_t stack_size,
                          const struct warren_slots *slots, int *pidfd_at) {
    struct warren_conn c = *conn;
    struct warren_plan p = *plan;
    struct warren_sandbox sb;
    int used = 0;
    int rc = 0;
    int *inputs[] = {&c.sock_fd, &c.out_fd, &c.log_fd, &c.report_fd, &c.handoff_fd};
    for (size_t i = 0; rc == 0 && i < sizeof inputs / sizeof inputs[0]; i++) rc = place(inputs[i], slots, &used);
    if (plan->sandbox) {
        sb = *plan->sandbox;
        p.sandbox = &sb;
        int *ns[] = {&sb.mnt_fd, &sb.net_fd, &sb.ipc_fd, &sb.uts_fd, &sb.cgroup_fd, &sb.user_fd};
        for (size_t i = 0; rc == 0 && i < sizeof ns / sizeof ns[0]; i++) rc = place(ns[i], slots, &used);
    }
    // c.cgroup_fd stays as it is: clone3 reads it in the caller, the child never does.
    if (rc == 0) rc = clone_child(&p, &c, out, stack, stack_size, slots->limit, pidfd_at);
    // The child has exec'd or exited: warren keeps no extra reference to the connection and the rest.
    for (int i = 0; i < used; i++) (void)dup3(slots->placeholder, slots->fds[i], O_CLOEXEC);
    return rc;
}

int warren_spawn(const struct warren_plan *plan, const struct warren_conn *conn,
                 struct warren_child *out) {
    struct warren_stack stack;
    int rc = warren_stack_map(&stack);
    if (rc != 0) return rc;
    sigset_t all, saved;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    rc = warren_spawn_on_stack(plan, conn, out, stack.low, stack.size);
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    // The child has exec'd or exited: its stack is free again.
    warren_stack_unmap(&stack);
    return rc;
}
