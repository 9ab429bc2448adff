import Glibc
import Testing
import WarrenPolicy
import WarrenSpawn
import WarrenSystem

@testable import WarrenServer

/// Parses `text` as /etc/warren/warren.toml; engines resolve against /etc/warren.
private func read(_ text: String) throws(Diagnostics) -> ServerConfig {
    try ConfigLoader.read(TOMLDocument.parse(text, file: "warren.toml"), directory: "/etc/warren")
}

/// Every diagnostic of `text`, as `warren check` prints them.
private func errors(_ text: String) -> [String] {
    do throws(Diagnostics) {
        _ = try read(text)
        return []
    } catch {
        return error.items.map(\.description)
    }
}

/// The policy the integration tests run their engines under (a real file: `serverLoader` compiles it).
private let testPolicy = TestPaths.root + "/Tests/WarrenServerTests/Policies/test-engine.toml"

/// A service whose engine exists (/bin/true) under the test policy (unless `extra` names one),
/// with `extra` lines appended.
private func service(_ name: String = "web", listen: String = "\"127.0.0.1:8080\"", _ extra: String = "")
    -> String
{
    let policy = extra.contains("policy =") ? "" : "policy = \"\(testPolicy)\"\n"
    // The policy line goes last, so that the lines of `extra` keep their numbers.
    return "[[service]]\nname = \"\(name)\"\nlisten = [\(listen)]\nengine = \"/bin/true\"\n\(extra)\(policy)"
}

@Suite struct ConfigLoaderTests {
    @Test func aFullConfigIsReadWithEveryValue() throws {
        let config = try read(
            """
            [server]
            shutdown_grace = "2s"

            [[service]]
            name = "blog"
            listen = ["127.0.0.1:8080", "[::1]:8080"]
            engine = "/bin/true"
            args = ["--site", "/site"]
            policy = "policies/quill.toml"
            max_instances = 10
            max_per_source = 3
            timeout = "500ms"

            [[service]]
            name = "other"
            listen = ["127.0.0.1:8081"]
            engine = "/bin/false"
            policy = "/etc/warren/untrusted.toml"
            """)
        #expect(config.path == "warren.toml")
        #expect(config.shutdownGraceNanoseconds == 2_000_000_000)
        #expect(config.services.count == 2)
        let blog = config.services[0]
        #expect(blog.name == "blog")
        #expect(blog.listen.map(\.description) == ["127.0.0.1:8080", "[::1]:8080"])
        #expect(blog.engine == "/bin/true")
        #expect(blog.arguments == ["--site", "/site"])
        #expect(blog.policy == "/etc/warren/policies/quill.toml")
        #expect(blog.maxInstances == 10)
        #expect(blog.maxPerSource == 3)
        #expect(blog.timeoutNanoseconds == 500_000_000)
        let other = config.services[1]
        #expect(other.policy == "/etc/warren/untrusted.toml")
        #expect(other.maxInstances == ServiceConfig.defaultMaxInstances)
        #expect(other.maxPerSource == ServiceConfig.defaultMaxPerSource)
        #expect(other.timeoutNanoseconds == ServiceConfig.defaultTimeoutNanoseconds)
    }

    @Test func defaultsApplyWithoutAServerTable() throws {
        let config = try read(service())
        #expect(config.shutdownGraceNanoseconds == ServerConfig.defaultShutdownGraceNanoseconds)
    }

