// Mount plans. Swift compiles a policy's rootfs into a list of ops (mnt plan in SpawnPlan): the
// helper runs the template's list once per plan (tmpfs root, read-only binds, minimal /dev, the
// engine, pivot_root, root remounted read-only); each child runs its own short list after copying
// the template (its /proc, its size-capped tmpfs). This file only executes them, in order.
#define _GNU_SOURCE
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <stdint.h>
#include <unistd.h>

#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

// struct mount_attr of mount_setattr(2), spelled out: libc headers may predate it (kernel 5.12).
struct warren_mount_attr {
    uint64_t attr_set, attr_clr, propagation, userns_fd;
};

// Name of the old root under the new one during pivot_root; removed right after.
#define OLD_ROOT ".warren-old-root"

static void pivot(int report_fd, int index, const char *target) {
    if (syscall(SYS_chdir, target) != 0) warren_fail(report_fd, "pivot_chdir", index, errno);
    if (syscall(SYS_mkdirat, AT_FDCWD, OLD_ROOT, 0700) != 0)
        warren_fail(report_fd, "pivot_mkdir", index, errno);
    if (syscall(SYS_pivot_root, ".", OLD_ROOT) != 0) warren_fail(report_fd, "pivot_root", index, errno);
    if (syscall(SYS_chdir, "/") != 0) warren_fail(report_fd, "pivot_chdir", index, errno);
    // Detach, not unmount: the host's mounts stay busy elsewhere; the template must not see them.
    if (syscall(SYS_umount2, "/" OLD_ROOT, MNT_DETACH) != 0)
        warren_fail(report_fd, "umount_old_root", index, errno);
    if (syscall(SYS_unlinkat, AT_FDCWD, "/" OLD_ROOT, AT_REMOVEDIR) != 0)
        warren_fail(report_fd, "rmdir_old_root", index, errno);
}

void warren_mounts(int report_fd, const struct warren_mount_op *ops, size_t count) {
    for (size_t i = 0; i < count; i++) {
        const struct warren_mount_op *op = &ops[i];
        int index = (int)i;
        switch (op->kind) {
        case WARREN_MKDIR:
            if (syscall(SYS_mkdirat, AT_FDCWD, op->target, 0755) != 0 && errno != EEXIST)
                warren_fail(report_fd, "mkdir", index, errno);
            break;
        case WARREN_MKFILE: {
            int fd = (int)syscall(SYS_openat, AT_FDCWD, op->target,
                                  O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
            if (fd < 0) warren_fail(report_fd, "mkfile", index, errno);
            syscall(SYS_close, fd);
            break;
        }
        case WARREN_MOUNT:
            if (syscall(SYS_mount, op->source, op->target, op->fstype, op->flags, op->data) != 0)
                warren_fail(report_fd, "mount", index, errno);
            break;
        case WARREN_SETATTR_REC: {
            // MS_REMOUNT|MS_BIND changes only the top mount of a recursive bind: a mount below a
            // read-only bind source (a tmpfs, another disk) would stay writable and executable.
            struct warren_mount_attr attr = {.attr_set = op->flags};
            if (syscall(SYS_mount_setattr, AT_FDCWD, op->target, AT_RECURSIVE, &attr, sizeof attr) != 0)
                warren_fail(report_fd, "mount_setattr", index, errno);
            break;
        }
        case WARREN_PIVOT:
            pivot(report_fd, index, op->target);
            break;
        default:
            warren_fail(report_fd, "mount_plan", index, EINVAL);
        }
    }
}
