import ArgumentParser
import CWarrenSpawn
import Glibc
import WarrenPolicy
import WarrenSpawn
import WarrenSystem

/// `warren run --policy FILE [--] ENGINE [ARGS…]`: one sandboxed engine on this process's own
/// stdin/stdout, inetd's contract for a single connection. For tests and for policy authors.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one engine under a policy on this process's stdin and stdout.",
        discussion: """
            The engine gets stdin as fd 0, stdout as fd 1 and stderr as fd 2, inside the sandbox the \
            policy describes. Exit status: the engine's, or 128+N when signal N ended it; 2 for an \
            invalid policy, 125 when the sandbox could not be set up (the failed step is printed as \
            `warren run: STEP: ERROR`).
            """)

    @Option(name: .long, help: "The policy file (TOML).")
    var policy: String

    @Argument(parsing: .captureForPassthrough, help: "The engine (a path) and its arguments.")
    var command: [String] = []

    func run() throws {
        Glibc.exit(execute())
    }

    private func execute() -> Int32 {
        var command = self.command
        if command.first == "--" { command.removeFirst() }
        guard let engineName = command.first else {
            return fail("no engine given: warren run --policy FILE [--] ENGINE [ARGS...]", status: 2)
        }
        guard let engine = realpath(engineName, nil) else {
            return fail("engine \(engineName): \(Errno(rawValue: errno))", status: 2)
        }
        defer { free(engine) }
        let loaded: Policy
        do {
            loaded = try PolicyLoader.load(path: policy)
        } catch {
            // Every problem, each as FILE:LINE: message.
            printError(error.description)
            return 2
        }
        let plan: SpawnPlan
        do {
            plan = try SpawnPlan(
                engine: String(cString: engine), arguments: Array(command.dropFirst()), policy: loaded)
        } catch {
            return fail("\(error)", status: 125)
        }
        for warning in plan.warnings { printError("warren run: \(warning)") }
        return spawnAndWait(plan)
    }

    private func spawnAndWait(_ plan: SpawnPlan) -> Int32 {
        // Opened before the engine exists, so that its death, if seccomp's, is in what we read.
        let seccompLog = SeccompDeathLog()
        let environment = UCSPI.environment(of: FileDescriptor(rawValue: 0)) + plan.policyEnvironment
        // A cgroup leaf only where the plan needs one (limit files, or cgroup_leaf = "required"):
        // one engine that ends with its PID namespace needs no cgroup.kill.
        var tree: CgroupTree?
        var leaf: CgroupLeaf?
        if plan.needsCgroupLeaf {
            do {
                tree = try CgroupTree(host: HostFeatures.detect())
                leaf = try tree?.makeLeaf(service: "run", name: "c1", files: plan.cgroupFiles)
            } catch {
                _ = tree?.removeAll()
                return fail("cgroup leaf: \(error)", status: 125)
            }
        }
        defer { _ = tree?.removeAll() }
        let child: SpawnedChild
        do {
            defer { try? leaf?.descriptor.close() }
            child = try Spawner.spawn(
                plan, input: FileDescriptor(rawValue: 0), output: FileDescriptor(rawValue: 1),
                log: FileDescriptor(rawValue: 2), environment: environment, cgroup: leaf?.descriptor)
        } catch {
            return fail("clone: \(error)", status: 125)
        }
        RunSignals.forward(to: child.pidfd)
        let failure = Self.readReport(child.report)
        let status = Self.wait(child.pid)
        if let failure {
            return fail(plan.describe(failure), status: 125)
        }
        switch status {
        case .exited(let code):
            return code
        case .killed(let signal):
            var line = "warren run: engine killed by \(RunSignals.name(signal))"
            if signal == SIGSYS {
                line += " (seccomp: \(Self.seccompName(seccompLog, child.pid) ?? "syscall unknown"))"
            }
            printError(line)
            return 128 + signal
        }
    }

    /// The report pipe: EOF without a record when execve succeeded, one record when a step failed.
    private static func readReport(_ fd: FileDescriptor) -> SpawnFailure? {
        let flags = fcntl(fd.rawValue, F_GETFL)
        _ = fcntl(fd.rawValue, F_SETFL, flags & ~O_NONBLOCK)
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd.rawValue, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            bytes += buffer[0..<n]
        }
        return bytes.isEmpty
            ? nil : SpawnFailure(reportBytes: bytes) ?? SpawnFailure(step: "report", errno: .ioError)
    }

    private enum Ended {
        case exited(Int32)
        case killed(Int32)
    }

    private static func wait(_ pid: pid_t) -> Ended {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .killed(signal)
    }

    /// The kernel logs the kill asynchronously: look a bounded number of times (a CLI may wait).
    private static func seccompName(_ log: SeccompDeathLog?, _ pid: pid_t) -> String? {
        guard let log else { return nil }
        for _ in 0..<100 {
            if let name = log.syscallName(killed: pid) { return name }
            usleep(5_000)
        }
        return nil
    }

    private func fail(_ message: String, status: Int32) -> Int32 {
        printError("warren run: \(message)")
        return status
    }
}

/// The UCSPI variables when stdin is a TCP socket (run under another superserver); none otherwise.
private enum UCSPI {
    static func environment(of fd: FileDescriptor) -> [String] {
        guard let local = address(fd, peer: false), let remote = address(fd, peer: true) else { return [] }
        return [
            "PROTO=TCP", "TCPLOCALIP=\(local.ip)", "TCPLOCALPORT=\(local.port)", "TCPREMOTEIP=\(remote.ip)",
            "TCPREMOTEPORT=\(remote.port)",
        ]
    }

    private static func address(_ fd: FileDescriptor, peer: Bool) -> (ip: String, port: UInt16)? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                peer ? getpeername(fd.rawValue, $0, &length) : getsockname(fd.rawValue, $0, &length)
            }
        }
        guard rc == 0, let address = SocketAddress(storage: storage) else { return nil }
        return (address.host, address.port)
    }
}

/// SIGINT, SIGTERM and SIGHUP to `warren run` kill the engine: as PID 1 of its own namespace it
/// would ignore them unless it installed handlers, and it must not outlive its caller.
private enum RunSignals {
    nonisolated(unsafe) static var pidfd: Int32 = -1

    static func forward(to child: FileDescriptor) {
        pidfd = child.rawValue
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { _ in
                _ = warren_pidfd_send_signal(RunSignals.pidfd, SIGKILL, 0)
            }
            sigaction(signal, &action, nil)
        }
    }

    static func name(_ signal: Int32) -> String {
        let names: [Int32: String] = [
            SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL", SIGTRAP: "SIGTRAP",
            SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGSEGV: "SIGSEGV",
            SIGPIPE: "SIGPIPE", SIGALRM: "SIGALRM", SIGTERM: "SIGTERM", SIGXCPU: "SIGXCPU",
            SIGXFSZ: "SIGXFSZ",
            SIGSYS: "SIGSYS",
        ]
        return names[signal] ?? "signal \(signal)"
    }
}
