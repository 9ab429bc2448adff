import CSeccomp
import Glibc
import Testing
import WarrenPolicy
import WarrenSystem

@testable import WarrenSpawn

/// The repository root, from this file's path (Tests/WarrenSandboxTests/Support.swift).
let repositoryRoot: String = {
    var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/")
}()

/// The static test engine built by `make test-engines`; records a clear issue when it is missing.
func testEngine(_ name: String = "confine") -> String? {
    let path = repositoryRoot + "/.build/test-engines/" + name
    guard access(path, X_OK) == 0 else {
        Issue.record("\(path) is missing: run `make test-engines` first")
        return nil
    }
    return path
}

/// Namespaces and mounts need root; without it these tests cannot say anything.
func requireRoot() -> Bool {
    guard geteuid() == 0 else {
        print("skipped: the sandbox tests need root (namespaces, mounts)")
        return false
    }
    return true
}

/// One seccomp rule for `compileSeccomp`.
struct SeccompRule {
    var syscall: String
    var action: UInt32
    /// (argument index, value that argument must equal); the rule matches when all hold.
    var equal: [(UInt32, UInt64)] = []
}

let actAllow: UInt32 = 0x7fff_0000
let actKillProcess: UInt32 = 0x8000_0000
func actErrno(_ errno: Int32) -> UInt32 { 0x0005_0000 | (UInt32(errno) & 0xffff) }

/// Compiles a filter with libseccomp and exports its BPF, as the policy loader does at load.
func compileSeccomp(defaultAction: UInt32, rules: [SeccompRule]) throws -> CompiledSeccomp {
    guard let ctx = seccomp_init(defaultAction) else { throw Errno.invalidArgument }
    defer { seccomp_release(ctx) }
    for rule in rules {
        let nr = seccomp_syscall_resolve_name(rule.syscall)
        guard nr != __NR_SCMP_ERROR else {
            Issue.record("unknown syscall \(rule.syscall)")
            throw Errno.invalidArgument
        }
        let comparisons = rule.equal.map { arg, value in
            scmp_arg_cmp(arg: arg, op: SCMP_CMP_EQ, datum_a: value, datum_b: 0)
        }
        let rc = comparisons.withUnsafeBufferPointer {
            seccomp_rule_add_array(ctx, rule.action, nr, UInt32(comparisons.count), $0.baseAddress)
        }
        guard rc == 0 else { throw Errno(rawValue: -rc) }
    }
    // libseccomp 2.5 has no export to memory: export to a pipe and read it back.
    var fds: [Int32] = [-1, -1]
    guard pipe(&fds) == 0 else { throw Errno(rawValue: errno) }
    defer { close(fds[0]) }
    let rc = seccomp_export_bpf(ctx, fds[1])
    close(fds[1])
    guard rc == 0 else { throw Errno(rawValue: -rc) }
    var program: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = buffer.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
        if n <= 0 { break }
        program += buffer[0..<n]
    }
    return CompiledSeccomp(program: program)
}

/// What a static C engine needs to start, exit and do the confinement checks.
let baseSyscalls = [
    "execve", "arch_prctl", "brk", "mmap", "munmap", "mprotect", "set_tid_address", "set_robust_list",
    "rseq", "prlimit64", "getrandom", "readlink", "readlinkat", "read", "write", "openat", "close",
    "fstat", "newfstatat", "lseek", "fcntl", "ioctl", "getdents64", "getpid", "exit", "exit_group",
    "dup", "kill", "clone", "clone3", "wait4", "pause", "mkdir", "mkdirat", "access", "faccessat",
    "faccessat2", "rt_sigreturn", "uname",
]

/// Tests/Engines/confine.toml, loaded by the policy loader: the shipped policies/untrusted.toml plus
/// only what confine needs to report. Loaded once.
let confinePolicy: Policy? = {
    do {
        return try PolicyLoader.load(path: repositoryRoot + "/Tests/Engines/confine.toml")
    } catch {
        Issue.record("Tests/Engines/confine.toml does not load: \(error)")
        return nil
    }
}()

/// The policy the confinement tests run under: confine.toml as loaded, with only the given changes.
func untrustedPolicy(
    seccomp: CompiledSeccomp? = nil, user: NamespaceMode? = nil, binds: [BindMount] = [],
    tmpfsBytes: UInt64? = nil, processes: UInt64? = nil, cpuSeconds: UInt64? = nil
) -> Policy {
    guard var policy = confinePolicy else {
        // Recorded above; an empty filter makes every spawn refuse, so nothing passes by accident.
        return Policy(
            path: "confine.toml",
            namespaces: Namespaces(net: .fresh, ipc: .fresh, uts: .fresh, user: .fresh, cgroup: .fresh),
            uid: 65534, gid: 65534, rootfs: RootfsPlan(skeleton: "/nonexistent", binds: [], tmpfs: []),
            limits: ResourceLimits(), cgroup: CgroupLimits(), keepCapabilities: [],
            seccomp: CompiledSeccomp(program: []), environment: [], arguments: [], workingDirectory: "/",
            hostname: nil)
    }
    if let seccomp { policy.seccomp = seccomp }
    if let user { policy.namespaces.user = user }
    policy.rootfs.binds += binds
    if let tmpfsBytes {
        policy.rootfs.tmpfs = [TmpfsMount(target: "/tmp", sizeBytes: tmpfsBytes)]
    }
    if let processes { policy.limits.processes = processes }
    if let cpuSeconds { policy.limits.cpuSeconds = cpuSeconds }
    return policy
}

