// Scheduling of prespawned engines (warren_sys.h): a waiter's child puts itself at SCHED_IDLE
// (spawn.c), and warren puts every thread of it back to SCHED_OTHER, nice 0, at its handoff.
#define _GNU_SOURCE
#include "warren_sys.h"

#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

// The kernel's struct sched_attr (SCHED_ATTR_SIZE_VER1); linux/sched/types.h also defines a
// struct sched_param that clashes with glibc's.
struct sched_attr {
    uint32_t size;
    uint32_t sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime, sched_deadline, sched_period;
    uint32_t sched_util_min, sched_util_max;
};

static int normal(pid_t tid) {
    struct sched_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.size = sizeof attr;
    attr.sched_policy = SCHED_OTHER;
    attr.sched_nice = 0;
    return (int)syscall(SYS_sched_setattr, tid, &attr, 0);
}

int warren_sched_restore(pid_t pid) {
    // The pid first: it is the engine's main thread, and the only one of a single-threaded engine.
    if (normal(pid) != 0) return -1;
    // Threads it started while idle inherited SCHED_IDLE: each one, from /proc (the engine is
    // warren's unreaped child, so its pid and thread ids cannot be reused meanwhile).
    char path[40];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *dir = opendir(path);
    if (!dir) return -1;
    int rc = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        char *end;
        long tid = strtol(entry->d_name, &end, 10);
        if (*end != 0 || tid <= 0 || tid == pid) continue;
        // A thread that exited meanwhile (ESRCH) needs nothing.
        if (normal((pid_t)tid) != 0 && errno != ESRCH) rc = -1;
    }
    int saved = errno;
    closedir(dir);
    errno = saved;
    return rc;
}

int warren_sched_policy(pid_t tid) { return (int)syscall(SYS_sched_getscheduler, tid); }
