// A test engine for cgroup leaves. `cgroupfork` forks a grandchild that leaves the engine's process
// group and session (setsid) and writes "left PID\n" (its pid as it sees it) on fd 1; the engine
// and the grandchild then wait for ever, for warren's timeout. Killing the engine alone leaves the
// grandchild running where no PID namespace ends it; cgroup.kill ends both.
// `cgroupfork cgroup` prints /proc/self/cgroup and exits.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "cgroup") == 0) {
        char buf[512];
        int fd = open("/proc/self/cgroup", O_RDONLY);
        if (fd < 0) return 1;
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) return 1;
        return write(1, buf, (size_t)n) == n ? 0 : 1;
    }
    pid_t pid = fork();
    if (pid < 0) return 1;
    if (pid == 0) {
        if (setsid() < 0) return 1;
        char line[32];
        int n = snprintf(line, sizeof line, "left %d\n", (int)getpid());
        if (write(1, line, (size_t)n) != n) return 1;
        for (;;) pause();
    }
    for (;;) pause();
}
