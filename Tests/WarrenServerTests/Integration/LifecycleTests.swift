import Glibc
import Testing

/// SIGHUP reloads and SIGTERM drains.
@Suite(.serialized) struct LifecycleTests {
    @Test func sighupAddsAServiceAndTheOldSocketAnswersThroughout() throws {
        let oldPort = try TestClient.freePort()
        let newPort = try TestClient.freePort()
        let hello = try TestPaths.engine("hello")
        let old = TestService(name: "old", port: oldPort, engine: hello, args: ["old"])
        let warren = try WarrenProcess(config: testConfig([old]))
        let fdsBefore = warren.openFileCount()
        let namespacesBefore = warren.namespaceFileCount()
        #expect(namespacesBefore > 0)
        try warren.rewriteConfig(
            testConfig([old, TestService(name: "new", port: newPort, engine: hello, args: ["new"])]))
        // Five reloads, each sent once the previous one is logged, with the old address used
        // continuously before, during and after each of them.
        let expected = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nhello old\n"
        var failures = 0
        var exchanges = 0
        for round in 1...5 {
            warren.signal(SIGHUP)
            var after = 0
            while after < 5 && exchanges < 5000 {
                if warren.logLines.filter({ WarrenProcess.field("event", in: $0) == "reloaded" }).count
                    >= round
                {
                    after += 1
                }
                if TestClient.exchange(port: oldPort) != expected { failures += 1 }
                exchanges += 1
            }
            #expect(after == 5, "reload \(round) not logged within \(exchanges) exchanges")
        }
        #expect(failures == 0)
        #expect(TestClient.exchange(port: newPort)?.hasSuffix("hello new\n") == true)
        // The old listener was kept, not rebound: one new listening line, for the new service only.
        #expect(warren.logLines.filter { $0.contains("event=listening service=old") }.count == 1)
        #expect(warren.logLines.filter { $0.contains("event=listening service=new") }.count == 1)
        try warren.waitForLog(count: exchanges + 1, of: "event=conn", "exit=0")
        // One new listener, the new service's plan (its policy's prepared namespaces) and each
        // service's log socket pair (opened at its first connection): the reloads leaked nothing.
        let namespaces = warren.namespaceFileCount()
        #expect(namespaces == 2 * namespacesBefore)
        #expect(warren.openFileCount() - namespaces == fdsBefore - namespacesBefore + 1 + 2 * 2)
    }

    @Test func sighupClosesTheSocketOfARemovedServiceAndKeepsTheOthers() throws {
        let keptPort = try TestClient.freePort()
        let droppedPort = try TestClient.freePort()
        let hello = try TestPaths.engine("hello")
        let kept = TestService(name: "kept", port: keptPort, engine: hello)
        let warren = try WarrenProcess(
            config: testConfig([kept, TestService(name: "dropped", port: droppedPort, engine: hello)]))
        let fdsBefore = warren.openFileCount()
        let namespacesBefore = warren.namespaceFileCount()
        #expect(namespacesBefore > 0)
        // The dropped service has served (its log socket pair is open) and is idle at the reload.
        #expect(TestClient.exchange(port: droppedPort)?.hasSuffix("hello world\n") == true)
        try warren.waitForLog(of: "event=conn", "service=dropped", "exit=0")
        try warren.rewriteConfig(testConfig([kept]))
        warren.signal(SIGHUP)
        try warren.waitForLog(of: "event=reloaded", "services=1")
        #expect(TestClient.connect(port: droppedPort) == -ECONNREFUSED)
        #expect(TestClient.exchange(port: keptPort)?.hasSuffix("hello world\n") == true)
        try warren.waitForLog(of: "event=conn", "service=kept", "exit=0")
        // One listener fewer, the dropped service's plan released with its namespaces and its log
        // socket pair closed; the kept service's log socket pair opened at its first connection.
        let namespaces = warren.namespaceFileCount()
        #expect(namespaces * 2 == namespacesBefore)
        #expect(warren.openFileCount() - namespaces == fdsBefore - namespacesBefore - 1 + 2)
    }

