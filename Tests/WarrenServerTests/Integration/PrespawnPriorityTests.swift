import Glibc
import Testing

/// Prespawned waiters start at SCHED_IDLE (their refills never compete with served connections for
/// the CPU) and are put back to SCHED_OTHER before warren hands them a connection.
@Suite(.serialized) struct PrespawnPriorityTests {
    /// SCHED_IDLE (Glibc hides it behind _GNU_SOURCE).
    static let schedIdle: Int32 = 5

    @Test func waitersWaitAtIdlePriorityAndServeAtNormal() throws {
        let port = try TestClient.freePort()
        let warren = try WarrenProcess(
            config: testConfig([try PrespawnTests.service(port: port, prespawn: 2, args: ["hold"])]))
        try warren.waitForLog(count: 2, of: "event=stderr", "waiting start=")
        let waiting = PrespawnTests.waiterPids(warren).compactMap { pid_t($0) }
        #expect(waiting.count == 2)
        #expect(waiting.map { sched_getscheduler($0) } == [Self.schedIdle, Self.schedIdle])
        let held = TestClient.connect(port: port)
        try #require(held >= 0)
        let got = try warren.waitForLog(count: 1, of: "event=stderr", "handoff: got connection")
        let served = try #require(WarrenProcess.field("pid", in: got[0]).flatMap { pid_t($0) })
        #expect(waiting.contains(served))
        #expect(sched_getscheduler(served) == SCHED_OTHER)
        // The other waiter has no connection yet: still idle.
        #expect(waiting.filter { $0 != served }.map { sched_getscheduler($0) } == [Self.schedIdle])
        shutdown(held, Int32(SHUT_WR))
        _ = TestClient.readAll(held)
        close(held)
        try warren.waitForLog(count: 1, of: "event=conn", "service=pool", "exit=0")
        #expect(!warren.log.contains("event=priority_restore_failed"), "\(warren.log)")
    }

    /// A plain connection's engine (no prespawn) is never made idle.
    @Test func aSpawnedConnectionsEngineRunsAtNormalPriority() throws {
        let port = try TestClient.freePort()
        let service = TestService(name: "plain", port: port, engine: try TestPaths.engine("hold"))
        let warren = try WarrenProcess(config: testConfig([service]))
        let held = TestClient.connect(port: port)
        try #require(held >= 0)
        #expect(TestClient.readLine(held) == "started")
        let pids = warren.children().map(\.pid)
        #expect(pids.count == 1)
        #expect(pids.map { sched_getscheduler($0) } == [SCHED_OTHER])
        close(held)
        try warren.waitForLog(count: 1, of: "event=conn", "service=plain", "exit=0")
    }
}
