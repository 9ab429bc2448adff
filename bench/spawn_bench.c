// Per-spawn cost of the C spawn path (Sources/CWarrenSpawn), linked directly: clone3 → sandbox
// steps → execve of a static `true` → reaped through its pidfd, N times in sequence. Prints the
// median and p90 in microseconds. The template plan mirrors what WarrenSpawn's MountPlan builds
// (tmpfs root, read-only skeleton, minimal /dev, /proc and a tmpfs per child, engine bound
// read-only, pivot_root, root read-only). Run through bench/spawn.sh.
#define _GNU_SOURCE
#include "../Sources/CWarrenSpawn/child.h"

#include <sched.h>
#include <poll.h>
#include <linux/sched.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_OPS 128
static struct warren_mount_op ops[MAX_OPS];
static size_t nops;
static char strings[MAX_OPS][512];

static const char *str(const char *fmt, const char *a, const char *b) {
    snprintf(strings[nops], sizeof strings[nops], fmt, a, b);
    return strings[nops];
}

static void op(int kind, const char *src, const char *target, const char *fstype, unsigned long flags,
               const char *data) {
    ops[nops] = (struct warren_mount_op){kind, src, target, fstype, flags, data};
    nops++;
}

static void mkdir_p(const char *staging, const char *path, int self) {
    char buf[512];
    size_t len = strlen(path);
    for (size_t i = 1; i <= len; i++) {
        if (path[i] == '/' || (self && path[i] == 0)) {
            snprintf(buf, sizeof buf, "%.*s", (int)i, path);
            op(WARREN_MKDIR, NULL, str("%s%s", staging, buf), NULL, 0, NULL);
        }
    }
}

static const unsigned long HARD = MS_NOSUID | MS_NODEV | MS_NOEXEC;

static void template_ops(const char *staging, const char *skeleton, const char *engine) {
    op(WARREN_MOUNT, "warren-root", staging, "tmpfs", HARD, "mode=0755,size=1m");
    const char *etc = str("%s%s", staging, "/etc");
    op(WARREN_MKDIR, NULL, etc, NULL, 0, NULL);
    op(WARREN_MOUNT, str("%s%s", skeleton, "/etc"), etc, NULL, MS_BIND | MS_REC, NULL);
    op(WARREN_MOUNT, NULL, etc, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | HARD, NULL);
    const char *dev = str("%s%s", staging, "/dev");
    op(WARREN_MKDIR, NULL, dev, NULL, 0, NULL);
    op(WARREN_MOUNT, "warren-dev", dev, "tmpfs", HARD, "mode=0755,size=64k");
    const char *devices[] = {"null", "zero", "random", "urandom"};
    for (int i = 0; i < 4; i++) {
        const char *t = str("%s/dev/%s", staging, devices[i]);
        op(WARREN_MKFILE, NULL, t, NULL, 0, NULL);
        op(WARREN_MOUNT, str("/dev/%s%s", devices[i], ""), t, NULL, MS_BIND, NULL);
        op(WARREN_MOUNT, NULL, t, NULL, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NOEXEC, NULL);
    }
    op(WARREN_MOUNT, NULL, dev, NULL, MS_REMOUNT | MS_RDONLY | HARD, NULL);
    op(WARREN_MKDIR, NULL, str("%s%s", staging, "/proc"), NULL, 0, NULL);
    op(WARREN_MKDIR, NULL, str("%s%s", staging, "/tmp"), NULL, 0, NULL);
    mkdir_p(staging, engine, 0);
    const char *e = str("%s%s", staging, engine);
    op(WARREN_MKFILE, NULL, e, NULL, 0, NULL);
    op(WARREN_MOUNT, engine, e, NULL, MS_BIND, NULL);
    op(WARREN_MOUNT, NULL, e, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL);
    op(WARREN_PIVOT, NULL, staging, NULL, 0, NULL);
    op(WARREN_MOUNT, NULL, "/", NULL, MS_REMOUNT | MS_RDONLY | HARD, NULL);
    op(WARREN_MOUNT, NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | HARD, NULL);
}

