// Capabilities. Two steps, because the identity change sits between them:
//   lock  (still privileged in the engine's final user namespace): drop the bounding set, clear
//         the ambient set, and lock securebits so that uid 0 never regains capabilities through
//         execve (NOROOT), setuid never adjusts them (NO_SETUID_FIXUP), and none of it can be undone.
//   final (just before seccomp): permitted, effective and inheritable become the keep-list, kept
//         capabilities are raised into the ambient set (the only way they survive execve for a
//         non-root engine), and no_new_privs is set.
// A fresh or joined user namespace starts with a full bounding set, so the plan drops it per child
// then; without one, warren drops its own bounding set once and the child has nothing left to drop.
#define _GNU_SOURCE
#include "child.h"

#include <errno.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

void warren_caps_lock(int report_fd, const struct warren_sandbox *sb) {
    for (int cap = 0; cap < 64; cap++) {
        if (!(sb->bset_drop & (1ULL << cap))) continue;
        if (syscall(SYS_prctl, PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
            warren_fail(report_fd, "capbset_drop", cap, errno);
    }
    if (syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0)
        warren_fail(report_fd, "ambient_clear", -1, errno);
    unsigned long bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
                         SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED;
    if (sb->keep_caps == 0) bits |= SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
    if (syscall(SYS_prctl, PR_SET_SECUREBITS, bits, 0, 0, 0) != 0)
        warren_fail(report_fd, "securebits", -1, errno);
}

void warren_caps_final(int report_fd, const struct warren_sandbox *sb) {
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    for (int i = 0; i < 2; i++) {
        uint32_t word = (uint32_t)(sb->keep_caps >> (32 * i));
        data[i].effective = word;
        data[i].permitted = word;
        data[i].inheritable = word;
    }
    if (syscall(SYS_capset, &hdr, data) != 0) warren_fail(report_fd, "capset", -1, errno);
    for (int cap = 0; cap < 64; cap++) {
        if (!(sb->keep_caps & (1ULL << cap))) continue;
        if (syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0)
            warren_fail(report_fd, "ambient_raise", cap, errno);
    }
    if (syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        warren_fail(report_fd, "no_new_privs", -1, errno);
}
