// rlimits, set after the identity change: a lowered RLIMIT_NPROC set before setresuid would make
// the kernel flag the process (PF_NPROC_EXCEEDED) and fail its execve with EAGAIN; set after, it
// only stops the engine's own forks. Also after the fds are in place (RLIMIT_NOFILE may be below the
// numbers the fd shuffle uses).
#define _GNU_SOURCE
#include "child.h"

#include <errno.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

void warren_rlimits(int report_fd, const struct warren_sandbox *sb) {
    for (size_t i = 0; i < sb->rlimit_count; i++) {
        struct rlimit64 {
            uint64_t cur, max;
        } lim = {sb->rlimits[i].value, sb->rlimits[i].value};
        if (syscall(SYS_prlimit64, 0, sb->rlimits[i].resource, &lim, NULL) != 0)
            warren_fail(report_fd, "setrlimit", (int)i, errno);
    }
}
