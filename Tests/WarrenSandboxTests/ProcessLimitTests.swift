import Glibc
import Testing
import WarrenPolicy
import WarrenSystem

@testable import WarrenSpawn

/// RLIMIT_NPROC counts processes per (user namespace, uid) on kernels since 5.14, and warren sets
/// it only after the identity change: hundreds of engines under one outside uid and `processes = 1`
/// must all run at once (while each one's own fork still fails: aForkBombIsStoppedByTheProcessLimit).
@Test(arguments: [NamespaceMode.fresh, .host])
func hundredsOfConcurrentEnginesRunUnderAOneProcessLimit(_ user: NamespaceMode) throws {
    guard requireRoot(), let engine = testEngine() else { return }
    let count = 200
    let plan = try SpawnPlan(
        engine: engine, arguments: ["echo"],
        policy: untrustedPolicy(seccomp: untrustedSeccomp(), user: user, processes: 1))
    let log = try FileDescriptor.open("/dev/null", .writeOnly, options: .closeOnExec)
    defer { try? log.close() }
    var engines: [(socket: FileDescriptor, child: SpawnedChild)] = []
    defer {
        for (socket, child) in engines {
            try? socket.close()
            var status: Int32 = 0
            waitpid(child.pid, &status, 0)
            try? child.pidfd.close()
            try? child.report.close()
        }
    }
    for _ in 0..<count {
        var pair: [Int32] = [-1, -1]
        #expect(
            socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0)
        let child = try Spawner.spawn(
            plan, socket: FileDescriptor(rawValue: pair[1]), log: log, environment: ["PROTO=TCP"])
        close(pair[1])
        engines.append((FileDescriptor(rawValue: pair[0]), child))
    }
    // Every engine is alive at once: each answers while all others still hold their process.
    var answered = 0
    var failures: [String] = []
    for (socket, child) in engines {
        let ping = Array("ping\n".utf8)
        _ = ping.withUnsafeBytes { send(socket.rawValue, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var buffer = [UInt8](repeating: 0, count: 16)
        let n = buffer.withUnsafeMutableBytes { read(socket.rawValue, $0.baseAddress, $0.count) }
        if n == 5 && buffer[0..<5] == ping[...] {
            answered += 1
        } else {
            let flags = fcntl(child.report.rawValue, F_GETFL)
            _ = fcntl(child.report.rawValue, F_SETFL, flags & ~O_NONBLOCK)
            let report = (try? readToEnd(child.report)) ?? []
            failures.append(SpawnFailure(reportBytes: report).map(plan.describe) ?? "no answer")
        }
    }
    #expect(answered == count, "first failures: \(failures.prefix(3))")
}