// The previous path, for comparison: a fork-like clone3 (no CLONE_VM). The caller is held only
// for the clone, but the clone copies its page tables (the cost grows with its memory).
static int spawn_fork(const struct warren_plan *plan, const struct warren_conn *conn,
                      struct warren_child *out) {
    int pidfd = -1;
    struct clone_args args;
    memset(&args, 0, sizeof args);
    args.flags = CLONE_PIDFD | (plan->sandbox ? plan->sandbox->clone_flags : 0);
    args.pidfd = (uint64_t)(uintptr_t)&pidfd;
    args.exit_signal = SIGCHLD;
    long pid = syscall(SYS_clone3, &args, sizeof args);
    if (pid < 0) return -errno;
    if (pid == 0) warren_child(plan, conn);
    out->pid = (pid_t)pid;
    out->pidfd = pidfd;
    return 0;
}

// The server's path: the request goes to a spawn thread, the result comes back on its eventfd.
static struct warren_spawner *spawner;
static double now_us(void);
static double submit_us;  // how long the submit held the caller (the loop's share)
static int spawn_thread(const struct warren_plan *plan, const struct warren_conn *conn,
                        struct warren_child *out) {
    double t0 = now_us();
    int rc = warren_spawner_submit(spawner, plan, conn, 1, 0);
    submit_us = now_us() - t0;
    if (rc != 0) return rc;
    struct warren_spawn_result r;
    struct pollfd p = {warren_spawner_result_fd(spawner), POLLIN, 0};
    while (!warren_spawner_take(spawner, &r)) poll(&p, 1, -1);
    if (r.err) return -r.err;
    out->pid = r.pid;
    out->pidfd = r.pidfd;
    return 0;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: spawn_bench MODE N ENGINE SKELETON [PARENT_MB]\n"
                        "MODE: bare | fresh (every namespace new per spawn) | prepared (shared net/ipc/uts)\n"
                        "      | prepared-nouser (prepared, no user namespace)\n"
                        "prefix fork-: the old fork-like clone3; thread-: through a spawn thread (the server's path)\n");
        return 2;
    }
    const char *mode = argv[1];
    int use_fork = strncmp(mode, "fork-", 5) == 0;
    int use_thread = strncmp(mode, "thread-", 7) == 0;
    if (use_fork) mode += 5;
    if (use_thread) {
        mode += 7;
        if (warren_spawner_start(64, &spawner) != 0) return fprintf(stderr, "spawner\n"), 1;
    }
    int n = atoi(argv[2]);
    const char *engine = argv[3], *skeleton = argv[4];
    long parent_mb = argc > 5 ? atol(argv[5]) : 0;
    if (parent_mb > 0) {
        // Fork-like clone copies page tables in proportion to the caller's memory.
        char *p = mmap(NULL, parent_mb << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        memset(p, 1, parent_mb << 20);
    }
    char *const argv_engine[] = {(char *)engine, NULL};
    char *const envp[] = {"PROTO=TCP", NULL};
    struct warren_plan plan = {engine, argv_engine, NULL};
    struct warren_sandbox sb;
    struct warren_prepared prepared = {-1, -1, -1, -1, -1, -1};
    memset(&sb, 0, sizeof sb);
    struct warren_mount_op child_ops[2] = {
        {WARREN_MOUNT, "proc", "/proc", "proc", HARD, "subset=pid"},
        {WARREN_MOUNT, "tmpfs", "/tmp", "tmpfs", HARD, "size=65536,mode=0700,uid=65534,gid=65534"},
    };
    struct warren_rlimit limits[] = {{RLIMIT_CORE, 0}, {RLIMIT_NPROC, 1}, {RLIMIT_NOFILE, 16}};
    scmp_filter_ctx ctx = NULL;
    void *filter = NULL;
    if (strcmp(mode, "bare") != 0) {
        char staging[] = "/tmp/warren-bench.XXXXXX";
        if (!mkdtemp(staging)) return perror("mkdtemp"), 1;
        template_ops(staging, skeleton, engine);
        int shared = strncmp(mode, "prepared", 8) == 0;
        struct warren_prepare_spec spec = {ops, nops, shared, shared, shared, 0, 0, "engine", 6, NULL, NULL};
        struct warren_report failure;
        int rc = warren_prepare(&spec, &prepared, &failure);
        rmdir(staging);
        if (rc != 0) {
            fprintf(stderr, "prepare: %s (op %d): %s\n", failure.step, failure.detail, strerror(failure.err));
            return 1;
        }
        sb.clone_flags = CLONE_NEWPID;
        sb.unshare_flags = CLONE_NEWCGROUP | (shared ? 0 : CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS);
        sb.mnt_fd = prepared.mnt_fd;
        sb.net_fd = prepared.net_fd;
        sb.ipc_fd = prepared.ipc_fd;
        sb.uts_fd = prepared.uts_fd;
        sb.cgroup_fd = -1;
        sb.user_fd = -1;
        sb.user_mode = strcmp(mode, "prepared-nouser") == 0 ? WARREN_USER_HOST : WARREN_USER_FRESH;
        sb.uid = sb.gid = 65534;
        sb.uid_map = sb.gid_map = "0 65534 1\n";
        sb.mounts = child_ops;
        sb.mount_count = 2;
        sb.cwd = "/";
        sb.rlimits = limits;
        sb.rlimit_count = 3;
        // Like SpawnPlan: a user namespace starts with a full bounding set; without one, only
        // what this process holds (all, unless warren dropped it once at start).
        sb.bset_drop = (1ULL << (CAP_LAST_CAP + 1)) - 1;
        ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
        const char *allow[] = {"execve", "arch_prctl", "brk", "set_tid_address", "set_robust_list", "rseq",
                               "prlimit64", "mprotect", "readlink", "readlinkat", "getrandom", "exit_group", "exit",
                               "read", "write", "close", "mmap", "munmap", "newfstatat", "fstat", "openat",
                               "ioctl", "lseek", "fcntl"};
        for (size_t i = 0; i < sizeof allow / sizeof allow[0]; i++)
            seccomp_rule_add(ctx, SCMP_ACT_ALLOW, seccomp_syscall_resolve_name(allow[i]), 0);
        int fds[2];
        if (pipe(fds) != 0 || seccomp_export_bpf(ctx, fds[1]) != 0) return perror("seccomp export"), 1;
        close(fds[1]);
        filter = malloc(65536);
        ssize_t got = read(fds[0], filter, 65536);
        close(fds[0]);
        sb.filter = filter;
        sb.filter_len = (uint16_t)(got / 8);
        plan.sandbox = &sb;
    }
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    double *samples = calloc((size_t)n, sizeof *samples);
    // How long the caller (warren's event loop) is held inside the spawn call itself.
    double *blocked = calloc((size_t)n, sizeof *blocked);
    for (int i = 0; i < n; i++) {
        int report[2];
        if (pipe2(report, O_CLOEXEC) != 0) return perror("pipe2"), 1;
        struct warren_conn conn = {.sock_fd = null, .log_fd = null, .report_fd = report[1], .envp = envp, .out_fd = -1, .handoff_fd = -1, .cgroup_fd = -1};
        struct warren_child child;
        double t0 = now_us();
        int rc = use_fork ? spawn_fork(&plan, &conn, &child)
                 : use_thread ? spawn_thread(&plan, &conn, &child) : warren_spawn(&plan, &conn, &child);
        blocked[i] = use_thread ? submit_us : now_us() - t0;
        if (rc != 0) return fprintf(stderr, "spawn: %s\n", strerror(-rc)), 1;
        close(report[1]);
        siginfo_t info;
        while (waitid(P_PIDFD, (id_t)child.pidfd, &info, WEXITED) != 0 && errno == EINTR) {
        }
        samples[i] = now_us() - t0;
        struct warren_report r;
        if (read(report[0], &r, sizeof r) == (ssize_t)sizeof r) {
            fprintf(stderr, "child failed: %s: %s\n", r.step, strerror(r.err));
            return 1;
        }
        if (info.si_code != CLD_EXITED || info.si_status != 0) {
            fprintf(stderr, "engine ended with code %d status %d\n", info.si_code, info.si_status);
            return 1;
        }
        close(report[0]);
        close(child.pidfd);
    }
    qsort(samples, (size_t)n, sizeof *samples, cmp);
    qsort(blocked, (size_t)n, sizeof *blocked, cmp);
    printf("%s%-16s parent=%4ldMB n=%d  spawn-to-exit median %7.1f p90 %7.1f us; caller blocked median %7.1f us\n", use_fork ? "fork-" : use_thread ? "thread-" : "vfork-", mode, parent_mb, n, samples[n / 2],
           samples[n * 9 / 10], blocked[n / 2]);
    warren_release(&prepared);
    if (ctx) seccomp_release(ctx);
    return 0;
}
