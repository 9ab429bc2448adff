import Glibc
import Testing
import WarrenPolicy
import WarrenSystem

@testable import WarrenSpawn

@Test func aSandboxedEngineRunsAndEchoes() throws {
    guard requireRoot(), let engine = testEngine() else { return }
    let plan = try SpawnPlan(
        engine: engine, arguments: ["echo"], policy: untrustedPolicy(seccomp: untrustedSeccomp()))
    let result = try run(plan, input: "hello\n")
    #expect(result.failure == nil)
    #expect(result.output == "hello\n")
    #expect(result.exitCode == 0)
}
