import Glibc
import WarrenSpawn
import WarrenSystem

extension Server {
    func handleSignals() throws(Errno) {
        while let signal = try signals.next() {
            switch signal {
            case SIGTERM, SIGINT: beginShutdown(signal: signal)
            case SIGHUP: reload()
            default: break  // SIGCHLD: children are reaped through their pidfds.
            }
        }
    }

    func handleTimer() throws(Errno) {
        try timer.acknowledge()
        armedDeadline = nil
        for token in timers.popDue(Clock.monotonicNanoseconds()) {
            switch token {
            case .timeout(let id):
                if let connection = connections[id] { kill(connection, reason: "timeout") }
            case .shutdownGrace:
                shutdownGraceOver = true
                for connection in connections.values { kill(connection, reason: "shutdown") }
                killStuckSpawns(all: true)
            case .resumeAccepting:
                resumeAccepting()
            case .seccompRecord(let id):
                if let connection = pendingRecords.removeValue(forKey: id) { writeRecord(connection) }
            case .prespawn(let token):
                handlePrespawnTimer(token)
            case .reapUnwatched(let id):
                guard let connection = connections[id] else { break }
                reap(connection)
                if connections[id] != nil { schedule(Clock.monotonicNanoseconds() + 10_000_000, token) }
            case .spawnWatch:
                spawnWatchArmed = false
                killStuckSpawns()
                watchSpawns()
            }
        }
        rearmTimer()
    }

    /// SIGKILL through the pidfd (no pid reuse race); the exit is reaped like any other.
    func kill(_ connection: Connection, reason: String) {
        guard connection.reason == nil else { return }
        connection.reason = reason
        killCgroup(of: connection)
        try? connection.pidfd.sendSignal(SIGKILL)
    }

    /// Stops accepting (listeners closed: new connections are refused, not queued), lets running
    /// engines finish for the grace period, then kills the rest. `run` returns once all are reaped.
    func beginShutdown(signal: Int32) {
        guard !shuttingDown else { return }
        shuttingDown = true
        for listener in listeners.values {
            if listener.watched { try? epoll.remove(listener.descriptor) }
            sources[listener.descriptor.rawValue] = nil
            try? listener.descriptor.close()
        }
        listeners = [:]
        for service in services.values { service.listeners = [] }
        closePools()
        // Answers the spawn threads already have become connections first, and spawns still in a
        // thread count as running: they will be engines the drain waits for.
        for spawner in spawners { takeSpawned(from: spawner) }
        var line = LogLine(event: "shutdown")
        line.add("signal", SymbolicName.signal(signal))
        line.add("running", connections.count + spawning.count)
        line.add("grace", LogLine.duration(config.shutdownGraceNanoseconds))
        sink.write(line)
        schedule(Clock.monotonicNanoseconds() + config.shutdownGraceNanoseconds, .shutdownGrace)
    }

    /// SIGHUP: re-read config and policies. All or nothing: on any error (in a file, or a new address
    /// that cannot be bound) the errors are logged and the running config stays as it was.
    func reload() {
        guard !shuttingDown else { return }
        do throws(ConfigErrors) {
            let loaded = try loader(config.path)
            try checkCgroupNeeds(loaded)
            let bound = try bindNewListeners(for: loaded.config)
            try apply(loaded, bound: bound)
            config = loaded.config
            replacePools(reason: "reload")
            pruneCgroupServices()
            logWarnings(loaded)
            var line = LogLine(event: "reloaded")
            line.add("config", config.path)
            line.add("services", config.services.count)
            sink.write(line)
        } catch {
            for message in error.messages {
                var line = LogLine(event: "reload_rejected")
                line.add("error", message)
                sink.write(line)
            }
        }
    }

    /// Binds every address of `config` that is not bound already. Either all bind or none stays open.
    func bindNewListeners(for config: ServerConfig) throws(ConfigErrors) -> [SocketAddress: FileDescriptor] {
        var bound: [SocketAddress: FileDescriptor] = [:]
        var errors: [String] = []
        for service in config.services {
            for address in service.listen where listeners[address] == nil {
                do {
                    bound[address] = try FileDescriptor.listen(on: address)
                } catch {
                    errors.append(
                        "\(config.path): service \"\(service.name)\": cannot listen on \(address): "
                            + "\(SymbolicName.errno(error)) (\(error))")
                }
            }
        }
        if !errors.isEmpty {
            for fd in bound.values { try? fd.close() }
            throw ConfigErrors(errors)
        }
        return bound
    }

    /// Makes `loaded` the running config: services keep their runtime (and counters) by name,
    /// listeners whose address is unchanged keep their socket, and those no longer named are closed.
    func apply(_ loaded: LoadedConfig, bound: [SocketAddress: FileDescriptor]) throws(ConfigErrors) {
        var newServices: [String: ServiceRuntime] = [:]
        var newListeners: [SocketAddress: Listener] = [:]
        for serviceConfig in loaded.config.services {
            guard let plan = loaded.plans[serviceConfig.name] else {
                throw ConfigErrors(["\(loaded.config.path): service \"\(serviceConfig.name)\" has no plan"])
            }
            let runtime: ServiceRuntime
            if let existing = services[serviceConfig.name] {
                existing.update(config: serviceConfig, plan: plan)
                runtime = existing
            } else {
                runtime = ServiceRuntime(config: serviceConfig, plan: plan)
            }
            runtime.listeners = []
            for address in serviceConfig.listen {
                let listener: Listener
                if let kept = listeners[address] {
                    kept.service = runtime
                    listener = kept
                } else if let fd = bound[address] {
                    listener = Listener(address: address, descriptor: fd, service: runtime)
                    var line = LogLine(event: "listening")
                    line.add("service", runtime.name)
                    line.add("addr", (try? fd.localAddress())?.description ?? address.description)
                    sink.write(line)
                } else {
                    continue
                }
                runtime.listeners.append(listener)
                newListeners[address] = listener
            }
            newServices[serviceConfig.name] = runtime
        }
        for (address, listener) in listeners where newListeners[address] == nil {
            if listener.watched { try? epoll.remove(listener.descriptor) }
            sources[listener.descriptor.rawValue] = nil
            try? listener.descriptor.close()
        }
        // Services dropped by the reload keep running engines; they just have no listeners.
        for (name, old) in services where newServices[name] == nil {
            old.listeners = []
            if old.active == 0 { closeEngineLog(of: old) }
        }
        services = newServices
        listeners = newListeners
        for service in services.values { refreshListeners(of: service) }
    }
}
