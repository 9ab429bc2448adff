/// Builds warren.toml text for the integration tests.
struct TestService {
    var name: String
    var port: UInt16
    var engine: String
    var args: [String] = []
    /// warren refuses a service without a policy; the small C engines share this one by default.
    var policy: String = TestPaths.testEnginePolicy
    var extra: [String] = []

    var toml: String {
        var lines = [
            "[[service]]",
            "name = \"\(name)\"",
            "listen = [\"127.0.0.1:\(port)\"]",
            "engine = \"\(engine)\"",
            "policy = \"\(policy)\"",
        ]
        if !args.isEmpty { lines.append("args = [" + args.map { "\"\($0)\"" }.joined(separator: ", ") + "]") }
        return (lines + extra).joined(separator: "\n") + "\n"
    }
}

func testConfig(_ services: [TestService], grace: String = "5s") -> String {
    "[server]\nshutdown_grace = \"\(grace)\"\n\n" + services.map(\.toml).joined(separator: "\n")
}
