// The engine's identity. Without a user namespace: setresgid/setresuid to the policy's ids. With
// one: root inside maps to those ids outside, so the engine is "root" only over its own empty
// namespaces and counts against RLIMIT_NPROC per namespace (kernels >= 5.14), not per host uid.
//
// A fresh namespace is created by the child itself after its mounts (a child cloned with
// CLONE_NEWUSER could not join the template: EPERM), and the child writes its own maps: it first
// becomes uid/gid outside (an unprivileged writer may map only its own ids), then sets itself
// dumpable again (the uid change cleared it, and /proc/self/uid_map would be EACCES).
//
// The dumpable flag belongs to the memory map, and a CLONE_VM child shares warren's: another child
// in its set-up at the same time (two spawn threads, or parallel direct spawns) clears it again
// with its own uid change. So the child opens all three map files right after setting the flag,
// and sets it and retries the opens when one is refused (only the open checks it; the writes
// check the opener's credentials). Bounded: past the bound the step fails (fail closed).
#define _GNU_SOURCE
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static void become(int report_fd, uint32_t uid, uint32_t gid) {
    if (syscall(SYS_setresgid, gid, gid, gid) != 0) warren_fail(report_fd, "setresgid", -1, errno);
    if (syscall(SYS_setresuid, uid, uid, uid) != 0) warren_fail(report_fd, "setresuid", -1, errno);
}

#define MAP_OPEN_ATTEMPTS 1000

static const char *const map_paths[3] = {"/proc/self/setgroups", "/proc/self/uid_map", "/proc/self/gid_map"};
static const char *const map_steps[3] = {"setgroups_deny", "uid_map", "gid_map"};

static void open_maps(int report_fd, int fds[3]) {
    for (int attempt = 0;; attempt++) {
        if (syscall(SYS_prctl, PR_SET_DUMPABLE, 1, 0, 0, 0) != 0)
            warren_fail(report_fd, "set_dumpable", -1, errno);
        int i;
        for (i = 0; i < 3; i++) {
            fds[i] = (int)syscall(SYS_openat, AT_FDCWD, map_paths[i], O_WRONLY | O_CLOEXEC);
            if (fds[i] < 0) break;
        }
        if (i == 3) return;
        int err = errno;
        for (int j = 0; j < i; j++) syscall(SYS_close, fds[j]);
        if (err != EACCES || attempt + 1 >= MAP_OPEN_ATTEMPTS) warren_fail(report_fd, map_steps[i], -1, err);
        syscall(SYS_sched_yield);
    }
}

static void write_map(int report_fd, int fd, const char *line, const char *step) {
    size_t len = warren_strlen(line);
    long n = syscall(SYS_write, fd, line, len);
    if (n < 0) warren_fail(report_fd, step, -1, errno);
    if ((size_t)n != len) warren_fail(report_fd, step, -1, EIO);
    syscall(SYS_close, fd);
}

void warren_identity(int report_fd, const struct warren_sandbox *sb) {
    // Supplementary groups are warren's: never inherited.
    if (syscall(SYS_setgroups, 0, NULL) != 0) warren_fail(report_fd, "setgroups", -1, errno);
    switch (sb->user_mode) {
    case WARREN_USER_HOST:
        // caps_lock sets SECBIT_NO_SETUID_FIXUP first, so the ids change without dropping the
        // capabilities the remaining steps need; caps_final clears them all.
        warren_caps_lock(report_fd, sb);
        become(report_fd, sb->uid, sb->gid);
        break;
    case WARREN_USER_FRESH: {
        become(report_fd, sb->uid, sb->gid);
        if (syscall(SYS_unshare, CLONE_NEWUSER) != 0) warren_fail(report_fd, "unshare_user", -1, errno);
        int fds[3];
        open_maps(report_fd, fds);
        write_map(report_fd, fds[0], "deny", map_steps[0]);
        write_map(report_fd, fds[1], sb->uid_map, map_steps[1]);
        write_map(report_fd, fds[2], sb->gid_map, map_steps[2]);
        warren_caps_lock(report_fd, sb);
        break;
    }
    case WARREN_USER_SHARED:
        // The prepared namespace already maps root to uid/gid (written by warren at load).
        if (syscall(SYS_setns, sb->user_fd, CLONE_NEWUSER) != 0)
            warren_fail(report_fd, "setns_user", -1, errno);
        become(report_fd, 0, 0);
        warren_caps_lock(report_fd, sb);
        break;
    default:
        warren_fail(report_fd, "user_mode", -1, EINVAL);
    }
}
