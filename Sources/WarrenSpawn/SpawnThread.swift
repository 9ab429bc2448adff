import CWarrenSpawn
import Glibc
import WarrenSystem

/// The server's spawn thread (spawn_thread.c): the event loop submits a spawn and goes on; the
/// thread does the CLONE_VM|CLONE_VFORK clone and sleeps through the child's sandbox set-up; the
/// result comes back on `resultDescriptor`, which the loop watches in epoll.
///
/// Single-threaded use: submit and take from the same thread (the loop). Everything a request
/// needs (plan, environment, report pipe) is held here until its result is taken.
public final class SpawnThread {
    /// What a submitted spawn became, in submission order.
    public struct Outcome {
        public var token: UInt64
        /// The child (its report pipe's read end included), or the errno of the failed clone
        /// (ETIMEDOUT: still queued at its deadline, never cloned).
        public var child: Result<SpawnedChild, Errno>
        /// The child was killed in its sandbox set-up (`killInSetup`): the engine never ran.
        public var killedInSetup = false
    }

    /// What must outlive a request until its result: the C side reads the plan and the
    /// environment, and the child inherits the report pipe's write end.
    private struct Held {
        var plan: SpawnPlan
        var environment: CStringArray
        var reportRead: FileDescriptor
        var reportWrite: FileDescriptor
    }

    private let handle: OpaquePointer
    private var held: [UInt64: Held] = [:]
    private var nextToken: UInt64 = 1
    public let capacity: Int
    /// Readable while results wait to be taken.
    public let resultDescriptor: FileDescriptor
    /// The server's thread for prespawned waiters only: each of them runs at SCHED_IDLE until its
    /// execve, and may wait long for an idle CPU; no connection's spawn should queue behind it.
    public let forWaiters: Bool

    /// Starts the thread. Throws when it cannot start: the server must not run without it.
    public init(capacity: Int = 256, forWaiters: Bool = false) throws(Errno) {
        var pointer: OpaquePointer?
        let rc = warren_spawner_start(UInt32(capacity), &pointer)
        guard rc == 0, let pointer else { throw Errno(rawValue: -rc) }
        handle = pointer
        self.capacity = capacity
        self.forWaiters = forWaiters
        resultDescriptor = FileDescriptor(rawValue: warren_spawner_result_fd(pointer))
    }

    deinit {
        // Joins the thread after its last spawn; children not taken yet are left to run (their
        // pidfds close here, and whoever reaps warren's children reaps them).
        warren_spawner_stop(handle)
        for outcome in takeAll() {
            if case .success(let child) = outcome.child {
                try? child.pidfd.close()
                try? child.report.close()
            }
        }
    }

    /// Spawns not taken yet.
    public var inFlight: Int { held.count }
    public var isFull: Bool { held.count >= capacity }

    /// Queues a spawn for one connection and returns its token at once. The socket and log fds stay
    /// the caller's, and must stay open until the outcome is taken. Throws EAGAIN when full.
    /// `idlePriority`: the child runs at SCHED_IDLE from its first step (a prespawned waiter; see
    /// `Scheduling.restoreNormal`). `deadline` (CLOCK_MONOTONIC ns, 0: none): a request still
    /// queued then is answered ETIMEDOUT without a clone.
    public func submit(
        _ plan: SpawnPlan, socket: FileDescriptor, log: FileDescriptor, environment: [String],
        handoff: FileDescriptor? = nil, cgroup: FileDescriptor? = nil, idlePriority: Bool = false,
        deadline: UInt64 = 0
    ) throws(Errno) -> UInt64 {
        guard !isFull else { throw Errno.resourceTemporarilyUnavailable }
        let (reportRead, reportWrite) = try Spawner.makeReportPipe()
        let envp = CStringArray(environment)
        let token = nextToken
        var conn = warren_conn(
            sock_fd: socket.rawValue, log_fd: log.rawValue, report_fd: reportWrite.rawValue,
            envp: envp.pointer, out_fd: -1, handoff_fd: handoff?.rawValue ?? -1,
            cgroup_fd: cgroup?.rawValue ?? -1, idle_priority: idlePriority ? 1 : 0)
        let rc = withUnsafePointer(to: &plan.plan) {
            warren_spawner_submit(handle, $0, &conn, token, deadline)
        }
        guard rc == 0 else {
            try? reportRead.close()
            try? reportWrite.close()
            throw Errno(rawValue: -rc)
        }
        nextToken += 1
        held[token] = Held(plan: plan, environment: envp, reportRead: reportRead, reportWrite: reportWrite)
        return token
    }

    /// The token of the request whose child is in its sandbox set-up now, if any.
    public var current: UInt64? {
        var token: UInt64 = 0
        return warren_spawner_current(handle, &token) == 1 ? token : nil
    }

    /// SIGKILLs the child of `token` if it is still in its sandbox set-up (a hang there would hold
    /// this thread and every request behind it). True when signalled; its outcome then says
    /// `killedInSetup`.
    public func killInSetup(token: UInt64) throws(Errno) -> Bool {
        let rc = warren_spawner_kill_in_setup(handle, token)
        if rc < 0 { throw Errno(rawValue: -rc) }
        return rc == 1
    }

    /// Every outcome that has arrived; call when `resultDescriptor` is readable.
    public func takeAll() -> [Outcome] {
        var outcomes: [Outcome] = []
        var result = warren_spawn_result()
        while warren_spawner_take(handle, &result) == 1 {
            guard let request = held.removeValue(forKey: result.token) else { continue }
            // The child has exec'd or exited, so its copy is closed. A child being cloned right now
            // may hold a copy until its close_range; the report's end of file then comes a moment later.
            try? request.reportWrite.close()
            if result.err == 0 {
                let child = SpawnedChild(
                    pid: result.pid, pidfd: FileDescriptor(rawValue: result.pidfd), report: request.reportRead
                )
                outcomes.append(
                    Outcome(token: result.token, child: .success(child), killedInSetup: result.killed == 1))
            } else {
                try? request.reportRead.close()
                outcomes.append(Outcome(token: result.token, child: .failure(Errno(rawValue: result.err))))
            }
        }
        return outcomes
    }
}
