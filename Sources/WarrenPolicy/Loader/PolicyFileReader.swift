// Reads one policy file into a `PolicyDraft`: every key checked for type and value, relative paths
// resolved against the file's directory, every problem recorded with its line. Sections that need
// more than a few lines live in their own files (rootfs, limits, seccomp).

struct PolicyFileReader {
    let document: TOMLDocument
    let log: DiagnosticLog
    /// The absolute directory of the file, for relative paths.
    let directory: String

    static let namespaceKinds = ["net", "ipc", "uts", "user", "cgroup"]
    /// Set by warren for every connection (UCSPI); a policy may not override them.
    static let reservedEnvironment: Set<String> = [
        "PROTO", "TCPREMOTEIP", "TCPREMOTEPORT", "TCPLOCALIP", "TCPLOCALPORT",
    ]

    init(document: TOMLDocument, log: DiagnosticLog) {
        self.document = document
        self.log = log
        self.directory = HostPaths.directory(of: document.file)
    }

    var file: String { document.file }

    func located<Value>(_ value: Value, _ reader: TableReader, _ key: String) -> Located<Value> {
        Located(value: value, file: file, line: reader.line(of: key))
    }

    func read() -> PolicyDraft {
        var draft = PolicyDraft(file: file)
        let root = TableReader(document, log: log)
        // A refused `extends` still marks the file as extending something, so that the loader does
        // not check it as a complete policy.
        draft.extendsRefused = root.has("extends")
        if let extends = root.string("extends") {
            if extends.isEmpty {
                root.error("extends", "'extends' must name a policy file")
            } else {
                draft.extends = located(HostPaths.resolve(extends, against: directory), root, "extends")
                draft.extendsRefused = false
            }
        }
        if let namespaces = root.table("namespaces") { readNamespaces(namespaces, into: &draft) }
        if let user = root.table("user") { readUser(user, into: &draft) }
        if let rootfs = root.table("rootfs") { readRootfs(rootfs, into: &draft) }
        if let limits = root.table("limits") { readLimits(limits, into: &draft) }
        if let capabilities = root.table("capabilities") { readCapabilities(capabilities, into: &draft) }
        if let seccomp = root.table("seccomp") { readSeccomp(seccomp, into: &draft) }
        if let environment = root.table("env") { readEnvironment(environment, into: &draft) }
        for argument in root.stringArrayWithLines("args") ?? [] {
            draft.arguments.append(Located(value: argument.value, file: file, line: argument.line))
        }
        if let cwd = root.string("cwd") {
            if cwd.hasPrefix("/") {
                draft.workingDirectory = located(HostPaths.normalize(cwd), root, "cwd")
            } else {
                root.error("cwd", "'cwd' must be an absolute path inside the sandbox, not '\(cwd)'")
            }
        }
        if let hostname = root.string("hostname") {
            if Self.isValidHostname(hostname) {
                draft.hostname = located(hostname, root, "hostname")
            } else {
                root.error(
                    "hostname",
                    "'hostname' must be 1 to 64 letters, digits, '-' or '.', not '\(hostname)'")
            }
        }
        root.finish()
        return draft
    }

    private func readNamespaces(_ table: TableReader, into draft: inout PolicyDraft) {
        for fixed in ["mount", "pid"] where table.has(fixed) {
            _ = table.node(fixed)
            table.error(
                fixed, "'namespaces.\(fixed)' cannot be set: mount and pid namespaces are always fresh")
        }
        for kind in Self.namespaceKinds {
            guard let text = table.string(kind) else { continue }
            guard let mode = NamespaceMode(rawValue: text) else {
                table.error(kind, "'namespaces.\(kind)' must be fresh, shared or host, not '\(text)'")
                continue
            }
            draft.namespaces[kind] = located(mode, table, kind)
        }
    }

    private func readUser(_ table: TableReader, into draft: inout PolicyDraft) {
        // 0 is the host's root; 4294967295 is (uid_t)-1, "no change" to setresuid.
        let ids: ClosedRange<Int64> = 1...4_294_967_294
        if let uid = table.integer("uid", range: ids) { draft.uid = located(UInt32(uid), table, "uid") }
        if let gid = table.integer("gid", range: ids) { draft.gid = located(UInt32(gid), table, "gid") }
    }

    private func readCapabilities(_ table: TableReader, into draft: inout PolicyDraft) {
        for name in table.stringArrayWithLines("keep") ?? [] {
            guard let number = CapabilityNames.number(of: name.value) else {
                table.error(
                    line: name.line,
                    "unknown capability '\(name.value)' (expected a name such as cap_net_bind_service)")
                continue
            }
            draft.keepCapabilities.append(Located(value: (name.value, number), file: file, line: name.line))
        }
    }

    private func readEnvironment(_ table: TableReader, into draft: inout PolicyDraft) {
        for name in table.keys {
            guard let value = table.string(name) else { continue }
            if !Self.isValidVariableName(name) {
                table.error(
                    name,
                    "'env.\(name)': a variable name is letters, digits and '_', not starting with a digit")
            } else if Self.reservedEnvironment.contains(name) {
                table.error(
                    name, "'env.\(name)' is set by warren for every connection and cannot be overridden")
            } else if value.utf8.contains(0) {
                table.error(name, "'env.\(name)' must not contain a NUL byte")
            } else {
                draft.environment.append((name, located(value, table, name)))
            }
        }
    }

    static func isValidVariableName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else {
            return false
        }
        return name.utf8.allSatisfy { c in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c)
                || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) || c == UInt8(ascii: "_")
        }
    }

    static func isValidHostname(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count)
            && name.utf8.allSatisfy { c in
                (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c)
                    || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) || c == UInt8(ascii: "-")
                    || c == UInt8(ascii: ".")
            }
    }
}
