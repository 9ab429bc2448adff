import WarrenSystem

/// The relay of engine stderr: every engine of a service writes to one datagram socket; each
/// datagram carries its sender's pid, which names the connection. Lines are split per engine (a
/// partial line of one engine is never joined to another's) and each becomes one `event=stderr`
/// record naming service and pid.
extension Server {
    /// The service's log socket, opened (and watched) at its first spawn.
    func engineLog(of service: ServiceRuntime) throws(Errno) -> ServiceLog {
        if let log = service.log { return log }
        let socket = try LogSocket.open()
        let log = ServiceLog(socket: socket, service: service.name)
        do throws(Errno) {
            try watch(socket.receiver, as: .engineLog(service))
        } catch {
            socket.close()
            throw error
        }
        service.log = log
        return log
    }

    /// Reads what is queued, in batches, up to `batches` of them (a flooding engine must not keep
    /// the loop here), and forwards the lines it completes.
    func readEngineLog(of service: ServiceRuntime, batches: Int = 16) {
        guard let log = service.log else { return }
        for _ in 0..<batches {
            let count: Int
            do {
                count = try datagrams.receive(from: log.socket.receiver)
            } catch {
                return
            }
            for index in 0..<count { relay(datagrams[index], of: service, log) }
            if count < datagrams.capacity { return }
        }
    }

    private func relay(_ datagram: DatagramBatch.Datagram, of service: ServiceRuntime, _ log: ServiceLog) {
        let pid = datagram.pid
        if datagram.passedDescriptors > 0 {
            var line = LogLine(event: "warning")
            line.add("service", service.name)
            line.add("pid", pid)
            line.add("msg", "descriptors passed on stderr were closed unread: \(datagram.passedDescriptors)")
            sink.write(line)
        }
        guard let connection = log.engines[pid] else {
            // Not a registered engine (yet): complete lines go out now, naming the service and the
            // sender; an unterminated rest waits under its pid for the rest of the line or for the
            // engine's connection to take it over.
            var buffer = log.unclaimed.removeValue(forKey: pid) ?? LineBuffer()
            for text in buffer.append(datagram.bytes) { forward(text, service: service, pid: pid) }
            if datagram.truncated, let text = buffer.cut() { forward(text, service: service, pid: pid) }
            if buffer.isIdle { return }
            if log.unclaimed.count < ServiceLog.unclaimedLimit {
                log.unclaimed[pid] = buffer
            } else if let rest = buffer.finish() {
                forward(rest, service: service, pid: pid)
            }
            return
        }
        let time = Clock.realtimeNanoseconds()
        connection.logLines.forEachLine(in: datagram.bytes) { text, truncated in
            sink.write { log.records.append(pid: pid, line: text, truncated: truncated, time: time, to: &$0) }
        }
        if datagram.truncated, let text = connection.logLines.cut() {
            forward(text, service: service, pid: pid)
        }
    }

    /// At the engine's exit: its unterminated last line, if any, and its pid leaves the map.
    func finishEngineLog(of connection: Connection) {
        let service = connection.service
        if let rest = connection.logLines.finish() { forward(rest, service: service, pid: connection.pid) }
        if let log = service.log, log.engines[connection.pid] === connection {
            log.engines[connection.pid] = nil
        }
        if service.active == 0 && services[service.name] !== service { closeEngineLog(of: service) }
    }

    /// A sender that is gone without being registered (a waiting engine reaped before a handoff):
    /// its unterminated rest, if any.
    func finishUnclaimedLog(of pid: Int32, service: ServiceRuntime) {
        guard var buffer = service.log?.unclaimed.removeValue(forKey: pid) else { return }
        if let rest = buffer.finish() { forward(rest, service: service, pid: pid) }
    }

    /// Closes the log socket of a service a reload dropped, once its last engine has ended.
    func closeEngineLog(of service: ServiceRuntime) {
        guard let log = service.log else { return }
        readEngineLog(of: service)
        for pid in log.unclaimed.keys.sorted() { finishUnclaimedLog(of: pid, service: service) }
        sources[log.socket.receiver.rawValue] = nil
        log.socket.close()
        service.log = nil
    }

    private func forward(_ text: LineBuffer.Line, service: ServiceRuntime, pid: Int32) {
        var line = LogLine(event: "stderr")
        line.add("service", service.name)
        line.add("pid", pid)
        line.add("line", text.text)
        if text.truncated { line.add("truncated", "true") }
        sink.write(line)
    }
}