    @Test func aBrokenConfigOnSighupIsRejectedAndTheOldOneKeepsServing() throws {
        let port = try TestClient.freePort()
        let service = TestService(name: "hello", port: port, engine: try TestPaths.engine("hello"))
        let warren = try WarrenProcess(config: testConfig([service]))
        try warren.rewriteConfig(
            testConfig([service]) + "\n[[service]]\nname = \"hello\"\nlisten = [\"nowhere\"]\n")
        warren.signal(SIGHUP)
        let rejected = try warren.waitForLog(count: 4, of: "event=reload_rejected")
        let path = warren.configPath
        #expect(rejected.contains { $0.contains("error=\"\(path):11: duplicate service name 'hello'") })
        #expect(rejected.contains { $0.contains("error=\"\(path):12: invalid listen address 'nowhere'") })
        #expect(rejected.contains { $0.contains("error=\"\(path):10: missing key 'service.engine'") })
        #expect(
            rejected.contains { $0.contains("error=\"\(path):10: service 'hello': missing key 'policy'") })
        #expect(TestClient.exchange(port: port)?.hasSuffix("hello world\n") == true)
        #expect(!warren.log.contains("event=reloaded"))
    }

    @Test func anAddressInUseFailsTheStartAndIsRejectedOnReload() throws {
        // Hold a port with a listener of our own.
        let busyPort = try TestClient.freePort()
        let busy = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { close(busy) }
        var address = TestClient.loopback(port: busyPort)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(busy, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        try #require(bound == 0 && listen(busy, 1) == 0)
        let hello = try TestPaths.engine("hello")
        let directory = try TestPaths.temporaryDirectory()
        defer { TestPaths.removeDirectory(directory) }
        let path = directory + "/warren.toml"
        try TestPaths.write(testConfig([TestService(name: "taken", port: busyPort, engine: hello)]), to: path)
        let start = try runWarren(["serve", "--config", path])
        #expect(start.status != 0)
        #expect(
            start.err.contains(
                "\(path): service \"taken\": cannot listen on 127.0.0.1:\(busyPort): EADDRINUSE"))

        let port = try TestClient.freePort()
        let kept = TestService(name: "kept", port: port, engine: hello)
        let warren = try WarrenProcess(config: testConfig([kept]))
        try warren.rewriteConfig(
            testConfig([kept, TestService(name: "taken", port: busyPort, engine: hello)]))
        warren.signal(SIGHUP)
        let rejected = try warren.waitForLog(of: "event=reload_rejected")
        #expect(rejected[0].contains("cannot listen on 127.0.0.1:\(busyPort): EADDRINUSE"))
        #expect(TestClient.exchange(port: port)?.hasSuffix("hello world\n") == true)
    }

    @Test func sigtermDrainsASlowInFlightResponseToCompletionAndExitsZero() throws {
        let port = try TestClient.freePort()
        let warren = try WarrenProcess(
            config: testConfig([
                TestService(name: "slow", port: port, engine: try TestPaths.engine("slow"), args: ["1500"])
            ]))
        let fd = TestClient.connect(port: port)
        try #require(fd >= 0)
        defer { close(fd) }
        #expect(TestClient.readLine(fd) == "begin")
        warren.signal(SIGTERM)
        try warren.waitForLog(of: "event=shutdown", "signal=SIGTERM", "running=1")
        // Listeners are closed at once: new connections are refused while the old one drains.
        #expect(TestClient.connect(port: port) == -ECONNREFUSED)
        #expect(TestClient.readAll(fd) == "end\n")
        #expect(warren.waitForExit() == 0)
        let record = try warren.waitForLog(of: "event=conn", "service=slow")[0]
        #expect(record.contains("exit=0"))
        #expect(!record.contains("reason="))
    }

    @Test func sigtermKillsEnginesStillRunningAfterTheGracePeriod() throws {
        let port = try TestClient.freePort()
        let warren = try WarrenProcess(
            config: testConfig(
                [TestService(name: "stuck", port: port, engine: try TestPaths.engine("hang"))], grace: "300ms"
            ))
        let fd = TestClient.connect(port: port)
        try #require(fd >= 0)
        defer { close(fd) }
        try warren.waitForLog(of: "event=listening")
        // Make sure the engine runs before the signal: its record must say it was killed.
        var polls = 0
        while warren.children().isEmpty && polls < 1000 {
            usleep(10_000)
            polls += 1
        }
        try #require(!warren.children().isEmpty, "the engine never started")
        warren.signal(SIGINT)
        #expect(TestClient.readAll(fd) == "")
        #expect(warren.waitForExit() == 0)
        let record = try warren.waitForLog(of: "event=conn", "service=stuck")[0]
        #expect(record.contains("signal=SIGKILL reason=shutdown"))
    }
}
