import Testing
import WarrenPolicy

@testable import WarrenSpawn

/// A policy with every kind of limit, for the summaries below.
private func limitedPolicy() -> Policy {
    var policy = untrustedPolicy(seccomp: CompiledSeccomp(program: []))
    policy.limits = ResourceLimits(
        cpuSeconds: 2, addressSpace: 64 << 20, openFiles: 16, processes: 1, fileSize: 1 << 20, core: nil,
        stack: nil)
    policy.cgroup = CgroupLimits(
        memoryMax: 32 << 20, pidsMax: 4, cpuMaxQuotaMicros: 50_000, cpuMaxPeriodMicros: 100_000)
    return policy
}

/// This machine's case: cgroup v2 writable, no controllers. Each limit says how it is enforced;
/// the cgroup ones say NOT in force and what stands in for them.
@Test func checkMarksEachLimitOnAHostWithoutControllers() {
    let host = HostFeatures(
        cgroup2Mount: "/sys/fs/cgroup/unified", cgroup2Directory: "/sys/fs/cgroup/unified", controllers: [],
        cgroup2Writable: true)
    #expect(
        host.limitSummary(for: limitedPolicy()) == [
            "limit cpu 2s: enforced (rlimit RLIMIT_CPU)",
            "limit address space 32M: enforced (rlimit RLIMIT_AS, lowered by a cgroup limit not in force here)",
            "limit open files 16: enforced (rlimit RLIMIT_NOFILE)",
            "limit processes 1: enforced (rlimit RLIMIT_NPROC)",
            "limit file size 1M: enforced (rlimit RLIMIT_FSIZE)",
            "limit core 0: enforced (rlimit RLIMIT_CORE)",
            "limit stack unlimited: not limited (RLIMIT_STACK stays warren's own)",
            "limit memory.max 32M: NOT in force as a cgroup limit (cgroup v2 at /sys/fs/cgroup/unified has no "
                + "memory controller); RLIMIT_AS=32M instead",
            "limit pids.max 4: NOT in force as a cgroup limit (cgroup v2 at /sys/fs/cgroup/unified has no pids "
                + "controller); RLIMIT_NPROC=1 instead",
            "limit cpu.max 50000 100000: NOT in force on this host (cgroup v2 at /sys/fs/cgroup/unified has no cpu "
                + "controller); only RLIMIT_CPU=2s caps CPU time",
            "cgroup leaf: one per connection below /sys/fs/cgroup/unified (CLONE_INTO_CGROUP), cgroup.kill on timeout",
        ])
}

/// A host that delegates every controller: the cgroup limits are files in the leaf, and the
/// rlimits keep the policy's own values.
@Test func checkMarksCgroupFilesWhereControllersAreDelegated() {
    let host = HostFeatures(
        cgroup2Mount: "/sys/fs/cgroup", cgroup2Directory: "/sys/fs/cgroup/warren.slice",
        controllers: ["memory", "pids", "cpu"], cgroup2Writable: true)
    let lines = host.limitSummary(for: limitedPolicy())
    #expect(lines.contains("limit address space 64M: enforced (rlimit RLIMIT_AS)"))
    #expect(lines.contains("limit memory.max 32M: enforced (cgroup file memory.max)"))
    #expect(lines.contains("limit pids.max 4: enforced (cgroup file pids.max)"))
    #expect(lines.contains("limit cpu.max 50000 100000: enforced (cgroup file cpu.max)"))
    #expect(!lines.contains { $0.contains("NOT") })
}

/// No cgroup v2 at all: no leaf, and a required leaf says warren refuses the policy.
@Test func checkSaysWhenThereAreNoLeaves() {
    let host = HostFeatures(cgroup2Mount: nil, cgroup2Directory: nil, controllers: [])
    var policy = limitedPolicy()
    #expect(
        host.limitSummary(for: policy).last
            == "cgroup leaf: NOT available (no cgroup v2 hierarchy is mounted); a timeout kills the engine and "
            + "with it its PID namespace")
    policy.cgroup.leafRequired = true
    #expect(
        host.limitSummary(for: policy).last
            == "cgroup leaf (required): NOT available (no cgroup v2 hierarchy is mounted); warren refuses this "
            + "policy here")
}
