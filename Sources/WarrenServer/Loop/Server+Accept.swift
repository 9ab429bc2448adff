import Glibc
import WarrenSpawn
import WarrenSystem

extension Server {
    /// Accepts until the backlog is empty (EAGAIN), the service reaches max_instances or one batch
    /// is done, spawning one engine per connection. The batch bound matters under a steady stream
    /// of connections: the backlog then never empties, and every new engine's report pipe (an fd
    /// until warren reads its end of file) would wait behind the accepts; 10,000 connections opened
    /// that way ran warren out of fds. The listener stays readable, so the next wait returns to it.
    func acceptAll(on listener: Listener) {
        let service = listener.service
        var batch = 0
        while batch < 64 && !service.atCapacity && !shuttingDown && !acceptSuspended {
            batch += 1
            let accepted: AcceptedConnection
            do {
                guard let next = try listener.descriptor.acceptConnection() else { break }
                accepted = next
            } catch {
                if acceptFailed(error, on: listener) { break } else { continue }
            }
            serve(accepted, for: service)
        }
        if service.atCapacity && service.listeners.contains(where: { $0.watched }) {
            var line = LogLine(event: "paused")
            line.add("service", service.name)
            line.add("reason", "max_instances")
            line.add("active", service.active)
            sink.write(line)
        }
        refreshListeners(of: service)
    }

    /// Logs a failed accept; true when accepting must stop for now. A connection that died in the
    /// backlog is skipped; running out of fds or memory suspends every listener briefly, since
    /// level-triggered epoll would otherwise report the same listener again at once, forever.
    private func acceptFailed(_ error: Errno, on listener: Listener) -> Bool {
        var line = LogLine(event: "accept_error")
        line.add("service", listener.service.name)
        line.add("addr", listener.address.description)
        line.add("errno", SymbolicName.errno(error))
        switch error {
        case .connectionAbort, .protocolError, .permissionDenied:
            sink.write(line)
            return false
        case .tooManyOpenFiles, .tooManyOpenFilesInSystem, .noBufferSpace, .noMemory:
            line.add("msg", "accepting suspended for 100ms")
            sink.write(line)
            suspendAccepting()
            return true
        default:
            sink.write(line)
            return true
        }
    }

    func suspendAccepting() {
        acceptSuspended = true
        for service in services.values { refreshListeners(of: service) }
        schedule(Clock.monotonicNanoseconds() + 100_000_000, .resumeAccepting)
    }

    func resumeAccepting() {
        guard acceptSuspended else { return }
        acceptSuspended = false
        for service in services.values { refreshListeners(of: service) }
    }

    /// Applies max_per_source, then spawns the engine. The parent's copy of the socket is closed on
    /// every path: the engine holds the only one.
    private func serve(_ accepted: AcceptedConnection, for service: ServiceRuntime) {
        defer { try? accepted.socket.close() }
        let key = accepted.peer.hostKey
        let fromSource = service.perSource[key, default: 0]
        if fromSource >= service.config.maxPerSource {
            var line = connectionLine(service: service, peer: accepted.peer)
            line.add("duration", LogLine.duration(0))
            line.add("reason", "max_per_source")
            sink.write(line)
            return
        }
        if handOff(accepted, to: service) { return }
        let started = Clock.monotonicNanoseconds()
        let cgroup = openCgroupLeaf(for: service, peer: accepted.peer)
        if cgroup.refused { return }
        let plan = service.plan
        let environment = ucspiEnvironment(
            peer: accepted.peer, local: accepted.local, policy: plan.policyEnvironment)
        let child: SpawnedChild
        let log: ServiceLog
        do throws(Errno) {
            log = try engineLog(of: service)
            child = try Spawner.spawn(
                plan, socket: accepted.socket, log: log.socket.sender, environment: environment,
                cgroup: cgroup.leaf?.descriptor)
        } catch {
            settleCgroupLeaf(cgroup.leaf, connection: nil)
            var line = connectionLine(service: service, peer: accepted.peer)
            line.add("duration", LogLine.duration(0))
            line.add("reason", "spawn_failed")
            line.add("step", "clone")
            line.add("errno", SymbolicName.errno(error))
            sink.write(line)
            return
        }
        let connection = Connection(
            id: nextConnectionID, service: service, plan: plan, peer: accepted.peer, local: accepted.local,
            child: child, started: started)
        nextConnectionID += 1
        connections[connection.id] = connection
        settleCgroupLeaf(cgroup.leaf, connection: connection)
        service.active += 1
        service.perSource[key] = fromSource + 1
        log.engines[child.pid] = connection
        do {
            try watch(child.pidfd, as: .pidfd(connection))
            try watch(child.report, as: .report(connection))
        } catch {
            // Without its pidfd in epoll the child would never be reaped: end it now, and let a
            // timer look for its exit (the loop never waits for a child).
            connection.reason = "epoll_failed"
            try? child.pidfd.sendSignal(SIGKILL)
            schedule(Clock.monotonicNanoseconds() + 1_000_000, .reapUnwatched(connection.id))
            return
        }
        schedule(started + service.config.timeoutNanoseconds, .timeout(connection.id))
    }

    /// The fields every per-connection record starts with.
    func connectionLine(service: ServiceRuntime, peer: SocketAddress) -> LogLine {
        var line = LogLine(event: "conn")
        line.add("service", service.name)
        line.add("peer", peer.host)
        line.add("port", peer.port)
        return line
    }
}
