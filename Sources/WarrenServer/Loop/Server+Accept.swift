import Glibc
import WarrenSpawn
import WarrenSystem

extension Server {
    /// Accepts until the backlog is empty (EAGAIN), the service reaches max_instances or one batch
    /// is done, spawning one engine per connection. The batch bound matters under a steady stream
    /// of connections: the backlog then never empties, and every spawn answer (its report pipe and
    /// socket open until it is taken) would wait behind the accepts; 10,000 connections opened
    /// that way ran warren out of fds. The listener stays readable, so the next wait returns to it.
    func acceptAll(on listener: Listener) {
        let service = listener.service
        var batch = 0
        while batch < 64 && !service.atCapacity && !shuttingDown && !acceptSuspended && spawnRoom {
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

    /// Applies max_per_source, then hands the spawn to a spawn thread (Server+Spawned.swift). The
    /// parent's copy of the socket is closed once the thread answers, or here on every other path.
    private func serve(_ accepted: AcceptedConnection, for service: ServiceRuntime) {
        let key = accepted.peer.hostKey
        let fromSource = service.perSource[key, default: 0]
        if fromSource >= service.config.maxPerSource {
            try? accepted.socket.close()
            var line = connectionLine(service: service, peer: accepted.peer)
            line.add("duration", LogLine.duration(0))
            line.add("reason", "max_per_source")
            sink.write(line)
            return
        }
        if handOff(accepted, to: service) {
            try? accepted.socket.close()
            return
        }
        let started = Clock.monotonicNanoseconds()
        let cgroup = openCgroupLeaf(for: service, peer: accepted.peer)
        if cgroup.refused {
            try? accepted.socket.close()
            return
        }
        let plan = service.plan
        let environment = ucspiEnvironment(
            peer: accepted.peer, local: accepted.local, policy: plan.policyEnvironment)
        do throws(Errno) {
            let log = try engineLog(of: service)
            let pending = PendingSpawn(
                service: service, plan: plan, peer: accepted.peer, local: accepted.local,
                socket: accepted.socket, log: log, cgroup: cgroup.leaf, started: started)
            try submitSpawn(pending, environment: environment)
        } catch {
            try? accepted.socket.close()
            settleCgroupLeaf(cgroup.leaf, connection: nil)
            var line = connectionLine(service: service, peer: accepted.peer)
            line.add("duration", LogLine.duration(0))
            line.add("reason", "spawn_failed")
            line.add("step", "clone")
            line.add("errno", SymbolicName.errno(error))
            sink.write(line)
            return
        }
        service.active += 1
        service.perSource[key] = fromSource + 1
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
