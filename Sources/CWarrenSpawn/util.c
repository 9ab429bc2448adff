// Helpers shared by the child's steps: reporting a failure, writing a small file. Raw syscalls
// only: these run after clone, where libc's locks and allocator may be in any state.
#define _GNU_SOURCE
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

void warren_fail(int report_fd, const char *step, int detail, int err) {
    struct warren_report r;
    for (size_t i = 0; i < sizeof r.step; i++) r.step[i] = 0;
    for (size_t i = 0; i + 1 < sizeof r.step && step[i]; i++) r.step[i] = step[i];
    r.err = err;
    r.detail = detail;
    (void)syscall(SYS_write, report_fd, &r, sizeof r);
    syscall(SYS_exit_group, 127);
    __builtin_unreachable();
}

size_t warren_strlen(const char *s) {
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

int warren_write_file(const char *path, const char *buf, size_t len) {
    int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    long n = syscall(SYS_write, fd, buf, len);
    int err = n < 0 ? errno : ((size_t)n == len ? 0 : EIO);
    syscall(SYS_close, fd);
    return err;
}
