import Glibc
import WarrenPolicy
import WarrenSpawn
import WarrenSystem

/// Reads a warren config file (TOML) into a `ServerConfig`, reporting every problem at once as
/// `FILE:LINE: message`: unknown keys, wrong types, bad values, duplicate names and addresses.
///
/// ```toml
/// [server]
/// shutdown_grace = "10s"
///
/// [[service]]
/// name = "blog"
/// listen = ["127.0.0.1:8080", "[::1]:8080"]
/// engine = "../.build-static/release/quill-engine"   # relative to this file
/// args = ["--site", "/site/public"]
/// policy = "../policies/quill.toml"                   # relative to this file
/// max_instances = 1024
/// max_per_source = 32
/// timeout = "120s"
/// prespawn = 4                                        # engines waiting (handoff protocol)
/// ```
public enum ConfigLoader {
    /// Reads and validates `path`.
    public static func read(path: String) throws(Diagnostics) -> ServerConfig {
        let document = try TOMLDocument.load(path: path)
        return try read(document, directory: directory(of: path))
    }

    /// Validates a parsed document; relative engine and policy paths are resolved against `directory`.
    public static func read(_ document: TOMLDocument, directory: String) throws(Diagnostics) -> ServerConfig {
        let log = DiagnosticLog()
        let root = TableReader(document, log: log)
        var grace = ServerConfig.defaultShutdownGraceNanoseconds
        if let server = root.table("server") {
            if let value = server.duration("shutdown_grace") { grace = nanoseconds(value) }
        }
        var services: [ServiceConfig] = []
        var names: [String: Int] = [:]
        var addresses: [SocketAddress: (service: String, line: Int)] = [:]
        let entries = root.tableArray("service") ?? []
        if entries.isEmpty && !root.has("service") {
            log.error(document.file, nil, "no [[service]] defined")
        }
        for entry in entries {
            let name = entry.string("name", required: true)
            if let name {
                if !isValidName(name) {
                    entry.error(
                        "name", "service name '\(name)' must be 1-64 letters, digits, '-', '_' or '.'")
                } else if let first = names[name] {
                    entry.error("name", "duplicate service name '\(name)' (first defined at line \(first))")
                } else {
                    names[name] = entry.line(of: "name")
                }
            }
            var listen: [SocketAddress] = []
            if let items = entry.stringArrayWithLines("listen", required: true) {
                if items.isEmpty { entry.error("listen", "'service.listen' must name at least one address") }
                for (text, line) in items {
                    guard let address = SocketAddress(parsing: text), address.port != 0 else {
                        entry.error(
                            line: line,
                            "invalid listen address '\(text)': expected \"A.B.C.D:PORT\" or \"[IPv6]:PORT\" "
                                + "with a port from 1 to 65535")
                        continue
                    }
                    if let first = addresses[address] {
                        entry.error(
                            line: line,
                            "listen address \(address) is already used by service '\(first.service)' "
                                + "(line \(first.line))")
                        continue
                    }
                    addresses[address] = (name ?? "?", line)
                    listen.append(address)
                }
            }
            let engine = entry.string("engine", required: true).map { resolve($0, against: directory) }
            if let engine, let problem = executableProblem(engine) {
                entry.error("engine", "engine '\(engine)' \(problem)")
            }
            let arguments = entry.stringArray("args") ?? []
            // Fail closed: no service runs an engine unconfined, so a missing policy is an error.
            if !entry.has("policy") {
                let what =
                    name.map { "service '\($0)': missing key 'policy'" } ?? "missing key 'service.policy'"
                entry.error(
                    nil, what + " (every engine runs under a policy file; start from policies/untrusted.toml)"
                )
            }
            let policy = entry.string("policy").map { resolve($0, against: directory) }
            let maxInstances = entry.integer("max_instances", range: 1...1_000_000)
            let maxPerSource = entry.integer("max_per_source", range: 1...1_000_000)
            var timeout = ServiceConfig.defaultTimeoutNanoseconds
            if let value = entry.duration("timeout") {
                if value <= .zero {
                    entry.error("timeout", "'service.timeout' must be longer than zero")
                } else {
                    timeout = nanoseconds(value)
                }
            }
            let prespawn = entry.integer("prespawn", range: 0...Int64(ServiceConfig.maxPrespawn)) ?? 0
            let instances = maxInstances ?? Int64(ServiceConfig.defaultMaxInstances)
            if prespawn > instances {
                // Waiting engines count against max_instances: more could never all exist.
                entry.error(
                    "prespawn",
                    "'service.prespawn' (\(prespawn)) must not exceed max_instances (\(instances)): "
                        + "waiting engines count against it")
            }
            guard let name, let engine, let policy else { continue }
            services.append(
                ServiceConfig(
                    name: name, listen: listen, engine: engine, arguments: arguments, policy: policy,
                    maxInstances: Int(maxInstances ?? Int64(ServiceConfig.defaultMaxInstances)),
                    maxPerSource: Int(maxPerSource ?? Int64(ServiceConfig.defaultMaxPerSource)),
                    timeoutNanoseconds: timeout, prespawn: Int(prespawn)))
        }
        root.finish()
        try log.check()
        return ServerConfig(path: document.file, services: services, shutdownGraceNanoseconds: grace)
    }

