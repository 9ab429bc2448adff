import Glibc
import Testing
import WarrenPolicy
import WarrenSystem

@testable import WarrenSpawn

@Test func aDeniedSyscallKillsWithSIGSYSAndIsNamed() throws {
    guard requireRoot(), let engine = testEngine() else { return }
    guard let log = SeccompDeathLog() else {
        print("skipped: /dev/kmsg is not readable here, seccomp kills cannot be named")
        return
    }
    let plan = try SpawnPlan(
        engine: engine, arguments: ["ptrace", "1"], policy: untrustedPolicy(seccomp: untrustedSeccomp()))
    let result = try run(plan)
    #expect(result.signal == SIGSYS)
    // The kernel prints the record asynchronously: look a bounded number of times.
    var name: String?
    for _ in 0..<200 where name == nil {
        name = log.syscallName(killed: result.pid)
        if name == nil { usleep(10_000) }
    }
    #expect(name == "ptrace")
}

/// A burst of kills is named in full (the audit multicast group is not rate-limited).
@Test func aBurstOfSeccompKillsIsNamedInFull() throws {
    guard requireRoot(), let engine = testEngine() else { return }
    guard let log = SeccompDeathLog() else {
        print("skipped: neither the audit log nor /dev/kmsg is readable here")
        return
    }
    guard log.source == "audit multicast" else {
        print("skipped: only /dev/kmsg is readable here, which the kernel rate-limits")
        return
    }
    let plan = try SpawnPlan(engine: engine, arguments: ["ptrace", "1"], policy: untrustedPolicy())
    var pids: [pid_t] = []
    for _ in 0..<30 {
        let result = try run(plan)
        #expect(result.signal == SIGSYS)
        pids.append(result.pid)
    }
    var named = 0
    for _ in 0..<200 where named < pids.count {
        named = pids.filter { log.syscallName(killed: $0) == "ptrace" }.count
        if named < pids.count { usleep(10_000) }
    }
    #expect(named == 30)
}

@Test func anErrnoActionReturnsThatErrno() throws {
    guard requireRoot(), let engine = testEngine() else { return }
    let filter = try compileSeccomp(
        defaultAction: actKillProcess,
        rules: baseSyscalls.map { SeccompRule(syscall: $0, action: actAllow) }
            + [SeccompRule(syscall: "getpriority", action: actErrno(EACCES))])
    let plan = try SpawnPlan(engine: engine, arguments: ["errno"], policy: untrustedPolicy(seccomp: filter))
    let result = try run(plan)
    #expect(result.output == "errno: returned -1, errno \(EACCES)\n")
    #expect(result.exitCode == 0)
}

@Test func argumentFiltersHold() throws {
    guard requireRoot(), let engine = testEngine() else { return }
    // write only on fd 1 and 2.
    let filter = try compileSeccomp(
        defaultAction: actKillProcess,
        rules: baseSyscalls.filter { $0 != "write" }.map { SeccompRule(syscall: $0, action: actAllow) }
            + [
                SeccompRule(syscall: "write", action: actAllow, equal: [(0, 1)]),
                SeccompRule(syscall: "write", action: actAllow, equal: [(0, 2)]),
            ])
    let policy = untrustedPolicy(seccomp: filter)
    let allowed = try run(SpawnPlan(engine: engine, arguments: ["echo"], policy: policy), input: "on fd 1\n")
    #expect(allowed.output == "on fd 1\n")
    #expect(allowed.exitCode == 0)
    let denied = try run(SpawnPlan(engine: engine, arguments: ["write-other-fd"], policy: policy))
    #expect(denied.signal == SIGSYS)
    #expect(denied.output.isEmpty)
}
