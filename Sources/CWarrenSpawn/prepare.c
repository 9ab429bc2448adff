// Per-plan preparation at load (never per connection): a short-lived helper process builds the
// template mount namespace (the rootfs assembled, pivoted, root read-only) and the shared empty
// net/IPC/UTS/cgroup/user namespaces; warren keeps them as fds and every child joins or copies
// them. The namespaces live as long as the fds; SpawnPlan's deinit closes them.
//
// Protocol: the helper runs the steps and writes one warren_report to the report pipe (err 0 and
// step "ready" on success), then blocks until warren closes the "go" pipe, so that warren can open
// /proc/PID/ns/* (and write a shared user namespace's maps) while the helper still holds them.
#define _GNU_SOURCE
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void __attribute__((noreturn)) helper(const struct warren_prepare_spec *spec, int report,
                                             int go) {
    // A copy of warren: none of its signal handlers (Swift code) may run here.
    sigset_t all;
    sigfillset(&all);
    if (syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, NULL, _NSIG / 8) != 0)
        warren_fail(report, "prepare_sigmask", -1, errno);
    int flags = CLONE_NEWNS;
    if (spec->share_net) flags |= CLONE_NEWNET;
    if (spec->share_ipc) flags |= CLONE_NEWIPC;
    if (spec->share_uts) flags |= CLONE_NEWUTS;
    if (spec->share_cgroup) flags |= CLONE_NEWCGROUP;
    if (syscall(SYS_unshare, flags) != 0) warren_fail(report, "prepare_unshare", -1, errno);
    // rprivate: nothing the template or its copies mount propagates back to the host, and no later
    // child's /proc propagates into the template (a leak per spawn otherwise).
    if (syscall(SYS_mount, NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
        warren_fail(report, "prepare_rprivate", -1, errno);
    if (spec->share_uts && spec->hostname &&
        syscall(SYS_sethostname, spec->hostname, spec->hostname_len) != 0)
        warren_fail(report, "prepare_hostname", -1, errno);
    warren_mounts(report, spec->mounts, spec->mount_count);
    // Last, so that every namespace above is owned by the initial user namespace: an engine that is
    // root in the shared user namespace holds no capability over them.
    if (spec->share_user && syscall(SYS_unshare, CLONE_NEWUSER) != 0)
        warren_fail(report, "prepare_unshare_user", -1, errno);
    struct warren_report ready;
    memset(&ready, 0, sizeof ready);
    memcpy(ready.step, "ready", 6);
    ready.detail = -1;
    if (syscall(SYS_write, report, &ready, sizeof ready) != (long)sizeof ready)
        syscall(SYS_exit_group, 127);
    char byte;
    while (syscall(SYS_read, go, &byte, 1) < 0 && errno == EINTR) {
    }
    syscall(SYS_exit_group, 0);
    __builtin_unreachable();
}

static int open_ns(pid_t pid, const char *name) {
    char path[64];
    // snprintf in the parent, not the helper: the parent is an ordinary process.
    snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)pid, name);
    return open(path, O_RDONLY | O_CLOEXEC);
}

static int write_proc(pid_t pid, const char *name, const char *text) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, name);
    return warren_write_file(path, text, strlen(text));
}

static void set_failure(struct warren_report *failure, const char *step, int err) {
    memset(failure, 0, sizeof *failure);
    strncpy(failure->step, step, sizeof failure->step - 1);
    failure->err = err;
    failure->detail = -1;
}

int warren_prepare(const struct warren_prepare_spec *spec, struct warren_prepared *out,
                   struct warren_report *failure) {
    out->mnt_fd = out->net_fd = out->ipc_fd = out->uts_fd = out->cgroup_fd = out->user_fd = -1;
    int report[2], go[2];
    if (pipe2(report, O_CLOEXEC) != 0) {
        set_failure(failure, "prepare_pipe", errno);
        return -1;
    }
    if (pipe2(go, O_CLOEXEC) != 0) {
        set_failure(failure, "prepare_pipe", errno);
        close(report[0]);
        close(report[1]);
        return -1;
    }
    struct clone_args args;
    memset(&args, 0, sizeof args);
    args.exit_signal = SIGCHLD;
    long pid = syscall(SYS_clone3, &args, sizeof args);
    if (pid == 0) {
        syscall(SYS_close, go[1]);
        helper(spec, report[1], go[0]);
    }
    int result = -1;
    close(report[1]);
    close(go[0]);
    if (pid < 0) {
        set_failure(failure, "prepare_clone", errno);
        close(report[0]);
        close(go[1]);
        return -1;
    }
    struct warren_report r;
    ssize_t n;
    do {
        n = read(report[0], &r, sizeof r);
    } while (n < 0 && errno == EINTR);
    if (n != (ssize_t)sizeof r) {
        set_failure(failure, "prepare_helper", n < 0 ? errno : EPIPE);
    } else if (r.err != 0) {
        *failure = r;
    } else {
        int err = 0;
        const char *step = NULL;
        if (spec->share_user) {
            // warren (root outside) writes the maps of the helper's user namespace.
            if ((err = write_proc((pid_t)pid, "setgroups", "deny"))) step = "prepare_setgroups";
            else if ((err = write_proc((pid_t)pid, "uid_map", spec->uid_map))) step = "prepare_uid_map";
            else if ((err = write_proc((pid_t)pid, "gid_map", spec->gid_map))) step = "prepare_gid_map";
        }
        struct {
            int want;
            const char *name;
            int *fd;
        } table[] = {
            {1, "mnt", &out->mnt_fd},
            {spec->share_net, "net", &out->net_fd},
            {spec->share_ipc, "ipc", &out->ipc_fd},
            {spec->share_uts, "uts", &out->uts_fd},
            {spec->share_cgroup, "cgroup", &out->cgroup_fd},
            {spec->share_user, "user", &out->user_fd},
        };
        for (size_t i = 0; !step && i < sizeof table / sizeof table[0]; i++) {
            if (!table[i].want) continue;
            *table[i].fd = open_ns((pid_t)pid, table[i].name);
            if (*table[i].fd < 0) {
                err = errno;
                step = "prepare_open_ns";
            }
        }
        if (step) set_failure(failure, step, err);
        else result = 0;
    }
    close(go[1]);
    close(report[0]);
    int status;
    while (waitpid((pid_t)pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (result != 0) warren_release(out);
    return result;
}

void warren_release(struct warren_prepared *p) {
    int *fds[] = {&p->mnt_fd, &p->net_fd, &p->ipc_fd, &p->uts_fd, &p->cgroup_fd, &p->user_fd};
    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++) {
        if (*fds[i] >= 0) close(*fds[i]);
        *fds[i] = -1;
    }
}
