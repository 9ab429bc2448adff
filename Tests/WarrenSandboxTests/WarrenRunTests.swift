import Glibc
import Testing
import WarrenSpawn
import WarrenSystem

/// `warren run` as a user runs it: the built binary, a policy file, stdin and stdout as pipes.
private struct Ran {
    var status: Int32
    var stdout: String
    var stderr: String
}

private func warrenBinary() -> String? {
    let path = repositoryRoot + "/.build/debug/warren"
    guard access(path, X_OK) == 0 else {
        Issue.record("\(path) is missing: run `swift build --build-tests` (it builds the warren product)")
        return nil
    }
    return path
}

private func warrenRun(_ arguments: [String], input: String = "") throws -> Ran? {
    guard requireRoot(), let warren = warrenBinary() else { return nil }
    var stdin: [Int32] = [-1, -1]
    var stdout: [Int32] = [-1, -1]
    var stderr: [Int32] = [-1, -1]
    for i in 0..<3 {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw Errno(rawValue: errno) }
        // Close-on-exec: only the dup2'd copies reach warren (tests spawn in parallel).
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        if i == 0 { stdin = fds } else if i == 1 { stdout = fds } else { stderr = fds }
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, stdin[0], 0)
    posix_spawn_file_actions_adddup2(&actions, stdout[1], 1)
    posix_spawn_file_actions_adddup2(&actions, stderr[1], 2)
    let argv = ([warren, "run"] + arguments).map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, warren, &actions, nil, argv, environ)
    close(stdin[0])
    close(stdout[1])
    close(stderr[1])
    guard rc == 0 else { throw Errno(rawValue: rc) }
    _ = Array(input.utf8).withUnsafeBytes { write(stdin[1], $0.baseAddress, $0.count) }
    close(stdin[1])
    // stderr is small (a few lines); read stdout to its end first, then stderr.
    let out = String(decoding: try readToEnd(FileDescriptor(rawValue: stdout[0])), as: UTF8.self)
    let err = String(decoding: try readToEnd(FileDescriptor(rawValue: stderr[0])), as: UTF8.self)
    close(stdout[0])
    close(stderr[0])
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    #expect(status & 0x7f == 0, "warren run itself was killed")
    print("warren run \(arguments.joined(separator: " ")) -> \((status >> 8) & 0xff)\n\(err)", terminator: "")
    return Ran(status: (status >> 8) & 0xff, stdout: out, stderr: err)
}

private let policy = repositoryRoot + "/Tests/Engines/confine.toml"

@Test func warrenRunServesStdinAndStdoutAndExitsWithTheEnginesStatus() throws {
    guard let engine = testEngine(),
        let echo = try warrenRun(["--policy", policy, "--", engine, "echo"], input: "hi\n")
    else { return }
    #expect(echo.stdout == "hi\n")
    #expect(echo.status == 0)
    guard let seven = try warrenRun(["--policy", policy, engine, "exit", "7"]) else { return }
    #expect(seven.status == 7)
}

@Test func warrenRunChecksConfinementUnderTheShippedPolicy() throws {
    guard let engine = testEngine() else { return }
    for check in ["pids", "caps", "no-new-privs", "seccomp", "fds", "writes", "proc-sys", "host-files"] {
        guard let ran = try warrenRun(["--policy", policy, engine, check]) else { return }
        #expect(ran.stdout.hasPrefix("\(check): confined"), "\(ran.stdout)")
        #expect(ran.status == 0)
    }
}

@Test func warrenRunReportsASignalAs128PlusNAndNamesTheSyscall() throws {
    guard let engine = testEngine(), let ran = try warrenRun(["--policy", policy, engine, "ptrace", "1"])
    else {
        return
    }
    #expect(ran.status == 128 + SIGSYS)
    #expect(ran.stdout.isEmpty)
    if SeccompDeathLog() != nil {
        #expect(ran.stderr.contains("warren run: engine killed by SIGSYS (seccomp: ptrace)"))
    } else {
        print("skipped part: neither the audit log nor /dev/kmsg is readable here, no syscall names")
        #expect(ran.stderr.contains("warren run: engine killed by SIGSYS"))
    }
}

@Test func warrenRunPrintsAFailedStepAndNeverRunsTheEngine() throws {
    // A file that is not executable: the sandbox is built, execve inside it fails.
    var template = Array("/var/tmp/warren-noexec.XXXXXX".utf8CString)
    let fd = mkstemp(&template)
    #expect(fd >= 0)
    let path = String(cString: template)
    defer { unlink(path) }
    _ = "#!/bin/sh\necho ran\n".withCString { write(fd, $0, strlen($0)) }
    close(fd)
    guard let ran = try warrenRun(["--policy", policy, path]) else { return }
    #expect(ran.stderr.contains("warren run: execve: Permission denied"))
    #expect(ran.status == 125)
    #expect(ran.stdout.isEmpty)
}

@Test func warrenRunRefusesABrokenPolicyWithFileAndLine() throws {
    guard let engine = testEngine() else { return }
    var template = Array("/tmp/warren-policy.XXXXXX".utf8CString)
    let fd = mkstemp(&template)
    let path = String(cString: template)
    defer { unlink(path) }
    let text =
        "extends = \"\(repositoryRoot)/policies/untrusted.toml\"\n[seccomp]\nallow = [\"no_such_syscall\"]\n"
    _ = text.withCString { write(fd, $0, strlen($0)) }
    close(fd)
    guard let ran = try warrenRun(["--policy", path, engine, "true"]) else { return }
    #expect(ran.status == 2)
    #expect(ran.stderr.contains("\(path):3:"))
    #expect(ran.stdout.isEmpty)
}

