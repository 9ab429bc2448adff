// Helpers for the QuillHTTP tests: a temporary site tree, a socketpair exchange driving the
// Connection in-process, and a small response reader (the tests' own, independent of the engine).
import QuillHTTP
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// A temporary directory holding a built site, removed by the test that made it.
struct TempSite {
    let path: String

    init() {
        var template = Array("/tmp/quill-http-test.XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        mkdir(path + "/site", 0o755)
    }

    var root: String { path + "/site" }

    func write(_ relative: String, _ content: String) {
        write(relative, Array(content.utf8))
    }

    func write(_ relative: String, _ bytes: [UInt8]) {
        var dir = ""
        for part in relative.split(separator: "/").dropLast() {
            dir += "/" + part
            mkdir(root + dir, 0o755)
        }
        let fd = Glibc.open(root + "/" + relative, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        precondition(fd >= 0, "cannot create \(relative)")
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    func symlink(_ relative: String, to target: String) {
        _ = Glibc.symlink(target, root + "/" + relative)
    }

    func writeOutside(_ name: String, _ content: String) {
        let fd = Glibc.open(path + "/" + name, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        _ = Array(content.utf8).withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    func remove() {
        var argv: [UnsafeMutablePointer<CChar>?] = [strdup("rm"), strdup("-rf"), strdup(path), nil]
        var pid: pid_t = 0
        _ = posix_spawnp(&pid, "rm", nil, nil, &argv, environ)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        for p in argv { free(p) }
    }

    func open(options: ConnectionOptions = ConnectionOptions()) throws -> Site {
        var diagnostics = Diagnostics(output: FileDescriptor(rawValue: -1))
        return try Site(path: root, diagnostics: &diagnostics)
    }
}

struct Response {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    var text: String { String(decoding: body, as: UTF8.self) }
}

/// What a client saw: the responses, and whether the server closed while the client still had
/// its side open (i.e. before the client finished).
struct Exchange {
    var responses: [Response]
    var raw: [UInt8]
    var log: String
}

func socketPair() -> (Int32, Int32) {
    var fds: [Int32] = [0, 0]
    let r = socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds)
    precondition(r == 0, "socketpair failed")
    return (fds[0], fds[1])
}

/// Sends `request` bytes, optionally ends the client's writing side, runs the connection until it
/// ends, and reads everything the server wrote. `heads` lists which responses answer HEAD.
func exchange(
    _ site: Site, _ request: String, options: ConnectionOptions = ConnectionOptions(),
    closeClientWrite: Bool = true, headIndexes: Set<Int> = []
) -> Exchange {
    exchange(
        site, Array(request.utf8), options: options, closeClientWrite: closeClientWrite,
        headIndexes: headIndexes)
}

func exchange(
    _ site: Site, _ request: [UInt8], options: ConnectionOptions = ConnectionOptions(),
    closeClientWrite: Bool = true, headIndexes: Set<Int> = []
) -> Exchange {
    let (client, server) = socketPair()
    var logPipe: [Int32] = [0, 0]
    _ = pipe(&logPipe)
    _ = request.withUnsafeBytes { Glibc.write(client, $0.baseAddress, $0.count) }
    if closeClientWrite { shutdown(client, Int32(SHUT_WR)) }
    let connection = Connection(
        site: site, input: FileDescriptor(rawValue: server), output: FileDescriptor(rawValue: server),
        log: FileDescriptor(rawValue: logPipe[1]), remote: "192.0.2.7", options: options)
    connection.run()
    close(server)
    close(logPipe[1])
    let raw = readAll(client)
    close(client)
    let log = String(decoding: readAll(logPipe[0]), as: UTF8.self)
    close(logPipe[0])
    return Exchange(responses: parseResponses(raw, headIndexes: headIndexes), raw: raw, log: log)
}

func readAll(_ fd: Int32) -> [UInt8] {
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        if n <= 0 { break }
        out.append(contentsOf: buffer[0..<n])
    }
    return out
}

/// Splits a byte stream into responses, by Content-Length (none for HEAD, 204 and 304).
func parseResponses(_ raw: [UInt8], headIndexes: Set<Int>) -> [Response] {
    var responses: [Response] = []
    var pos = 0
    while pos < raw.count {
        guard let end = findHeadEnd(raw, from: pos) else { break }
        let headText = String(decoding: raw[pos..<end], as: UTF8.self)
        var lines = headText.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { break }
        var headers: [(String, String)] = []
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = String(line[..<colon])
            let value = String(line[line.index(after: colon)...].drop(while: { $0 == " " }))
            headers.append((name, value))
        }
        var response = Response(status: status, headers: headers, body: [])
        pos = end + 4
        let noBody = headIndexes.contains(responses.count) || status == 204 || status == 304
        if !noBody, let length = response.header("Content-Length").flatMap({ Int($0) }) {
            let stop = min(raw.count, pos + length)
            response.body = Array(raw[pos..<stop])
            pos = stop
        }
        responses.append(response)
    }
    return responses
}

private func findHeadEnd(_ raw: [UInt8], from: Int) -> Int? {
    var i = from
    while i + 3 < raw.count {
        if raw[i] == 13, raw[i + 1] == 10, raw[i + 2] == 13, raw[i + 3] == 10 { return i }
        i += 1
    }
    return nil
}

/// A GET for `path` with Host, plus `extra` header lines.
func get(_ path: String, _ extra: String = "", method: String = "GET") -> String {
    "\(method) \(path) HTTP/1.1\r\nHost: test\r\n\(extra)\r\n"
}

/// A connected loopback TCP pair (client, server), or nil when loopback is unavailable.
func tcpPair() -> (Int32, Int32)? {
    // Close-on-exec throughout: tests spawning engines in parallel must not inherit these.
    let streamCloexec = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
    let listener = socket(AF_INET, streamCloexec, 0)
    guard listener >= 0 else { return nil }
    defer { close(listener) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &addr) { p in
        p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
            bind(listener, sa, len) == 0 && listen(listener, 1) == 0 && getsockname(listener, sa, &len) == 0
        }
    }
    guard ok else { return nil }
    let client = socket(AF_INET, streamCloexec, 0)
    let connected = withUnsafeMutablePointer(to: &addr) { p in
        p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, len) == 0 }
    }
    guard connected else {
        close(client)
        return nil
    }
    let server = accept(listener, nil, nil)
    if server >= 0 { _ = fcntl(server, F_SETFD, FD_CLOEXEC) }  // (accept4 is not in Glibc's module)
    return server >= 0 ? (client, server) : nil
}
