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

    /// Connections accepted in one burst are spawned together (several in flight on the spawn
    /// threads at once): each engine still gets a leaf of its own.
    @Test func enginesSpawnedTogetherEachGetALeafOfTheirOwn() throws {
        guard Self.leavesAvailable() else { return }
        let port = try TestClient.freePort()
        let warren = try WarrenProcess(
            config: testConfig([
                TestService(
                    name: "burst", port: port, engine: try TestPaths.engine("cgroupfork"), args: ["cgroup"],
                    policy: Self.policy, extra: ["max_per_source = 64"])
            ]))
        _ = try Self.treeRoot(of: warren)
        let clients = (0..<16).map { _ in TestClient.connect(port: port) }
        defer { for fd in clients where fd >= 0 { close(fd) } }
        try #require(clients.allSatisfy { $0 >= 0 })
        let leaves = clients.map { fd in
            TestClient.readAll(fd).split(separator: "\n").first { $0.hasPrefix("0::") }.map(String.init)
        }
        #expect(leaves.allSatisfy { $0?.contains("/svc-burst/c") == true }, "\(leaves)")
        #expect(Set(leaves.compactMap { $0 }).count == clients.count, "\(leaves)")
        try warren.waitForLog(count: clients.count, of: "event=conn", "service=burst", "exit=0")
        #expect(!warren.logLines.contains { $0.contains("without a cgroup leaf") })
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

    /// Runs `warren ARGS` in a private mount namespace where the cgroup v2 mount is read-only: a host
    /// where warren cannot make leaves.
    static func warrenWithReadOnlyCgroup(_ arguments: [String]) throws -> (
        status: Int32, out: String, err: String
    ) {
        let mount = try #require(HostFeatures.detect().cgroup2Mount)
        let directory = try TestPaths.temporaryDirectory()
        defer { TestPaths.removeDirectory(directory) }
        let script = "mount -o remount,bind,ro \(mount) && exec \"$0\" \"$@\""
        let args = [
            "unshare", "--mount", "--propagation", "private", "sh", "-c", script, try TestPaths.warren(),
        ]
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, directory + "/out", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, directory + "/err", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var argv: [UnsafeMutablePointer<CChar>?] = (args + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        try #require(posix_spawn(&pid, "/usr/bin/unshare", &actions, nil, &argv, environ) == 0)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return (status, TestPaths.read(directory + "/out"), TestPaths.read(directory + "/err"))
    }

    /// Without leaves, a policy that requires them is refused with its file; one that does not is
    /// accepted, and check says the leaf is NOT available and why.
    @Test func aRequiredLeafIsRefusedWhereCgroupV2IsReadOnly() throws {
        guard Self.leavesAvailable(), access("/usr/bin/unshare", X_OK) == 0 else {
            print("skipped: needs cgroup leaves and /usr/bin/unshare")
            return
        }
        let directory = try TestPaths.temporaryDirectory()
        defer { TestPaths.removeDirectory(directory) }
        let required = directory + "/required.toml"
        let optional = directory + "/optional.toml"
        let engine = try TestPaths.engine("cgroupfork")
        try TestPaths.write(
            testConfig([TestService(name: "forker", port: 8080, engine: engine, policy: Self.policy)]),
            to: required)
        try TestPaths.write(
            testConfig([TestService(name: "plain", port: 8080, engine: engine)]), to: optional)

        let refused = try Self.warrenWithReadOnlyCgroup(["check", "--config", required])
        #expect(refused.status != 0)
        #expect(
            refused.err.contains(
                "\(Self.policy): cgroup_leaf = \"required\", but this host has no cgroup leaves (cgroup v2 at "
            ),
            "stderr: \(refused.err)")
        #expect(refused.err.contains(" is not writable)"), "stderr: \(refused.err)")

        let accepted = try Self.warrenWithReadOnlyCgroup(["check", "--config", optional])
        #expect(accepted.status == 0, "stderr: \(accepted.err)")
        #expect(accepted.out.contains("\n  cgroup leaf: NOT available (cgroup v2 at "), "\(accepted.out)")
        #expect(
            accepted.out.contains(
                "is not writable); a timeout kills the engine and with it its PID namespace\n"))
    }

    /// Waits (bounded, 20 s) until `path` exists (or, with `gone`, does not).
    static func wait(for path: String, gone: Bool = false) -> Bool {
        for _ in 0..<1000 {
            if (access(path, F_OK) == 0) != gone { return true }
            usleep(20_000)
        }
        return false
    }

    /// A prespawned waiter starts in a leaf of its own (`w<id>`), which becomes its connection's at
    /// the handoff and goes after the reap; the refill's waiter gets the next one.
    @Test func aPrespawnedEngineCarriesItsLeafIntoItsConnection() throws {
        guard Self.leavesAvailable() else { return }
        let port = try TestClient.freePort()
        let warren = try WarrenProcess(
            config: testConfig([try PrespawnTests.service(port: port, prespawn: 1)]))
        let root = try Self.treeRoot(of: warren)
        #expect(Self.wait(for: root + "/svc-pool/w1"), "no leaf for the first waiter")
        try warren.waitForLog(of: "event=stderr", "service=pool", "waiting start=")
        let procs = TestPaths.read(root + "/svc-pool/w1/cgroup.procs").split(separator: "\n")
        #expect(procs.count == 1, "the waiting engine in its leaf: \(procs)")
        _ = try PrespawnTests.exchange(port: port)
        try warren.waitForLog(of: "event=conn", "service=pool", "exit=0")
        #expect(Self.wait(for: root + "/svc-pool/w1", gone: true), "the handed-off leaf outlived its reap")
        #expect(Self.wait(for: root + "/svc-pool/w2"), "no leaf for the refill's waiter")
        warren.signal(SIGTERM)
        #expect(warren.waitForExit() == 0)
        #expect(access(root, F_OK) != 0, "warren left \(root) behind")
    }
}
