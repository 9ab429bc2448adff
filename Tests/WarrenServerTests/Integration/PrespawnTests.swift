import Glibc
import Testing

/// Prespawned sandboxes (`prespawn = N`): engines spawned and started before a client arrives, each
/// handed exactly one connection over its handoff socket (Tests/Engines/handoff.c speaks the
/// protocol; it reports its start time, so a test can tell it was running before the connect).
@Suite(.serialized) struct PrespawnTests {
    static var handoffPolicy: String {
        TestPaths.root + "/Tests/WarrenServerTests/Policies/handoff-engine.toml"
    }

    static func service(port: UInt16, prespawn: Int = 2, args: [String] = [], extra: [String] = []) throws
        -> TestService
    {
        TestService(
            name: "pool", port: port, engine: try TestPaths.engine("handoff"), args: args,
            policy: handoffPolicy,
            extra: ["prespawn = \(prespawn)"] + extra)
    }

    static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    /// The engine's reply: its start and handoff times, then its environment.
    struct Reply {
        var start: UInt64
        var handed: UInt64
        var environment: [String]

        init?(_ text: String) {
            var lines = text.split(separator: "\n").map(String.init)
            guard !lines.isEmpty else { return nil }
            let head = lines.removeFirst().split(separator: " ")
            guard head.count == 2, head[0].hasPrefix("start="), head[1].hasPrefix("handed="),
                let start = UInt64(head[0].dropFirst(6)), let handed = UInt64(head[1].dropFirst(7))
            else { return nil }
            self.start = start
            self.handed = handed
            environment = lines
        }
    }

    /// Connects, notes the time just before, and reads the engine's whole reply.
    static func exchange(port: UInt16) throws -> (connected: UInt64, localPort: UInt16, reply: Reply) {
        let before = monotonicNanoseconds()
        let fd = TestClient.connect(port: port)
        try #require(fd >= 0)
        defer { close(fd) }
        var local = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let text = TestClient.readAll(fd)
        let reply = try #require(Reply(text), "unexpected reply: \(text)")
        return (before, UInt16(bigEndian: local.sin_port), reply)
    }

    /// The pids of the waiting engines that announced themselves so far.
    static func waiterPids(_ warren: WarrenProcess) -> [String] {
        warren.logLines.filter { $0.contains("event=stderr") && $0.contains("waiting start=") }.compactMap {
            WarrenProcess.field("pid", in: $0)
        }
    }