    @Test func relativeEnginePathsResolveAgainstTheConfigDirectory() {
        #expect(ConfigLoader.resolve("engines/hello", against: "/etc/warren") == "/etc/warren/engines/hello")
        #expect(ConfigLoader.resolve("/abs/engine", against: "/etc/warren") == "/abs/engine")
        #expect(ConfigLoader.resolve("../bin/./e", against: "/etc/warren") == "/etc/bin/e")
        #expect(ConfigLoader.directory(of: "/etc/warren/../w.toml") == "/etc")
        #expect(ConfigLoader.directory(of: "/etc/warren/warren.toml") == "/etc/warren")
        #expect(ConfigLoader.directory(of: "/warren.toml") == "/")
        #expect(
            errors(service().replacing("/bin/true", with: "true")) == [
                "warren.toml:4: engine '/etc/warren/true' cannot be used: ENOENT"
            ])
    }

    @Test func noServiceIsAnError() {
        #expect(errors("[server]\nshutdown_grace = \"1s\"\n") == ["warren.toml: no [[service]] defined"])
    }

    @Test func unknownKeysAreErrorsWithTheirLine() {
        #expect(
            errors("colour = 1\n[server]\nverbose = true\n" + service("a", "maxinstances = 3\n")) == [
                "warren.toml:1: unknown key 'colour'",
                "warren.toml:3: unknown key 'server.verbose'",
                "warren.toml:8: unknown key 'service.maxinstances'",
            ])
    }

    @Test func missingRequiredKeysAreReportedAtTheServiceHeader() {
        #expect(
            errors("[[service]]\nargs = []\n") == [
                "warren.toml:1: missing key 'service.name'",
                "warren.toml:1: missing key 'service.listen'",
                "warren.toml:1: missing key 'service.engine'",
                "warren.toml:1: missing key 'service.policy' (every engine runs under a policy file; "
                    + "start from policies/untrusted.toml)",
            ])
    }

    @Test func aServiceWithoutAPolicyIsAnErrorNamingIt() {
        let text =
            "[server]\n\n[[service]]\nname = \"open\"\nlisten = [\"127.0.0.1:80\"]\nengine = \"/bin/true\"\n"
        #expect(
            errors(text) == [
                "warren.toml:3: service 'open': missing key 'policy' (every engine runs under a policy "
                    + "file; start from policies/untrusted.toml)"
            ])
    }

    @Test func wrongTypesAreErrors() {
        #expect(
            errors("[[service]]\nname = 1\nlisten = \"127.0.0.1:80\"\nengine = \"/bin/true\"\nargs = [1]\n")
                == [
                    "warren.toml:1: missing key 'service.policy' (every engine runs under a policy file; "
                        + "start from policies/untrusted.toml)",
                    "warren.toml:2: 'service.name' must be a string, not an integer",
                    "warren.toml:3: 'service.listen' must be an array of strings, not a string",
                    "warren.toml:5: 'service.args' must hold strings, not an integer",
                ])
    }

    @Test func badListenAddressesAreErrors() {
        let text = service(
            listen: "\"localhost:80\", \"127.0.0.1\", \"127.0.0.1:0\", \"::1:80\", \"[::1]:99999\"")
        let expected = ["localhost:80", "127.0.0.1", "127.0.0.1:0", "::1:80", "[::1]:99999"].map {
            "warren.toml:3: invalid listen address '\($0)': expected \"A.B.C.D:PORT\" or \"[IPv6]:PORT\" "
                + "with a port from 1 to 65535"
        }
        #expect(errors(text) == expected)
        #expect(
            errors(service(listen: "")) == ["warren.toml:3: 'service.listen' must name at least one address"])
    }

    @Test func duplicateNamesAndAddressesAreErrors() {
        let text =
            service("a") + service("a", listen: "\"127.0.0.2:80\"")
            + service("b", listen: "\"127.0.0.1:8080\"")
            + service("c", listen: "\"[::1]:80\", \"[0:0::1]:80\"")
        #expect(
            errors(text) == [
                // Each service() is five lines, its policy line included.
                "warren.toml:7: duplicate service name 'a' (first defined at line 2)",
                "warren.toml:13: listen address 127.0.0.1:8080 is already used by service 'a' (line 3)",
                "warren.toml:18: listen address [::1]:80 is already used by service 'c' (line 18)",
            ])
    }

    @Test func badNamesAndEnginesAreErrors() {
        #expect(
            errors(service("has space")) == [
                "warren.toml:2: service name 'has space' must be 1-64 letters, digits, '-', '_' or '.'"
            ])
        #expect(
            errors(service().replacing("/bin/true", with: "/etc")) == [
                "warren.toml:4: engine '/etc' is not a regular file"
            ])
        #expect(
            errors(service().replacing("/bin/true", with: "/etc/passwd")) == [
                "warren.toml:4: engine '/etc/passwd' is not executable"
            ])
    }

    @Test func badLimitsAndDurationsAreErrors() {
        #expect(
            errors(service("a", "max_instances = 0\nmax_per_source = -1\ntimeout = \"10\"\n")) == [
                "warren.toml:5: 'service.max_instances' must be between 1 and 1000000, not 0",
                "warren.toml:6: 'service.max_per_source' must be between 1 and 1000000, not -1",
                "warren.toml:7: 'service.timeout': invalid duration '10': expected digits and a unit: us, ms, s, m or h",
            ])
        #expect(
            errors(service("a", "timeout = \"0s\"\n")) == [
                "warren.toml:5: 'service.timeout' must be longer than zero"
            ])
        #expect(
            errors("[server]\nshutdown_grace = 5\n" + service()) == [
                "warren.toml:2: 'server.shutdown_grace' must be a duration (a string such as \"120s\"), not an integer"
            ])
    }

    @Test func syntaxErrorsNameTheFileAndLine() {
        let found = errors("[[service]]\nname = \"a\nlisten = []\n")
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("warren.toml:2: ") == true)
    }

    @Test func aPolicyThatFailsToLoadFailsTheWholeConfigWithItsOwnDiagnostics() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { TestPaths.removeDirectory(directory) }
        let path = directory + "/warren.toml"
        try TestPaths.write(
            service("a", "policy = \"p.toml\"\n")
                + service("b", listen: "\"127.0.0.1:81\"", "policy = \"p.toml\"\n"),
            to: path)
        var asked: [String] = []
        do throws(Diagnostics) {
            _ = try ConfigLoader.load(path: path, host: HostFeatures.detect()) {
                (policy: String) throws(Diagnostics) -> Policy in
                asked.append(policy)
                throw Diagnostics([Diagnostic(file: policy, line: 3, message: "bad policy")])
            }
            Issue.record("the config loaded")
        } catch {
            #expect(error.items.map(\.description) == ["\(directory)/p.toml:3: bad policy"])
        }
        // Each policy file is read once, however many services name it.
        #expect(asked == [directory + "/p.toml"])
    }

    @Test func aHostUserPolicyCannotKeepACapabilityWarrenDrops() throws {
        guard getuid() == 0 else {
            print("skipped: compiling a plan prepares namespaces, which needs root")
            return
        }
        let directory = try TestPaths.temporaryDirectory()
        defer { TestPaths.removeDirectory(directory) }
        let policy = directory + "/raw.toml"
        try TestPaths.write(
            "extends = \"\(testPolicy)\"\n[namespaces]\nuser = \"host\"\n[capabilities]\nkeep = [\"cap_net_raw\"]\n",
            to: policy)
        let path = directory + "/warren.toml"
        try TestPaths.write(service("a", "policy = \"raw.toml\"\n"), to: path)
        #expect {
            try ConfigLoader.serverLoader(path: path)
        } throws: { error in
            (error as? ConfigErrors)?.messages == [
                "\(path): service 'a': policy \(policy) keeps capabilities 13 with user = \"host\", but warren "
                    + "drops them from its own bounding set; use user = \"fresh\" or keep only capabilities "
                    + "warren holds"
            ]
        }
    }

    @Test func aValidConfigGetsOnePlanPerService() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { TestPaths.removeDirectory(directory) }
        let path = directory + "/warren.toml"
        try TestPaths.write(
            service("a", "args = [\"x\"]\n") + service("b", listen: "\"127.0.0.1:81\""), to: path)
        let loaded = try ConfigLoader.serverLoader(path: path)
        #expect(loaded.plans["a"]?.arguments == ["/bin/true", "x"])
        #expect(loaded.plans["b"]?.arguments == ["/bin/true"])
    }
}
