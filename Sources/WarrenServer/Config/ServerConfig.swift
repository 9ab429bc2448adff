import WarrenSystem

/// One `[[service]]`: a set of listening addresses served by one engine under one policy.
public struct ServiceConfig: Sendable, Equatable {
    public var name: String
    public var listen: [SocketAddress]
    /// Absolute host path of the engine (relative paths in the file are resolved against its directory).
    public var engine: String
    public var arguments: [String]
    /// Absolute path of the policy file (required: no engine runs unconfined).
    public var policy: String
    /// Engines running at once; at the cap the service's listeners leave the epoll set.
    public var maxInstances: Int
    /// Engines running at once for one peer address; a connection over it is closed at once.
    public var maxPerSource: Int
    /// Wall-clock limit per connection, then SIGKILL.
    public var timeoutNanoseconds: UInt64
    /// Sandboxed engines kept waiting for a connection (the handoff protocol); 0: spawn per accept.
    public var prespawn: Int

    public init(
        name: String, listen: [SocketAddress], engine: String, arguments: [String] = [],
        policy: String, maxInstances: Int = ServiceConfig.defaultMaxInstances,
        maxPerSource: Int = ServiceConfig.defaultMaxPerSource,
        timeoutNanoseconds: UInt64 = ServiceConfig.defaultTimeoutNanoseconds, prespawn: Int = 0
    ) {
        self.name = name
        self.listen = listen
        self.engine = engine
        self.arguments = arguments
        self.policy = policy
        self.maxInstances = maxInstances
        self.maxPerSource = maxPerSource
        self.timeoutNanoseconds = timeoutNanoseconds
        self.prespawn = prespawn
    }

    public static let defaultMaxInstances = 1024
    public static let defaultMaxPerSource = 32
    public static let defaultTimeoutNanoseconds: UInt64 = 120 * 1_000_000_000
    /// The most waiting engines one service may keep.
    public static let maxPrespawn = 256
}

/// A whole config file: server settings and its services.
public struct ServerConfig: Sendable, Equatable {
    /// The file it came from, re-read on SIGHUP.
    public var path: String
    public var services: [ServiceConfig]
    /// How long SIGTERM lets running engines finish before killing them.
    public var shutdownGraceNanoseconds: UInt64

    public init(
        path: String, services: [ServiceConfig],
        shutdownGraceNanoseconds: UInt64 = ServerConfig.defaultShutdownGraceNanoseconds
    ) {
        self.path = path
        self.services = services
        self.shutdownGraceNanoseconds = shutdownGraceNanoseconds
    }

    public static let defaultShutdownGraceNanoseconds: UInt64 = 10 * 1_000_000_000
}
