// The server's spawn thread: a plain pthread (no Swift runs on it) that takes spawn requests from
// the event loop and does the CLONE_VM|CLONE_VFORK spawn (spawn.c), sleeping through each child's
// sandbox set-up while the loop goes on accepting.
//
// Hand-off: a ring of preallocated slots with one producer (the loop) and one consumer (this
// thread). The loop fills the slot at `head`, publishes it and bumps an eventfd; the thread spawns
// slot after slot, stores each result in its slot, publishes `done` and bumps the result eventfd,
// which the loop watches in epoll and drains with warren_spawner_take. Neither side allocates per
// spawn, and the loop never blocks: a full ring is -EAGAIN, and the loop stops accepting until
// results come back.
//
// Watchdog: a child's set-up should take a millisecond, but one that hangs (a bind source on a
// hung file system, a frozen cgroup) holds its thread asleep in the clone, and every request queued
// behind it. The loop asks which request is in its set-up (warren_spawner_current) and, past that
// connection's deadline, kills its child through the pidfd clone3 wrote into `current` before the
// child ran. `current` is under a mutex so the pidfd cannot be closed (or its number reused) while
// the loop signals it: the thread clears `busy` before its result, and with it the pidfd, leaves.
// A request still queued at its deadline is answered ETIMEDOUT without a clone.
//
// Each thread reserves a few low fds at its start (child.h, slots.c) and clones with CLONE_FILES:
// the child's inputs are dup'd onto those slots, and the child copies only warren's fds below them,
// however many connections warren holds (spawn.c).
#define _GNU_SOURCE
#include "child.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

struct slot {
    const struct warren_plan *plan;
    struct warren_conn conn;
    uint64_t deadline_ns;         // 0: none
    struct warren_spawn_result result;
};

// The request in its set-up (see the watchdog above).
struct current {
    pthread_mutex_t lock;
    int busy;
    uint64_t token;
    int pidfd;                    // written by clone3 in the thread's clone, before the child runs
    int killed;
};

struct warren_spawner {
    pthread_t thread;
    int request_fd;               // eventfd, blocking: the loop → the thread
    int result_fd;                // eventfd, non-blocking: the thread → the loop (in epoll)
    uint32_t mask;                // capacity - 1 (capacity is a power of two)
    _Atomic uint32_t head;        // written by the loop: slots before it are requests
    _Atomic uint32_t done;        // written by the thread: slots before it hold results
    uint32_t tail;                // the loop's own: the next result to take
    _Atomic int stop;
    struct warren_stack stack;    // the children's stack: one child at a time per thread
    struct warren_slots fd_slots; // low fds the children's inputs are placed on (child.h)
    struct slot *slots;
    struct current current;
};

static uint64_t monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

// One request: ETIMEDOUT past its deadline, else the spawn with its child watchable in `current`.
static void serve(struct warren_spawner *s, struct slot *slot) {
    struct current *cur = &s->current;
    if (slot->deadline_ns != 0 && monotonic_ns() >= slot->deadline_ns) {
        slot->result.pid = 0;
        slot->result.pidfd = -1;
        slot->result.err = ETIMEDOUT;
        return;
    }
    pthread_mutex_lock(&cur->lock);
    cur->busy = 1;
    cur->token = slot->result.token;
    cur->pidfd = -1;
    cur->killed = 0;
    pthread_mutex_unlock(&cur->lock);
    struct warren_child child = {0, -1};
    int rc = warren_spawn_in_slots(slot->plan, &slot->conn, &child, s->stack.low, s->stack.size, &s->fd_slots,
                                   &cur->pidfd);
    pthread_mutex_lock(&cur->lock);
    cur->busy = 0;
    int killed = cur->killed;
    pthread_mutex_unlock(&cur->lock);
    slot->result.pid = rc == 0 ? child.pid : 0;
    slot->result.pidfd = rc == 0 ? child.pidfd : -1;
    slot->result.err = rc == 0 ? 0 : -rc;
    slot->result.killed = rc == 0 ? killed : 0;
}

static void bump(int fd) {
    uint64_t one = 1;
    while (write(fd, &one, sizeof one) < 0 && errno == EINTR) {
    }
}

static void *run(void *arg) {
    struct warren_spawner *s = arg;
    uint32_t done = atomic_load_explicit(&s->done, memory_order_relaxed);
    for (;;) {
        uint32_t head = atomic_load_explicit(&s->head, memory_order_acquire);
        if (done == head) {
            if (atomic_load_explicit(&s->stop, memory_order_acquire)) return NULL;
            uint64_t count;
            // Blocks until the loop submits (or asks to stop); the counter persists, so a submit
            // between the check above and this read is not lost.
            while (read(s->request_fd, &count, sizeof count) < 0 && errno == EINTR) {
            }
            continue;
        }
        serve(s, &s->slots[done & s->mask]);
        done++;
        atomic_store_explicit(&s->done, done, memory_order_release);
        bump(s->result_fd);
    }
}

