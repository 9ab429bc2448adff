import CWarrenSpawn
import Glibc
import Testing
import WarrenPolicy
import WarrenSystem

@testable import WarrenSpawn

/// A tree of this process's own, or nil (with the reason printed) where the host has no writable
/// cgroup v2 hierarchy.
private func makeTree() -> CgroupTree? {
    guard requireRoot() else { return nil }
    let host = HostFeatures.detect()
    guard host.cgroupLeavesAvailable else {
        print("skipped: no cgroup leaves on this host (\(host.cgroupUnavailableReason))")
        return nil
    }
    do {
        return try CgroupTree(host: host)
    } catch {
        Issue.record("cannot make a cgroup tree: \(error)")
        return nil
    }
}

/// Spawns `plan` into `leaf` on a socketpair; the leaf's fd is closed right after the clone, as
/// the server does.
private func spawn(_ plan: SpawnPlan, into leaf: CgroupLeaf) throws -> (
    child: SpawnedChild, socket: FileDescriptor
) {
    var pair: [Int32] = [-1, -1]
    guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0
    else {
        throw Errno(rawValue: errno)
    }
    let theirs = FileDescriptor(rawValue: pair[1])
    let log = try FileDescriptor.open("/dev/null", .writeOnly, options: .closeOnExec)
    defer {
        try? theirs.close()
        try? log.close()
        try? leaf.descriptor.close()
    }
    let child = try Spawner.spawn(
        plan, socket: theirs, log: log, environment: ["PROTO=TCP"], cgroup: leaf.descriptor)
    return (child, FileDescriptor(rawValue: pair[0]))
}

/// Waits (bounded: 20 s) until the process behind `pidfd` has exited; false if it never did.
private func exits(_ pidfd: Int32) -> Bool {
    var entry = pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)
    return poll(&entry, 1, 20_000) == 1
}

private func lines(_ fd: FileDescriptor) throws -> [String] {
    String(decoding: try readToEnd(fd), as: UTF8.self).split(separator: "\n").map(String.init)
}

/// CLONE_INTO_CGROUP: the child starts in its leaf (its /proc/self/cgroup, read in the host's
/// cgroup namespace, names the leaf), and the leaf and the whole tree go once it is reaped.
@Test func aChildStartsInItsLeafAndTheTreeGoesAfterwards() throws {
    guard let tree = makeTree(), let engine = testEngine("cgroupfork") else { return }
    let mount = try #require(HostFeatures.detect().cgroup2Mount)
    let leaf = try tree.makeLeaf(service: "test", name: "c1", files: [])
    let (child, socket) = try spawn(
        try SpawnPlan(engine: engine, arguments: ["cgroup"], policy: nil), into: leaf)
    let output = try lines(socket)
    var status: Int32 = 0
    while waitpid(child.pid, &status, 0) < 0 && errno == EINTR {}
    try child.pidfd.close()
    try child.report.close()
    try socket.close()
    // The cgroup v2 line ("0::PATH"); v1 hierarchies, where mounted, have lines of their own.
    #expect(output.filter { $0.hasPrefix("0::") } == ["0::" + leaf.path.dropFirst(mount.count)])
    #expect(try CgroupTree.remove(leaf.path))
    #expect(access(leaf.path, F_OK) != 0)
    #expect(tree.removeAll().isEmpty)
    #expect(access(tree.root, F_OK) != 0)
}

/// Without a PID namespace (the bare path), killing the engine leaves a grandchild that moved to
/// its own session running; cgroup.kill ends it. The leaf is then empty and can be removed.
@Test func cgroupKillEndsAGrandchildThatLeftTheProcessGroup() throws {
    guard let tree = makeTree(), let engine = testEngine("cgroupfork") else { return }
    defer { _ = tree.removeAll() }
    let leaf = try tree.makeLeaf(service: "test", name: "c1", files: [])
    let (child, socket) = try spawn(try SpawnPlan(engine: engine, arguments: [], policy: nil), into: leaf)
    defer {
        try? child.pidfd.close()
        try? child.report.close()
        try? socket.close()
    }
    var buffer = [UInt8](repeating: 0, count: 64)
    let n = try buffer.withUnsafeMutableBytes { try socket.read(into: $0) }
    let line = String(decoding: buffer.prefix(n), as: UTF8.self)
    let grandchild = try #require(
        line.hasPrefix("left ") ? pid_t(line.dropFirst(5).prefix(while: { $0 != "\n" })) : nil,
        "engine said \(line)")
    let grandchildFD = warren_pidfd_open(grandchild, 0)
    try #require(grandchildFD >= 0)
    defer { close(grandchildFD) }
    let procs = readSmallFile(leaf.path + "/cgroup.procs") ?? ""
    #expect(Set(procs.split(separator: "\n")) == Set(["\(child.pid)", "\(grandchild)"]))

    try child.pidfd.sendSignal(SIGKILL)
    var status: Int32 = 0
    while waitpid(child.pid, &status, 0) < 0 && errno == EINTR {}
    var entry = pollfd(fd: grandchildFD, events: Int16(POLLIN), revents: 0)
    #expect(poll(&entry, 1, 0) == 0, "the grandchild died with the engine: this test shows nothing")
    #expect(try !CgroupTree.remove(leaf.path), "a populated leaf was removed")

    try CgroupTree.kill(leaf: leaf.path)
    #expect(exits(grandchildFD))
    #expect(try CgroupTree.remove(leaf.path))
}