    /// Reads the config, then every policy it names (each file once), and compiles one spawn plan
    /// per service. `policies` loads and compiles one policy file; `host` is what this machine can
    /// enforce (detected once by the caller).
    public static func load(
        path: String, host: HostFeatures, policies: (String) throws(Diagnostics) -> Policy
    ) throws(Diagnostics) -> LoadedConfig {
        let config = try read(path: path)
        let log = DiagnosticLog()
        var compiled: [String: Policy] = [:]
        var failed: Set<String> = []
        var plans: [String: SpawnPlan] = [:]
        var warnings: [String] = []
        for service in config.services {
            let path = service.policy
            var loaded = compiled[path]
            if loaded == nil && !failed.contains(path) {
                do throws(Diagnostics) {
                    loaded = try policies(path)
                    compiled[path] = loaded
                } catch {
                    failed.insert(path)
                    log.append(contentsOf: error)
                }
            }
            // Never a plan without a policy: SpawnPlan(policy: nil) is for WarrenSpawn's own tests.
            guard let policy = loaded else { continue }
            // Without a user namespace an engine can keep only what is still in warren's bounding
            // set (`warren serve` drops the rest at start): refuse now rather than fail every spawn.
            if policy.namespaces.user == .host {
                let dropped = policy.keepCapabilities.filter { !Privileges.kept.contains($0) }
                if !dropped.isEmpty {
                    log.error(
                        config.path, nil,
                        "service '\(service.name)': policy \(path) keeps capabilities "
                            + "\(dropped.map(String.init).joined(separator: ", ")) with user = \"host\", but warren "
                            + "drops them from its own bounding set; use user = \"fresh\" or keep only "
                            + "capabilities warren holds")
                    continue
                }
            }
            do {
                let plan = try SpawnPlan(
                    engine: service.engine, arguments: service.arguments, policy: policy, host: host)
                plans[service.name] = plan
                for warning in plan.warnings where !warnings.contains(warning) { warnings.append(warning) }
            } catch {
                log.error(config.path, nil, "service '\(service.name)': \(error)")
            }
        }
        try log.check()
        return LoadedConfig(config: config, plans: plans, warnings: warnings)
    }

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64
            && name.unicodeScalars.allSatisfy {
                $0.isASCII
                    && ($0.properties.isAlphabetic || ("0"..."9").contains($0)
                        || "-_.".unicodeScalars.contains($0))
            }
    }

    static func nanoseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        return UInt64(max(seconds, 0)) * 1_000_000_000 + UInt64(max(attoseconds, 0) / 1_000_000_000)
    }

    /// The directory part of `path`, made absolute, so that relative engine paths survive a chdir.
    static func directory(of path: String) -> String {
        let absolute = normalize(path.hasPrefix("/") ? path : currentDirectory() + "/" + path)
        guard let slash = absolute.lastIndex(of: "/"), slash != absolute.startIndex else { return "/" }
        return String(absolute[..<slash])
    }

    /// `path` made absolute against `directory`, without "." or ".." (the sandbox binds the engine
    /// at the same path and accepts only normalised absolute paths).
    static func resolve(_ path: String, against directory: String) -> String {
        normalize(path.hasPrefix("/") ? path : directory + "/" + path)
    }

    /// Lexical normalisation of an absolute path ("/a/./b/../c//" → "/a/c").
    static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") where part != "." {
            if part == ".." {
                if !parts.isEmpty { parts.removeLast() }
            } else {
                parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    private static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map(UInt8.init(bitPattern:)), as: UTF8.self)
    }

    /// Why `path` cannot be run as an engine, or nil when it can.
    static func executableProblem(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            return "cannot be used: \(SymbolicName.errno(Errno(rawValue: errno)))"
        }
        guard info.st_mode & S_IFMT == S_IFREG else { return "is not a regular file" }
        guard access(path, X_OK) == 0 else { return "is not executable" }
        return nil
    }
}
