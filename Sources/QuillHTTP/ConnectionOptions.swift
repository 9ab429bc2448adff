// Per-connection limits and timeouts, set from quill-engine's command line (tests use short ones).

public struct ConnectionOptions: Sendable {
    /// Between requests (and before the first): the connection closes silently after it.
    public var idleTimeoutMilliseconds: Int64 = 15_000
    /// From the first byte of a request head to its end (slowloris): 408, then close.
    public var headerTimeoutMilliseconds: Int64 = 10_000
    /// For each blocked write of a response: a client that stops reading is dropped.
    public var writeTimeoutMilliseconds: Int64 = 30_000
    /// How long a file opened for one request is reused for later requests on the connection
    /// without being opened again (0: open every time).
    public var fileCacheMilliseconds: Int64 = 1000
    /// Requests served on one connection; the last one carries "Connection: close".
    public var maxRequests = 1000
    public var limits = ParserLimits()

    public init() {}
}
