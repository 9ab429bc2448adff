// The spawn path: everything between clone and execve.
//
// Swift prepares a `warren_plan` once per service (at load or reload) and a `warren_conn` per
// connection (fds and the environment, allocated in the parent). `warren_spawn` clones (directly,
// or on the server's spawn thread); the child runs only the C code of this target, with raw
// async-signal-safe syscalls and no allocation, and reports a failing step as (step name, errno) through the connection's close-on-exec report pipe.
#ifndef WARREN_SPAWN_H
#define WARREN_SPAWN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "warren_consts.h"
#include "warren_privileges.h"
#include "warren_audit.h"

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
    int32_t detail;               // index of the failing mount op or rlimit, -1 when none
};

/// One step of a mount plan, executed in order (see mnt.c). Paths are absolute.
enum warren_mount_kind {
    WARREN_MKDIR = 1,             // mkdir(target, 0755); an existing directory is fine
    WARREN_MKFILE = 2,            // create an empty file at target (a bind target for a file)
    WARREN_MOUNT = 3,             // mount(source, target, fstype, flags, data)
    WARREN_PIVOT = 4,             // make target the root: pivot_root, detach and remove the old root
    WARREN_SETATTR_REC = 5,       // mount_setattr(target, AT_RECURSIVE): set MOUNT_ATTR_* `flags`
};

struct warren_mount_op {
    int32_t kind;                 // enum warren_mount_kind
    const char *source;           // may be NULL
    const char *target;
    const char *fstype;           // may be NULL
    unsigned long flags;          // MS_*
    const char *data;             // may be NULL
};

struct warren_rlimit {
    int32_t resource;             // RLIMIT_*
    uint64_t value;               // soft and hard limit
};

/// How the child gets a namespace that is not created by clone3 itself.
enum warren_user_mode {
    WARREN_USER_HOST = 0,         // no user namespace: setresuid/setresgid to uid/gid
    WARREN_USER_FRESH = 1,        // unshare(CLONE_NEWUSER), the child maps root to uid/gid itself
    WARREN_USER_SHARED = 2,       // setns(user_fd): the prepared namespace maps root to uid/gid
};

/// The sandbox part of a plan; absent (NULL) only for the unconfined bare path.
struct warren_sandbox {
    uint64_t clone_flags;         // CLONE_NEWPID (the only namespace that must exist at clone)
    uint64_t unshare_flags;       // fresh CLONE_NEWNET/NEWIPC/NEWUTS/NEWCGROUP, made by the child
    int mnt_fd;                   // the prepared template mount namespace (required)
    int net_fd, ipc_fd, uts_fd, cgroup_fd;  // shared namespaces to join, -1 when not shared
    int user_mode;                // enum warren_user_mode
    int user_fd;                  // WARREN_USER_SHARED only
    uint32_t uid, gid;            // outside ids the engine runs as
    const char *uid_map;          // "0 UID 1\n" (WARREN_USER_FRESH)
    const char *gid_map;          // "0 GID 1\n"
    const char *hostname;         // fresh UTS only; may be NULL
    size_t hostname_len;
    const struct warren_mount_op *mounts;   // per child, after unshare(CLONE_NEWNS): /proc, tmpfs
    size_t mount_count;
    const char *cwd;              // inside the sandbox
    const struct warren_rlimit *rlimits;
    size_t rlimit_count;
    uint64_t bset_drop;           // capabilities to drop from the bounding set
    uint64_t keep_caps;           // capabilities kept (permitted, effective, inheritable, ambient)
    const void *filter;           // struct sock_filter[filter_len]; loaded last
    uint16_t filter_len;
};

/// The immutable per-service plan. Every pointer it holds is owned by the Swift side and stays
/// valid, unchanged, for as long as any spawn may read it.
struct warren_plan {
    const char *path;             // engine path as execve sees it (inside the sandbox root, if any)
    char *const *argv;            // NULL-terminated
    const struct warren_sandbox *sandbox;   // NULL: unconfined (tests of the bare path only)
};

/// Namespaces prepared once per plan by `warren_prepare`; every fd is close-on-exec, -1 if unused.
struct warren_prepared {
    int mnt_fd, net_fd, ipc_fd, uts_fd, cgroup_fd, user_fd;
};

/// What to prepare: the template's mount plan (ending in WARREN_PIVOT and the read-only remount of
/// the root), which shared namespaces to create, and the maps of a shared user namespace.
struct warren_prepare_spec {
    const struct warren_mount_op *mounts;
    size_t mount_count;
    int share_net, share_ipc, share_uts, share_cgroup, share_user;
    const char *hostname;         // for a shared UTS namespace; may be NULL
    size_t hostname_len;
    const char *uid_map;          // for a shared user namespace
    const char *gid_map;
};

/// Builds the template mount namespace and the shared namespaces in a short-lived helper process
/// and returns them as fds. Blocks until the helper is done (load time, never per connection).
/// Returns 0, or -1 with `*failure` naming the failed step.
int warren_prepare(const struct warren_prepare_spec *spec, struct warren_prepared *out,
                   struct warren_report *failure);