@Test func anEngineUnderTheTmpfsTargetStillRunsAsSlashEngine() throws {
    guard let engine = testEngine() else { return }
    // A checkout in /tmp (CI's may be) puts the engine's host path under the policy's /tmp tmpfs;
    // inside every sandbox the engine is bound at /engine instead, so nothing can hide it.
    var template = Array("/tmp/warren-engine.XXXXXX".utf8CString)
    guard mkdtemp(&template) != nil else { throw Errno(rawValue: errno) }
    let directory = String(cString: template)
    let copy = directory + "/confine"
    defer {
        unlink(copy)
        rmdir(directory)
    }
    let source = try FileDescriptor.open(engine, .readOnly)
    let target = try FileDescriptor.open(
        copy, .writeOnly, options: [.create, .exclusiveCreate, .closeOnExec],
        permissions: [.ownerReadWriteExecute, .groupReadExecute, .otherReadExecute])
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
        if n == 0 { break }
        _ = try buffer[0..<n].withUnsafeBytes { try target.writeAll($0) }
    }
    try source.close()
    try target.close()
    // close-on-exec keeps the writable fd out of processes other tests start meanwhile; a child
    // cloned in that moment still holds a copy until its own close_range, and execve of the copy
    // fails with ETXTBSY until then (the fork/exec race every runtime has): retry, as Go's os/exec
    // does.
    var result = try warrenRun(["--policy", policy, copy, "pids"])
    for _ in 0..<20 where result?.stderr.contains("Text file busy") == true {
        usleep(50_000)
        result = try warrenRun(["--policy", policy, copy, "pids"])
    }
    guard let ran = result else { return }
    #expect(ran.stdout.hasPrefix("pids: confined"), "\(ran.stdout) \(ran.stderr)")
    #expect(ran.status == 0)
}

/// `warren run` under a policy that requires a cgroup leaf: the engine starts in one (its
/// /proc/self/cgroup, read in the shared cgroup namespace, names it), and warren run removes it.
@Test func warrenRunPutsARequiredLeafAroundTheEngine() throws {
    guard let engine = testEngine("cgroupfork") else { return }
    let host = HostFeatures.detect()
    guard host.cgroupLeavesAvailable, let mount = host.cgroup2Mount, let parent = host.cgroup2Directory else {
        print("skipped: no cgroup leaves on this host (\(host.cgroupUnavailableReason))")
        return
    }
    let policy = repositoryRoot + "/Tests/WarrenServerTests/Policies/cgroup-engine.toml"
    guard let ran = try warrenRun(["--policy", policy, engine, "cgroup"]) else { return }
    #expect(ran.status == 0, "stderr: \(ran.stderr)")
    let line = ran.stdout.split(separator: "\n").first { $0.hasPrefix("0::") } ?? ""
    let path = String(line.dropFirst(3))
    #expect(path.hasPrefix(parent.dropFirst(mount.count) + "/warren."), "\(line)")
    #expect(path.hasSuffix("/svc-run/c1"), "\(line)")
    let tree = mount + path.dropLast("/svc-run/c1".count)
    #expect(access(tree, F_OK) != 0, "warren run left \(tree) behind")
}

/// Under another superserver (stdin and stdout a TCP socket), `warren run` gives the engine the
/// UCSPI variables of that connection, as warren serve does.
@Test func warrenRunOnATCPSocketSetsTheUCSPIVariables() throws {
    guard requireRoot(), let warren = warrenBinary(), let engine = testEngine("env") else { return }
    let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    try #require(listener >= 0)
    defer { close(listener) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(listener, $0, length) == 0 && listen(listener, 1) == 0
                && getsockname(listener, $0, &length) == 0
        }
    }
    try #require(bound)
    let port = UInt16(bigEndian: address.sin_port)
    let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    defer { close(client) }
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, length) == 0 }
    }
    try #require(connected)
    let served = accept(listener, nil, nil)
    try #require(served >= 0)
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, served, 0)
    posix_spawn_file_actions_adddup2(&actions, served, 1)
    let words: [String] = [warren, "run", "--policy", policy, engine]
    let argv = words.map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, warren, &actions, nil, argv, environ)
    close(served)
    try #require(rc == 0)
    let lines = String(decoding: try readToEnd(FileDescriptor(rawValue: client)), as: UTF8.self)
        .split(separator: "\n").map(String.init)
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    #expect(status == 0)
    var clientAddress = sockaddr_in()
    var clientLength = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &clientAddress) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(client, $0, &clientLength) }
    }
    for expected in [
        "PROTO=TCP", "TCPLOCALIP=127.0.0.1", "TCPLOCALPORT=\(port)", "TCPREMOTEIP=127.0.0.1",
        "TCPREMOTEPORT=\(UInt16(bigEndian: clientAddress.sin_port))",
    ] {
        #expect(lines.contains(expected), "\(expected) missing from \(lines)")
    }
}
