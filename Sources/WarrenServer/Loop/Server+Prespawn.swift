import Glibc
import WarrenSpawn
import WarrenSystem

/// Prespawned sandboxes: a service with `prespawn = N` keeps up to N engines spawned, sandboxed and
/// started, each waiting on its handoff socket for exactly one connection (docs/engine-protocol.md).
/// An accept hands the connection to the oldest ready one with one non-blocking sendmsg; the spawn
/// that replaces it is queued on the timer heap and runs after the current batch of events, never
/// inside the accept. Every engine still serves one connection and exits.
extension Server {
    // MARK: handoff (the accept path)

    /// Hands `accepted` to a ready waiter of `service`; true when it did (the caller then closes its
    /// copy of the socket, and does not spawn). On a failed send the waiter is let go, the failure
    /// logged, and false returned: the caller spawns for this connection as usual.
    func handOff(_ accepted: AcceptedConnection, to service: ServiceRuntime) -> Bool {
        guard service.config.prespawn > 0 else { return false }
        defer { queueRefill(service) }
        guard let waiter = service.pool.waiters.first(where: \.ready), let handoff = waiter.handoff else {
            return false
        }
        let data = Handoff.encode(ucspiEnvironment(peer: accepted.peer, local: accepted.local, policy: []))
        restoreNormalPriority(of: waiter)
        do throws(Errno) {
            try handoff.sendDescriptor(accepted.socket, data: data)
        } catch {
            var line = LogLine(event: "handoff_failed")
            line.add("service", service.name)
            line.add("pid", waiter.pid)
            line.add("errno", SymbolicName.errno(error))
            line.add("msg", "spawning an engine for this connection instead")
            retire(waiter, reason: "handoff_failed")
            // Counted like a death: an engine that drops its socket must not cost two spawns per
            // connection for ever.
            backOff(service, line: &line)
            sink.write(line)
            return false
        }
        let started = Clock.monotonicNanoseconds()
        service.pool.remove(waiter)
        service.pool.failures = 0
        try? handoff.close()
        waiter.handoff = nil
        prespawn.waiters[waiter.id] = nil

        // What the waiter wrote to stderr so far is relayed under its pid (an unterminated rest
        // carries over); from here on its lines are the connection's.
        readEngineLog(of: service)
        let connection = Connection(
            id: nextConnectionID, service: service, plan: waiter.plan, peer: accepted.peer,
            local: accepted.local, pid: waiter.pid, pidfd: waiter.pidfd, report: nil, started: started)
        connection.prespawned = true
        nextConnectionID += 1
        connections[connection.id] = connection
        service.log?.register(connection)
        adoptCgroupLeaf(of: waiter, by: connection)
        // The pidfd stays in epoll; from now on its event is the connection's.
        sources[waiter.pidfd.rawValue] = .pidfd(connection)
        service.active += 1
        service.perSource[accepted.peer.hostKey, default: 0] += 1
        schedule(started + service.config.timeoutNanoseconds, .timeout(connection.id))
        return true
    }

    /// The waiter ran its set-up and start-up at SCHED_IDLE; the connection it is about to get must
    /// not. Put back before the send, so that the engine wakes at normal priority. Should that fail,
    /// the engine still serves (slower at worst: its sandbox is the same), and the record says so.
    private func restoreNormalPriority(of waiter: Waiter) {
        do throws(Errno) {
            try Scheduling.restoreNormal(pid: waiter.pid)
        } catch {
            var line = LogLine(event: "priority_restore_failed")
            line.add("service", waiter.service.name)
            line.add("pid", waiter.pid)
            line.add("errno", SymbolicName.errno(error))
            line.add("msg", "the engine serves this connection at SCHED_IDLE")
            sink.write(line)
        }
    }

    // MARK: pools

    /// Lets every waiter go and fills each service's pool anew from its current plan: at start and
    /// after a reload (old waiters get end of file and exit; new ones run the new plan).
    func replacePools(reason: String) {
        for waiter in prespawn.waiters.values where waiter.retired == nil { retire(waiter, reason: reason) }
        for service in services.values {
            service.pool.failures = 0
            service.pool.retryAt = 0
            refill(service)
        }
    }

    /// Shutdown: every waiter gets end of file; `run` returns once all are reaped.
    func closePools() {
        for waiter in prespawn.waiters.values where waiter.retired == nil {
            retire(waiter, reason: "shutdown")
        }
    }

    func queueRefill(_ service: ServiceRuntime) {
        guard service.config.prespawn > 0, !service.pool.refillQueued, !shuttingDown else { return }
        service.pool.refillQueued = true
        schedule(max(Clock.monotonicNanoseconds(), service.pool.retryAt), .prespawn(.refill(service.name)))
    }

