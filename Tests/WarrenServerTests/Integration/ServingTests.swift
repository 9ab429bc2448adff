import Glibc
import Testing

/// warren serving real connections with static C engines on loopback ports. Serialized: each test
/// runs its own warren, and this 2-core machine is shared.
@Suite(.serialized) struct ServingTests {
    @Test func sequentialConnectionsAreAllAnsweredWithoutZombiesOrFdGrowth() throws {
        let port = try TestClient.freePort()
        let warren = try WarrenProcess(
            config: testConfig([TestService(name: "hello", port: port, engine: try TestPaths.engine("hello"))]
            ))
        let fdsBefore = warren.openFileCount()
        #expect(fdsBefore > 0)
        var answered = 0
        for _ in 0..<2000 where TestClient.exchange(port: port)?.hasSuffix("hello world\n") == true {
            answered += 1
        }
        #expect(answered == 2000)
        try warren.waitForLog(count: 2000, of: "event=conn", "service=hello", "exit=0")
        #expect(warren.children().isEmpty, "children left: \(warren.children())")
        // Plus the service's log socket pair, opened at its first connection and kept.
        #expect(warren.openFileCount() == fdsBefore + 2)
        warren.signal(SIGTERM)
        #expect(warren.waitForExit() == 0)
    }

    @Test func concurrentConnectionsAreAllAnswered() throws {
        let port = try TestClient.freePort()
        let warren = try WarrenProcess(
            config: testConfig([
                TestService(
                    name: "hello", port: port, engine: try TestPaths.engine("hello"),
                    extra: ["max_per_source = 200"])
            ]))
        let fdsBefore = warren.openFileCount()
        // 200 connections open at once: every engine is running before any reply is read.
        var sockets: [Int32] = []
        for _ in 0..<200 { sockets.append(TestClient.connect(port: port)) }
        #expect(sockets.allSatisfy { $0 >= 0 })
        for fd in sockets where fd >= 0 { TestClient.send(fd, "GET / HTTP/1.0\r\n\r\n") }
        var answered = 0
        for fd in sockets where fd >= 0 {
            if TestClient.readAll(fd).hasSuffix("hello world\n") { answered += 1 }
            close(fd)
        }
        #expect(answered == 200)
        try warren.waitForLog(count: 200, of: "event=conn", "exit=0")
        #expect(warren.children().isEmpty)
        // Plus the service's log socket pair, opened at its first connection and kept.
        #expect(warren.openFileCount() == fdsBefore + 2)
    }

