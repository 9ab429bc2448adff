// The engine's identity. Without a user namespace: setresgid/setresuid to the policy's ids. With
// one: root inside maps to those ids outside, so the engine is "root" only over its own empty
// namespaces and counts against RLIMIT_NPROC per namespace (kernels >= 5.14), not per host uid.
//
// A fresh namespace is created by the child itself after its mounts (a child cloned with
// CLONE_NEWUSER could not join the template: EPERM), and the child writes its own maps. An
// unprivileged writer may map only its own effective ids, so the child first takes uid/gid as its
// effective ids only (they also make it the namespace's owner), keeps real and saved ids 0, and
// sets its fsuid back to 0: the id change clears the dumpable flag, which makes /proc/self/* root's,
// and fsuid 0 can still open its map files. Then, inside, it becomes root of the namespace
// (uid/gid outside) for good.
//
// Never PR_SET_DUMPABLE: a CLONE_VM child shares warren's memory map, and the dumpable flag is the
// map's. Set to 1 (the earlier way to open the maps after a full uid change), any host process
// running as uid/gid could ptrace-attach to the child before its execve — and write into
// warren's memory. Non-dumpable, only a tracer with CAP_SYS_PTRACE in the initial namespace can.
#define _GNU_SOURCE
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

static void become(int report_fd, uint32_t uid, uint32_t gid) {
    if (syscall(SYS_setresgid, gid, gid, gid) != 0) warren_fail(report_fd, "setresgid", -1, errno);
    if (syscall(SYS_setresuid, uid, uid, uid) != 0) warren_fail(report_fd, "setresuid", -1, errno);
}

static const char *const map_paths[3] = {"/proc/self/setgroups", "/proc/self/uid_map", "/proc/self/gid_map"};
static const char *const map_steps[3] = {"setgroups_deny", "uid_map", "gid_map"};

// Effective ids uid/gid, real and saved ids still 0, fsuid 0 (allowed: it is the real uid).
static void become_owner(int report_fd, uint32_t uid, uint32_t gid) {
    if (syscall(SYS_setresgid, -1, gid, -1) != 0) warren_fail(report_fd, "setresgid", -1, errno);
    if (syscall(SYS_setresuid, -1, uid, -1) != 0) warren_fail(report_fd, "setresuid", -1, errno);
    // setfsuid reports no error: read it back.
    syscall(SYS_setfsuid, 0);
    if (syscall(SYS_setfsuid, -1) != 0) warren_fail(report_fd, "setfsuid", -1, EPERM);
}

static void open_maps(int report_fd, int fds[3]) {
    for (int i = 0; i < 3; i++) {
        fds[i] = (int)syscall(SYS_openat, AT_FDCWD, map_paths[i], O_WRONLY | O_CLOEXEC);
        if (fds[i] < 0) warren_fail(report_fd, map_steps[i], -1, errno);
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
        become_owner(report_fd, sb->uid, sb->gid);
        if (syscall(SYS_unshare, CLONE_NEWUSER) != 0) warren_fail(report_fd, "unshare_user", -1, errno);
        int fds[3];
        open_maps(report_fd, fds);
        write_map(report_fd, fds[0], "deny", map_steps[0]);
        write_map(report_fd, fds[1], sb->uid_map, map_steps[1]);
        write_map(report_fd, fds[2], sb->gid_map, map_steps[2]);
        // Root of the namespace for good: every id, real and saved included, is uid/gid outside.
        become(report_fd, 0, 0);
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
