import Glibc
import WarrenSpawn
import WarrenSystem

/// The superserver's one event loop: a single thread, no Swift concurrency. Every source is an fd in
/// one epoll set (listeners, child pidfds, one stderr socket per service, one
/// signalfd, one timerfd, the spawn threads' result eventfds), and no handler ever blocks on a
/// child: the clone itself runs on C spawn threads (Server+Spawned.swift).
///
/// Engine stderr goes to one datagram socket per service, not a pipe per connection: warren then
/// holds one fd per running engine (its pidfd), and each datagram still names its sender's pid, so
/// lines are split per engine as before (Log/Server+EngineLog.swift).
public final class Server {
    /// Reads and compiles a config file (on start and on every SIGHUP).
    public typealias Loader = (String) throws(ConfigErrors) -> LoadedConfig

    enum Source {
        case listener(Listener)
        case signals
        case timer
        case pidfd(Connection)
        /// A service's engine stderr socket.
        case engineLog(ServiceRuntime)
        /// Audit records naming seccomp kills: drained as they come so none overflow the socket.
        case seccompLog
        /// A prespawned engine's pidfd, before its handoff (Server+Prespawn).
        case prespawned(Waiter, Waiter.Channel)
        /// A spawn thread has results.
        case spawned(SpawnThread)
    }

    enum TimerToken {
        case timeout(UInt64)
        case shutdownGrace
        case resumeAccepting
        /// A seccomp kill whose syscall the kernel log had not named yet: look again, then log.
        case seccompRecord(UInt64)
        case prespawn(PrespawnTimer)
        /// A killed engine whose pidfd could not join epoll: try to reap it again.
        case reapUnwatched(UInt64)
        case spawnWatch
    }

    let loader: Loader
    let sink: LogSink
    var config: ServerConfig
    var services: [String: ServiceRuntime] = [:]
    var listeners: [SocketAddress: Listener] = [:]
    var sources: [Int32: Source] = [:]
    var connections: [UInt64: Connection] = [:]
    /// Spawn threads (Server+Spawned.swift): the loop hands each spawn to one and goes on.
    let spawners: [SpawnThread]
    /// Accepted connections whose spawn a thread has not answered yet, by token and thread.
    var spawning: [SpawnKey: PendingSpawn] = [:]
    /// Reaped connections whose record waits for the kernel's seccomp audit line.
    var pendingRecords: [UInt64: Connection] = [:]
    /// Names the syscall of a seccomp kill; nil when /dev/kmsg cannot be read here.
    let seccompDeaths: SeccompDeathLog?
    var timers = TimerHeap<TimerToken>()
    /// Storage for bulk reads of engine log sockets, reused by every read.
    var datagrams = DatagramBatch()
    var armedDeadline: UInt64?
    let epoll: Epoll
    let signals: SignalFD
    let timer: TimerFD
    var nextConnectionID: UInt64 = 1
    var shuttingDown = false
    /// Set when the shutdown grace period has ended: a spawn answered after that is ended at once.
    var shutdownGraceOver = false
    /// Set when accept hit a resource limit (EMFILE, ENFILE, ENOBUFS, ENOMEM): every listener stays
    /// out of epoll until a connection ends or a short timer fires.
    var acceptSuspended = false
    /// Waiting engines of every service (Server+Prespawn).
    var prespawn = PrespawnState()
    /// warren's cgroup v2 subtree and the leaves in it; nil when the host offers none.
    var cgroups: CgroupLeaves?
    /// A `.spawnWatch` timer is pending (Server+SpawnWatch).
    var spawnWatchArmed = false

    /// Blocks the loop's signals (call before anything could start a thread), loads the config and
    /// binds every listener. Throws `ConfigErrors` for a bad config or a listener that cannot be bound.
    public init(configPath: String, loader: @escaping Loader, sink: LogSink = LogSink()) throws {
        self.loader = loader
        self.sink = sink
        signals = try SignalFD.blockAndOpen([SIGTERM, SIGINT, SIGHUP, SIGCHLD])
        try SignalFD.ignore(SIGPIPE)
        epoll = try Epoll.create()
        timer = try TimerFD.create()
        // Fail closed: no spawn thread, no server (there is no slower fallback).
        spawners = try Self.startSpawners()
        seccompDeaths = SeccompDeathLog()
        let loaded = try loader(configPath)
        config = loaded.config
        try epoll.add(signals.descriptor)
        sources[signals.descriptor.rawValue] = .signals
        try epoll.add(timer.descriptor)
        sources[timer.descriptor.rawValue] = .timer
        if let deaths = seccompDeaths {
            try watch(deaths.fileDescriptor, as: .seccompLog)
        }
        for spawner in spawners { try watch(spawner.resultDescriptor, as: .spawned(spawner)) }
        try apply(loaded, bound: try bindNewListeners(for: loaded.config))
        cgroups = try Self.makeCgroupLeaves(for: loaded, sink: sink)
        replacePools(reason: "reload")
        logWarnings(loaded)
        var names = LogLine(event: seccompDeaths == nil ? "warning" : "seccomp_names")
        if let deaths = seccompDeaths {
            names.add("source", deaths.source)
        } else {
            names.add(
                "msg",
                "seccomp kills cannot be named: neither the audit multicast group nor /dev/kmsg is readable")
        }
        sink.write(names)
    }

