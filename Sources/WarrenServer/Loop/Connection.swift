import WarrenSpawn
import WarrenSystem

/// One accepted connection and the engine serving it, from spawn to the log record at its end.
final class Connection {
    let id: UInt64
    let service: ServiceRuntime
    /// The plan it was spawned from (a reload may give the service a new one meanwhile).
    let plan: SpawnPlan
    let peer: SocketAddress
    let local: SocketAddress
    let pid: Int32
    let pidfd: FileDescriptor
    /// Open until the child reports a failed step or its execve closes the pipe.
    var report: FileDescriptor?
    /// The engine's stderr so far, split into lines (it arrives through its service's log socket).
    var logLines = LineBuffer()
    let started: UInt64
    /// Served by a prespawned engine (handed the connection, not spawned for it).
    var prespawned = false
    /// Set when warren ends the engine itself (timeout, shutdown).
    var reason: String?
    /// Killed while still in its sandbox set-up (`Server.killStuckSpawns`): the engine never ran.
    var killedInSetup = false
    var failure: SpawnFailure?
    /// How it ended, once reaped.
    var exit: ChildExit?
    var ended: UInt64 = 0

    convenience init(
        id: UInt64, service: ServiceRuntime, plan: SpawnPlan, peer: SocketAddress, local: SocketAddress,
        child: SpawnedChild, started: UInt64
    ) {
        self.init(
            id: id, service: service, plan: plan, peer: peer, local: local, pid: child.pid,
            pidfd: child.pidfd, report: child.report, started: started)
    }

    /// Also for a prespawned engine taking the connection (its report pipe is long closed).
    init(
        id: UInt64, service: ServiceRuntime, plan: SpawnPlan, peer: SocketAddress, local: SocketAddress,
        pid: Int32, pidfd: FileDescriptor, report: FileDescriptor?, started: UInt64
    ) {
        self.id = id
        self.service = service
        self.plan = plan
        self.peer = peer
        self.local = local
        self.pid = pid
        self.pidfd = pidfd
        self.report = report
        self.started = started
    }
}
