import WarrenSpawn
import WarrenSystem

/// A bound listening socket and whether it is in the epoll set (it leaves it while its service is
/// at max_instances). Reload moves it, by address, to the new config's service.
final class Listener {
    let address: SocketAddress
    let descriptor: FileDescriptor
    var watched = false
    unowned(unsafe) var service: ServiceRuntime

    init(address: SocketAddress, descriptor: FileDescriptor, service: ServiceRuntime) {
        self.address = address
        self.descriptor = descriptor
        self.service = service
    }
}

/// A service as the loop runs it: its config and compiled plan (replaced on reload), its listeners,
/// and the counters limits need. Connections hold it, so a service removed by reload lives on until
/// its last engine ends.
final class ServiceRuntime {
    private(set) var config: ServiceConfig
    private(set) var plan: SpawnPlan
    var listeners: [Listener] = []
    /// Engines running now.
    var active = 0
    /// The socket its engines' stderr goes to; nil until the first spawn.
    var log: ServiceLog?
    /// Engines running now per peer address (the host part only).
    var perSource: [SocketAddress.HostKey: Int] = [:]
    /// Engines waiting for a connection (`prespawn`), Server+Prespawn.
    let pool = Pool()

    init(config: ServiceConfig, plan: SpawnPlan) {
        self.config = config
        self.plan = plan
    }

    var name: String { config.name }
    var atCapacity: Bool { active >= config.maxInstances }

    /// Takes the new config and plan on reload; running connections keep the plan they started with.
    func update(config: ServiceConfig, plan: SpawnPlan) {
        self.config = config
        self.plan = plan
    }
}
