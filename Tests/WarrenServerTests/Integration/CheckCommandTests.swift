import Glibc
import Testing

private func check(_ path: String) throws -> (status: Int32, out: String, err: String) {
    try runWarren(["check", "--config", path])
}

@Suite struct CheckCommandTests {
    @Test func aValidConfigExitsZeroAndDescribesEachService() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { TestPaths.removeDirectory(directory) }
        let path = directory + "/warren.toml"
        try TestPaths.write(
            testConfig([TestService(name: "hello", port: 8080, engine: try TestPaths.engine("hello"))]),
            to: path)
        let result = try check(path)
        #expect(result.status == 0)
        #expect(result.out.hasPrefix("\(path): ok\nservice hello: 127.0.0.1:8080 -> "))
        #expect(result.err.isEmpty)
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