/// Closes every prepared namespace fd (a reload drops old plans: their namespaces go with them).
void warren_release(struct warren_prepared *prepared);

/// Per-connection inputs, prepared by the parent before cloning.
struct warren_conn {
    int sock_fd;                  // becomes fd 0 and fd 1
    int log_fd;                   // becomes fd 2 (sending end of the service's log socket)
    int report_fd;                // write end of a close-on-exec report pipe
    char *const *envp;            // NULL-terminated, complete (UCSPI + policy env)
    int out_fd;                   // becomes fd 1 instead of sock_fd when >= 0 (`warren run`)
    int handoff_fd;               // >= 0: a prespawned engine's handoff socket, placed on fd 3
                                  // (WARREN_HANDOFF_FD, docs/engine-protocol.md); the report pipe
                                  // then sits on fd 4. -1: none.
    int cgroup_fd;                // cgroup v2 leaf (O_DIRECTORY) to start in (CLONE_INTO_CGROUP); -1: none
    int idle_priority;            // 1: a prespawned waiter, which runs its set-up and start-up at
                                  // SCHED_IDLE until warren restores it at the handoff; 0: as warren
};

/// What the parent gets back.
struct warren_child {
    pid_t pid;
    int pidfd;                    // close-on-exec; readable when the child exits
};

/// Spawns a child that runs the plan for one connection: clone3 with CLONE_VM|CLONE_VFORK, so it
/// returns once the child has exec'd the engine or failed a step (the caller sleeps meanwhile; see
/// spawn.c). Returns 0 and fills `out`, or -errno when the clone itself failed (then no child
/// exists). A failed step is reported on the report pipe, which holds it by the time this returns.
/// For `warren run` and tests; the server spawns through a spawn thread (below).
int warren_spawn(const struct warren_plan *plan, const struct warren_conn *conn,
                 struct warren_child *out);

/// As warren_spawn, with the child on `stack` (lowest address, size) and the caller's signals
/// already blocked (all of them). The spawn thread's path.
int warren_spawn_on_stack(const struct warren_plan *plan, const struct warren_conn *conn,
                          struct warren_child *out, void *stack, size_t stack_size);

/// One spawn thread and its request ring (spawn_thread.c).
struct warren_spawner;

/// The outcome of one request, in submission order.
struct warren_spawn_result {
    uint64_t token;               // the submitter's, unchanged
    int32_t pid;                  // > 0 when a child exists
    int32_t pidfd;                // close-on-exec, -1 when no child exists
    int32_t err;                  // 0, or the errno of the failed clone (ETIMEDOUT: still queued
                                  // at its deadline, never cloned)
    int32_t killed;               // 1: the child was killed in its sandbox set-up, before execve
                                  // (warren_spawner_kill_in_setup); the engine never ran
};

/// Starts a spawn thread with a ring of `capacity` requests (a power of two). Returns 0, or -errno
/// (then no thread exists: the server refuses to start). The thread holds 12 of the lowest free fds
/// for its life (the slots its children's inputs are placed on; child.h): start it before opening
/// many fds, since each child copies warren's fds below the highest slot.
int warren_spawner_start(uint32_t capacity, struct warren_spawner **out);
/// Lets the thread finish the requests already submitted, joins it and frees everything. Results
/// not taken are lost: take them first (their pidfds would leak).
void warren_spawner_stop(struct warren_spawner *spawner);
/// Readable (an eventfd, in epoll) when results are waiting.
int warren_spawner_result_fd(const struct warren_spawner *spawner);
/// Requests submitted whose results have not been taken yet.
uint32_t warren_spawner_in_flight(const struct warren_spawner *spawner);
/// Queues a spawn; never blocks. The plan, the envp and the conn's fds must stay valid and open
/// until its result is taken. `deadline_ns` (CLOCK_MONOTONIC; 0: none): a request still queued then
/// is answered -ETIMEDOUT without a clone. Returns 0, or -EAGAIN when the ring is full.
int warren_spawner_submit(struct warren_spawner *spawner, const struct warren_plan *plan,
                          const struct warren_conn *conn, uint64_t token, uint64_t deadline_ns);
/// The request whose child is in its sandbox set-up now (the thread asleep in its CLONE_VFORK
/// clone): 1 and its token, or 0 when the thread is between spawns.
int warren_spawner_current(struct warren_spawner *spawner, uint64_t *token);
/// SIGKILLs the child of request `token` if it is still in its set-up: a child that hangs there
/// (a bind source on a hung file system, a frozen cgroup) would hold its spawn thread, and every
/// request queued behind it, for ever. Its result then says `killed`. Returns 1 when signalled,
/// 0 when that request is not in its set-up (not started, done, or its pidfd not written yet),
/// or -errno.
int warren_spawner_kill_in_setup(struct warren_spawner *spawner, uint64_t token);
/// Takes the next result: 1 and fills `out`, or 0 when none is waiting (and clears the result fd).
/// Drain until 0 on each wake-up. Only the thread that submits may take.
int warren_spawner_take(struct warren_spawner *spawner, struct warren_spawn_result *out);

#ifdef __cplusplus
}
#endif

#endif