    func handlePrespawnTimer(_ token: PrespawnTimer) {
        switch token {
        case .refill(let name):
            guard let service = services[name] else { return }
            service.pool.refillQueued = false
            refill(service)
        case .retireDeadline(let id):
            if let waiter = prespawn.waiters[id] {
                removeWaiterCgroupLeaf(waiter, kill: true)
                try? waiter.pidfd.sendSignal(SIGKILL)
            }
        case .reapUnwatched(let id):
            guard let waiter = prespawn.waiters[id] else { return }
            reapWaiter(waiter)
            if prespawn.waiters[id] != nil {
                schedule(Clock.monotonicNanoseconds() + 10_000_000, .prespawn(.reapUnwatched(id)))
            }
        }
    }

    /// Spawns waiters up to the service's `prespawn` (one at a time while backing off after
    /// failures), as long as running, waiting and starting engines together stay under
    /// `max_instances`. The clones run on the waiters' spawn thread: the loop only queues them.
    func refill(_ service: ServiceRuntime) {
        let pool = service.pool
        guard service.config.prespawn > 0, !shuttingDown, services[service.name] === service else { return }
        if Clock.monotonicNanoseconds() < pool.retryAt {
            queueRefill(service)
            return
        }
        let target = pool.failures > 0 ? 1 : service.config.prespawn
        while pool.waiters.count + pool.starting < target
            && service.active + pool.waiters.count + pool.starting < service.config.maxInstances
        {
            guard spawnWaiter(for: service) else { break }
        }
    }

    /// Queues one waiter's spawn on a spawn thread (the normal sandboxed path); false when it could
    /// not be queued (a full spawn thread: tried again later; anything else: logged, counted as a
    /// failure).
    private func spawnWaiter(for service: ServiceRuntime) -> Bool {
        let plan = service.plan
        do throws(Errno) {
            let null = try nullDevice()
            let log = try engineLog(of: service)
            let id = prespawn.nextID
            let cgroup = openCgroupLeaf(for: service, peer: nil, waiter: id)
            if cgroup.refused { return false }
            let pair: (warren: FileDescriptor, engine: FileDescriptor)
            do throws(Errno) {
                pair = try Handoff.socketPair()
                guard let spawner = spawners.first(where: \.forWaiters), !spawner.isFull else {
                    try? pair.warren.close()
                    try? pair.engine.close()
                    settleWaiterCgroupLeaf(cgroup.leaf, waiter: nil)
                    // The waiters' spawn thread is full: look again in a millisecond, not at once.
                    if !service.pool.refillQueued {
                        service.pool.refillQueued = true
                        schedule(Clock.monotonicNanoseconds() + 1_000_000, .prespawn(.refill(service.name)))
                    }
                    return false
                }
                do throws(Errno) {
                    let deadline = Clock.monotonicNanoseconds() + service.config.timeoutNanoseconds
                    let token = try spawner.submit(
                        plan, socket: null, log: log.socket.sender,
                        environment: [Handoff.environmentEntry] + plan.policyEnvironment,
                        handoff: pair.engine, cgroup: cgroup.leaf?.descriptor, idlePriority: true,
                        deadline: deadline)
                    prespawn.starting[SpawnKey(thread: ObjectIdentifier(spawner), token: token)] =
                        PendingWaiter(
                            id: id, service: service, plan: plan, handoff: pair, cgroup: cgroup.leaf,
                            deadline: deadline)
                    watchSpawns()
                } catch {
                    try? pair.warren.close()
                    try? pair.engine.close()
                    throw error
                }
            } catch {
                settleWaiterCgroupLeaf(cgroup.leaf, waiter: nil)
                throw error
            }
            prespawn.nextID += 1
            service.pool.starting += 1
            return true
        } catch {
            logWaiterCloneFailed(service, error)
            return false
        }
    }

    /// A spawn thread answered a waiter's spawn: it joins its pool (or is let go at once when a
    /// reload or shutdown came meanwhile), or the failed clone is logged and the pool backs off.
    func waiterSpawned(_ pending: PendingWaiter, _ outcome: Result<SpawnedChild, Errno>, killedInSetup: Bool)
    {
        let service = pending.service
        service.pool.starting -= 1
        try? pending.handoff.engine.close()
        let child: SpawnedChild
        switch outcome {
        case .success(let spawned):
            child = spawned
        case .failure(let error):
            try? pending.handoff.warren.close()
            settleWaiterCgroupLeaf(pending.cgroup, waiter: nil)
            logWaiterCloneFailed(service, error)
            return
        }
        let waiter = Waiter(
            id: pending.id, service: service, plan: pending.plan, child: child,
            handoff: pending.handoff.warren, spawned: Clock.monotonicNanoseconds())
        settleWaiterCgroupLeaf(pending.cgroup, waiter: waiter)
        // Its set-up hung past the deadline and was killed: a failure, and the pool backs off.
        if killedInSetup { waiter.failure = SpawnFailure(step: "setup", errno: .timedOut) }
        prespawn.waiters[waiter.id] = waiter
        service.pool.waiters.append(waiter)
        do throws(Errno) {
            try watch(child.pidfd, as: .prespawned(waiter, .pidfd))
            // The record of a failed step is in the pipe now or never (see `settleReport`): an
            // empty pipe means the engine exec'd, so the waiter is ready at once.
            readWaiterReport(waiter)
            if let report = waiter.report {
                unwatchAndClose(report)
                waiter.report = nil
            }
        } catch {
            // Without its pidfd in epoll it could never be reaped: end it, and let a timer look
            // for its exit (the loop never waits for a child).
            waiter.retired = "epoll_failed"
            service.pool.remove(waiter)
            try? child.pidfd.sendSignal(SIGKILL)
            schedule(Clock.monotonicNanoseconds() + 1_000_000, .prespawn(.reapUnwatched(waiter.id)))
            return
        }
        if shuttingDown {
            retire(waiter, reason: "shutdown")
        } else if services[service.name] !== service || service.plan !== pending.plan {
            retire(waiter, reason: "reload")
        }
    }

