import Glibc
import Testing

/// Engine stderr through one datagram socket per service: one fd per running engine, and a
/// sandboxed engine can neither pass as another process nor plant descriptors in warren.
@Suite(.serialized) struct EngineLogTests {
    @Test func warrenHoldsOneDescriptorPerRunningEngine() throws {
        let port = try TestClient.freePort()
        let warren = try WarrenProcess(
            config: testConfig([
                TestService(
                    name: "hold", port: port, engine: try TestPaths.engine("hold"),
                    extra: ["max_per_source = 64"])
            ]))
        // The first engine opens the service's log socket (kept); count once it has been reaped.
        let first = TestClient.connect(port: port)
        #expect(TestClient.readLine(first) == "started")
        close(first)
        try warren.waitForLog(of: "event=conn", "service=hold", "exit=0")
        let before = warren.openFileCount()
        var held: [Int32] = []
        defer { for fd in held { close(fd) } }
        for _ in 0..<20 {
            let fd = TestClient.connect(port: port)
            try #require(fd >= 0)
            held.append(fd)
        }
        for fd in held { #expect(TestClient.readLine(fd) == "started") }
        #expect(warren.children().count == 20)
        // A pidfd each; each report pipe is closed once warren reads its end of file (after the
        // engine's execve, so possibly just after "started"); stderr is the service's socket.
        var grown = warren.openFileCount() - before
        for _ in 0..<500 where grown != 20 {
            usleep(10_000)
            grown = warren.openFileCount() - before
        }
        #expect(grown == 20)
    }

    @Test func anEngineCannotForgeItsSenderOrPassDescriptors() throws {
        let port = try TestClient.freePort()
        let warren = try WarrenProcess(
            config: testConfig([TestService(name: "spoof", port: port, engine: try TestPaths.engine("spoof"))]
            ))
        // EPERM (1): naming another pid needs CAP_SYS_ADMIN over its own pid namespace.
        #expect(TestClient.exchange(port: port) == "forged=1 own=0 rights=0\n")
        let record = try warren.waitForLog(of: "event=conn", "service=spoof", "exit=0")[0]
        let pid = try #require(WarrenProcess.field("pid", in: record))
        let fdsAfterFirst = warren.openFileCount()
        let lines = warren.logLines.filter { $0.contains("event=stderr service=spoof") }
        #expect(lines.count == 2, "\(lines)")
        // Its own credentials (pid 1 inside) arrive as its host pid.
        #expect(lines.contains { $0.hasSuffix("pid=\(pid) line=\"own credentials\"") })
        #expect(lines.contains { $0.hasSuffix("pid=\(pid) line=\"with a descriptor\"") })
        #expect(!warren.log.contains("forged\""))
        try warren.waitForLog(of: "event=warning", "service=spoof", "pid=\(pid)", "closed unread: 1")
        // The passed descriptor did not stay in warren.
        #expect(TestClient.exchange(port: port) == "forged=1 own=0 rights=0\n")
        try warren.waitForLog(count: 2, of: "event=conn", "service=spoof", "exit=0")
        #expect(warren.openFileCount() == fdsAfterFirst)
    }
}
