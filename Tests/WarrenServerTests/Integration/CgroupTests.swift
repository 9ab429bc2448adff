import CWarrenSpawn
import Glibc
import Testing
import WarrenSpawn
import WarrenSystem

/// Per-connection cgroup v2 leaves through `warren serve`, observed from outside: the leaf's
/// cgroup.procs, the engine's own /proc/self/cgroup, and what is left after the reap and the exit.
@Suite(.serialized) struct CgroupTests {
    static let policy = TestPaths.root + "/Tests/WarrenServerTests/Policies/cgroup-engine.toml"

    /// Root and a writable cgroup v2 hierarchy, or a printed reason.
    static func leavesAvailable() -> Bool {
        guard geteuid() == 0 else {
            print("skipped: cgroup leaves need root")
            return false
        }
        let host = HostFeatures.detect()
        guard host.cgroupLeavesAvailable else {
            print("skipped: no cgroup leaves on this host (\(host.cgroupUnavailableReason))")
            return false
        }
        return true
    }

    /// The tree warren logged at start (`event=cgroup root=...`).
    static func treeRoot(of warren: WarrenProcess) throws -> String {
        let line = try warren.waitForLog(of: "event=cgroup")[0]
        let field = try #require(line.split(separator: " ").first { $0.hasPrefix("root=") })
        return String(field.dropFirst(5))
    }

    @Test func theEngineStartsInItsOwnLeaf() throws {
        guard Self.leavesAvailable() else { return }
        let port = try TestClient.freePort()
        let warren = try WarrenProcess(
            config: testConfig([
                TestService(
                    name: "where", port: port, engine: try TestPaths.engine("cgroupfork"), args: ["cgroup"],
                    policy: Self.policy)
            ]))
        let root = try Self.treeRoot(of: warren)
        let mount = try #require(HostFeatures.detect().cgroup2Mount)
        // The shared cgroup namespace's root is warren's cgroup: the path is the leaf's, in full.
        let relative = root.dropFirst(mount.count)
        // The cgroup v2 line ("0::PATH"); v1 hierarchies, where mounted, have lines of their own.
        let v2 = { (reply: String?) in (reply ?? "").split(separator: "\n").filter { $0.hasPrefix("0::") } }
        #expect(v2(TestClient.exchange(port: port, "")) == ["0::\(relative)/svc-where/c1"])
        #expect(v2(TestClient.exchange(port: port, "")) == ["0::\(relative)/svc-where/c2"])
        try warren.waitForLog(count: 2, of: "event=conn", "service=where", "exit=0")
        #expect(CgroupTree.subdirectories(of: root + "/svc-where").isEmpty)
        warren.signal(SIGTERM)
        #expect(warren.waitForExit() == 0)
        #expect(access(root, F_OK) != 0, "warren left \(root) behind")
    }

    @Test func aTimeoutKillsEveryProcessOfTheLeafAndTheLeafGoes() throws {
        guard Self.leavesAvailable() else { return }
        let port = try TestClient.freePort()
        let warren = try WarrenProcess(
            config: testConfig([
                TestService(
                    name: "forker", port: port, engine: try TestPaths.engine("cgroupfork"),
                    policy: Self.policy,
                    extra: ["timeout = \"2s\""])
            ]))
        let root = try Self.treeRoot(of: warren)
        let client = TestClient.connect(port: port)
        defer { close(client) }
        // The grandchild has left the engine's session and process group.
        #expect(TestClient.readLine(client).hasPrefix("left "))
        let leaves = CgroupTree.subdirectories(of: root + "/svc-forker")
        try #require(leaves.count == 1)
        let procs = TestPaths.read(leaves[0] + "/cgroup.procs").split(separator: "\n").compactMap {
            pid_t($0)
        }
        #expect(procs.count == 2, "engine and grandchild in the leaf: \(procs)")
        let pidfds = procs.map { warren_pidfd_open($0, 0) }
        defer { for fd in pidfds where fd >= 0 { close(fd) } }
        #expect(pidfds.allSatisfy { $0 >= 0 })

        let record = try warren.waitForLog(of: "event=conn", "service=forker")[0]
        #expect(record.contains("signal=SIGKILL reason=timeout"))
        for fd in pidfds where fd >= 0 {
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            #expect(poll(&entry, 1, 20_000) == 1, "a process of the leaf outlived the timeout")
        }
        #expect(access(leaves[0], F_OK) != 0, "the leaf is still there after the reap")
        #expect(!warren.log.contains("cgroup.kill"), "cgroup.kill failed: \(warren.log)")
        warren.signal(SIGTERM)
        #expect(warren.waitForExit() == 0)
        #expect(access(root, F_OK) != 0, "warren left \(root) behind")
    }
}
