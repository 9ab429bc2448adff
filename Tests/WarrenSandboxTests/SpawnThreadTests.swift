import Glibc
import Testing
import WarrenSystem

@testable import WarrenSpawn

private func blocking(_ fd: FileDescriptor) -> FileDescriptor {
    _ = fcntl(fd.rawValue, F_SETFL, fcntl(fd.rawValue, F_GETFL) & ~O_NONBLOCK)
    return fd
}

private func reap(_ child: SpawnedChild) -> Int32 {
    var status: Int32 = 0
    while waitpid(child.pid, &status, 0) < 0 && errno == EINTR {}
    try? child.pidfd.close()
    try? child.report.close()
    return status
}

@Test func theSpawnThreadRunsEachEngineOnItsOwnSocketAndAnswersInOrder() throws {
    let spawner = try SpawnThread(capacity: 8)
    let log = try FileDescriptor.open("/dev/null", .writeOnly, options: .closeOnExec)
    let plan = try SpawnPlan(engine: "/usr/bin/env", arguments: [], policy: nil)
    var pairs: [(ours: FileDescriptor, theirs: FileDescriptor)] = []
    var tokens: [UInt64] = []
    for i in 0..<5 {
        let pair = try socketPair()
        pairs.append(pair)
        tokens.append(try spawner.submit(plan, socket: pair.theirs, log: log, environment: ["N=\(i)"]))
    }
    #expect(spawner.inFlight == 5)
    let outcomes = awaitOutcomes(spawner, count: 5)
    #expect(outcomes.map(\.token) == tokens)
    #expect(spawner.inFlight == 0)
    try log.close()
    for (i, outcome) in outcomes.enumerated() {
        let child = try outcome.child.get()
        try pairs[i].theirs.close()
        // End of file without a record: the execve succeeded. (Blocking: a child other tests are
        // spawning meanwhile may hold a copy of the write end until its close_range.)
        #expect(try readToEnd(blocking(child.report)).isEmpty)
        #expect(String(decoding: try readToEnd(pairs[i].ours), as: UTF8.self) == "N=\(i)\n")
        #expect(reap(child) == 0)
        try pairs[i].ours.close()
    }
}

@Test func aFailedStepIsInTheReportByTheTimeTheThreadAnswers() throws {
    let spawner = try SpawnThread(capacity: 2)
    let null = try FileDescriptor.open("/dev/null", .readWrite, options: .closeOnExec)
    let plan = try SpawnPlan(engine: "/nonexistent/engine", arguments: [], policy: nil)
    _ = try spawner.submit(plan, socket: null, log: null, environment: [])
    let child = try #require(awaitOutcomes(spawner, count: 1).first).child.get()
    try null.close()
    // Non-blocking read: the record is there already, no waiting for the child.
    let bytes = try #require(try child.report.readAvailable(upTo: 64))
    #expect(SpawnFailure(reportBytes: bytes) == SpawnFailure(step: "execve", errno: .noSuchFileOrDirectory))
    #expect((reap(child) >> 8) & 0xff == 127)
}

