// Strict HTTP/1.1 request-head parsing (RFC 9112): anything ambiguous is an error, never a guess,
// so that no byte sequence can be read as two requests by one party and one by another.

public enum ParseOutcome: Sendable, Equatable {
    /// More bytes are needed; `scanned` bytes hold no end of head, so the next scan starts there.
    case incomplete(scanned: Int)
    case request(Request)
    /// The request is unusable; the connection must answer with this status and close.
    case failure(HTTPStatus)
}

public struct ParserLimits: Sendable {
    public var maxRequestLine = 8192
    public var maxHeaderBytes = 32768
    public var maxHeaderFields = 100
    public init() {}

    /// The largest head the limits allow (request line, headers, line ends).
    public var maxHead: Int { maxRequestLine + 2 + maxHeaderBytes + 2 }
}

public struct RequestParser: Sendable {
    public var limits: ParserLimits

    public init(limits: ParserLimits = ParserLimits()) {
        self.limits = limits
    }

    /// Parses the head at the start of `bytes`; `from` is a previous `.incomplete(scanned:)`.
    public func parse(_ bytes: UnsafeRawBufferPointer, from scanned: Int = 0) -> ParseOutcome {
        guard let end = findEndOfHead(bytes, from: scanned) else {
            return incompleteOutcome(bytes)
        }
        return parseHead(ByteView(base: bytes, range: 0..<end))
    }

    /// The index just past the head's empty line, or nil. An LF followed by LF or CRLF ends the
    /// head (bare LFs are rejected later, but must not make the parser wait for more bytes).
    private func findEndOfHead(_ bytes: UnsafeRawBufferPointer, from: Int) -> Int? {
        var i = max(from, 0)
        // Leading empty lines before a request line are ignored (RFC 9112 section 2.2).
        let start = skipLeadingEmptyLines(bytes)
        if i < start { i = start }
        while i < bytes.count {
            if bytes[i] == ASCII.lf {
                if i + 1 < bytes.count, bytes[i + 1] == ASCII.lf { return i + 2 }
                if i + 2 < bytes.count, bytes[i + 1] == ASCII.cr, bytes[i + 2] == ASCII.lf {
                    return i + 3
                }
                if i + 2 >= bytes.count { return nil }
            }
            i += 1
        }
        return nil
    }

    private func skipLeadingEmptyLines(_ bytes: UnsafeRawBufferPointer) -> Int {
        var i = 0
        while i + 1 < bytes.count, bytes[i] == ASCII.cr, bytes[i + 1] == ASCII.lf { i += 2 }
        return i
    }

    private func incompleteOutcome(_ bytes: UnsafeRawBufferPointer) -> ParseOutcome {
        let start = skipLeadingEmptyLines(bytes)
        var lineEnd: Int? = nil
        let lineScan = min(bytes.count, start + limits.maxRequestLine + 2)
        for i in start..<lineScan where bytes[i] == ASCII.lf {
            lineEnd = i
            break
        }
        guard let lineEnd else {
            if bytes.count - start > limits.maxRequestLine + 1 { return .failure(.uriTooLong) }
            return .incomplete(scanned: max(0, bytes.count - 2))
        }
        if lineEnd - start > limits.maxRequestLine + 1 { return .failure(.uriTooLong) }
        if bytes.count - lineEnd > limits.maxHeaderBytes + 2 { return .failure(.headerFieldsTooLarge) }
        return .incomplete(scanned: max(0, bytes.count - 2))
    }

    private func parseHead(_ head: ByteView) -> ParseOutcome {
        var request = Request()
        request.headLength = head.count
        var pos = 0
        while pos + 1 < head.count, head[pos] == ASCII.cr, head[pos + 1] == ASCII.lf { pos += 2 }

        // Request line.
        guard let lineEnd = nextLineEnd(head, from: pos) else { return .failure(.badRequest) }
        if lineEnd.contentEnd - pos > limits.maxRequestLine { return .failure(.uriTooLong) }
        if !lineEnd.crlf { return .failure(.badRequest) }
        if let status = parseRequestLine(head.sub(pos..<lineEnd.contentEnd), into: &request) {
            return .failure(status)
        }
        pos = lineEnd.next

        // Header fields, up to the empty line.
        let headersStart = pos
        var fields = 0
        while true {
            guard let end = nextLineEnd(head, from: pos) else { return .failure(.badRequest) }
            if !end.crlf { return .failure(.badRequest) }
            if end.contentEnd == pos { break }
            fields += 1
            if fields > limits.maxHeaderFields || end.next - headersStart > limits.maxHeaderBytes {
                return .failure(.headerFieldsTooLarge)
            }
            if let status = parseField(head.sub(pos..<end.contentEnd), into: &request) {
                return .failure(status)
            }
            pos = end.next
        }
        return validate(request)
    }

    private struct LineEnd {
        var contentEnd: Int
        var next: Int
        var crlf: Bool
    }

    /// The end of the line starting at `from`. A CR not followed by LF, or NUL, makes the line
    /// unusable (reported as a missing CRLF).
    private func nextLineEnd(_ head: ByteView, from: Int) -> LineEnd? {
        var i = from
        while i < head.count {
            let c = head[i]
            if c == ASCII.lf { return LineEnd(contentEnd: i, next: i + 1, crlf: false) }
            if c == ASCII.cr {
                if i + 1 < head.count, head[i + 1] == ASCII.lf {
                    return LineEnd(contentEnd: i, next: i + 2, crlf: true)
                }
                return LineEnd(contentEnd: i, next: i + 1, crlf: false)
            }
            i += 1
        }
        return nil
    }

