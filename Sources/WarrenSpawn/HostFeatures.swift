import Glibc
import WarrenPolicy

/// What this host can enforce beyond rlimits and namespaces: a writable cgroup v2 hierarchy (for
/// per-connection leaves and cgroup.kill) and the controllers delegated to warren's own cgroup.
/// Detected once at start (and for `warren check`).
public struct HostFeatures: Sendable, Equatable {
    /// Where cgroup v2 is mounted, nil when it is not.
    public var cgroup2Mount: String?
    /// warren's own cgroup v2 directory, nil when unknown.
    public var cgroup2Directory: String?
    /// Controllers available in that cgroup (cgroup.controllers).
    public var controllers: Set<String>
    /// The hierarchy is mounted read-write and warren may write to its cgroup directory.
    public var cgroup2Writable: Bool

    public init(
        cgroup2Mount: String?, cgroup2Directory: String?, controllers: Set<String>,
        cgroup2Writable: Bool = false
    ) {
        self.cgroup2Mount = cgroup2Mount
        self.cgroup2Directory = cgroup2Directory
        self.controllers = controllers
        self.cgroup2Writable = cgroup2Writable
    }

    /// Reads /proc/self/mountinfo, /proc/self/cgroup and cgroup.controllers.
    public static func detect() -> HostFeatures {
        var mount: String?
        var readOnly = false
        for line in (readSmallFile("/proc/self/mountinfo") ?? "").split(separator: "\n") {
            // "... mountpoint opts ... - fstype source superopts"
            let halves = line.split(separator: " - ", maxSplits: 1)
            guard halves.count == 2, halves[1].hasPrefix("cgroup2 ") else { continue }
            let fields = halves[0].split(separator: " ")
            if fields.count > 5 {
                mount = String(fields[4])
                readOnly = fields[5].split(separator: ",").contains("ro")
            }
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
        let writable = directory.map { !readOnly && access($0, W_OK) == 0 } ?? false
        return HostFeatures(
            cgroup2Mount: mount, cgroup2Directory: directory, controllers: controllers,
            cgroup2Writable: writable)
    }

    /// The controllers a cgroup limit needs: memory.max, pids.max, cpu.max.
    public static let limitControllers = ["memory", "pids", "cpu"]

    /// Whether warren can make its cgroup subtree here (per-connection leaves, cgroup.kill): a
    /// cgroup v2 hierarchy, mounted read-write, with warren's own directory writable.
    public var cgroupLeavesAvailable: Bool { cgroup2Directory != nil && cgroup2Writable }

    /// Whether `controller`'s limit files are written into each leaf: warren enables every offered
    /// controller of `limitControllers` below its own cgroup (CgroupTree), and refuses to start
    /// if that fails, so an offered controller is an enforced one.
    public func enforces(_ controller: String) -> Bool {
        cgroupLeavesAvailable && controllers.contains(controller)
    }

    /// Why cgroup limits are not in force on this host, for the warning line.
    public var cgroupUnavailableReason: String {
        guard let directory = cgroup2Directory else { return "no cgroup v2 hierarchy is mounted" }
        guard cgroup2Writable else { return "cgroup v2 at \(directory) is not writable" }
        let missing = Self.limitControllers.filter { !controllers.contains($0) }
        return "cgroup v2 at \(directory) has no \(missing.joined(separator: "/")) controller"
            + (missing.count > 1 ? "s" : "")
    }

    /// How each limit of `policy` is enforced here: the rlimits applied (the policy's, lowered by a
    /// cgroup limit this host cannot enforce), the cgroup files written into each leaf, and one
    /// warning line for every cgroup limit that falls back or is not in force at all.
    /// memory.max falls back to RLIMIT_AS (when lower), pids.max to RLIMIT_NPROC (when lower);
    /// cpu.max has no rlimit equivalent and is reported as not enforced.
    public func enforcement(for policy: Policy) -> LimitEnforcement {
        var limits = policy.limits
        let cgroup = policy.cgroup
        var files: [CgroupFile] = []
        var notes: [String] = []
        if let memory = cgroup.memoryMax {
            if enforces("memory") {
                files.append(CgroupFile(name: "memory.max", value: "\(memory)"))
            } else {
                limits.addressSpace = min(limits.addressSpace ?? memory, memory)
                notes.append("memory.max as RLIMIT_AS=\(limits.addressSpace!)")
            }
        }
        if let pids = cgroup.pidsMax {
            if enforces("pids") {
                files.append(CgroupFile(name: "pids.max", value: "\(pids)"))
            } else {
                limits.processes = min(limits.processes ?? pids, pids)
                notes.append("pids.max as RLIMIT_NPROC=\(limits.processes!)")
            }
        }
        if let quota = cgroup.cpuMaxQuotaMicros, let period = cgroup.cpuMaxPeriodMicros {
            if enforces("cpu") {
                files.append(CgroupFile(name: "cpu.max", value: "\(quota) \(period)"))
            } else {
                notes.append(
                    "cpu.max NOT enforced (RLIMIT_CPU=\(limits.cpuSeconds.map(String.init) ?? "unset") s only)"
                )
            }
        }
        let warning =
            notes.isEmpty
            ? nil
            : "warning: \(policy.path): cgroup limits unavailable (\(cgroupUnavailableReason)): "
                + notes.joined(separator: ", ")
        return LimitEnforcement(rlimits: limits, cgroupFiles: files, warning: warning)
    }

    /// The rlimits actually applied for `policy` on this host, and the warning line (see
    /// `enforcement(for:)`).
    public func effectiveLimits(for policy: Policy) -> (limits: ResourceLimits, warning: String?) {
        let enforcement = enforcement(for: policy)
        return (enforcement.rlimits, enforcement.warning)
    }
}

/// What `HostFeatures.enforcement(for:)` decided for one policy.
public struct LimitEnforcement: Sendable, Equatable {
    /// The rlimits every child gets.
    public var rlimits: ResourceLimits
    /// Written into every connection's cgroup leaf (only for controllers in force).
    public var cgroupFiles: [CgroupFile]
    /// One line naming every cgroup limit that falls back to an rlimit or is not in force.
    public var warning: String?
}
