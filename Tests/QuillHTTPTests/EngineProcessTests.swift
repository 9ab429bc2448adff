// The built quill-engine binary as warren runs it: a socket on fd 0 and 1, the access log on
// fd 2, arguments from the command line; and the static build without /proc.
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The package root: the working directory of `swift test`, or an ancestor of the test bundle.
private func packageRoot() -> String? {
    if access("Package.swift", F_OK) == 0, access(".build-static", F_OK) == 0 { return "." }
    var path = CommandLine.arguments.first ?? ""
    for _ in 0..<5 {
        guard let slash = path.lastIndex(of: "/") else { return nil }
        path = String(path[..<slash])
        if access(path + "/Package.swift", F_OK) == 0 { return path }
    }
    return nil
}

func siblingEngine() -> String? {
    guard let exe = CommandLine.arguments.first, let slash = exe.lastIndex(of: "/") else { return nil }
    let candidate = String(exe[..<slash]) + "/quill-engine"
    return access(candidate, X_OK) == 0 ? candidate : nil
}

private func staticEngine() -> String? {
    guard let root = packageRoot() else { return nil }
    let candidate = root + "/.build-static/release/quill-engine"
    return access(candidate, X_OK) == 0 ? candidate : nil
}

let haveEngine: Bool = {
    if siblingEngine() == nil {
        print("skip: quill-engine is not built beside the tests (swift build --build-tests)")
    }
    return siblingEngine() != nil
}()

private let canHideProc: Bool = {
    guard staticEngine() != nil else {
        print("skip: no static engine at .build-static/release/quill-engine (make engine)")
        return false
    }
    guard getuid() == 0, access("/usr/bin/unshare", X_OK) == 0 else {
        print("skip: hiding /proc needs root and /usr/bin/unshare")
        return false
    }
    return true
}()

/// Runs argv with a socketpair on fd 0/1 and a pipe on fd 2; returns (responses, stderr, status).
private func runEngine(_ argv: [String], request: String) -> (Exchange, String, Int32) {
    let (client, server) = socketPair()
    var errPipe: [Int32] = [0, 0]
    _ = pipe(&errPipe)
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_adddup2(&actions, server, 0)
    posix_spawn_file_actions_adddup2(&actions, server, 1)
    posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
    var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
    var env: [UnsafeMutablePointer<CChar>?] = [strdup("TCPREMOTEIP=198.51.100.4"), nil]
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, argv[0], &actions, nil, &cArgs, &env)
    posix_spawn_file_actions_destroy(&actions)
    for p in cArgs + env { free(p) }
    close(server)
    close(errPipe[1])
    precondition(rc == 0, "posix_spawn failed: \(rc)")
    _ = Array(request.utf8).withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
    let raw = readAll(client)
    close(client)
    let stderr = String(decoding: readAll(errPipe[0]), as: UTF8.self)
    close(errPipe[0])
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    let exchange = Exchange(responses: parseResponses(raw, headIndexes: []), raw: raw, log: stderr)
    return (exchange, stderr, exitCode)
}

@Suite struct EngineProcessTests {
    @Test(.enabled(if: haveEngine)) func servesAConnectionOnItsStandardDescriptors() throws {
        let temp = TempSite()
        defer { temp.remove() }
        temp.write("index.html", "home\n")
        temp.write("p/index.html", "post\n")
        let (result, stderr, code) = try runEngine(
            [#require(siblingEngine()), "--site", temp.root, "--idle-timeout", "5000"],
            request: get("/") + get("/p/", "Connection: close\r\n"))
        #expect(code == 0)
        #expect(result.responses.map(\.text) == ["home\n", "post\n"])
        let lines = stderr.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.allSatisfy { $0.hasPrefix("198.51.100.4 - - [") })
    }

    @Test(.enabled(if: haveEngine)) func largeBodiesSurviveAFullSocketBuffer() throws {
        // Far larger than a socket buffer: sendfile hits EAGAIN and waits in poll for the reader.
        let temp = TempSite()
        defer { temp.remove() }
        let big = (0..<1_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 13) }
        temp.write("big.bin", big)
        let (result, _, code) = try runEngine(
            [#require(siblingEngine()), "--site", temp.root],
            request: get("/big.bin") + get("/big.bin", "Range: bytes=400000-\r\nConnection: close\r\n"))
        #expect(code == 0)
        #expect(result.responses.map(\.status) == [200, 206])
        #expect(result.responses.first?.body == big)
        #expect(result.responses.last?.body == Array(big[400_000...]))
    }

    @Test(.enabled(if: haveEngine)) func badArgumentsAndMissingSiteFail() throws {
        let engine = try #require(siblingEngine())
        let (_, usage, code) = runEngine([engine, "--bogus"], request: "")
        #expect(code == 64)
        #expect(usage.contains("unknown argument \"--bogus\""))
        let (_, missing, code2) = runEngine([engine, "--site", "/nonexistent/site"], request: "")
        #expect(code2 == 1)
        #expect(missing.contains("/nonexistent/site: cannot open the site directory"))
    }

    @Test(.enabled(if: canHideProc)) func staticEngineRunsWithoutProc() throws {
        let temp = TempSite()
        defer { temp.remove() }
        temp.write("index.html", "no proc\n")
        let engine = try #require(staticEngine())
        // A private mount namespace with an empty /proc, as in a sandbox that mounts none; no
        // SWIFT_ROOT in the environment (runEngine passes only TCPREMOTEIP).
        let (result, stderr, code) = runEngine(
            [
                "/usr/bin/unshare", "-m", "--propagation", "private", "/bin/sh", "-c",
                "mount -t tmpfs none /proc && exec \"$0\" --site \"$1\"", engine, temp.root,
            ], request: get("/", "Connection: close\r\n"))
        #expect(code == 0, "stderr: \(stderr)")
        #expect(result.responses.first?.text == "no proc\n")
    }
}