    /// method SP request-target SP HTTP-version, single spaces, nothing else.
    private func parseRequestLine(_ line: ByteView, into request: inout Request) -> HTTPStatus? {
        var i = 0
        while i < line.count, ASCII.isTokenChar(line[i]) { i += 1 }
        guard i > 0, i < line.count, line[i] == ASCII.space else { return .badRequest }
        let method = line.sub(0..<i)
        request.methodRange = method.range
        if method.equals("GET") {
            request.method = .get
        } else if method.equals("HEAD") {
            request.method = .head
        } else if method.equals("OPTIONS") {
            request.method = .options
        } else {
            request.method = .other
        }

        let targetStart = i + 1
        var j = targetStart
        while j < line.count, line[j] != ASCII.space {
            let c = line[j]
            // Visible ASCII only; a fragment never travels in a request.
            guard c > 0x20, c < 0x7F, c != UInt8(ascii: "#") else { return .badRequest }
            j += 1
        }
        guard j > targetStart, j < line.count else { return .badRequest }
        let target = line.sub(targetStart..<j)
        request.target = target.range

        let version = line.sub((j + 1)..<line.count)
        if version.equals("HTTP/1.1") {
            request.version = .http11
        } else if version.equals("HTTP/1.0") {
            request.version = .http10
        } else if version.count == 8, version.sub(0..<5).equals("HTTP/"),
            (48...57).contains(version[5]), version[6] == ASCII.dot, (48...57).contains(version[7])
        {
            return .versionNotSupported
        } else {
            return .badRequest
        }

        // Target forms: origin ("/..."), asterisk (OPTIONS only), absolute ("http://host/...").
        if target[0] == ASCII.slash { return nil }
        if target.equals("*") { return request.method == .options ? nil : .badRequest }
        if target.hasPrefixLowercase("http://") || target.hasPrefixLowercase("https://") { return nil }
        return .badRequest
    }

    private func parseField(_ line: ByteView, into request: inout Request) -> HTTPStatus? {
        // A line starting with whitespace is obs-fold (or whitespace before the first field).
        var i = 0
        while i < line.count, ASCII.isTokenChar(line[i]) { i += 1 }
        guard i > 0, i < line.count, line[i] == ASCII.colon else { return .badRequest }
        let name = line.sub(0..<i)
        let rawValue = line.sub((i + 1)..<line.count)
        for k in 0..<rawValue.count where !ASCII.isFieldValueChar(rawValue[k]) { return .badRequest }
        let value = rawValue.trimmed()

        switch name.count {
        case 4 where name.equalsLowercase("host"):
            request.hostCount += 1
            for k in 0..<value.count where !isHostChar(value[k]) { return .badRequest }
        case 5 where name.equalsLowercase("range"):
            if request.range == nil { request.range = value.range }
        case 7 where name.equalsLowercase("referer"):
            if request.referer == nil { request.referer = value.range }
        case 8 where name.equalsLowercase("if-range"):
            if request.ifRange == nil { request.ifRange = value.range }
        case 10 where name.equalsLowercase("connection"):
            value.forEachListElement { token in
                if token.equalsLowercase("close") { request.connectionClose = true }
                if token.equalsLowercase("keep-alive") { request.connectionKeepAlive = true }
            }
        case 10 where name.equalsLowercase("user-agent"):
            if request.userAgent == nil { request.userAgent = value.range }
        case 13 where name.equalsLowercase("if-none-match"):
            if request.ifNoneMatch == nil { request.ifNoneMatch = value.range }
        case 14 where name.equalsLowercase("content-length"):
            guard let length = value.decimal() else { return .badRequest }
            if let previous = request.contentLength, previous != length { return .badRequest }
            request.contentLength = length
        case 15 where name.equalsLowercase("accept-encoding"):
            AcceptEncoding.parse(value, into: &request)
        case 17 where name.equalsLowercase("transfer-encoding"):
            if request.chunked { return .badRequest }
            guard transferCodingsEndInChunked(value) else { return .badRequest }
            request.chunked = true
        case 17 where name.equalsLowercase("if-modified-since"):
            if request.ifModifiedSince == nil { request.ifModifiedSince = value.range }
        default:
            break
        }
        return nil
    }

    /// Known codings ending in chunked: a framing the engine understands well enough to refuse.
    private func transferCodingsEndInChunked(_ value: ByteView) -> Bool {
        var known = true
        var last: ByteView? = nil
        value.forEachListElement { coding in
            last = coding
            if !(coding.equalsLowercase("chunked") || coding.equalsLowercase("gzip")
                || coding.equalsLowercase("deflate") || coding.equalsLowercase("compress")
                || coding.equalsLowercase("x-gzip"))
            {
                known = false
            }
        }
        guard known, let last else { return false }
        return last.equalsLowercase("chunked")
    }

    private func isHostChar(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "-._~!$&'()*+,;=:[]%".utf8.contains(c)
        }
    }

    private func validate(_ request: Request) -> ParseOutcome {
        if request.hostCount > 1 { return .failure(.badRequest) }
        if request.version == .http11, request.hostCount != 1 { return .failure(.badRequest) }
        if request.chunked {
            // Both framings at once is the classic smuggling vector; HTTP/1.0 has no chunked.
            if request.contentLength != nil || request.version == .http10 { return .failure(.badRequest) }
            return .failure(.contentTooLarge)
        }
        return .request(request)
    }
}
