// Per-connection cost of a cgroup v2 leaf (issue 7's question), run through bench/cgroup-leaf.sh:
//   leaf-only    mkdir + open(O_DIRECTORY) + close + rmdir, no process
//   spawn        warren_spawn (bare plan: fork-like clone3 + execve of a static `true`) + reap
//   spawn+leaf   the same with the leaf: mkdir + open, clone3 with CLONE_INTO_CGROUP, close, reap,
//                rmdir, as warren serve does per connection
// N times each, in sequence, interleaved so that foreign load hits every mode alike. Prints medians
// and p90 in microseconds.
#define _GNU_SOURCE
#include "../Sources/CWarrenSpawn/child.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *mode, double *s, int n) {
    qsort(s, (size_t)n, sizeof *s, cmp);
    printf("%-12s n=%d median %7.1f p90 %7.1f us\n", mode, n, s[n / 2], s[n * 9 / 10]);
}

static int spawn_once(const struct warren_plan *plan, char *const *envp, int null, int cgroup_fd) {
    int rep[2];
    if (pipe2(rep, O_CLOEXEC) != 0) return -1;
    struct warren_conn conn = {null, null, rep[1], envp, -1, cgroup_fd};
    struct warren_child child;
    int rc = warren_spawn(plan, &conn, &child);
    close(rep[1]);
    if (cgroup_fd >= 0) close(cgroup_fd);
    if (rc != 0) {
        close(rep[0]);
        fprintf(stderr, "spawn: %s\n", strerror(-rc));
        return -1;
    }
    siginfo_t info;
    while (waitid(P_PIDFD, (id_t)child.pidfd, &info, WEXITED) != 0 && errno == EINTR) {
    }
    close(child.pidfd);
    close(rep[0]);
    return info.si_code == CLD_EXITED && info.si_status == 0 ? 0 : -1;
}

int main(int argc, char **argv) {
    if (argc < 4) return fprintf(stderr, "usage: cgroup_leaf CGROUP_DIR N ENGINE\n"), 2;
    const char *dir = argv[1];
    int n = atoi(argv[2]);
    char *args[] = {argv[3], NULL};
    char *envp[] = {NULL};
    struct warren_plan plan = {argv[3], args, NULL};
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    double *leaf = calloc((size_t)n, sizeof *leaf), *bare = calloc((size_t)n, sizeof *bare),
           *with = calloc((size_t)n, sizeof *with);
    char path[512];
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/c%d", dir, i);
        double t0 = now_us();
        if (mkdir(path, 0755) != 0) return perror("mkdir"), 1;
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) return perror("open"), 1;
        close(fd);
        if (rmdir(path) != 0) return perror("rmdir"), 1;
        leaf[i] = now_us() - t0;

        t0 = now_us();
        if (spawn_once(&plan, envp, null, -1) != 0) return 1;
        bare[i] = now_us() - t0;

        t0 = now_us();
        if (mkdir(path, 0755) != 0) return perror("mkdir"), 1;
        fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) return perror("open"), 1;
        if (spawn_once(&plan, envp, null, fd) != 0) return 1;
        if (rmdir(path) != 0) return perror("rmdir after reap"), 1;
        with[i] = now_us() - t0;
    }
    report("leaf-only", leaf, n);
    report("spawn", bare, n);
    report("spawn+leaf", with, n);
    return 0;
}
