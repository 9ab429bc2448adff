// The seccomp filter, compiled by libseccomp in the parent at load and exported as BPF: here it is
// only loaded, as the very last step before execve, so that it needs to allow nothing of the set-up
// (only execve itself, which the compiled policy must allow).
#define _GNU_SOURCE
#include "child.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

void warren_seccomp(int report_fd, const struct warren_sandbox *sb) {
    // Fail closed: a sandbox without a filter is a plan error, never "no filter".
    if (sb->filter == NULL || sb->filter_len == 0) warren_fail(report_fd, "seccomp", -1, EINVAL);
    struct sock_fprog prog = {sb->filter_len, (struct sock_filter *)sb->filter};
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0)
        warren_fail(report_fd, "seccomp", -1, errno);
}
