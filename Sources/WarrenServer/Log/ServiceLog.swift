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

    init(socket: LogSocket) {
        self.socket = socket
    }
}
