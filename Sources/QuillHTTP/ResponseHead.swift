// Building a response head into a reused buffer: status line, the per-response headers, the
// site's header block, and the connection's fate.

struct ResponseHead {
    var bytes: [UInt8] = []
    private var dateSecond: Int64 = -1
    private var date: [UInt8] = []

    init() {
        bytes.reserveCapacity(1024)  // a typical head with the default headers; grows if needed
        date.reserveCapacity(32)
    }

    mutating func start(_ status: HTTPStatus) {
        bytes.removeAll(keepingCapacity: true)
        bytes.append("HTTP/1.1 ")
        bytes.appendDecimal(Int64(status.rawValue))
        bytes.append(ASCII.space)
        bytes.append(status.reason)
        bytes.append("\r\nDate: ")
        let now = Clock.realtimeSeconds()
        if now != dateSecond {
            // Formatted once per second at most.
            dateSecond = now
            date.removeAll(keepingCapacity: true)
            HTTPDate.append(now, to: &date)
        }
        bytes.append(contentsOf: date)
        bytes.append("\r\n")
    }

    mutating func header(_ name: StaticString, _ value: StaticString) {
        bytes.append(name)
        bytes.append(": ")
        bytes.append(value)
        bytes.append("\r\n")
    }

    mutating func header(_ name: StaticString, _ value: [UInt8]) {
        bytes.append(name)
        bytes.append(": ")
        bytes.append(contentsOf: value)
        bytes.append("\r\n")
    }

    mutating func header(_ name: StaticString, decimal value: Int64) {
        bytes.append(name)
        bytes.append(": ")
        bytes.appendDecimal(value)
        bytes.append("\r\n")
    }

    mutating func lastModified(_ seconds: Int64) {
        bytes.append("Last-Modified: ")
        HTTPDate.append(seconds, to: &bytes)
        bytes.append("\r\n")
    }

    mutating func contentRange(first: Int64, last: Int64, size: Int64) {
        bytes.append("Content-Range: bytes ")
        bytes.appendDecimal(first)
        bytes.append(UInt8(ascii: "-"))
        bytes.appendDecimal(last)
        bytes.append(ASCII.slash)
        bytes.appendDecimal(size)
        bytes.append("\r\n")
    }

    mutating func unsatisfiedRange(size: Int64) {
        bytes.append("Content-Range: bytes */")
        bytes.appendDecimal(size)
        bytes.append("\r\n")
    }

    /// The site's headers, the connection header, and the empty line.
    mutating func finish(site: [UInt8], keepAlive: Bool, version: HTTPVersion) {
        bytes.append(contentsOf: site)
        if !keepAlive {
            bytes.append("Connection: close\r\n")
        } else if version == .http10 {
            bytes.append("Connection: keep-alive\r\n")
        }
        bytes.append("\r\n")
    }
}