    @Test func enginesGetTheUcspiEnvironmentAndNothingOfWarrens() throws {
        let port = try TestClient.freePort()
        let warren = try WarrenProcess(
            config: testConfig([TestService(name: "env", port: port, engine: try TestPaths.engine("env"))]))
        let fd = TestClient.connect(port: port)
        try #require(fd >= 0)
        defer { close(fd) }
        var local = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let environment = TestClient.readAll(fd).split(separator: "\n").map(String.init)
        #expect(
            environment == [
                "PROTO=TCP", "TCPREMOTEIP=127.0.0.1", "TCPREMOTEPORT=\(UInt16(bigEndian: local.sin_port))",
                "TCPLOCALIP=127.0.0.1", "TCPLOCALPORT=\(port)",
            ])
        _ = warren
    }

    @Test func oneServiceListensOnIPv4AndIPv6WithTheRightUcspiAddresses() throws {
        guard access("/proc/net/if_inet6", F_OK) == 0 else {
            print("skipped: this host has no IPv6")
            return
        }
        let port = try TestClient.freePort()
        let env = try TestPaths.engine("env")
        let warren = try WarrenProcess(
            config: testConfig([
                TestService(name: "env", port: port, engine: env)
            ]).replacing(
                "listen = [\"127.0.0.1:\(port)\"]",
                with: "listen = [\"127.0.0.1:\(port)\", \"[::1]:\(port)\"]"))
        try warren.waitForLog(of: "event=listening", "addr=[::1]:\(port)")
        let overIPv6 = try #require(TestClient.readAllOverIPv6(port: port))
        #expect(overIPv6.contains("TCPREMOTEIP=::1\n"))
        #expect(overIPv6.contains("TCPLOCALIP=::1\nTCPLOCALPORT=\(port)\n"))
        let overIPv4 = try #require(TestClient.exchange(port: port, ""))
        #expect(overIPv4.contains("TCPLOCALIP=127.0.0.1\nTCPLOCALPORT=\(port)\n"))
        try warren.waitForLog(count: 2, of: "event=conn", "service=env", "exit=0")
        #expect(warren.logLines.contains { $0.contains("event=conn service=env peer=::1 ") })
    }

    @Test func aSegfaultingEngineIsLoggedWithSIGSEGVAndTheNextClientIsServed() throws {
        let crashPort = try TestClient.freePort()
        let helloPort = try TestClient.freePort()
        let warren = try WarrenProcess(
            config: testConfig([
                TestService(name: "crash", port: crashPort, engine: try TestPaths.engine("segv")),
                TestService(name: "hello", port: helloPort, engine: try TestPaths.engine("hello")),
            ]))
        #expect(TestClient.exchange(port: crashPort) == "")
        try warren.waitForLog(of: "event=conn", "service=crash", "signal=SIGSEGV")
        #expect(TestClient.exchange(port: crashPort) == "")
        try warren.waitForLog(count: 2, of: "event=conn", "service=crash", "signal=SIGSEGV")
        #expect(TestClient.exchange(port: helloPort)?.hasSuffix("hello world\n") == true)
        try warren.waitForLog(of: "event=conn", "service=hello", "exit=0")
    }

    @Test func aFailingExecveIsLoggedWithStepAndErrno() throws {
        let port = try TestClient.freePort()
        // Executable at load (so the config is valid), then replaced by a script with no interpreter.
        // Not under /tmp: the test policy mounts its own tmpfs there, which would hide the engine.
        let engine = TestPaths.root + "/.build/test-engines/broken-\(getpid())"
        defer { unlink(engine) }
        try TestPaths.write("#!/nonexistent/interpreter\n", to: engine)
        chmod(engine, 0o755)
        let warren = try WarrenProcess(
            config: testConfig([TestService(name: "broken", port: port, engine: engine)]))
        #expect(TestClient.exchange(port: port) == "")
        let lines = try warren.waitForLog(of: "event=conn", "service=broken")
        #expect(lines.first?.contains("exit=127") == true)
        #expect(lines.first?.contains("reason=spawn_failed step=execve errno=ENOENT") == true)
    }

    @Test func engineStderrIsForwardedLineByLineWithServiceAndPid() throws {
        let port = try TestClient.freePort()
        let warren = try WarrenProcess(
            config: testConfig([
                TestService(name: "chatty", port: port, engine: try TestPaths.engine("logger"))
            ]))
        #expect(TestClient.exchange(port: port) == "logged\n")
        let record = try warren.waitForLog(of: "event=conn", "service=chatty", "exit=0")[0]
        let pid = try #require(WarrenProcess.field("pid", in: record))
        let forwarded = warren.logLines.filter { $0.contains("event=stderr service=chatty pid=\(pid) ") }
        let texts = forwarded.map { $0[$0.firstRange(of: " line=")!.upperBound...] }
        try #require(texts.count == 5, "forwarded: \(forwarded)")
        #expect(texts[0] == "\"first line\"")
        #expect(texts[1] == "\"split across writes\"")
        #expect(texts[2] == String(repeating: "x", count: 4096) + " truncated=true")
        // An engine cannot forge a record: its text stays one quoted value of an event=stderr line.
        #expect(texts[3] == "\"time=forged event=conn exit=0\"")
        #expect(texts[4] == "\"no newline at end\"")
        #expect(warren.logLines.filter { WarrenProcess.field("event", in: $0) == "conn" }.count == 1)
    }
}