/// The shipped filter (untrusted.toml + confine.toml), as the loader compiled it.
func untrustedSeccomp() throws -> CompiledSeccomp {
    try #require(confinePolicy).seccomp
}

/// How one engine run ended.
struct EngineRun {
    var output: String
    /// The step that failed before execve, if any.
    var failure: SpawnFailure?
    /// Exit code, or nil when killed.
    var exitCode: Int32?
    /// The signal that killed it, or nil when it exited.
    var signal: Int32?
    var pid: pid_t
}

/// Spawns `plan` on one end of a socketpair (stderr to /dev/null) and returns the child with the
/// other end, which the caller owns.
func start(_ plan: SpawnPlan, environment: [String] = ["PROTO=TCP"]) throws -> (
    child: SpawnedChild, socket: FileDescriptor
) {
    var pair: [Int32] = [-1, -1]
    guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0
    else {
        throw Errno(rawValue: errno)
    }
    let theirs = FileDescriptor(rawValue: pair[1])
    let log = try FileDescriptor.open("/dev/null", .writeOnly, options: .closeOnExec)
    let child = try Spawner.spawn(plan, socket: theirs, log: log, environment: environment)
    try theirs.close()
    try log.close()
    return (child, FileDescriptor(rawValue: pair[0]))
}

/// Spawns `plan` on a socketpair, waits for it, and collects what it wrote.
func run(_ plan: SpawnPlan, environment: [String] = ["PROTO=TCP"], input: String = "") throws -> EngineRun {
    let (child, ours) = try start(plan, environment: environment)
    // MSG_NOSIGNAL and no throw: an engine that never ran (or exited) closes its end early.
    if !input.isEmpty {
        _ = Array(input.utf8).withUnsafeBytes {
            send(ours.rawValue, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
        }
    }
    shutdown(ours.rawValue, Int32(SHUT_WR))
    let flags = fcntl(child.report.rawValue, F_GETFL)
    _ = fcntl(child.report.rawValue, F_SETFL, flags & ~O_NONBLOCK)
    let report = try readToEnd(child.report)
    let output = String(decoding: try readToEnd(ours), as: UTF8.self)
    let status = try reapAndClose(child, ours)
    let signal = status & 0x7f
    return EngineRun(
        output: output, failure: SpawnFailure(reportBytes: report),
        exitCode: signal == 0 ? (status >> 8) & 0xff : nil, signal: signal == 0 ? nil : signal,
        pid: child.pid)
}

func readToEnd(_ fd: FileDescriptor) throws -> [UInt8] {
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n: Int
        do {
            n = try buffer.withUnsafeMutableBytes { try fd.read(into: $0) }
        } catch Errno.connectionReset {
            // The engine closed with our input unread (it never ran, or ignored it): the end.
            return out
        }
        if n == 0 { return out }
        out += buffer[0..<n]
    }
}

/// Waits (poll, no timeout: the thread always answers) until the spawn thread has `count`
/// results, and takes them.
func awaitOutcomes(_ spawner: SpawnThread, count: Int) -> [SpawnThread.Outcome] {
    var outcomes: [SpawnThread.Outcome] = []
    while outcomes.count < count {
        var ready = pollfd(fd: spawner.resultDescriptor.rawValue, events: Int16(POLLIN), revents: 0)
        _ = poll(&ready, 1, -1)
        outcomes += spawner.takeAll()
    }
    return outcomes
}

/// A connected pair of close-on-exec stream sockets: ours, and theirs for the engine.
func socketPair() throws -> (ours: FileDescriptor, theirs: FileDescriptor) {
    var pair: [Int32] = [-1, -1]
    guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0
    else {
        throw Errno(rawValue: errno)
    }
    return (FileDescriptor(rawValue: pair[0]), FileDescriptor(rawValue: pair[1]))
}

/// The numeric entries of a /proc directory (`/proc/PID/fd`, `/proc/PID/task`), sorted.
/// `dropListing`: leave out the fd this listing itself uses (when reading our own fd directory).
func procNumbers(_ path: String, dropListing: Bool = false) -> [Int32] {
    guard let dir = opendir(path) else { return [] }
    defer { closedir(dir) }
    var numbers: [Int32] = []
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) {
            String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
        }
        if let number = Int32(name), !(dropListing && number == dirfd(dir)) { numbers.append(number) }
    }
    return numbers.sorted()
}

/// Waits for the engine's exit, closes what its spawn and the test held, and returns its wait status.
func reapAndClose(_ child: SpawnedChild, _ ours: FileDescriptor) throws -> Int32 {
    var status: Int32 = 0
    while waitpid(child.pid, &status, 0) < 0 && errno == EINTR {}
    try child.pidfd.close()
    try child.report.close()
    try ours.close()
    return status
}
