import Glibc
import Testing

/// max_instances, max_per_source and timeout, observed from outside: replies, warren's children
/// and its log.
@Suite(.serialized) struct LimitTests {
    @Test func aHangingEngineIsKilledAtItsTimeout() throws {
        let port = try TestClient.freePort()
        let warren = try WarrenProcess(
            config: testConfig([
                TestService(
                    name: "stuck", port: port, engine: try TestPaths.engine("hang"),
                    extra: ["timeout = \"1s\""])
            ]))
        // The engine never writes; warren's SIGKILL at the timeout closes the connection.
        #expect(TestClient.exchange(port: port) == "")
        let record = try warren.waitForLog(of: "event=conn", "service=stuck")[0]
        #expect(record.contains("signal=SIGKILL reason=timeout"))
        #expect(warren.children().isEmpty)
    }

    @Test func maxInstancesStopsAcceptingAtTheCapAndResumesWhenASlotFrees() throws {
        let holdPort = try TestClient.freePort()
        let helloPort = try TestClient.freePort()
        let warren = try WarrenProcess(
            config: testConfig([
                TestService(
                    name: "hold", port: holdPort, engine: try TestPaths.engine("hold"),
                    extra: ["max_instances = 2"]),
                TestService(name: "hello", port: helloPort, engine: try TestPaths.engine("hello")),
            ]))
        let first = TestClient.connect(port: holdPort)
        let second = TestClient.connect(port: holdPort)
        #expect(TestClient.readLine(first) == "started")
        #expect(TestClient.readLine(second) == "started")
        try warren.waitForLog(of: "event=paused", "service=hold", "reason=max_instances")
        // The third connection completes in the kernel backlog but gets no engine.
        let third = TestClient.connect(port: holdPort)
        #expect(third >= 0)
        // A round trip through another service proves the loop has run past the third connect.
        #expect(TestClient.exchange(port: helloPort)?.hasSuffix("hello world\n") == true)
        try warren.waitForLog(of: "event=conn", "service=hello")
        #expect(warren.children().count == 2)
        // Freeing one slot lets the third in.
        close(first)
        #expect(TestClient.readLine(third) == "started")
        try warren.waitForLog(of: "event=resumed", "service=hold")
        let records = warren.logLines.filter { $0.contains("event=conn service=hold") }
        #expect(records.count == 1)
        close(second)
        close(third)
        try warren.waitForLog(count: 3, of: "event=conn", "service=hold", "exit=0")
    }

    @Test func maxPerSourceClosesTheExtraConnectionAtOnceAndLogsIt() throws {
        let port = try TestClient.freePort()
        let warren = try WarrenProcess(
            config: testConfig([
                TestService(
                    name: "hold", port: port, engine: try TestPaths.engine("hold"),
                    extra: ["max_per_source = 1"])
            ]))
        let first = TestClient.connect(port: port)
        #expect(TestClient.readLine(first) == "started")
        // Same source: closed without an engine.
        let extra = TestClient.connect(port: port)
        #expect(TestClient.readAll(extra) == "")
        close(extra)
        let rejected = try warren.waitForLog(of: "event=conn", "service=hold", "reason=max_per_source")
        #expect(rejected[0].contains("peer=127.0.0.1"))
        #expect(!rejected[0].contains("pid="))
        // Another source address is still served.
        let other = TestClient.connect(port: port, from: "127.0.0.2")
        #expect(TestClient.readLine(other) == "started")
        close(other)
        close(first)
        try warren.waitForLog(count: 2, of: "event=conn", "service=hold", "exit=0")
        // The slot is free again for the first source.
        let again = TestClient.connect(port: port)
        #expect(TestClient.readLine(again) == "started")
        close(again)
        try warren.waitForLog(count: 3, of: "event=conn", "service=hold", "exit=0")
    }
}
