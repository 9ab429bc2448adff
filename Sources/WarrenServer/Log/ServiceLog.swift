import WarrenSystem

/// One service's engine stderr: the datagram socket every engine of the service writes to (its fd
/// 2), and which engine each sender pid is. Opened at the service's first spawn; closed when a
/// reload has dropped the service and its last engine has ended.
final class ServiceLog {
    let socket: LogSocket
    /// Running engines by host pid. An entry is removed only after the engine's pid is reaped, and
    /// the socket is drained just before that, so a datagram is never credited to a later process
    /// that reuses the pid.
    var engines: [Int32: Connection] = [:]
    /// Unterminated lines of senders not in `engines`: an engine whose spawn answer the loop has
    /// not taken yet (it can write as soon as it has exec'd), a waiting engine, or a child of one.
    /// The engine's connection takes its buffer over when it is registered.
    var unclaimed: [Int32: LineBuffer] = [:]
    /// At most this many senders' partial lines are kept; past it a partial line goes out as is.
    static let unclaimedLimit = 1024

    /// Registers a running engine, taking over whatever it wrote before.
    func register(_ connection: Connection) {
        engines[connection.pid] = connection
        if let buffer = unclaimed.removeValue(forKey: connection.pid) { connection.logLines = buffer }
    }

    /// Builds the service's `event=stderr` records.
    var records: StderrRecords

    init(socket: LogSocket, service: String) {
        self.socket = socket
        records = StderrRecords(service: service)
    }
}