    /// A waiter's clone failed: logged, and the pool backs off.
    private func logWaiterCloneFailed(_ service: ServiceRuntime, _ error: Errno) {
        var line = LogLine(event: "prespawn_exit")
        line.add("service", service.name)
        line.add("reason", "spawn_failed")
        line.add("step", "clone")
        line.add("errno", SymbolicName.errno(error))
        backOff(service, line: &line)
        sink.write(line)
    }

    private func nullDevice() throws(Errno) -> FileDescriptor {
        if let null = prespawn.null { return null }
        let fd = Glibc.open("/dev/null", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { throw Errno(rawValue: errno) }
        prespawn.null = FileDescriptor(rawValue: fd)
        return prespawn.null!
    }

    /// Lets a waiter go: out of its pool, end of file on its handoff socket (a protocol engine exits
    /// 0), and SIGKILL if it is still there after the shutdown grace period.
    func retire(_ waiter: Waiter, reason: String) {
        guard waiter.retired == nil else { return }
        waiter.retired = reason
        waiter.service.pool.remove(waiter)
        try? waiter.handoff?.close()
        waiter.handoff = nil
        schedule(
            Clock.monotonicNanoseconds() + config.shutdownGraceNanoseconds,
            .prespawn(.retireDeadline(waiter.id)))
    }

    /// Counts a failure and sets the service's back-off; adds it to the record.
    func backOff(_ service: ServiceRuntime, line: inout LogLine) {
        let pool = service.pool
        pool.failures += 1
        pool.retryAt = Clock.monotonicNanoseconds() + pool.backoffNanoseconds
        line.add("retry_in", LogLine.duration(pool.backoffNanoseconds))
        queueRefill(service)
    }

    // MARK: waiter events

    func handleWaiter(_ waiter: Waiter, _ channel: Waiter.Channel) {
        switch channel {
        case .pidfd: reapWaiter(waiter)
        }
    }

    /// End of file: execve succeeded and the waiter is ready; a record: a sandbox step failed.
    func readWaiterReport(_ waiter: Waiter) {
        guard let report = waiter.report else { return }
        guard let bytes = try? report.readAvailable(upTo: 64) else { return }
        if !bytes.isEmpty { waiter.failure = SpawnFailure(reportBytes: bytes) }
        unwatchAndClose(report)
        waiter.report = nil
    }

    /// A waiter exited before any connection was handed to it. Expected after it was let go;
    /// otherwise a failure (a crash, a failed sandbox step, or an engine that does not speak the
    /// handoff protocol and simply ran on the /dev/null it has as fd 0): logged, and the pool backs
    /// off before spawning again.
    private func reapWaiter(_ waiter: Waiter) {
        guard let exit = reapExit(waiter.pidfd, of: waiter.service) else { return }
        finishUnclaimedLog(of: waiter.pid, service: waiter.service)
        readWaiterReport(waiter)
        if let report = waiter.report { unwatchAndClose(report) }
        waiter.report = nil
        unwatchAndClose(waiter.pidfd)
        try? waiter.handoff?.close()
        waiter.handoff = nil
        prespawn.waiters[waiter.id] = nil
        waiter.service.pool.remove(waiter)
        removeWaiterCgroupLeaf(waiter)

        var line = LogLine(event: "prespawn_exit")
        line.add("service", waiter.service.name)
        line.add("pid", waiter.pid)
        line.add("waited", LogLine.duration(Clock.monotonicNanoseconds() - waiter.spawned))
        addExit(exit, of: waiter.pid, to: &line)
        if let reason = waiter.retired {
            line.add("reason", reason)
            sink.write(line)
            return
        }
        if let failure = waiter.failure {
            line.add("reason", "spawn_failed")
            line.add("step", failure.step)
            line.add("errno", SymbolicName.errno(failure.errno))
        } else if exit == .exited(code: 0) {
            line.add(
                "msg",
                "exited before a connection was handed to it: with prespawn, the engine must wait for "
                    + "one on WARREN_HANDOFF_FD (docs/engine-protocol.md)")
        } else {
            line.add("msg", "died while waiting for a connection")
        }
        backOff(waiter.service, line: &line)
        sink.write(line)
    }
}
