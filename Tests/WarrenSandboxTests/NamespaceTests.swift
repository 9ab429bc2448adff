import Glibc
import Testing
import WarrenPolicy
import WarrenSystem

@testable import WarrenSpawn

/// The engine's namespaces, as `net:[N] ipc:[N] uts:[N] user:[N] cgroup:[N] mnt:[N] pid:[N]`.
private func namespaces(_ plan: SpawnPlan) throws -> [String] {
    let result = try run(plan)
    #expect(result.exitCode == 0, "\(result.failure.map(plan.describe) ?? "")")
    return result.output.split(separator: "\n").first.map { $0.split(separator: " ").map(String.init) } ?? []
}

private func hostNamespace(_ kind: String) -> String {
    var link = [CChar](repeating: 0, count: 64)
    let n = readlink("/proc/self/ns/\(kind)", &link, 63)
    return n > 0 ? String(cString: link) : "?"
}

@Test func freshNamespacesDifferPerConnectionAndFromTheHost() throws {
    guard requireRoot(), let engine = testEngine() else { return }
    let plan = try SpawnPlan(
        engine: engine, arguments: ["ns"], policy: untrustedPolicy(seccomp: try untrustedSeccomp()))
    let first = try namespaces(plan)
    let second = try namespaces(plan)
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
    let plan = try SpawnPlan(engine: engine, arguments: ["ns"], policy: policy)
    let first = try namespaces(plan)
    let second = try namespaces(plan)
    let other = try namespaces(SpawnPlan(engine: engine, arguments: ["ns"], policy: policy))
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
