import Glibc
import Testing
import WarrenSpawn

private func check(_ path: String) throws -> (status: Int32, out: String, err: String) {
    try runWarren(["check", "--config", path])
}

@Suite struct CheckCommandTests {
    @Test func aValidConfigExitsZeroAndDescribesEachService() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { TestPaths.removeDirectory(directory) }
        let path = directory + "/warren.toml"
        let engine = try TestPaths.engine("hello")
        try TestPaths.write(testConfig([TestService(name: "hello", port: 8080, engine: engine)]), to: path)
        let result = try check(path)
        #expect(result.status == 0)
        // Host warnings (limits this machine cannot enforce) may sit between the two.
        #expect(result.out.hasPrefix("\(path): ok\n"))
        #expect(
            result.out.contains(
                "\nservice hello: 127.0.0.1:8080 -> \(engine) (policy \(TestPaths.testEnginePolicy))\n"))
        #expect(result.err.isEmpty)
    }

    /// The summary marks each limit of the shipped untrusted policy as enforced (and how) or NOT in
    /// force, by what this host offers.
    @Test func checkSaysWhichLimitsAreInForce() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { TestPaths.removeDirectory(directory) }
        let path = directory + "/warren.toml"
        try TestPaths.write(
            testConfig([TestService(name: "hello", port: 8080, engine: try TestPaths.engine("hello"))]),
            to: path)
        let result = try check(path)
        #expect(result.status == 0)
        let host = HostFeatures.detect()
        // test-engine.toml extends untrusted.toml: memory_max = "32M", pids_max = 1, cpu_max = "50ms/100ms".
        #expect(result.out.contains("\n  limit cpu 2s: enforced (rlimit RLIMIT_CPU)\n"))
        #expect(result.out.contains("\n  limit open files 16: enforced (rlimit RLIMIT_NOFILE)\n"))
        #expect(
            result.out.contains(
                host.enforces("memory")
                    ? "\n  limit memory.max 32M: enforced (cgroup file memory.max)\n"
                    : "\n  limit memory.max 32M: NOT in force as a cgroup limit ("))
        #expect(
            result.out.contains(
                host.enforces("cpu")
                    ? "\n  limit cpu.max 50000 100000: enforced (cgroup file cpu.max)\n"
                    : "\n  limit cpu.max 50000 100000: NOT in force on this host ("))
        #expect(
            result.out.contains(
                host.cgroupLeavesAvailable
                    ? "\n  cgroup leaf: one per connection below " : "\n  cgroup leaf: NOT available ("))
    }

    @Test func aServiceWithoutAPolicyFailsCheckAndServe() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { TestPaths.removeDirectory(directory) }
        let path = directory + "/warren.toml"
        let port = try TestClient.freePort()
        try TestPaths.write(
            "[[service]]\nname = \"open\"\nlisten = [\"127.0.0.1:\(port)\"]\nengine = \"\(try TestPaths.engine("hello"))\"\n",
            to: path)
        let expected = "\(path):1: service 'open': missing key 'policy'"
        let checked = try check(path)
        #expect(checked.status != 0)
        #expect(checked.err.hasPrefix(expected), "stderr: \(checked.err)")
        // serve refuses to start (nothing listens), with the same message.
        let served = try runWarren(["serve", "--config", path])
        #expect(served.status != 0)
        #expect(served.err.hasPrefix(expected), "stderr: \(served.err)")
        #expect(TestClient.connect(port: port) == -ECONNREFUSED)
    }

    @Test func everyErrorIsPrintedAsFileLineMessageAndTheExitIsNonZero() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { TestPaths.removeDirectory(directory) }
        let path = directory + "/warren.toml"
        let policy = directory + "/bad-policy.toml"
        try TestPaths.write("[seccomp]\ndefault_action = \"allow\"\nfrobnicate = 1\n", to: policy)
        try TestPaths.write(
            """
            [[service]]
            name = "a"
            listen = ["127.0.0.1:80", "127.0.0.1:80"]
            engine = "/bin/true"
            policy = "bad-policy.toml"
            bogus = true
            """, to: path)
        let result = try check(path)
        #expect(result.status != 0)
        #expect(result.out.isEmpty)
        let lines = result.err.split(separator: "\n").map(String.init)
        #expect(
            lines.contains("\(path):3: listen address 127.0.0.1:80 is already used by service 'a' (line 3)"))
        #expect(lines.contains("\(path):6: unknown key 'service.bogus'"))
        // The config's own errors stop before its policies are read; fix them and the policy's show.
        try TestPaths.write(
            "[[service]]\nname = \"a\"\nlisten = [\"127.0.0.1:80\"]\nengine = \"/bin/true\"\npolicy = \"bad-policy.toml\"\n",
            to: path)
        let second = try check(path)
        #expect(second.status != 0)
        let policyLines = second.err.split(separator: "\n")
        #expect(!policyLines.isEmpty)
        #expect(policyLines.allSatisfy { $0.hasPrefix("\(policy):") })
        #expect(policyLines.contains { $0.hasPrefix("\(policy):3: ") })
    }
}