/// `cgroup_leaf = "required"` where the host has no cgroup leaves: the plan is refused.
@Test func aRequiredLeafIsRefusedWithoutCgroupV2() throws {
    var policy = untrustedPolicy(seccomp: try untrustedSeccomp())
    policy.cgroup.leafRequired = true
    let host = HostFeatures(cgroup2Mount: nil, cgroup2Directory: nil, controllers: [])
    #expect(throws: SandboxPlanError.self) {
        _ = try SpawnPlan(engine: "/bin/true", arguments: [], policy: policy, host: host)
    }
}

/// Controllers the host delegates are written into each leaf, not turned into rlimits; those it
/// does not are the rlimit fallback and the warning.
@Test func enforcedControllersBecomeLeafFiles() {
    let host = HostFeatures(
        cgroup2Mount: "/sys/fs/cgroup", cgroup2Directory: "/sys/fs/cgroup/warren",
        controllers: ["memory", "pids"],
        cgroup2Writable: true)
    var policy = untrustedPolicy(seccomp: CompiledSeccomp(program: []))
    policy.limits.addressSpace = 64 << 20
    policy.limits.processes = 2
    policy.cgroup = CgroupLimits(
        memoryMax: 32 << 20, pidsMax: 1, cpuMaxQuotaMicros: 50_000, cpuMaxPeriodMicros: 100_000)
    let enforcement = host.enforcement(for: policy)
    #expect(
        enforcement.cgroupFiles == [
            CgroupFile(name: "memory.max", value: "33554432"), CgroupFile(name: "pids.max", value: "1"),
        ])
    #expect(enforcement.rlimits.addressSpace == 64 << 20)
    #expect(enforcement.rlimits.processes == 2)
    #expect(enforcement.warning?.hasSuffix("cpu.max NOT enforced (RLIMIT_CPU=2 s only)") == true)
}

/// A tree left by a warren that was SIGKILLed (its pid gone) is removed when the next tree is made;
/// a tree whose warren still runs (this process's own) is left alone.
@Test func aStaleTreeIsRemovedByTheNextWarren() throws {
    guard let first = makeTree() else { return }
    defer { _ = first.removeAll() }
    let parent = try #require(HostFeatures.detect().cgroup2Directory)
    // A pid that existed and is gone: a child that has exited and been reaped.
    let child = fork()
    if child == 0 { _exit(0) }
    var status: Int32 = 0
    while waitpid(child, &status, 0) < 0 && errno == EINTR {}
    let stale = parent + "/warren.\(child).1"
    try #require(
        mkdir(stale, 0o755) == 0 && mkdir(stale + "/svc-x", 0o755) == 0
            && mkdir(stale + "/svc-x/c7", 0o755) == 0)
    _ = try first.makeLeaf(service: "live", name: "c1", files: [])
    let second = try #require(makeTree())
    defer { _ = second.removeAll() }
    #expect(second.removedStale.contains(stale), "\(second.removedStale)")
    #expect(access(stale, F_OK) != 0)
    #expect(access(first.root + "/svc-live/c1", F_OK) == 0)
}

/// Where the host delegates memory or pids controllers, the policy's limit files land in each leaf
/// with the values the policy gives. This development host has none in cgroup v2, so the test skips
/// here (saying so) and runs on a host that delegates them.
@Test func limitFilesAreWrittenIntoEachLeafWhereTheHostOffersTheController() throws {
    guard let tree = makeTree() else { return }
    defer { _ = tree.removeAll() }
    let wanted = [
        CgroupFile(name: "memory.max", value: "33554432"), CgroupFile(name: "pids.max", value: "3"),
    ].filter { tree.controllers.contains(String($0.name.prefix { $0 != "." })) }
    guard !wanted.isEmpty else {
        print(
            "skipped: the host's cgroup v2 delegates neither memory nor pids (\(tree.controllers.sorted()))")
        return
    }
    let leaf = try tree.makeLeaf(service: "limits", name: "c1", files: wanted)
    defer {
        try? leaf.descriptor.close()
        _ = try? CgroupTree.remove(leaf.path)
    }
    for file in wanted {
        let fd = try FileDescriptor.open(leaf.path + "/" + file.name, .readOnly, options: .closeOnExec)
        defer { try? fd.close() }
        let text = String(decoding: try readToEnd(fd), as: UTF8.self)
        #expect(text.split(separator: "\n").first.map(String.init) == file.value, "\(file.name)")
    }
}
