import Glibc
import Testing
import WarrenPolicy
import WarrenSystem

@testable import WarrenSpawn

/// The namespaces of engines that are all alive at once, one line each, as
/// `net:[N] ipc:[N] uts:[N] user:[N] cgroup:[N] mnt:[N] pid:[N]`. The kernel reuses a freed
/// namespace's inode number, so engines run one after another could show the same number for two
/// different namespaces: each engine here holds its namespaces until every line has been read.
private func liveNamespaces(_ plans: [SpawnPlan]) throws -> [[String]] {
    let held = try plans.map { try start($0) }
    var lines: [[String]] = []
    for (_, socket) in held {
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while try withUnsafeMutableBytes(of: &byte, { try socket.read(into: $0) }) == 1, byte != 10 {
            line.append(byte)
        }
        lines.append(String(decoding: line, as: UTF8.self).split(separator: " ").map(String.init))
    }
    for (child, socket) in held {
        shutdown(socket.rawValue, Int32(SHUT_WR))
        _ = try readToEnd(socket)
        var status: Int32 = 0
        while waitpid(child.pid, &status, 0) < 0 && errno == EINTR {}
        #expect(status == 0, "engine \(child.pid) ended with status \(status)")
        try child.pidfd.close()
        try child.report.close()
        try socket.close()
    }
    return lines
}

private func hostNamespace(_ kind: String) -> String {
    var link = [CChar](repeating: 0, count: 64)
    let n = readlink("/proc/self/ns/\(kind)", &link, 63)
    return n > 0 ? String(cString: link) : "?"
}

@Test func freshNamespacesDifferPerConnectionAndFromTheHost() throws {
    guard requireRoot(), let engine = testEngine() else { return }
    let plan = try SpawnPlan(
        engine: engine, arguments: ["ns-hold"], policy: untrustedPolicy(seccomp: try untrustedSeccomp()))
    let both = try liveNamespaces([plan, plan])
    let (first, second) = (both[0], both[1])
    #expect(first.count == 7)
    let kinds = ["net", "ipc", "uts", "user", "cgroup", "mnt", "pid"]
    for (i, kind) in kinds.enumerated() where i < first.count && i < second.count {
        #expect(first[i] != second[i], "\(kind) is shared between connections")
        #expect(first[i] != hostNamespace(kind), "\(kind) is the host's")
    }
}

@Test func sharedNamespacesAreOnePerPlanAndNotTheHosts() throws {
    guard requireRoot(), let engine = testEngine() else { return }
    var policy = untrustedPolicy(seccomp: try untrustedSeccomp())
    policy.namespaces = Namespaces(net: .shared, ipc: .shared, uts: .shared, user: .shared, cgroup: .shared)
    let plan = try SpawnPlan(engine: engine, arguments: ["ns-hold"], policy: policy)
    let otherPlan = try SpawnPlan(engine: engine, arguments: ["ns-hold"], policy: policy)
    let all = try liveNamespaces([plan, plan, otherPlan])
    let (first, second, other) = (all[0], all[1], all[2])
    #expect(first.count == 7 && second.count == 7 && other.count == 7)
    for (i, kind) in ["net", "ipc", "uts", "user", "cgroup"].enumerated() where i < first.count {
        #expect(first[i] == second[i], "\(kind) differs between connections of one plan")
        #expect(first[i] != other[i], "\(kind) is shared between plans")
        #expect(first[i] != hostNamespace(kind), "\(kind) is the host's")
    }
    // Mount and PID namespaces are new per connection whatever the policy says.
    #expect(first[5] != second[5])
    #expect(first[6] != second[6])
}

@Test func theHostnameIsThePolicys() throws {
    guard requireRoot(), let engine = testEngine() else { return }
    for uts in [NamespaceMode.fresh, .shared] {
        var policy = untrustedPolicy(seccomp: try untrustedSeccomp())
        policy.namespaces.uts = uts
        policy.hostname = "sandboxed-\(uts)"
        let result = try run(SpawnPlan(engine: engine, arguments: ["hostname"], policy: policy))
        #expect(result.output == "sandboxed-\(uts)\n")
    }
}

/// A reload drops old plans: their namespaces must go with them. (Tests run in parallel, so this
/// looks at the plan's own fds, not at a count of the process's.)
@Test func droppingAPlanReleasesItsNamespaces() throws {
    guard requireRoot(), let engine = testEngine() else { return }
    func target(_ fd: Int32) -> String? {
        var link = [CChar](repeating: 0, count: 128)
        let n = readlink("/proc/self/fd/\(fd)", &link, 127)
        return n > 0 ? String(cString: link) : nil
    }
    var policy = untrustedPolicy(seccomp: try untrustedSeccomp())
    policy.namespaces = Namespaces(net: .shared, ipc: .shared, uts: .shared, user: .shared, cgroup: .shared)
    var plan: SpawnPlan? = try SpawnPlan(engine: engine, arguments: [], policy: policy)
    let p = plan!.preparedNamespaces
    let fds = [p.mnt_fd, p.net_fd, p.ipc_fd, p.uts_fd, p.cgroup_fd, p.user_fd]
    let held = fds.map(target)
    #expect(fds.allSatisfy { $0 >= 0 })
    #expect(held.allSatisfy { $0?.contains(":[") == true }, "\(held)")
    plan = nil
    for (fd, before) in zip(fds, held) {
        // Closed, or already reused by another test for something else.
        #expect(target(fd) != before)
    }
}
