// What a keep-alive connection keeps between requests, seen from outside the built engine: files
// stay open for --file-cache-ms (a replaced file shows only after that), and batched access-log
// lines still reach stderr while the connection idles.
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The engine serving one end of a socketpair, with its stderr on a pipe.
private struct LiveEngine {
    let pid: pid_t
    let client: Int32
    let stderr: Int32

    init(_ arguments: [String]) throws {
        let engine = try #require(siblingEngine())
        let (client, server) = socketPair()
        var errPipe: [Int32] = [0, 0]
        precondition(pipe(&errPipe) == 0, "pipe failed")
        for fd in errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_adddup2(&actions, server, 0)
        posix_spawn_file_actions_adddup2(&actions, server, 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        let argv = [engine] + arguments
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        var env: [UnsafeMutablePointer<CChar>?] = [strdup("TCPREMOTEIP=198.51.100.8"), nil]
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, engine, &actions, nil, &cArgs, &env)
        posix_spawn_file_actions_destroy(&actions)
        for p in cArgs + env { free(p) }
        close(server)
        close(errPipe[1])
        try #require(rc == 0)
        self.pid = pid
        self.client = client
        self.stderr = errPipe[0]
    }

    func send(_ request: String) {
        _ = Array(request.utf8).withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
    }

    /// Reads until one whole response (send one request at a time: bytes past it are dropped) (head and Content-Length body) has arrived.
    func response() -> Response? {
        var raw: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            if let first = parseResponses(raw, headIndexes: []).first,
                first.body.count == Int(first.header("Content-Length") ?? "0")
            {
                return first
            }
            let n = chunk.withUnsafeMutableBytes { read(client, $0.baseAddress, $0.count) }
            if n <= 0 { return nil }
            raw.append(contentsOf: chunk[0..<n])
        }
    }

    /// Ends the connection, reaps the engine; returns (exit code, stderr).
    func finish() -> (Int32, String) {
        close(client)
        let text = String(decoding: readAll(stderr), as: UTF8.self)
        close(stderr)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return ((status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f), text)
    }
}

@Suite struct KeepAliveTests {
    /// Serves a.txt, replaces it by rename, serves it again on the same connection.
    private func servedTwice(cacheMilliseconds: String) throws -> [String] {
        let temp = TempSite()
        defer { temp.remove() }
        temp.write("a.txt", "old\n")
        let engine = try LiveEngine(["--site", temp.root, "--file-cache-ms", cacheMilliseconds])
        engine.send(get("/a.txt"))
        let first = engine.response()
        temp.write("a.new", "new!\n")
        rename(temp.root + "/a.new", temp.root + "/a.txt")
        engine.send(get("/a.txt"))
        let second = engine.response()
        let (code, log) = engine.finish()
        #expect(code == 0, "stderr: \(log)")
        return [first?.text ?? "(none)", second?.text ?? "(none)"]
    }

    @Test(.enabled(if: haveEngine)) func aRepeatedFileComesFromTheOpenDescriptor() throws {
        #expect(try servedTwice(cacheMilliseconds: "3600000") == ["old\n", "old\n"])
    }

    @Test(.enabled(if: haveEngine)) func withoutTheCacheEveryRequestOpensTheFile() throws {
        #expect(try servedTwice(cacheMilliseconds: "0") == ["old\n", "new!\n"])
    }

    @Test(.enabled(if: haveEngine)) func batchedLogLinesReachStderrWhileTheConnectionIdles() throws {
        let temp = TempSite()
        defer { temp.remove() }
        temp.write("index.html", "home\n")
        let engine = try LiveEngine(["--site", temp.root, "--idle-timeout", "120000"])
        for _ in 0..<2 {
            engine.send(get("/"))
            #expect(engine.response()?.text == "home\n")
        }
        // The lines are due after AccessLog.delay (1 s); 60 s only bounds a broken engine.
        var entry = pollfd(fd: engine.stderr, events: Int16(POLLIN), revents: 0)
        #expect(poll(&entry, 1, 60_000) == 1)
        var chunk = [UInt8](repeating: 0, count: 4096)
        let n = chunk.withUnsafeMutableBytes { read(engine.stderr, $0.baseAddress, $0.count) }
        let lines = String(decoding: chunk[0..<max(0, n)], as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(
            lines.allSatisfy {
                $0.hasPrefix("198.51.100.8 - - [") && $0.contains("\"GET / HTTP/1.1\" 200 5 ")
            })
        // Still serving: the flush did not end the connection.
        var status: Int32 = 0
        #expect(waitpid(engine.pid, &status, WNOHANG) == 0)
        engine.send(get("/", "Connection: close\r\n"))
        #expect(engine.response()?.text == "home\n")
        let (code, rest) = engine.finish()
        #expect(code == 0)
        #expect(rest.split(separator: "\n").count == 1)
    }
}
