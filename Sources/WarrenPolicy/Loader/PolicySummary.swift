// A few lines describing a loaded policy, for `warren check`. The limits' lines come from the host's
// findings (which limits are in force here and how), which this module does not know.

extension Policy {
    /// One line per aspect: namespaces, user, rootfs, then `limitLines` (the limits and how this
    /// host enforces each, from WarrenSpawn's `HostFeatures.limitSummary`), capabilities, seccomp.
    public func summary(limitLines: [String]) -> [String] {
        let ns = namespaces
        var lines = [
            "namespaces: mount fresh, pid fresh, net \(ns.net), ipc \(ns.ipc), uts \(ns.uts), user \(ns.user), cgroup \(ns.cgroup)",
            "user: uid \(uid), gid \(gid)" + (ns.user == .host ? "" : " (root inside its user namespace)"),
        ]
        var rootfsParts = ["skeleton \(rootfs.skeleton) (read-only)"]
        rootfsParts += rootfs.binds.map {
            "bind \($0.source) at \($0.target) (\($0.writable ? "writable" : "read-only"))"
        }
        rootfsParts += rootfs.tmpfs.map { "tmpfs at \($0.target) (\(Self.size($0.sizeBytes)))" }
        lines.append("rootfs: " + rootfsParts.joined(separator: "; "))
        lines += limitLines
        let caps = keepCapabilities.map { CapabilityNames.name(of: $0) }
        lines.append("capabilities kept: " + (caps.isEmpty ? "none" : caps.joined(separator: ", ")))
        let rules = seccomp.rules
        let allowed = Set(rules.filter { $0.action == .allow }.map(\.syscall))
        let filtered = Set(rules.filter { $0.action == .allow && !$0.comparisons.isEmpty }.map(\.syscall))
        let errnos = Set(
            rules.compactMap { rule -> String? in
                if case .errno = rule.action { return rule.syscall }
                return nil
            })
        let killed = Set(rules.filter { $0.action == .kill }.map(\.syscall))
        let logNote =
            seccomp.defaultAction == .log ? " (every unlisted syscall runs: for writing a policy only)" : ""
        var seccompParts = [
            "default \(seccomp.defaultAction)\(logNote)",
            "\(allowed.count) syscalls allowed (\(filtered.count) with argument filters)",
        ]
        if !errnos.isEmpty { seccompParts.append("\(errnos.count) failing with an errno") }
        if !killed.isEmpty { seccompParts.append("\(killed.count) killing") }
        seccompParts.append("\(seccomp.instructionCount) BPF instructions, x86_64 only")
        lines.append("seccomp: " + seccompParts.joined(separator: ", "))
        return lines
    }

    /// Bytes in the largest unit that divides them ("4M", "512K", "100").
    public static func size(_ bytes: UInt64) -> String {
        for (unit, shift) in [("T", 40), ("G", 30), ("M", 20), ("K", 10)] as [(String, UInt64)]
        where bytes != 0 && bytes % (1 << shift) == 0 {
            return "\(bytes >> shift)\(unit)"
        }
        return "\(bytes)"
    }
}
