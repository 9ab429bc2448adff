import Glibc
import Testing
import WarrenSystem

@testable import WarrenSpawn

/// Reads a pipe until EOF (blocking; the fds here are test-local).
private func readAll(_ fd: FileDescriptor) throws -> [UInt8] {
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = try buffer.withUnsafeMutableBytes { try fd.read(into: $0) }
        if n == 0 { return out }
        out += buffer[0..<n]
    }
}

@Test func bareSpawnRunsTheEngineOnTheSocketWithOnlyTheGivenEnvironment() throws {
    var pair: [Int32] = [-1, -1]
    #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0)
    let ours = FileDescriptor(rawValue: pair[0])
    let theirs = FileDescriptor(rawValue: pair[1])
    let log = try FileDescriptor.open("/dev/null", .writeOnly, options: .closeOnExec)
    let plan = try SpawnPlan(engine: "/usr/bin/env", arguments: [], policy: nil)
    let child = try Spawner.spawn(
        plan, socket: theirs, log: log, environment: ["PROTO=TCP", "TCPREMOTEIP=127.0.0.1"])
    try theirs.close()
    try log.close()
    // EOF on the report pipe without a record: execve succeeded.
    var reportFlags = fcntl(child.report.rawValue, F_GETFL)
    reportFlags &= ~O_NONBLOCK
    _ = fcntl(child.report.rawValue, F_SETFL, reportFlags)
    #expect(try readAll(child.report).isEmpty)
    let output = String(decoding: try readAll(ours), as: UTF8.self)
    #expect(output == "PROTO=TCP\nTCPREMOTEIP=127.0.0.1\n")
    var status: Int32 = 0
    #expect(waitpid(child.pid, &status, 0) == child.pid)
    #expect(status == 0)
    try child.pidfd.close()
    try child.report.close()
    try ours.close()
}

@Test func aFailingExecveIsReportedAsStepAndErrno() throws {
    let null = try FileDescriptor.open("/dev/null", .readWrite, options: .closeOnExec)
    let plan = try SpawnPlan(engine: "/nonexistent/engine", arguments: [], policy: nil)
    let child = try Spawner.spawn(plan, socket: null, log: null, environment: [])
    try null.close()
    var reportFlags = fcntl(child.report.rawValue, F_GETFL)
    reportFlags &= ~O_NONBLOCK
    _ = fcntl(child.report.rawValue, F_SETFL, reportFlags)
    let failure = SpawnFailure(reportBytes: try readAll(child.report))
    #expect(failure == SpawnFailure(step: "execve", errno: .noSuchFileOrDirectory))
    var status: Int32 = 0
    #expect(waitpid(child.pid, &status, 0) == child.pid)
    #expect((status >> 8) & 0xff == 127)
    try child.pidfd.close()
    try child.report.close()
}
