// Namespaces. clone3 creates only the PID namespace (always new; unshare could not move the
// caller itself into one). The child joins the shared namespaces prepared at load, creates the
// fresh ones itself, then joins the template mount namespace and copies it.
//
// Fresh namespaces are unshared here, not passed to clone3: clone3 creates them in the caller's
// context, and a new network namespace alone held warren's event loop ~0.4-0.7 ms per spawn
// (bench/spawn.sh, "caller blocked"); in the child that cost runs on another CPU.
//
// Order matters (measured, see SPAWN-NOTES): setns into a mount namespace needs CAP_SYS_ADMIN and
// CAP_SYS_CHROOT over the template's owner (the initial user namespace), so it runs before any
// user namespace is entered; and it fails with EINVAL for a caller sharing its fs_struct, which a
// clone3 child without CLONE_FS does not.
#define _GNU_SOURCE
#include "child.h"

#include <errno.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

static void join(int report_fd, int fd, int type, const char *step) {
    if (fd < 0) return;
    if (syscall(SYS_setns, fd, type) != 0) warren_fail(report_fd, step, -1, errno);
}

void warren_enter_namespaces(int report_fd, const struct warren_sandbox *sb) {
    join(report_fd, sb->net_fd, CLONE_NEWNET, "setns_net");
    join(report_fd, sb->ipc_fd, CLONE_NEWIPC, "setns_ipc");
    join(report_fd, sb->uts_fd, CLONE_NEWUTS, "setns_uts");
    join(report_fd, sb->cgroup_fd, CLONE_NEWCGROUP, "setns_cgroup");
    if (sb->unshare_flags && syscall(SYS_unshare, sb->unshare_flags) != 0)
        warren_fail(report_fd, "unshare", -1, errno);
    // After this setns, root and cwd are already the template's root (pivoted at load).
    if (syscall(SYS_setns, sb->mnt_fd, CLONE_NEWNS) != 0)
        warren_fail(report_fd, "setns_mnt", -1, errno);
    // The child's own copy: its /proc and tmpfs mounts stay out of the template (which is
    // rprivate, so nothing propagates back).
    if (syscall(SYS_unshare, CLONE_NEWNS) != 0) warren_fail(report_fd, "unshare_mnt", -1, errno);
}

void warren_set_hostname(int report_fd, const struct warren_sandbox *sb) {
    if (!sb->hostname || !(sb->unshare_flags & CLONE_NEWUTS)) return;
    if (syscall(SYS_sethostname, sb->hostname, sb->hostname_len) != 0)
        warren_fail(report_fd, "sethostname", -1, errno);
}
