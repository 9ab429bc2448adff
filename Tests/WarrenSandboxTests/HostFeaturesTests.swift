import Glibc
import Testing
import WarrenPolicy

@testable import WarrenSpawn

@Test func cgroupLimitsFallBackToRlimitsWithOneWarningLine() throws {
    let host = HostFeatures(
        cgroup2Mount: "/sys/fs/cgroup/unified", cgroup2Directory: "/sys/fs/cgroup/unified/warren",
        controllers: [], cgroup2Writable: true)
    var policy = untrustedPolicy(seccomp: CompiledSeccomp(program: []))
    policy.limits.addressSpace = 64 << 20
    policy.limits.processes = nil
    policy.limits.cpuSeconds = 1
    policy.cgroup = CgroupLimits(
        memoryMax: 32 << 20, pidsMax: 4, cpuMaxQuotaMicros: 50_000, cpuMaxPeriodMicros: 100_000)
    let (limits, warning) = host.effectiveLimits(for: policy)
    #expect(limits.addressSpace == 32 << 20)
    #expect(limits.processes == 4)
    #expect(
        warning
            == "warning: \(policy.path): cgroup limits unavailable (cgroup v2 at /sys/fs/cgroup/unified/warren "
            + "has no memory/pids/cpu controllers): memory.max as RLIMIT_AS=33554432, "
            + "pids.max as RLIMIT_NPROC=4, cpu.max NOT enforced (RLIMIT_CPU=1 s only)")
    #expect(!warning!.contains("\n"))
}

@Test func noCgroupLimitsMeansNoWarning() {
    let host = HostFeatures(cgroup2Mount: nil, cgroup2Directory: nil, controllers: [])
    var policy = untrustedPolicy(seccomp: CompiledSeccomp(program: []))
    policy.cgroup = CgroupLimits()
    let (limits, warning) = host.effectiveLimits(for: policy)
    #expect(limits == policy.limits)
    #expect(warning == nil)
}

@Test func thisHostIsDetected() {
    let host = HostFeatures.detect()
    print(
        "cgroup2 mount: \(host.cgroup2Mount ?? "none"), directory: \(host.cgroup2Directory ?? "none"), "
            + "controllers: \(host.controllers.sorted())")
    // This host's v2 hierarchy offers none of memory/pids/cpu (they sit on v1).
    for controller in HostFeatures.limitControllers {
        #expect(host.enforces(controller) == host.controllers.contains(controller))
    }
    if let directory = host.cgroup2Directory {
        #expect(access(directory + "/cgroup.procs", F_OK) == 0)
    } else {
        print("skipped part: no cgroup v2 hierarchy is mounted on this host")
    }
}

/// The fallback is really in force: a memory bomb under memory.max alone stops at that size.
@Test func theMemoryFallbackIsEnforced() throws {
    guard requireRoot(), let engine = testEngine() else { return }
    var policy = untrustedPolicy(seccomp: try untrustedSeccomp())
    policy.limits.addressSpace = nil
    policy.cgroup = CgroupLimits(memoryMax: 32 << 20)
    let plan = try SpawnPlan(
        engine: engine, arguments: ["memory-bomb"], policy: policy,
        host: HostFeatures(cgroup2Mount: nil, cgroup2Directory: nil, controllers: []))
    #expect(plan.warnings.count == 1)
    let result = try run(plan)
    #expect(result.output.hasPrefix("memory-bomb: confined (mapped "))
    let mapped = result.output.split(separator: " ").dropFirst(3).first.flatMap { Int($0) } ?? .max
    #expect(mapped < 32)
}
