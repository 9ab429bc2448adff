// Internal to the spawn path: the steps a child (or the preparing helper) runs between clone and
// execve, one file per concern. Every step either succeeds or reports (step, errno) on the report
// fd and exits 127: nothing after a failed step ever runs (fail closed).
#ifndef WARREN_CHILD_H
#define WARREN_CHILD_H

#include "warren_spawn.h"

#include <linux/sched.h>
#include <stddef.h>

/// The child's whole path from clone to execve (spawn.c). Exported for bench/spawn_bench.c, which
/// runs it under other clone flavours (CLONE_VM|CLONE_VFORK) to compare their cost.
void __attribute__((noreturn)) warren_child(const struct warren_plan *plan, const struct warren_conn *conn);

/// Writes one `warren_report` to `report_fd` and exits with 127.
void __attribute__((noreturn)) warren_fail(int report_fd, const char *step, int detail, int err);

/// Length of a NUL-terminated string, without libc.
size_t warren_strlen(const char *s);

/// Writes all of `len` bytes of `buf` to the file at `path` (for /proc files); returns 0 or errno.
int warren_write_file(const char *path, const char *buf, size_t len);

/// Low fds a spawn thread reserves once, at its start (warren has few fds then), each holding a
/// placeholder (/dev/null, close-on-exec). Before a clone the thread dup3()s the child's inputs onto
/// them and clones with CLONE_FILES; the child's first step unshares only fds [0, limit) (see
/// spawn.c). After the answer the placeholder goes back over each slot.
#define WARREN_SLOT_COUNT 11   // socket, output, log, report, handoff; mnt, net, ipc, uts, cgroup, user
struct warren_slots {
    int placeholder;
    int fds[WARREN_SLOT_COUNT];
    unsigned int limit;        // highest slot + 1: the child keeps fds below it, nothing above
};

// slots.c
int warren_slots_reserve(struct warren_slots *slots);   // 0 or -errno (then nothing is held)
void warren_slots_release(struct warren_slots *slots);

/// warren_spawn_on_stack through `slots` (never NULL): no copy of warren's fd table at clone.
/// `pidfd_at` (or NULL): where clone3 writes the child's pidfd, before the child runs.
int warren_spawn_in_slots(const struct warren_plan *plan, const struct warren_conn *conn,
                          struct warren_child *out, void *stack, size_t stack_size,
                          const struct warren_slots *slots, int *pidfd_at);

// clone_vm.c: clone3 whose child runs fn(arg) on the stack given in args (CLONE_VM children).
// Returns the child's pid in the parent, or -errno; never returns in the child.
long warren_clone3_vm(struct clone_args *args, size_t size, void (*fn)(void *), void *arg);

/// A child stack: `size` usable bytes from `low` up (the child starts at the top), a guard page below.
struct warren_stack {
    void *base;       // the mapping, guard page included
    size_t mapped;
    void *low;        // lowest usable address: clone3 takes (low, size)
    size_t size;
};

// stack.c
int warren_stack_map(struct warren_stack *stack);   // 0 or -errno
void warren_stack_unmap(struct warren_stack *stack);

// mnt.c: runs a mount plan in order; the failing op's index is the report's detail.
void warren_mounts(int report_fd, const struct warren_mount_op *ops, size_t count);

// ns.c: joins the shared namespaces, then the template mount namespace, and copies it.
void warren_enter_namespaces(int report_fd, const struct warren_sandbox *sb);
void warren_set_hostname(int report_fd, const struct warren_sandbox *sb);

// user.c: the engine's identity: a user namespace mapping root to uid/gid, or setresuid/gid.
void warren_identity(int report_fd, const struct warren_sandbox *sb);

// limits.c
void warren_rlimits(int report_fd, const struct warren_sandbox *sb);

// caps.c: before the identity change (while privileged in the final user namespace) and at the
// end (keep-list, no_new_privs).
void warren_caps_lock(int report_fd, const struct warren_sandbox *sb);
void warren_caps_final(int report_fd, const struct warren_sandbox *sb);

// seccomp.c: the last step before execve.
void warren_seccomp(int report_fd, const struct warren_sandbox *sb);

#endif
