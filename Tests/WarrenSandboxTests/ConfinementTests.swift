import Glibc
import Testing
import WarrenPolicy
import WarrenSystem

@testable import WarrenSpawn

/// Runs `confine CHECK ARG` under the untrusted policy and returns how it ended.
private func confine(_ check: String, _ arg: String? = nil, policy: Policy? = nil) throws -> EngineRun? {
    guard requireRoot(), let engine = testEngine() else { return nil }
    let plan = try SpawnPlan(
        engine: engine, arguments: [check] + (arg.map { [$0] } ?? []),
        policy: policy ?? untrustedPolicy(seccomp: untrustedSeccomp()))
    let result = try run(plan)
    print("confine \(check): \(result.output.isEmpty ? "(no output)" : result.output)", terminator: "")
    print(" exit=\(result.exitCode.map(String.init) ?? "-") signal=\(result.signal.map(String.init) ?? "-")")
    #expect(result.failure == nil, "set-up failed: \(result.failure.map(plan.describe) ?? "")")
    return result
}

/// Confined: the check ran and reported so (exit 0), never "NOT CONFINED".
private func expectConfined(_ result: EngineRun, _ check: String) {
    #expect(result.exitCode == 0, "\(check) exited \(String(describing: result.exitCode))")
    #expect(result.output.hasPrefix("\(check): confined"), "\(result.output)")
}

/// Confined by seccomp: killed with SIGSYS before it could report anything.
private func expectKilledBySeccomp(_ result: EngineRun) {
    #expect(result.signal == SIGSYS)
    #expect(result.output.isEmpty)
}

@Test(arguments: ["pids", "caps", "no-new-privs", "seccomp", "writes", "fds", "proc-sys"])
func aConfinedEngineReports(_ check: String) throws {
    guard let result = try confine(check) else { return }
    expectConfined(result, check)
}

@Test func hostFilesAreInvisibleAndTheRootHoldsOnlyTheSandbox() throws {
    guard let result = try confine("host-files"), let engine = testEngine() else { return }
    expectConfined(result, "host-files")
    // "host-files: confined (root: a b c)": the root holds the skeleton, /dev, /proc, /tmp and
    // the first component of the engine's path, nothing else.
    let listing = result.output.split(separator: ":").last.map { $0.dropLast(2).split(separator: " ") } ?? []
    let engineTop = String(engine.split(separator: "/")[0])
    #expect(Set(listing.map(String.init)).isSubset(of: ["dev", "etc", "proc", "tmp", engineTop]))
    #expect(Set(listing.map(String.init)).isSuperset(of: ["dev", "etc", "proc", "tmp"]))
}

@Test func theEngineCannotSignalWarren() throws {
    guard let result = try confine("signal", String(getpid())) else { return }
    expectConfined(result, "signal")
    #expect(result.output.contains("No such process"))
}

@Test(arguments: ["ptrace", "mount", "unshare", "setns", "chroot", "socket", "network", "i386", "x32"])
func forbiddenSyscallsAreKilled(_ check: String) throws {
    guard let result = try confine(check, String(getpid())) else { return }
    expectKilledBySeccomp(result)
}

/// Without seccomp's help, the other layers still hold: no capabilities, no visible pids, an empty
/// network namespace, a read-only root. (unshare of a nested user namespace is stopped by seccomp
/// alone, so it is not in this list.)
@Test(arguments: ["mount", "setns", "chroot", "network", "ptrace", "signal", "writes", "proc-sys", "caps"])
func theLayersBelowSeccompHoldToo(_ check: String) throws {
    let permissive = try compileSeccomp(defaultAction: actAllow, rules: [])
    guard
        let result = try confine(check, String(getpid()), policy: untrustedPolicy(seccomp: permissive))
    else { return }
    expectConfined(result, check)
}

@Test func theTmpfsCapHolds() throws {
    let cap = 256 * 1024
    guard let result = try confine("tmpfs", String(cap)) else { return }
    expectConfined(result, "tmpfs")
}

@Test func aForkBombIsStoppedByTheProcessLimit() throws {
    guard let result = try confine("fork-bomb") else { return }
    expectConfined(result, "fork-bomb")
    #expect(result.output.contains("0 forks succeeded"))
}

@Test func aMemoryBombIsStoppedByTheAddressSpaceLimit() throws {
    guard let result = try confine("memory-bomb") else { return }
    expectConfined(result, "memory-bomb")
}

@Test func aCPUSpinIsStoppedByTheCPULimit() throws {
    guard let result = try confine("spin") else { return }
    // RLIMIT_CPU: SIGXCPU at the soft limit (equal to the hard one, so SIGKILL follows).
    #expect(result.signal == SIGXCPU || result.signal == SIGKILL)
}

@Test func warrensEnvironmentIsNotVisible() throws {
    guard requireRoot(), let engine = testEngine() else { return }
    setenv("WARREN_SECRET", "leak", 1)
    let plan = try SpawnPlan(
        engine: engine, arguments: ["env"], policy: untrustedPolicy(seccomp: untrustedSeccomp()))
    let result = try run(plan, environment: ["PROTO=TCP", "TCPREMOTEIP=127.0.0.1"])
    #expect(result.output == "env: confined (PROTO=TCP TCPREMOTEIP=127.0.0.1)\n")
}

@Test(arguments: [NamespaceMode.fresh, .shared, .host])
func everyUserModeRunsTheEngineWithoutCapabilities(_ mode: NamespaceMode) throws {
    guard requireRoot(), let engine = testEngine() else { return }
    let plan = try SpawnPlan(
        engine: engine, arguments: ["caps"], policy: untrustedPolicy(seccomp: untrustedSeccomp(), user: mode))
    let result = try run(plan)
    expectConfined(result, "caps")
}