    @Test func aConnectionIsServedByAnEngineStartedBeforeItAndThePoolRefills() throws {
        let port = try TestClient.freePort()
        let warren = try WarrenProcess(config: testConfig([try Self.service(port: port)]))
        try warren.waitForLog(count: 2, of: "event=stderr", "waiting start=")
        let fdsIdle = warren.openFileCount()
        for round in 1...5 {
            let (connected, localPort, reply) = try Self.exchange(port: port)
            // Started before the client connected, and handed the connection after.
            #expect(reply.start < connected)
            #expect(reply.handed > connected)
            #expect(
                reply.environment == [
                    "PROTO=TCP", "TCPREMOTEIP=127.0.0.1", "TCPREMOTEPORT=\(localPort)",
                    "TCPLOCALIP=127.0.0.1",
                    "TCPLOCALPORT=\(port)",
                ])
            let records = try warren.waitForLog(count: round, of: "event=conn", "service=pool", "exit=0")
            #expect(records[round - 1].contains(" prespawned=true"), "\(records[round - 1])")
            let pid = try #require(WarrenProcess.field("pid", in: records[round - 1]))
            #expect(Self.waiterPids(warren).contains(pid), "pid \(pid) never waited")
            // The pool refills: one more engine announces itself waiting.
            try warren.waitForLog(count: 2 + round, of: "event=stderr", "waiting start=")
        }
        // Two engines wait, nothing else runs, and no fd was lost on the way.
        try warren.waitForLog(count: 7, of: "event=stderr", "waiting start=")
        #expect(warren.children().count == 2, "\(warren.children())")
        #expect(warren.openFileCount() == fdsIdle)
        #expect(!warren.log.contains("event=prespawn_exit"), "\(warren.log)")
        warren.signal(SIGTERM)
        #expect(warren.waitForExit() == 0)
    }

    @Test func reloadAndShutdownGiveWaitersEndOfFileAndTheyExitZero() throws {
        let port = try TestClient.freePort()
        let warren = try WarrenProcess(config: testConfig([try Self.service(port: port, prespawn: 3)]))
        try warren.waitForLog(count: 3, of: "event=stderr", "waiting start=")
        let first = Set(Self.waiterPids(warren))
        warren.signal(SIGHUP)
        let retired = try warren.waitForLog(count: 3, of: "event=prespawn_exit", "reason=reload")
        #expect(retired.allSatisfy { $0.contains(" exit=0") }, "\(retired)")
        #expect(Set(retired.compactMap { WarrenProcess.field("pid", in: $0) }) == first)
        try warren.waitForLog(count: 3, of: "event=stderr", "handoff: eof")
        // A new pool from the new plan, which serves.
        try warren.waitForLog(count: 6, of: "event=stderr", "waiting start=")
        let (connected, _, reply) = try Self.exchange(port: port)
        #expect(reply.start < connected)
        try warren.waitForLog(count: 7, of: "event=stderr", "waiting start=")
        warren.signal(SIGTERM)
        #expect(warren.waitForExit() == 0)
        let stopped = warren.logLines.filter {
            $0.contains("event=prespawn_exit") && $0.contains("reason=shutdown")
        }
        #expect(stopped.count == 3, "\(warren.log)")
        #expect(stopped.allSatisfy { $0.contains(" exit=0") }, "\(stopped)")
        #expect(warren.logLines.filter { $0.contains("handoff: eof") }.count == 6)
    }

    @Test func aWaiterThatAlwaysCrashesIsReplacedWithGrowingBackOff() throws {
        let port = try TestClient.freePort()
        let warren = try WarrenProcess(config: testConfig([try Self.service(port: port, args: ["crash"])]))
        let deaths = try warren.waitForLog(count: 5, of: "event=prespawn_exit", "signal=SIGSEGV")
        let delays = deaths.prefix(5).compactMap { WarrenProcess.field("retry_in", in: $0) }
            .compactMap { Double($0.dropLast()) }
        #expect(delays.count == 5, "\(deaths)")
        // The first two die together (the pool held two); from then on one probe at a time, each
        // retried after twice the previous delay.
        for (earlier, later) in zip(delays.dropFirst(), delays.dropFirst(2)) { #expect(later == 2 * earlier) }
        #expect(deaths.allSatisfy { $0.contains("msg=\"died while waiting for a connection\"") })
        // Clients are still served, by a plain spawn (the engine crashes only while waiting).
        let (_, _, reply) = try Self.exchange(port: port)
        #expect(reply.handed == 0)
        let records = try warren.waitForLog(count: 1, of: "event=conn", "service=pool", "exit=0")
        #expect(!records[0].contains("prespawned"), "\(records[0])")
    }

    @Test func aFailedHandoffFallsBackToASpawnAndTheWaiterIsKilledAfterTheGrace() throws {
        let port = try TestClient.freePort()
        let warren = try WarrenProcess(
            config: testConfig([try Self.service(port: port, prespawn: 1, args: ["close"])], grace: "1s"))
        try warren.waitForLog(count: 1, of: "event=stderr", "handoff: closed")
        let (_, _, reply) = try Self.exchange(port: port)
        #expect(reply.handed == 0)
        let failed = try warren.waitForLog(count: 1, of: "event=handoff_failed", "service=pool")
        #expect(failed[0].contains("errno=EPIPE") || failed[0].contains("errno=ECONNREFUSED"), "\(failed[0])")
        #expect(failed[0].contains("retry_in="), "\(failed[0])")
        try warren.waitForLog(count: 1, of: "event=conn", "service=pool", "exit=0")
        // Let go, it ignores end of file (it already closed the socket): killed after the grace.
        try warren.waitForLog(count: 1, of: "event=prespawn_exit", "reason=handoff_failed", "signal=SIGKILL")
    }

    @Test func anEngineWithoutTheProtocolIsReportedAndStillServes() throws {
        let port = try TestClient.freePort()
        let warren = try WarrenProcess(
            config: testConfig([
                TestService(
                    name: "plain", port: port, engine: try TestPaths.engine("hello"), extra: ["prespawn = 1"])
            ]))
        let exits = try warren.waitForLog(count: 1, of: "event=prespawn_exit", "service=plain", "exit=0")
        #expect(exits[0].contains("WARREN_HANDOFF_FD"), "\(exits[0])")
        #expect(exits[0].contains("retry_in="), "\(exits[0])")
        #expect(TestClient.exchange(port: port)?.hasSuffix("hello world\n") == true)
        try warren.waitForLog(count: 1, of: "event=conn", "service=plain", "exit=0")
    }

    @Test func waitersCountAgainstMaxInstancesAndThePoolGrowsBackWhenAConnectionEnds() throws {
        let port = try TestClient.freePort()
        let warren = try WarrenProcess(
            config: testConfig([
                try Self.service(port: port, prespawn: 1, args: ["hold"], extra: ["max_instances = 1"])
            ]))
        try warren.waitForLog(count: 1, of: "event=stderr", "waiting start=")
        let held = TestClient.connect(port: port)
        try #require(held >= 0)
        try warren.waitForLog(count: 1, of: "event=stderr", "handoff: got connection")
        // One engine running at max_instances = 1: no waiter may be added beside it.
        #expect(warren.children().count == 1, "\(warren.children())")
        #expect(Self.waiterPids(warren).count == 1)
        shutdown(held, Int32(SHUT_WR))
        let reply = try #require(Reply(TestClient.readAll(held)))
        close(held)
        #expect(reply.handed > 0)
        try warren.waitForLog(count: 1, of: "event=conn", "service=pool", "exit=0")
        // The slot is free again: the pool refills, and the next client gets a waiting engine.
        try warren.waitForLog(count: 2, of: "event=stderr", "waiting start=")
        let fd = TestClient.connect(port: port)
        try #require(fd >= 0)
        let before = Self.monotonicNanoseconds()
        shutdown(fd, Int32(SHUT_WR))
        let second = try #require(Reply(TestClient.readAll(fd)))
        close(fd)
        #expect(second.start < before)
    }
}
