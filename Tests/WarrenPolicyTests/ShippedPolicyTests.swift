import Glibc
import Testing
import WarrenPolicy

/// The repository's policies/ directory, found from this file's path.
private let policiesDirectory: String = {
    var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)  // Tests/WarrenPolicyTests/ShippedPolicyTests.swift
    return parts.joined(separator: "/") + "/policies"
}()

private func readText(_ path: String) throws -> String {
    guard let file = fopen(path, "r") else { throw Failure("cannot open \(path)") }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    while case let c = fgetc(file), c != EOF { bytes.append(UInt8(c)) }
    return String(decoding: bytes, as: UTF8.self)
}

/// Loads a shipped policy copied into a tree that has the rootfs/ and out/site it expects.
private func loadShipped(_ name: String) throws -> (PolicyTree, Policy) {
    let tree = try PolicyTree()
    try tree.makeDirectory("out")
    try tree.makeDirectory("out/site")
    try tree.write("policies/\(name)", try readText(policiesDirectory + "/" + name))
    return (tree, try tree.load("policies/\(name)"))
}

/// Syscalls no shipped policy may allow in any form.
private let forbidden = [
    "ptrace", "mount", "umount2", "pivot_root", "chroot", "unshare", "setns", "socket", "connect",
    "bind", "listen", "accept4", "clone", "clone3", "fork", "vfork", "execveat", "kill", "tgkill",
    "init_module", "finit_module", "bpf", "perf_event_open", "keyctl", "add_key", "userfaultfd",
    "process_vm_readv", "process_vm_writev", "setuid", "setgid", "capset", "seccomp", "prctl",
    "io_uring_setup", "memfd_create", "mknodat", "mkdir", "unlink", "rename", "symlink", "chmod",
]

@Test func quillPolicyLoadsTight() throws {
    let (tree, policy) = try loadShipped("quill.toml")
    #expect(policy.rootfs.skeleton == tree.root + "/rootfs")
    #expect(
        policy.rootfs.binds == [BindMount(source: tree.root + "/out/site", target: "/site", writable: false)])
    #expect(policy.rootfs.tmpfs == [])
    #expect(policy.arguments == ["--site", "/site/public"])
    #expect(policy.environment.contains { $0.name == "SWIFT_ROOT" && $0.value == "/" })
    #expect(policy.namespaces.user == .fresh && policy.namespaces.net != .host)
    #expect(policy.uid == 65534 && policy.keepCapabilities.isEmpty)
    #expect(policy.limits.processes == 1 && policy.limits.fileSize == 0 && policy.limits.core == 0)
    #expect(policy.seccomp.defaultAction == .kill)
    let names = Set(policy.seccomp.rules.map(\.syscall))
    #expect(names.isDisjoint(with: forbidden), "\(names.intersection(forbidden))")
    // Writes only to the response and the log.
    let writes = policy.seccomp.rules.filter { $0.syscall == "write" }
    #expect(writes.map { $0.comparisons.map(\.value) } == [[1], [2]])
    #expect(policy.seccomp.instructionCount > 0 && policy.seccomp.instructionCount < 200)
}

@Test func untrustedPolicyLoadsStrict() throws {
    let (tree, policy) = try loadShipped("untrusted.toml")
    #expect(
        policy.namespaces == Namespaces(net: .fresh, ipc: .fresh, uts: .fresh, user: .fresh, cgroup: .fresh))
    #expect(
        policy.rootfs
            == RootfsPlan(
                skeleton: tree.root + "/rootfs", binds: [],
                tmpfs: [TmpfsMount(target: "/tmp", sizeBytes: 256 << 10)]))
    #expect(policy.uid == 65534 && policy.gid == 65534 && policy.keepCapabilities.isEmpty)
    #expect(policy.limits.processes == 1 && policy.limits.core == 0 && policy.limits.cpuSeconds == 2)
    #expect(policy.limits.addressSpace == 64 << 20 && policy.limits.openFiles == 16)
    #expect(
        policy.cgroup
            == CgroupLimits(
                memoryMax: 32 << 20, pidsMax: 1, cpuMaxQuotaMicros: 50_000, cpuMaxPeriodMicros: 100_000))
    #expect(policy.seccomp.defaultAction == .kill)
    let names = Set(policy.seccomp.rules.map(\.syscall))
    #expect(names.isDisjoint(with: forbidden), "\(names.intersection(forbidden))")
}

@Test func aPolicyCanExtendTheUntrustedTemplate() throws {
    let (tree, _) = try loadShipped("untrusted.toml")
    try tree.write(
        "policies/mine.toml",
        """
        extends = "untrusted.toml"
        args = ["--quiet"]
        [rootfs]
        bind = [{ source = "../out/site", target = "/data" }]
        [seccomp]
        allow = ["getdents64"]
        [seccomp.allow_if]
        write = { arg0 = [1, 2] }
        """)
    let policy = try tree.load("policies/mine.toml")
    #expect(policy.rootfs.binds.map(\.target) == ["/data"] && policy.rootfs.tmpfs.map(\.target) == ["/tmp"])
    #expect(policy.seccomp.rules.contains { $0.syscall == "getdents64" })
    #expect(policy.seccomp.rules.filter { $0.syscall == "write" }.allSatisfy { !$0.comparisons.isEmpty })
    #expect(policy.namespaces.net == .fresh && policy.limits.processes == 1)
}