@Test func aFullRingRefusesWithEAGAINUntilResultsAreTaken() throws {
    let spawner = try SpawnThread(capacity: 2)
    let null = try FileDescriptor.open("/dev/null", .readWrite, options: .closeOnExec)
    let plan = try SpawnPlan(engine: "/bin/true", arguments: [], policy: nil)
    _ = try spawner.submit(plan, socket: null, log: null, environment: [])
    _ = try spawner.submit(plan, socket: null, log: null, environment: [])
    #expect(spawner.isFull)
    #expect(throws: Errno.resourceTemporarilyUnavailable) {
        _ = try spawner.submit(plan, socket: null, log: null, environment: [])
    }
    for outcome in awaitOutcomes(spawner, count: 2) { #expect(reap(try outcome.child.get()) == 0) }
    #expect(!spawner.isFull)
    _ = try spawner.submit(plan, socket: null, log: null, environment: [])
    for outcome in awaitOutcomes(spawner, count: 1) { #expect(reap(try outcome.child.get()) == 0) }
    try null.close()
}

@Test func aCapacityThatIsNotAPowerOfTwoIsRefused() {
    #expect(throws: Errno.invalidArgument) { _ = try SpawnThread(capacity: 3) }
}

@Test func sandboxedEnginesStartThroughTheSpawnThread() throws {
    guard requireRoot(), let engine = testEngine("hello") else { return }
    let plan = try SpawnPlan(engine: engine, arguments: ["thread"], policy: untrustedPolicy())
    let spawner = try SpawnThread(capacity: 4)
    let log = try FileDescriptor.open("/dev/null", .writeOnly, options: .closeOnExec)
    let pair = try socketPair()
    _ = try spawner.submit(plan, socket: pair.theirs, log: log, environment: ["PROTO=TCP"])
    let child = try #require(awaitOutcomes(spawner, count: 1).first).child.get()
    try pair.theirs.close()
    try log.close()
    #expect(try readToEnd(blocking(child.report)).isEmpty)
    shutdown(pair.ours.rawValue, Int32(SHUT_WR))
    let reply = String(decoding: try readToEnd(pair.ours), as: UTF8.self)
    #expect(reply.hasSuffix("\r\n\r\nhello thread\n"))
    #expect(reap(child) == 0)
    try pair.ours.close()
}

/// CLONE_VM children share warren's memory map, and with it the dumpable flag that every child's
/// id change clears: children in their set-up at the same time must still all get their maps
/// written (opening them once depended on the flag, and failed here with EACCES).
@Test func twoSpawnThreadsStartFreshUserNamespacesSideBySide() throws {
    guard requireRoot(), let engine = testEngine("hello") else { return }
    let plan = try SpawnPlan(engine: engine, arguments: [], policy: untrustedPolicy(user: .fresh))
    let threads = [try SpawnThread(capacity: 256), try SpawnThread(capacity: 256)]
    let null = try FileDescriptor.open("/dev/null", .readWrite, options: .closeOnExec)
    for _ in 0..<200 {
        for thread in threads {
            _ = try thread.submit(plan, socket: null, log: null, environment: ["PROTO=TCP"])
        }
    }
    var failures: [SpawnFailure] = []
    for thread in threads {
        for outcome in awaitOutcomes(thread, count: 200) {
            let child = try outcome.child.get()
            let report = try readToEnd(blocking(child.report))
            if let failure = SpawnFailure(reportBytes: report) { failures.append(failure) }
            _ = reap(child)
        }
    }
    try null.close()
    #expect(failures.isEmpty)
}

/// A fresh user namespace's engine holds uid/gid outside in every slot (real, effective, saved,
/// filesystem): the child's passage through effective-only ids and fsuid 0 leaves nothing of root.
@Test func aFreshUserEngineHoldsThePolicysIdsInEverySlot() throws {
    guard requireRoot(), let engine = testEngine("hello") else { return }
    let plan = try SpawnPlan(engine: engine, arguments: [], policy: untrustedPolicy(user: .fresh))
    let (child, ours) = try start(plan)
    #expect(try readToEnd(blocking(child.report)).isEmpty)
    // hello waits for a request head: it is alive, past its execve, until we shut our end.
    let status = try String(
        decoding: readToEnd(FileDescriptor.open("/proc/\(child.pid)/status", .readOnly)), as: UTF8.self)
    let lines = status.split(separator: "\n")
    #expect(
        lines.first { $0.hasPrefix("Uid:") }?.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst()
            == ["65534", "65534", "65534", "65534"])
    #expect(
        lines.first { $0.hasPrefix("Gid:") }?.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst()
            == ["65534", "65534", "65534", "65534"])
    shutdown(ours.rawValue, Int32(SHUT_WR))
    _ = try readToEnd(ours)
    #expect(reap(child) == 0)
    try ours.close()
}
