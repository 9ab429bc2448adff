import WarrenSpawn
import WarrenSystem

/// One prespawned engine: spawned through the normal sandboxed path with its handoff socket on fd 3
/// and /dev/null on fds 0 and 1, it finishes its start-up and waits in recvmsg for one connection.
/// Ready once its report pipe reached end of file (execve succeeded).
final class Waiter {
    /// Which of its fds an epoll event is for.
    enum Channel {
        case pidfd
    }

    let id: UInt64
    /// Strong: a service dropped by a reload lives on until its last waiter is reaped.
    let service: ServiceRuntime
    let plan: SpawnPlan
    let pid: Int32
    let pidfd: FileDescriptor
    var report: FileDescriptor?
    /// warren's end of the pair; closed at handoff or when the waiter is let go (EOF to the engine).
    var handoff: FileDescriptor?
    var failure: SpawnFailure?
    /// Its cgroup v2 leaf, until the handoff gives it to the connection (nil: no leaves here).
    var cgroupLeaf: String?
    /// Why warren let it go (`reload`, `shutdown`, `handoff_failed`); nil while it is in its pool.
    var retired: String?
    let spawned: UInt64

    init(
        id: UInt64, service: ServiceRuntime, plan: SpawnPlan, child: SpawnedChild,
        handoff: FileDescriptor, spawned: UInt64
    ) {
        self.id = id
        self.service = service
        self.plan = plan
        self.pid = child.pid
        self.pidfd = child.pidfd
        self.report = child.report
        self.handoff = handoff
        self.spawned = spawned
    }

    /// Exec'd, not failed, still in its pool: a connection may be handed to it.
    var ready: Bool { report == nil && failure == nil && retired == nil && handoff != nil }
}

/// A service's waiting engines, and the back-off that keeps an engine that dies while waiting (a
/// crash, or an engine that does not speak the handoff protocol) from making warren spin.
final class Pool {
    /// The current generation's waiters, oldest first: a handoff takes the oldest ready one.
    var waiters: [Waiter] = []
    /// Waiters that died before a handoff, in a row; reset when one is handed a connection.
    var failures = 0
    /// No new waiter before this (monotonic nanoseconds).
    var retryAt: UInt64 = 0
    /// A refill is queued on the timer heap already.
    var refillQueued = false
    /// Waiters queued on a spawn thread whose answer has not come yet.
    var starting = 0

    /// 100 ms after the first failure, doubling, at most 30 s.
    var backoffNanoseconds: UInt64 {
        let shift = UInt64(min(max(failures - 1, 0), 9))
        return min(100_000_000 << shift, 30_000_000_000)
    }

    func remove(_ waiter: Waiter) {
        waiters.removeAll { $0 === waiter }
    }
}

/// The server's prespawn state: every live waiter (retired ones included, until reaped) and the
/// /dev/null that waiting engines get as fds 0 and 1.
struct PrespawnState {
    var waiters: [UInt64: Waiter] = [:]
    /// Waiter spawns in flight on the spawn threads.
    var starting: [SpawnKey: PendingWaiter] = [:]
    var nextID: UInt64 = 1
    var null: FileDescriptor?
}

/// Timer entries of the prespawn pools.
enum PrespawnTimer {
    /// Spawn waiters for the service of this name up to its `prespawn` (queued, never in accept).
    case refill(String)
    /// A waiter let go this long ago is killed if it has not exited on its own.
    case retireDeadline(UInt64)
    /// A killed waiter whose pidfd could not join epoll: try to reap it again.
    case reapUnwatched(UInt64)
}

/// A waiter between its hand-off to a spawn thread and the thread's answer.
struct PendingWaiter {
    var id: UInt64
    var service: ServiceRuntime
    var plan: SpawnPlan
    /// Both ends of its handoff pair: the engine's end is closed at the answer.
    var handoff: (warren: FileDescriptor, engine: FileDescriptor)
    var cgroup: CgroupLeaf?
    /// A set-up still running then is killed (the service's `timeout`, from the submission).
    var deadline: UInt64
}
