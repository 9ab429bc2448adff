import Glibc
import Testing
import WarrenPolicy
import WarrenSystem

@testable import WarrenSpawn

@Test func aChildWhoseMountStepFailsNeverRunsTheEngine() throws {
    guard requireRoot(), let engine = testEngine() else { return }
    let broken = MountOp(
        kind: .mount, source: "none", target: "/tmp", fstype: "no-such-filesystem", what: "tmpfs /broken")
    let plan = try SpawnPlan(
        engine: engine, arguments: ["echo"], policy: untrustedPolicy(seccomp: untrustedSeccomp()), host: nil,
        extraChildMounts: [broken])
    let result = try run(plan, input: "the engine must not echo this\n")
    #expect(result.output.isEmpty)
    #expect(result.exitCode == 127)
    let failure = try #require(result.failure)
    #expect(failure.step == "mount")
    #expect(failure.errno == Errno(rawValue: ENODEV))
    #expect(plan.describe(failure) == "mount (tmpfs /broken): No such device")
}

@Test func aMissingBindSourceIsRefusedAtLoadNamingThePolicyAndThePath() throws {
    guard requireRoot(), let engine = testEngine() else { return }
    let policy = untrustedPolicy(
        seccomp: try untrustedSeccomp(),
        binds: [BindMount(source: "/nonexistent/site", target: "/site", writable: false)])
    #expect {
        _ = try SpawnPlan(engine: engine, arguments: [], policy: policy)
    } throws: { error in
        "\(error)".contains("confine.toml") && "\(error)".contains("/nonexistent/site")
    }
}

@Test func aPolicyWithoutASeccompFilterIsRefused() throws {
    guard requireRoot(), let engine = testEngine() else { return }
    #expect(throws: SandboxPlanError.self) {
        _ = try SpawnPlan(
            engine: engine, arguments: [], policy: untrustedPolicy(seccomp: CompiledSeccomp(program: [])))
    }
}

@Test func aZeroSizedTmpfsIsRefused() throws {
    guard requireRoot(), let engine = testEngine() else { return }
    #expect(throws: SandboxPlanError.self) {
        _ = try SpawnPlan(
            engine: engine, arguments: [], policy: untrustedPolicy(seccomp: untrustedSeccomp(), tmpfsBytes: 0)
        )
    }
}

@Test func aReadOnlyBindIsVisibleAndNotWritable() throws {
    guard requireRoot(), let engine = testEngine() else { return }
    var dirTemplate = Array("/tmp/warren-bind.XXXXXX".utf8CString)
    let dir = String(cString: try #require(mkdtemp(&dirTemplate)))
    defer { rmdir(dir) }
    let policy = untrustedPolicy(
        seccomp: try untrustedSeccomp(), binds: [BindMount(source: dir, target: "/site", writable: false)])
    let result = try run(SpawnPlan(engine: engine, arguments: ["host-files"], policy: policy))
    #expect(result.output.contains(" site"))
    #expect(result.exitCode == 0)
}