static void destroy(struct warren_spawner *s) {
    if (s->request_fd >= 0) close(s->request_fd);
    if (s->result_fd >= 0) close(s->result_fd);
    warren_stack_unmap(&s->stack);
    warren_slots_release(&s->fd_slots);
    pthread_mutex_destroy(&s->current.lock);
    free(s->slots);
    free(s);
}

int warren_spawner_start(uint32_t capacity, struct warren_spawner **out) {
    if (capacity == 0 || (capacity & (capacity - 1)) != 0) return -EINVAL;
    struct warren_spawner *s = calloc(1, sizeof *s);
    if (!s) return -ENOMEM;
    s->request_fd = s->result_fd = -1;
    s->fd_slots.placeholder = -1;
    for (int i = 0; i < WARREN_SLOT_COUNT; i++) s->fd_slots.fds[i] = -1;
    s->mask = capacity - 1;
    pthread_mutex_init(&s->current.lock, NULL);
    s->current.pidfd = -1;
    s->slots = calloc(capacity, sizeof *s->slots);
    int rc = s->slots ? 0 : -ENOMEM;
    if (rc == 0 && (s->request_fd = eventfd(0, EFD_CLOEXEC)) < 0) rc = -errno;
    if (rc == 0 && (s->result_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) rc = -errno;
    if (rc == 0) rc = warren_stack_map(&s->stack);
    // At the server's start, before any listener, connection or pidfd: the lowest numbers there are.
    if (rc == 0) rc = warren_slots_reserve(&s->fd_slots);
    if (rc == 0) {
        // The thread starts with every signal blocked (it inherits this mask), so no handler can
        // run on it, or in a CLONE_VM child before the child resets its signals.
        sigset_t all, saved;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &saved);
        rc = -pthread_create(&s->thread, NULL, run, s);
        pthread_sigmask(SIG_SETMASK, &saved, NULL);
        if (rc == 0) pthread_setname_np(s->thread, "warren-spawn");
    }
    if (rc != 0) {
        destroy(s);
        return rc;
    }
    *out = s;
    return 0;
}

void warren_spawner_stop(struct warren_spawner *s) {
    if (!s) return;
    atomic_store_explicit(&s->stop, 1, memory_order_release);
    bump(s->request_fd);
    pthread_join(s->thread, NULL);
    destroy(s);
}

int warren_spawner_result_fd(const struct warren_spawner *s) { return s->result_fd; }

uint32_t warren_spawner_in_flight(const struct warren_spawner *s) {
    return atomic_load_explicit(&s->head, memory_order_relaxed) - s->tail;
}

int warren_spawner_submit(struct warren_spawner *s, const struct warren_plan *plan,
                          const struct warren_conn *conn, uint64_t token, uint64_t deadline_ns) {
    uint32_t head = atomic_load_explicit(&s->head, memory_order_relaxed);
    if (head - s->tail > s->mask) return -EAGAIN;
    struct slot *slot = &s->slots[head & s->mask];
    slot->plan = plan;
    slot->conn = *conn;
    slot->deadline_ns = deadline_ns;
    memset(&slot->result, 0, sizeof slot->result);
    slot->result.token = token;
    atomic_store_explicit(&s->head, head + 1, memory_order_release);
    bump(s->request_fd);
    return 0;
}

int warren_spawner_take(struct warren_spawner *s, struct warren_spawn_result *out) {
    if (s->tail == atomic_load_explicit(&s->done, memory_order_acquire)) {
        // Nothing left: clear the eventfd, then look once more (a result published between the
        // check and the read has bumped it after the read, or is visible now).
        uint64_t count;
        while (read(s->result_fd, &count, sizeof count) < 0 && errno == EINTR) {
        }
        if (s->tail == atomic_load_explicit(&s->done, memory_order_acquire)) return 0;
    }
    *out = s->slots[s->tail & s->mask].result;
    s->tail++;
    return 1;
}

int warren_spawner_current(struct warren_spawner *s, uint64_t *token) {
    pthread_mutex_lock(&s->current.lock);
    int busy = s->current.busy;
    if (busy) *token = s->current.token;
    pthread_mutex_unlock(&s->current.lock);
    return busy;
}

int warren_spawner_kill_in_setup(struct warren_spawner *s, uint64_t token) {
    struct current *cur = &s->current;
    pthread_mutex_lock(&cur->lock);
    int rc = 0;
    // The kernel stored the pidfd from the thread's clone; read it once, atomically.
    int pidfd = __atomic_load_n(&cur->pidfd, __ATOMIC_ACQUIRE);
    if (cur->busy && cur->token == token && pidfd >= 0) {
        if (syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) == 0) {
            cur->killed = 1;
            rc = 1;
        } else {
            rc = -errno;
        }
    }
    pthread_mutex_unlock(&cur->lock);
    return rc;
}
