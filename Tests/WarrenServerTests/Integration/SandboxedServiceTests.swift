import Glibc
import Testing

/// What a static C engine needs to start, write and exit (glibc's static start-up included).
private let engineSyscalls = [
    "execve", "arch_prctl", "brk", "mmap", "munmap", "mprotect", "set_tid_address", "set_robust_list",
    "rseq", "prlimit64", "getrandom", "readlink", "readlinkat", "read", "write", "close", "fstat",
    "newfstatat", "exit", "exit_group", "rt_sigreturn", "nanosleep", "clock_nanosleep",
]

/// A strict policy file for the test engines: every namespace fresh, the repository's rootfs
/// skeleton, a kill-by-default filter, and one extra variable.
private func writePolicy(in directory: String) throws -> String {
    let allow = engineSyscalls.map { "\"\($0)\"" }.joined(separator: ", ")
    let path = directory + "/engine.toml"
    try TestPaths.write(
        """
        [namespaces]
        net = "fresh"
        ipc = "fresh"
        uts = "fresh"
        user = "fresh"
        cgroup = "fresh"

        [rootfs]
        skeleton = "\(TestPaths.root)/rootfs"

        [env]
        GREETING = "from the policy"

        [seccomp]
        default_action = "kill"
        allow = [\(allow)]
        """, to: path)
    return path
}

/// Services under a policy file, end to end: the policy's environment follows the UCSPI variables,
/// and a seccomp kill is logged with the syscall's name.
@Suite(.serialized) struct SandboxedServiceTests {
    @Test func aSandboxedEngineGetsUcspiThenThePolicyEnvironment() throws {
        guard getuid() == 0 else {
            print("skipped: sandboxed services need root (namespaces, mounts)")
            return
        }
        let directory = try TestPaths.temporaryDirectory()
        defer { TestPaths.removeDirectory(directory) }
        let policy = try writePolicy(in: directory)
        let port = try TestClient.freePort()
        let warren = try WarrenProcess(
            config: testConfig([
                TestService(
                    name: "env", port: port, engine: try TestPaths.engine("env"),
                    policy: policy)
            ]))
        let lines = (TestClient.exchange(port: port, "") ?? "").split(separator: "\n").map(String.init)
        #expect(lines.count == 6)
        #expect(lines.first == "PROTO=TCP")
        #expect(lines.contains("TCPLOCALPORT=\(port)"))
        #expect(lines.last == "GREETING=from the policy")
        try warren.waitForLog(of: "event=conn", "service=env", "exit=0")
        #expect(!warren.log.contains("no policy"))
    }

    @Test func aSeccompKillIsLoggedWithSIGSYSAndTheSyscallName() throws {
        guard getuid() == 0 else {
            print("skipped: sandboxed services need root (namespaces, mounts)")
            return
        }
        guard access("/dev/kmsg", R_OK) == 0 else {
            print("skipped: /dev/kmsg is not readable here, so seccomp kills cannot be named")
            return
        }
        let directory = try TestPaths.temporaryDirectory()
        defer { TestPaths.removeDirectory(directory) }
        let policy = try writePolicy(in: directory)
        let port = try TestClient.freePort()
        let warren = try WarrenProcess(
            config: testConfig([
                TestService(
                    name: "bad", port: port, engine: try TestPaths.engine("forbidden"),
                    policy: policy)
            ]))
        #expect(TestClient.exchange(port: port, "") == "before\n")
        let record = try warren.waitForLog(of: "event=conn", "service=bad")[0]
        #expect(record.contains("signal=SIGSYS syscall=ptrace"))
    }
}
