// One parsed request head. Fields are byte ranges into the connection's input buffer, so parsing
// copies and allocates nothing; they are valid until the buffer is compacted.

public enum RequestMethod: Sendable, Equatable {
    case get, head, options, other
}

public enum HTTPVersion: Sendable, Equatable {
    case http10, http11
}

public struct Request: Sendable, Equatable {
    public var method: RequestMethod = .other
    public var methodRange: Range<Int> = 0..<0
    public var target: Range<Int> = 0..<0
    public var version: HTTPVersion = .http11
    /// Bytes of the head, from the first byte of the buffer through the empty line.
    public var headLength = 0

    public var hostCount = 0
    public var contentLength: Int64?
    /// Transfer-Encoding present (only valid as a final "chunked", else the parse fails).
    public var chunked = false
    public var connectionClose = false
    public var connectionKeepAlive = false
    public var acceptsGzip = false
    public var acceptsBrotli = false

    public var ifNoneMatch: Range<Int>?
    public var ifModifiedSince: Range<Int>?
    public var range: Range<Int>?
    public var ifRange: Range<Int>?
    public var referer: Range<Int>?
    public var userAgent: Range<Int>?

    public init() {}

    /// Whether the connection may carry another request after this one.
    public var keepAlive: Bool {
        switch version {
        case .http11: !connectionClose
        case .http10: connectionKeepAlive && !connectionClose
        }
    }

    /// Whether a body follows the head (the engine refuses bodies).
    public var hasBody: Bool {
        chunked || (contentLength ?? 0) > 0
    }
}
