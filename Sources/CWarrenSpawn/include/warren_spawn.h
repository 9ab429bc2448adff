// The spawn path: everything between clone and execve.
//
// Swift prepares a `warren_plan` once per service (at load or reload) and a `warren_conn` per
// connection (fds and the environment, allocated in the parent). `warren_spawn` clones; the child
// runs only the C code of this target, with raw async-signal-safe syscalls and no allocation, and
// reports a failing step as (step name, errno) through the connection's close-on-exec report pipe.
#ifndef WARREN_SPAWN_H
#define WARREN_SPAWN_H

#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Longest step name a report carries, NUL included.
#define WARREN_STEP_MAX 28

/// What a failing child writes to the report pipe: one record, atomic (< PIPE_BUF).
/// A successful execve closes the pipe (close-on-exec) without writing anything.
struct warren_report {
    int32_t err;                  // errno of the failing step
    char step[WARREN_STEP_MAX];   // the step's name, NUL-terminated, e.g. "execve", "pivot_root"
};

/// The immutable per-service plan. Every pointer it holds is owned by the Swift side and stays
/// valid, unchanged, for as long as any spawn may read it.
struct warren_plan {
    const char *path;             // engine path as execve sees it (inside the sandbox root, if any)
    char *const *argv;            // NULL-terminated
};

/// Per-connection inputs, prepared by the parent before cloning.
struct warren_conn {
    int sock_fd;                  // becomes fd 0 and fd 1
    int log_fd;                   // becomes fd 2 (write end of the service's log pipe)
    int report_fd;                // write end of a close-on-exec report pipe
    char *const *envp;            // NULL-terminated, complete (UCSPI + policy env)
};

/// What the parent gets back.
struct warren_child {
    pid_t pid;
    int pidfd;                    // close-on-exec; readable when the child exits
};

/// Clones a child that runs the plan for one connection. Returns 0 and fills `out`, or -errno when
/// the clone itself failed (then no child exists). Failures inside the child arrive later, on the
/// report pipe.
int warren_spawn(const struct warren_plan *plan, const struct warren_conn *conn,
                 struct warren_child *out);

#ifdef __cplusplus
}
#endif

#endif