    /// Serves until SIGTERM or SIGINT and the drain that follows are over.
    public func run() throws(Errno) {
        while !(shuttingDown && connections.isEmpty && prespawn.waiters.isEmpty && spawning.isEmpty
            && prespawn.starting.isEmpty)
        {
            // Records of one iteration leave in one write; while the reader lags, look again soon.
            sink.flush()
            // Many events per wait: one listener event spawns up to a batch of engines, and the
            // spawn threads' answers (each holding a report pipe and a socket until it is taken)
            // should not wait for several iterations behind them.
            let events = try epoll.wait(maxEvents: 1024, timeoutMilliseconds: sink.pendingBytes > 0 ? 10 : -1)
            for event in events {
                guard let source = sources[event.fd.rawValue] else { continue }
                try handle(source)
            }
        }
        for connection in pendingRecords.values.sorted(by: { $0.id < $1.id }) { writeRecord(connection) }
        pendingRecords = [:]
        removeCgroupTree()
        var line = LogLine(event: "stopped")
        line.add("pid", getpid())
        sink.write(line)
        sink.finish()
    }

    private func handle(_ source: Source) throws(Errno) {
        switch source {
        case .listener(let listener): acceptAll(on: listener)
        case .signals: try handleSignals()
        case .timer: try handleTimer()
        case .pidfd(let connection): reap(connection)
        case .engineLog(let service): readEngineLog(of: service)
        case .seccompLog: seccompDeaths?.drain()
        case .prespawned(let waiter, let channel): handleWaiter(waiter, channel)
        case .spawned(let spawner): takeSpawned(from: spawner)
        }
    }

    func logWarnings(_ loaded: LoadedConfig) {
        for warning in loaded.warnings {
            var line = LogLine(event: "warning")
            line.add("msg", warning.hasPrefix("warning: ") ? String(warning.dropFirst(9)) : warning)
            sink.write(line)
        }
    }

    // MARK: registration

    func watch(_ fd: FileDescriptor, as source: Source) throws(Errno) {
        try epoll.add(fd)
        sources[fd.rawValue] = source
    }

    /// Removes an fd from epoll, then closes it. Closing alone is not enough: epoll drops an fd
    /// only when the last copy of it closes, and a child in its sandbox set-up holds copies of all
    /// of warren's fds until its close_range; meanwhile a closed pidfd or pipe would be reported
    /// again and again (a busy loop: ~35,000 wake-ups for 160 connections, measured).
    func unwatchAndClose(_ fd: FileDescriptor) {
        if sources.removeValue(forKey: fd.rawValue) != nil { try? epoll.remove(fd) }
        try? fd.close()
    }

    func setWatching(_ listener: Listener, _ on: Bool) {
        guard listener.watched != on else { return }
        do {
            if on {
                try watch(listener.descriptor, as: .listener(listener))
            } else {
                try epoll.remove(listener.descriptor)
                sources[listener.descriptor.rawValue] = nil
            }
            listener.watched = on
        } catch {
            var line = LogLine(event: "error")
            line.add("service", listener.service.name)
            line.add("addr", listener.address.description)
            line.add("msg", "epoll: \(SymbolicName.errno(error))")
            sink.write(line)
        }
    }

    /// Puts each listener in or out of epoll as its service's capacity, a shutdown or an accept
    /// suspension requires.
    func refreshListeners(of service: ServiceRuntime) {
        let on = !shuttingDown && !acceptSuspended && !service.atCapacity && spawnRoom
        for listener in service.listeners { setWatching(listener, on) }
    }

    // MARK: timers

    func schedule(_ deadline: UInt64, _ token: TimerToken) {
        timers.push(deadline, token)
        if timers.count > 2 * connections.count + 1024 {
            timers.compact { token in
                if case .timeout(let id) = token { return connections[id] == nil }
                return false
            }
        }
        rearmTimer()
    }

    func rearmTimer() {
        let earliest = timers.earliest
        guard earliest != armedDeadline else { return }
        armedDeadline = earliest
        if let earliest {
            try? timer.arm(atMonotonicNanoseconds: earliest)
        } else {
            try? timer.disarm()
        }
    }
}
