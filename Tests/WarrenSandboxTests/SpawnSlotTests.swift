import Glibc
import Testing
import WarrenPolicy
import WarrenSystem

@testable import WarrenSpawn

/// The spawn thread clones with CLONE_FILES and the child keeps only warren's fds below the
/// thread's slots (spawn.c): these tests hold 2,000 extra fds at high numbers, as a warren holding
/// connections does, and look at what the child got and what the parent kept.

/// 2,000 fds on /dev/null from `base` up, closed by `release`. Nil (with the reason printed) when
/// the fd limit leaves no room for them.
private struct HighFds {
    var fds: [Int32] = []

    init?(count: Int = 2_000, base: Int32 = 10_000) throws {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        let needed = rlim_t(base) + rlim_t(count) + 16
        if limit.rlim_cur < needed && limit.rlim_max >= needed {
            limit.rlim_cur = needed
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        guard limit.rlim_cur >= needed else {
            print("skipped: RLIMIT_NOFILE \(limit.rlim_cur) leaves no room for \(count) fds from \(base)")
            return nil
        }
        let null = open("/dev/null", O_RDONLY | O_CLOEXEC)
        guard null >= 0 else { throw Errno(rawValue: errno) }
        defer { close(null) }
        for _ in 0..<count {
            let fd = fcntl(null, F_DUPFD_CLOEXEC, base)
            guard fd >= 0 else {
                release()
                throw Errno(rawValue: errno)
            }
            fds.append(fd)
        }
    }

    func release() { for fd in fds { close(fd) } }
}

private func awaitOutcome(_ spawner: SpawnThread) throws -> SpawnedChild {
    try awaitOutcomes(spawner, count: 1)[0].child.get()
}

/// The entries of /proc/PID/fd, as numbers.
private func openFds(of pid: pid_t) -> [Int32] {
    procNumbers("/proc/\(pid)/fd", dropListing: pid == getpid())
}

/// What /proc/self/fd/N links to ("socket:[1234]"), nil when N is not open.
private func link(_ fd: Int32) -> String? {
    var buffer = [CChar](repeating: 0, count: 128)
    let n = readlink("/proc/self/fd/\(fd)", &buffer, 127)
    return n > 0 ? String(cString: buffer) : nil
}

/// The FDSize line of /proc/PID/status: how many slots the process's fd table has.
private func fdTableSize(of pid: pid_t) throws -> Int? {
    let status = try FileDescriptor.open("/proc/\(pid)/status", .readOnly)
    defer { try? status.close() }
    let text = String(decoding: try readToEnd(status), as: UTF8.self)
    let line = text.split(separator: "\n").first { $0.hasPrefix("FDSize:") }
    return line.flatMap { Int($0.dropFirst("FDSize:".count).trimmingCharacters(in: " \t")) }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> Substring {
        var s = self
        while let c = s.first, set.contains(c) { s.removeFirst() }
        while let c = s.last, set.contains(c) { s.removeLast() }
        return s
    }
}

@Test func anEngineSpawnedBesideThousandsOfFdsGetsOnlyItsOwnAndASmallTable() throws {
    let spawner = try SpawnThread(capacity: 2)
    guard let high = try HighFds() else { return }
    defer { high.release() }
    let log = try FileDescriptor.open("/dev/null", .writeOnly, options: .closeOnExec)
    let pair = try socketPair()
    let theirs = try #require(link(pair.theirs.rawValue))
    // cat serves the socket until end of file: alive, past its execve, while we look at it.
    let plan = try SpawnPlan(engine: "/bin/cat", arguments: [], policy: nil)
    _ = try spawner.submit(plan, socket: pair.theirs, log: log, environment: [])
    let child = try awaitOutcome(spawner)
    try pair.theirs.close()
    try log.close()
    #expect(openFds(of: child.pid) == [0, 1, 2])
    // Without CLONE_FILES and the slots, the child's table was a copy of ours: 16,384 slots here
    // (fds up to 12,000), never shrunk by its close_range. With them it copies only the fds below
    // the slots (128 or 256 slots when this process holds few fds; more while parallel tests hold
    // many low ones, which pushes the slots up), never ours.
    let size = try #require(try fdTableSize(of: child.pid))
    let ours = try #require(try fdTableSize(of: getpid()))
    #expect(ours >= 16_384 && size < ours, "FDSize \(size), ours \(ours)")
    // No slot keeps our copy of the connection: nothing here links to its socket any more...
    #expect(openFds(of: getpid()).filter { link($0) == theirs }.isEmpty)
    // ...so the client sees end of file when the engine exits.
    _ = Array("echo\n".utf8).withUnsafeBytes { write(pair.ours.rawValue, $0.baseAddress, $0.count) }
    shutdown(pair.ours.rawValue, Int32(SHUT_WR))
    #expect(String(decoding: try readToEnd(pair.ours), as: UTF8.self) == "echo\n")
    #expect(try reapAndClose(child, pair.ours) == 0)
}

/// Shared namespaces are joined through their fds, which the spawn thread moves into its slots
/// too: with every namespace shared and thousands of fds above, the confined engine still starts
/// and sees only fds 0, 1 and 2.
@Test func sharedNamespacesAreJoinedThroughTheSlots() throws {
    guard requireRoot(), let engine = testEngine() else { return }
    var policy = untrustedPolicy(seccomp: try untrustedSeccomp())
    policy.namespaces = Namespaces(net: .shared, ipc: .shared, uts: .shared, user: .shared, cgroup: .shared)
    let plan = try SpawnPlan(engine: engine, arguments: ["fds"], policy: policy)
    let spawner = try SpawnThread(capacity: 2)
    guard let high = try HighFds() else { return }
    defer { high.release() }
    let null = try FileDescriptor.open("/dev/null", .readWrite, options: .closeOnExec)
    let pair = try socketPair()
    _ = try spawner.submit(plan, socket: pair.theirs, log: null, environment: ["PROTO=TCP"])
    let child = try awaitOutcome(spawner)
    try pair.theirs.close()
    try null.close()
    _ = fcntl(child.report.rawValue, F_SETFL, fcntl(child.report.rawValue, F_GETFL) & ~O_NONBLOCK)
    let report = try readToEnd(child.report)
    #expect(SpawnFailure(reportBytes: report) == nil)
    let output = String(decoding: try readToEnd(pair.ours), as: UTF8.self)
    #expect(output.hasPrefix("fds: confined"), "\(output)")
    #expect(try reapAndClose(child, pair.ours) == 0)
}
