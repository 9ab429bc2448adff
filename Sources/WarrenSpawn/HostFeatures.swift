import WarrenPolicy

/// What this host can enforce beyond rlimits and namespaces: cgroup v2 controllers delegated to
/// warren's own cgroup. Detected once at start (and for `warren check`).
public struct HostFeatures: Sendable, Equatable {
    /// Where cgroup v2 is mounted, nil when it is not.
    public var cgroup2Mount: String?
    /// warren's own cgroup v2 directory, nil when unknown.
    public var cgroup2Directory: String?
    /// Controllers available in that cgroup (cgroup.controllers).
    public var controllers: Set<String>

    public init(cgroup2Mount: String?, cgroup2Directory: String?, controllers: Set<String>) {
        self.cgroup2Mount = cgroup2Mount
        self.cgroup2Directory = cgroup2Directory
        self.controllers = controllers
    }

    /// Reads /proc/self/mountinfo, /proc/self/cgroup and cgroup.controllers.
    public static func detect() -> HostFeatures {
        var mount: String?
        for line in (readSmallFile("/proc/self/mountinfo") ?? "").split(separator: "\n") {
            // "... mountpoint opts ... - fstype source superopts"
            let halves = line.split(separator: " - ", maxSplits: 1)
            guard halves.count == 2, halves[1].hasPrefix("cgroup2 ") else { continue }
            let fields = halves[0].split(separator: " ")
            if fields.count > 4 { mount = String(fields[4]) }
        }
        var directory: String?
        if let mount {
            for line in (readSmallFile("/proc/self/cgroup") ?? "").split(separator: "\n")
            where line.hasPrefix("0::") {
                let path = line.dropFirst(3)
                directory = path == "/" ? mount : mount + path
            }
        }
        var controllers: Set<String> = []
        if let directory, let text = readSmallFile(directory + "/cgroup.controllers") {
            controllers = Set(text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
        }
        return HostFeatures(cgroup2Mount: mount, cgroup2Directory: directory, controllers: controllers)
    }

    /// Per-connection cgroup leaves (CLONE_INTO_CGROUP) are not implemented by this build, so no
    /// cgroup limit is ever in force: policies' cgroup limits fall back to rlimits (see
    /// `effectiveLimits`). Kept as a property so that `warren check` says so plainly.
    public var enforcesCgroupLimits: Bool { false }

    /// Why cgroup limits are not in force on this host, for the warning line.
    public var cgroupUnavailableReason: String {
        guard let directory = cgroup2Directory else { return "no cgroup v2 hierarchy is mounted" }
        let missing = ["memory", "pids", "cpu"].filter { !controllers.contains($0) }
        if !missing.isEmpty {
            return "cgroup v2 at \(directory) has no \(missing.joined(separator: "/")) controller"
                + (missing.count > 1 ? "s" : "")
        }
        return "per-connection cgroup leaves are not implemented in this build"
    }

    /// The rlimits actually applied for `policy` on this host, and one warning line when the policy
    /// asks for cgroup limits this host cannot enforce (nil when there is nothing to say).
    /// memory.max becomes RLIMIT_AS (when lower), pids.max RLIMIT_NPROC (when lower); cpu.max has
    /// no rlimit equivalent and is reported as not enforced.
    public func effectiveLimits(for policy: Policy) -> (limits: ResourceLimits, warning: String?) {
        var limits = policy.limits
        let cgroup = policy.cgroup
        guard !cgroup.isEmpty, !enforcesCgroupLimits else { return (limits, nil) }
        var notes: [String] = []
        if let memory = cgroup.memoryMax {
            limits.addressSpace = min(limits.addressSpace ?? memory, memory)
            notes.append("memory.max as RLIMIT_AS=\(limits.addressSpace!)")
        }
        if let pids = cgroup.pidsMax {
            limits.processes = min(limits.processes ?? pids, pids)
            notes.append("pids.max as RLIMIT_NPROC=\(limits.processes!)")
        }
        if cgroup.cpuMaxQuotaMicros != nil {
            notes.append(
                "cpu.max NOT enforced (RLIMIT_CPU=\(limits.cpuSeconds.map(String.init) ?? "unset") s only)")
        }
        let warning =
            "warning: \(policy.path): cgroup limits unavailable (\(cgroupUnavailableReason)): "
            + notes.joined(separator: ", ")
        return (limits, warning)
    }
}
