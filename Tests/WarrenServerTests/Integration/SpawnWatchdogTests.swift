import Glibc
import Testing
import WarrenSpawn

/// A child that hangs in its sandbox set-up holds its spawn thread asleep in the CLONE_VFORK clone.
/// The hang is made real by freezing the service's cgroup directory before its first connection:
/// the child is born frozen in its leaf (CLONE_INTO_CGROUP) and never reaches its execve.
@Suite(.serialized) struct SpawnWatchdogTests {
    @Test func aChildStuckInItsSetUpIsKilledAtTheTimeoutAndTheThreadServesAgain() throws {
        guard CgroupTests.leavesAvailable() else { return }
        let stuckPort = try TestClient.freePort()
        let okPort = try TestClient.freePort()
        let warren = try WarrenProcess(
            config: testConfig([
                try Self.service("stuck", port: stuckPort, timeout: "2s"),
                try Self.service("ok", port: okPort),
            ]))
        let root = try CgroupTests.treeRoot(of: warren)
        guard let service = try Self.frozenDirectory(of: "stuck", under: root) else { return }
        defer { _ = Self.freeze(service, false) }

        let stuck = TestClient.connect(port: stuckPort)
        defer { if stuck >= 0 { close(stuck) } }
        try #require(stuck >= 0)
        // Its child is frozen in set-up now; the other connection thread still serves.
        let leaves = Self.leaves(of: service, reaching: 1)
        #expect(leaves.count == 1, "one frozen leaf: \(leaves)")
        for _ in 0..<3 {
            #expect(TestClient.exchange(port: okPort, "")?.contains("/svc-ok/") == true)
        }
        #expect(
            !warren.log.contains("event=conn service=stuck"),
            "the stuck connection ended early: \(warren.log)")

        // The connection's 2 s timeout (plus at most the 1 s watch interval): killed in its set-up.
        let record = try warren.waitForLog(of: "event=conn", "service=stuck")[0]
        #expect(record.contains("signal=SIGKILL"), "\(record)")
        #expect(record.contains("reason=timeout step=setup"), "\(record)")
        #expect(TestClient.readAll(stuck).isEmpty, "the engine never ran, so nothing was written")

        // The thread is free again: the same service serves once thawed.
        try #require(Self.freeze(service, false))
        #expect(TestClient.exchange(port: stuckPort, "")?.contains("/svc-stuck/") == true)
        try warren.waitForLog(of: "event=conn", "service=stuck", "exit=0")
        warren.signal(SIGTERM)
        #expect(warren.waitForExit() == 0)
        #expect(access(root, F_OK) != 0, "warren left \(root) behind")
    }

    /// Both connection threads stuck, a third request queued behind one of them: its own, shorter
    /// timeout passes while it waits, and it is answered without a clone once the thread is free.
    @Test func aRequestStillQueuedAtItsTimeoutIsNeverCloned() throws {
        guard CgroupTests.leavesAvailable() else { return }
        let stuckPort = try TestClient.freePort()
        let latePort = try TestClient.freePort()
        let warren = try WarrenProcess(
            config: testConfig([
                try Self.service("stuck", port: stuckPort, timeout: "3s"),
                try Self.service("late", port: latePort, timeout: "1s"),
            ]))
        let root = try CgroupTests.treeRoot(of: warren)
        guard let service = try Self.frozenDirectory(of: "stuck", under: root) else { return }
        defer { _ = Self.freeze(service, false) }
        var clients: [Int32] = []
        defer { for fd in clients where fd >= 0 { close(fd) } }
        // One at a time, each stuck child in its leaf before the next connection: both threads are
        // then held, and the third request queues behind one of them.
        for (index, port) in [stuckPort, stuckPort].enumerated() {
            clients.append(TestClient.connect(port: port))
            try #require(
                Self.leaves(of: service, reaching: index + 1).count == index + 1,
                "connection thread \(index) is stuck")
        }
        clients.append(TestClient.connect(port: latePort))
        try #require(clients.allSatisfy { $0 >= 0 })
        let late = try warren.waitForLog(of: "event=conn", "service=late")[0]
        #expect(late.contains("reason=timeout step=queued"), "\(late)")
        #expect(!late.contains("pid="), "never cloned: \(late)")
        try warren.waitForLog(count: 2, of: "event=conn", "service=stuck", "reason=timeout step=setup")
        #expect(TestClient.readAll(clients[2]).isEmpty)
        warren.signal(SIGTERM)
        #expect(warren.waitForExit() == 0)
    }

    /// A shutdown does not wait for ever on a child stuck in set-up: the grace period ends it.
    @Test func aShutdownEndsAChildStuckInItsSetUp() throws {
        guard CgroupTests.leavesAvailable() else { return }
        let port = try TestClient.freePort()
        let warren = try WarrenProcess(
            config: testConfig([try Self.service("stuck", port: port)], grace: "300ms"))
        let root = try CgroupTests.treeRoot(of: warren)
        guard let service = try Self.frozenDirectory(of: "stuck", under: root) else { return }
        defer { _ = Self.freeze(service, false) }
        let stuck = TestClient.connect(port: port)
        defer { if stuck >= 0 { close(stuck) } }
        try #require(stuck >= 0)
        try #require(Self.leaves(of: service, reaching: 1).count == 1, "the child is in its frozen leaf")
        warren.signal(SIGTERM)
        #expect(warren.waitForExit() == 0)
        let record = try warren.waitForLog(of: "event=conn", "service=stuck")[0]
        #expect(record.contains("signal=SIGKILL reason=shutdown step=setup"), "\(record)")
        #expect(access(root, F_OK) != 0, "warren left \(root) behind")
    }

    /// A service whose engine prints its cgroup and exits (cgroupfork cgroup), in leaves of its own.
    static func service(_ name: String, port: UInt16, timeout: String = "120s") throws -> TestService {
        TestService(
            name: name, port: port, engine: try TestPaths.engine("cgroupfork"), args: ["cgroup"],
            policy: CgroupTests.policy, extra: ["timeout = \"\(timeout)\""])
    }

    /// Makes warren's directory of `service` before its first leaf, frozen: every child then starts
    /// frozen in a leaf below it. nil (the reason printed) where cgroup.freeze is missing.
    static func frozenDirectory(of service: String, under root: String) throws -> String? {
        let directory = root + "/svc-" + service
        try #require(mkdir(directory, 0o755) == 0, "mkdir \(directory): errno \(errno)")
        guard access(directory + "/cgroup.freeze", W_OK) == 0 else {
            print("skipped: this kernel's cgroup v2 has no cgroup.freeze")
            return nil
        }
        try #require(freeze(directory, true))
        return directory
    }

    /// The leaves under `service` once there are `count` of them, or as they are after 10 s: a
    /// spawn reaches its frozen leaf when the spawn thread gets to it, not at a fixed time.
    static func leaves(of service: String, reaching count: Int) -> [String] {
        var leaves = CgroupTree.subdirectories(of: service)
        for _ in 0..<1000 where leaves.count < count {
            usleep(10_000)
            leaves = CgroupTree.subdirectories(of: service)
        }
        return leaves
    }

    /// Writes cgroup.freeze (no O_CREAT or O_TRUNC: kernfs files exist, and are written whole).
    static func freeze(_ cgroup: String, _ frozen: Bool) -> Bool {
        let fd = open(cgroup + "/cgroup.freeze", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return write(fd, frozen ? "1" : "0", 1) == 1
    }
}
