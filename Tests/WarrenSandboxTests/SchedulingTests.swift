import Glibc
import Testing
import WarrenSystem

@testable import WarrenSpawn

/// Prespawned waiters run at SCHED_IDLE from their child's first step; warren puts every thread
/// back to SCHED_OTHER at the handoff (spawn.c, sched.c).

private func spawnThroughThread(_ plan: SpawnPlan, idle: Bool) throws -> (SpawnedChild, FileDescriptor) {
    let spawner = try SpawnThread(capacity: 2)
    let pair = try socketPair()
    let log = try FileDescriptor.open("/dev/null", .writeOnly, options: .closeOnExec)
    _ = try spawner.submit(plan, socket: pair.theirs, log: log, environment: [], idlePriority: idle)
    let outcomes = awaitOutcomes(spawner, count: 1)
    try pair.theirs.close()
    try log.close()
    return (try outcomes[0].child.get(), pair.ours)
}

/// The thread ids of `pid`, from /proc.
private func threads(of pid: pid_t) -> [pid_t] { procNumbers("/proc/\(pid)/task") }

/// Ends the engine (end of file on its input) and reaps it.
private func finish(_ child: SpawnedChild, _ ours: FileDescriptor) throws -> Int32 {
    shutdown(ours.rawValue, Int32(SHUT_WR))
    _ = try readToEnd(ours)
    return try reapAndClose(child, ours)
}

@Test func aWaitersEveryThreadIsIdleUntilRestoredAndThenNormal() throws {
    guard requireRoot(), let engine = testEngine("threads") else { return }
    let plan = try SpawnPlan(engine: engine, arguments: [], policy: nil)
    let (child, ours) = try spawnThroughThread(plan, idle: true)
    // "threads" once its three threads exist.
    var line = [UInt8](repeating: 0, count: 8)
    #expect(try line.withUnsafeMutableBytes { try ours.read(into: $0) } == 8)
    let tids = threads(of: child.pid)
    #expect(tids.count == 4)
    #expect(try tids.map { try Scheduling.policy(of: $0) } == Array(repeating: Scheduling.idle, count: 4))
    try Scheduling.restoreNormal(pid: child.pid)
    #expect(try tids.map { try Scheduling.policy(of: $0) } == Array(repeating: Scheduling.other, count: 4))
    #expect(try finish(child, ours) == 0)
}

@Test func aConnectionsEngineRunsAtWarrensOwnPolicy() throws {
    let plan = try SpawnPlan(engine: "/bin/cat", arguments: [], policy: nil)
    let (child, ours) = try spawnThroughThread(plan, idle: false)
    #expect(try Scheduling.policy(of: child.pid) == Scheduling.other)
    #expect(try finish(child, ours) == 0)
}

/// The whole sandbox set-up runs idle too: a confined waiter still starts (no step of it needs a
/// normal policy) and is idle after its execve.
@Test func aSandboxedWaiterStartsAtIdlePriority() throws {
    guard requireRoot(), let engine = testEngine("hold") else { return }
    let plan = try SpawnPlan(
        engine: engine, arguments: [], policy: untrustedPolicy(seccomp: try untrustedSeccomp()))
    let (child, ours) = try spawnThroughThread(plan, idle: true)
    var line = [UInt8](repeating: 0, count: 8)
    #expect(try line.withUnsafeMutableBytes { try ours.read(into: $0) } == 8)
    #expect(String(decoding: line, as: UTF8.self) == "started\n")
    #expect(try Scheduling.policy(of: child.pid) == Scheduling.idle)
    try Scheduling.restoreNormal(pid: child.pid)
    #expect(try Scheduling.policy(of: child.pid) == Scheduling.other)
    #expect(try finish(child, ours) == 0)
}
