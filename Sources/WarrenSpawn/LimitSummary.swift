import WarrenPolicy

extension HostFeatures {
    /// `warren check`'s limit lines for `policy`: each limit with its value and how this host
    /// enforces it (the rlimit or the cgroup file), or that it is NOT in force here and why.
    public func limitSummary(for policy: Policy) -> [String] {
        let applied = enforcement(for: policy).rlimits
        let asked = policy.limits
        let size = Policy.size
        let rlimits:
            [(name: String, rlimit: String, applied: UInt64?, asked: UInt64?, text: (UInt64) -> String)] = [
                ("cpu", "RLIMIT_CPU", applied.cpuSeconds, asked.cpuSeconds, { "\($0)s" }),
                ("address space", "RLIMIT_AS", applied.addressSpace, asked.addressSpace, size),
                ("open files", "RLIMIT_NOFILE", applied.openFiles, asked.openFiles, { "\($0)" }),
                ("processes", "RLIMIT_NPROC", applied.processes, asked.processes, { "\($0)" }),
                ("file size", "RLIMIT_FSIZE", applied.fileSize, asked.fileSize, size),
                // The spawn path sets RLIMIT_CORE to 0 when the policy leaves it out (SpawnPlan.rlimits).
                ("core", "RLIMIT_CORE", applied.core ?? 0, asked.core ?? 0, size),
                ("stack", "RLIMIT_STACK", applied.stack, asked.stack, size),
            ]
        var lines: [String] = []
        for limit in rlimits {
            guard let value = limit.applied else {
                lines.append(
                    "limit \(limit.name) unlimited: not limited (\(limit.rlimit) stays warren's own)")
                continue
            }
            let lowered = limit.asked != value ? ", lowered by a cgroup limit not in force here" : ""
            lines.append(
                "limit \(limit.name) \(limit.text(value)): enforced (rlimit \(limit.rlimit)\(lowered))")
        }
        let cgroup = policy.cgroup
        if let memory = cgroup.memoryMax {
            lines.append(
                enforces("memory")
                    ? "limit memory.max \(size(memory)): enforced (cgroup file memory.max)"
                    : "limit memory.max \(size(memory)): NOT in force as a cgroup limit (\(missing("memory"))); "
                        + "RLIMIT_AS=\(applied.addressSpace.map(size) ?? "unlimited") instead")
        }
        if let pids = cgroup.pidsMax {
            lines.append(
                enforces("pids")
                    ? "limit pids.max \(pids): enforced (cgroup file pids.max)"
                    : "limit pids.max \(pids): NOT in force as a cgroup limit (\(missing("pids"))); "
                        + "RLIMIT_NPROC=\(applied.processes.map(String.init) ?? "unlimited") instead")
        }
        if let quota = cgroup.cpuMaxQuotaMicros, let period = cgroup.cpuMaxPeriodMicros {
            lines.append(
                enforces("cpu")
                    ? "limit cpu.max \(quota) \(period): enforced (cgroup file cpu.max)"
                    : "limit cpu.max \(quota) \(period): NOT in force on this host (\(missing("cpu"))); "
                        + "only RLIMIT_CPU=\(applied.cpuSeconds.map { "\($0)s" } ?? "unlimited") caps CPU time"
            )
        }
        let required = cgroup.leafRequired ? " (required)" : ""
        if cgroupLeavesAvailable, let directory = cgroup2Directory {
            lines.append(
                "cgroup leaf\(required): one per connection below \(directory) (CLONE_INTO_CGROUP), "
                    + "cgroup.kill on timeout")
        } else {
            lines.append(
                "cgroup leaf\(required): NOT available (\(cgroupUnavailableReason)); "
                    + (cgroup.leafRequired
                        ? "warren refuses this policy here"
                        : "a timeout kills the engine and with it its PID namespace"))
        }
        return lines
    }

    /// Why `controller`'s limit is not in force here.
    private func missing(_ controller: String) -> String {
        guard let directory = cgroup2Directory else { return "no cgroup v2 hierarchy is mounted" }
        guard cgroup2Writable else { return "cgroup v2 at \(directory) is not writable" }
        return "cgroup v2 at \(directory) has no \(controller) controller"
    }
}
