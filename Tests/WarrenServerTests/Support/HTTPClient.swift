import Glibc

/// One HTTP/1.1 response as read off the wire.
struct HTTPResponse {
    var status: Int
    /// Header fields in order, names lowercased.
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.name == name.lowercased() }?.value
    }

    var text: String { String(decoding: body, as: UTF8.self) }
}

/// Reads responses one at a time from a connected socket, so that several on one connection
/// (keep-alive, pipelining) can be taken apart. Bodies are framed by Content-Length only, which is
/// all quill-engine sends; HEAD, 204 and 304 responses have no body.
final class HTTPReader {
    let fd: Int32
    private var buffer: [UInt8] = []
    private var ended = false

    init(fd: Int32) {
        self.fd = fd
    }

    /// The next response, or nil when the connection ended (or timed out) before a whole one came.
    func next(head isHead: Bool = false) -> HTTPResponse? {
        guard let end = fill(until: { Self.headEnd(in: $0) }) else { return nil }
        let headText = String(decoding: buffer[..<end], as: UTF8.self)
        buffer.removeFirst(end + 4)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let value = line[line.index(after: colon)...].drop { $0 == " " }
            headers.append((line[..<colon].lowercased(), String(value)))
        }
        var length = 0
        if !isHead && status != 204 && status != 304 {
            length = headers.first { $0.name == "content-length" }.flatMap { Int($0.value) } ?? 0
        }
        guard fill(until: { $0.count >= length ? length : nil }) != nil else { return nil }
        let body = Array(buffer[..<length])
        buffer.removeFirst(length)
        return HTTPResponse(status: status, headers: headers, body: body)
    }

    /// Whether the peer closed with nothing left unread.
    func atEnd() -> Bool {
        fill(until: { $0.isEmpty ? nil : 0 }) == nil && buffer.isEmpty
    }

    /// Reads until `found` returns an index in the buffered bytes, or end of file.
    private func fill(until found: ([UInt8]) -> Int?) -> Int? {
        while true {
            if let index = found(buffer) { return index }
            if ended { return nil }
            var chunk = [UInt8](repeating: 0, count: 16384)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 {
                ended = true
            } else {
                buffer += chunk.prefix(n)
            }
        }
    }

    private static func headEnd(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for i in 0...(bytes.count - 4)
        where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 {
            return i
        }
        return nil
    }
}

extension String {
    fileprivate func components(separatedBy separator: String) -> [String] {
        var parts: [String] = []
        var rest = self[...]
        while let range = rest.firstRange(of: separator) {
            parts.append(String(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        parts.append(String(rest))
        return parts
    }
}
