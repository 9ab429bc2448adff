import Glibc
import WarrenSpawn
import WarrenSystem

/// Identifies a spawn in flight: the thread it went to and that thread's token.
struct SpawnKey: Hashable {
    var thread: ObjectIdentifier
    var token: UInt64
}

/// An accepted connection between its hand-off to a spawn thread and the thread's answer. It
/// already counts against max_instances and max_per_source.
struct PendingSpawn {
    var service: ServiceRuntime
    var plan: SpawnPlan
    var peer: SocketAddress
    var local: SocketAddress
    /// warren's copy, closed once the child has its own (or the clone failed).
    var socket: FileDescriptor
    /// The service's stderr socket (fd 2 of the engine).
    var log: ServiceLog
    /// Its cgroup v2 leaf, open until the answer (nil: no leaves on this host).
    var cgroup: CgroupLeaf?
    var started: UInt64
    /// The connection's `timeout` runs from its accept, through the spawn.
    var deadline: UInt64 { started + service.config.timeoutNanoseconds }
}

extension Server {
    /// Spawn threads started with the server. A CLONE_VFORK spawn holds its thread through the
    /// child's whole sandbox set-up, and a child waiting for a CPU stalls every spawn behind it;
    /// two threads keep both cores busy. Measured on this 2-core VM under foreign load, ab -c 32:
    /// 1 thread 289 req/s (quill.toml) and 197 (everything fresh), 2 threads 490 and 298.
    static let spawnThreadCount = 2

    /// The connection threads, then one for prespawned waiters alone: a waiter's child runs at
    /// SCHED_IDLE (it may wait long for an idle CPU, its thread asleep meanwhile), and a connection's
    /// spawn queued behind it would wait as long.
    static func startSpawners() throws(Errno) -> [SpawnThread] {
        var started: [SpawnThread] = []
        for _ in 0..<spawnThreadCount { started.append(try SpawnThread()) }
        started.append(try SpawnThread(forWaiters: true))
        return started
    }

    /// True while some connection spawn thread can take another request; the listeners stay out of
    /// epoll otherwise (level-triggered, they would report the same backlog at once, forever).
    var spawnRoom: Bool { spawners.contains { !$0.forWaiters && !$0.isFull } }

    /// Hands the connection to the least busy spawn thread. Its fds stay open here until the answer.
    func submitSpawn(_ pending: PendingSpawn, environment: [String]) throws(Errno) {
        let threads = spawners.lazy.filter { !$0.forWaiters }
        guard let spawner = threads.min(by: { $0.inFlight < $1.inFlight }) else {
            throw .resourceTemporarilyUnavailable
        }
        let token = try spawner.submit(
            pending.plan, socket: pending.socket, log: pending.log.socket.sender, environment: environment,
            cgroup: pending.cgroup?.descriptor, deadline: pending.deadline)
        spawning[SpawnKey(thread: ObjectIdentifier(spawner), token: token)] = pending
        watchSpawns()
    }

    /// A spawn thread answered: each child becomes a running connection, each failed clone a record.
    func takeSpawned(from spawner: SpawnThread) {
        let wasFull = !spawnRoom
        for outcome in spawner.takeAll() {
            let key = SpawnKey(thread: ObjectIdentifier(spawner), token: outcome.token)
            if let waiter = prespawn.starting.removeValue(forKey: key) {
                waiterSpawned(waiter, outcome.child, killedInSetup: outcome.killedInSetup)
                continue
            }
            guard let pending = spawning.removeValue(forKey: key) else { continue }
            try? pending.socket.close()
            switch outcome.child {
            case .success(let child): started(child, for: pending, killedInSetup: outcome.killedInSetup)
            case .failure(let error): cloneFailed(pending, error)
            }
        }
        if wasFull && spawnRoom {
            for service in services.values { refreshListeners(of: service) }
        }
    }

    private func started(_ child: SpawnedChild, for pending: PendingSpawn, killedInSetup: Bool) {
        let connection = Connection(
            id: nextConnectionID, service: pending.service, plan: pending.plan, peer: pending.peer,
            local: pending.local, child: child, started: pending.started)
        if killedInSetup {
            connection.reason = shutdownGraceOver ? "shutdown" : "timeout"
            connection.killedInSetup = true
        }
        nextConnectionID += 1
        connections[connection.id] = connection
        pending.log.register(connection)
        settleCgroupLeaf(pending.cgroup, connection: connection)
        settleReport(of: connection)
        do {
            try watch(child.pidfd, as: .pidfd(connection))
        } catch {
            // Without its pidfd in epoll the child would never be reaped: end it now, and let a
            // timer look for its exit (the loop never waits for a child).
            connection.reason = "epoll_failed"
            try? child.pidfd.sendSignal(SIGKILL)
            schedule(Clock.monotonicNanoseconds() + 1_000_000, .reapUnwatched(connection.id))
            return
        }
        schedule(pending.started + pending.service.config.timeoutNanoseconds, .timeout(connection.id))
        // Accepted before the shutdown, answered after its grace period (a loaded machine): the
        // grace timer could not see it, so it ends now, as it would have then.
        if shutdownGraceOver { kill(connection, reason: "shutdown") }
    }

    /// CLONE_VFORK: a spawn thread answers only after the child's execve or exit, and a failing
    /// child writes its record before it exits. So the record is in the pipe now or never: an empty
    /// pipe means the execve succeeded, even when its end of file is still held back by a copy of
    /// the write end in another child's set-up. Waiting for that end of file made engines look
    /// "not started yet" (a prespawned one not ready) for as long as spawns overlapped.
    func settleReport(of connection: Connection) {
        readReport(of: connection)
        if let report = connection.report {
            unwatchAndClose(report)
            connection.report = nil
        }
    }

    private func cloneFailed(_ pending: PendingSpawn, _ error: Errno) {
        settleCgroupLeaf(pending.cgroup, connection: nil)
        releaseSlot(service: pending.service, peer: pending.peer)
        var line = connectionLine(service: pending.service, peer: pending.peer)
        line.add("duration", LogLine.duration(Clock.monotonicNanoseconds() - pending.started))
        if error == .timedOut {
            // Still queued behind a spawn thread's earlier request when its timeout came: no clone.
            line.add("reason", "timeout")
            line.add("step", "queued")
        } else {
            line.add("reason", "spawn_failed")
            line.add("step", "clone")
            line.add("errno", SymbolicName.errno(error))
        }
        sink.write(line)
        refreshListeners(of: pending.service)
    }

    /// Gives back the max_instances and max_per_source slots a connection held.
    func releaseSlot(service: ServiceRuntime, peer: SocketAddress) {
        service.active -= 1
        let key = peer.hostKey
        let fromSource = service.perSource[key, default: 1] - 1
        service.perSource[key] = fromSource > 0 ? fromSource : nil
    }
}
