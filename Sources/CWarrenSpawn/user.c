// The engine's identity. Without a user namespace: setresgid/setresuid to the policy's ids. With
// one: root inside maps to those ids outside, so the engine is "root" only over its own empty
// namespaces and counts against RLIMIT_NPROC per namespace (kernels >= 5.14), not per host uid.
//
// A fresh namespace is created by the child itself after its mounts (a child cloned with
// CLONE_NEWUSER could not join the template: EPERM), and the child writes its own maps: it first
// becomes uid/gid outside (an unprivileged writer may map only its own ids), then sets itself
// dumpable again (the uid change cleared it, and /proc/self/uid_map would be EACCES).
#define _GNU_SOURCE
#include "child.h"

#include <errno.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static void become(int report_fd, uint32_t uid, uint32_t gid) {
    if (syscall(SYS_setresgid, gid, gid, gid) != 0) warren_fail(report_fd, "setresgid", -1, errno);
    if (syscall(SYS_setresuid, uid, uid, uid) != 0) warren_fail(report_fd, "setresuid", -1, errno);
}

static void map(int report_fd, const char *path, const char *line, const char *step) {
    int err = warren_write_file(path, line, warren_strlen(line));
    if (err) warren_fail(report_fd, step, -1, err);
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
    case WARREN_USER_FRESH:
        become(report_fd, sb->uid, sb->gid);
        if (syscall(SYS_prctl, PR_SET_DUMPABLE, 1, 0, 0, 0) != 0)
            warren_fail(report_fd, "set_dumpable", -1, errno);
        if (syscall(SYS_unshare, CLONE_NEWUSER) != 0) warren_fail(report_fd, "unshare_user", -1, errno);
        map(report_fd, "/proc/self/setgroups", "deny", "setgroups_deny");
        map(report_fd, "/proc/self/uid_map", sb->uid_map, "uid_map");
        map(report_fd, "/proc/self/gid_map", sb->gid_map, "gid_map");
        warren_caps_lock(report_fd, sb);
        break;
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
