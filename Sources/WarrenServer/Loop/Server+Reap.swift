import Glibc
import WarrenSpawn
import WarrenSystem

extension Server {
    /// Reaps the engine behind `pidfd` (nil while it still runs), after relaying what it wrote to
    /// its service's log socket: everything it sent is queued by now, and until waitid its pid
    /// cannot be reused, so whatever is read now under that pid is this engine's.
    func reapExit(_ pidfd: FileDescriptor, of service: ServiceRuntime) -> ChildExit? {
        readEngineLog(of: service)
        do {
            return try pidfd.reapChild()
        } catch {
            // ECHILD: someone else reaped it; nothing more will come of this pidfd.
            return .exited(code: -1)
        }
    }

    /// The child's pidfd turned readable: it has exited. Reap it, take what is left of its report
    /// and stderr, free its slot and write its one record.
    func reap(_ connection: Connection) {
        guard let exit = reapExit(connection.pidfd, of: connection.service) else { return }
        let ended = Clock.monotonicNanoseconds()
        readReport(of: connection)
        if let report = connection.report {
            unwatchAndClose(report)
            connection.report = nil
        }
        unwatchAndClose(connection.pidfd)
        connections[connection.id] = nil
        removeCgroupLeaf(of: connection)

        let service = connection.service
        service.active -= 1
        let key = connection.peer.hostKey
        let fromSource = service.perSource[key, default: 1] - 1
        service.perSource[key] = fromSource > 0 ? fromSource : nil
        queueRefill(service)  // a pool held back by max_instances may grow again
        finishEngineLog(of: connection)

        connection.exit = exit
        connection.ended = ended
        // The kernel prints a seccomp kill's audit line asynchronously: if it is not there yet,
        // hold the record (not the slot) for a moment.
        if case .killed(SIGSYS, _) = exit, let deaths = seccompDeaths,
            deaths.syscallName(killed: connection.pid) == nil
        {
            pendingRecords[connection.id] = connection
            schedule(ended + 100_000_000, .seccompRecord(connection.id))
        } else {
            writeRecord(connection)
        }

        if acceptSuspended { resumeAccepting() }
        let wasPaused = service.listeners.contains { !$0.watched }
        refreshListeners(of: service)
        if wasPaused && service.listeners.contains(where: { $0.watched }) {
            var resumed = LogLine(event: "resumed")
            resumed.add("service", service.name)
            sink.write(resumed)
        }
    }

    /// How an engine ended, as record fields: `exit=N`, or `signal=SIG…` (`core=dumped`, and for
    /// SIGSYS the syscall seccomp killed it for).
    func addExit(_ exit: ChildExit, of pid: Int32, to line: inout LogLine) {
        switch exit {
        case .exited(let code):
            line.add("exit", code)
        case .killed(let signal, let coreDumped):
            line.add("signal", SymbolicName.signal(signal))
            if coreDumped { line.add("core", "dumped") }
            if signal == SIGSYS { line.add("syscall", seccompDeaths?.syscallName(killed: pid) ?? "unknown") }
        }
    }

    /// The connection's one record: who, how long, and how it ended.
    func writeRecord(_ connection: Connection) {
        var line = connectionLine(service: connection.service, peer: connection.peer)
        line.add("pid", connection.pid)
        line.add("duration", LogLine.duration(connection.ended - connection.started))
        if let exit = connection.exit { addExit(exit, of: connection.pid, to: &line) }
        if connection.prespawned { line.add("prespawned", "true") }
        if let reason = connection.reason { line.add("reason", reason) }
        if connection.killedInSetup { line.add("step", "setup") }
        if let failure = connection.failure {
            line.add("reason", "spawn_failed")
            line.add("step", failure.step)
            line.add("errno", SymbolicName.errno(failure.errno))
            let detail = connection.plan.describe(failure)
            if detail != failure.description { line.add("detail", detail) }
        }
        sink.write(line)
    }

    /// Reads the report pipe: end of file means execve succeeded, a record names the failed step.
    func readReport(of connection: Connection) {
        guard let report = connection.report else { return }
        guard let bytes = try? report.readAvailable(upTo: 64) else { return }
        if !bytes.isEmpty { connection.failure = SpawnFailure(reportBytes: bytes) }
        unwatchAndClose(report)
        connection.report = nil
    }
}
