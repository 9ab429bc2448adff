import CWarrenSpawn
import Glibc
import WarrenSystem

/// A child that has been cloned: its pid, a pidfd that becomes readable when it exits, and the read
/// end of its report pipe (EOF: execve succeeded; one `warren_report`: a step failed).
public struct SpawnedChild: Sendable {
    public var pid: pid_t
    public var pidfd: FileDescriptor
    public var report: FileDescriptor

    public init(pid: pid_t, pidfd: FileDescriptor, report: FileDescriptor) {
        self.pid = pid
        self.pidfd = pidfd
        self.report = report
    }
}

public enum Spawner {
    /// Spawns a child for one connection, synchronously: returns once the child has exec'd the
    /// engine or failed a step (CLONE_VM|CLONE_VFORK; see spawn.c), so the report pipe already holds
    /// a failure, if any. For `warren run` and tests: the server uses a `SpawnThread` instead. The
    /// socket and log fds stay owned by the caller.
    ///
    /// - Parameter environment: the full environment, `NAME=value` (UCSPI + policy).
    /// - Parameter cgroup: a cgroup v2 leaf opened O_DIRECTORY; the child starts inside it.
    public static func spawn(
        _ plan: SpawnPlan, socket: FileDescriptor, log: FileDescriptor, environment: [String],
        cgroup: FileDescriptor? = nil
    ) throws(Errno) -> SpawnedChild {
        try spawn(plan, input: socket, output: nil, log: log, environment: environment, cgroup: cgroup)
    }

    /// As above, with separate fds for the engine's fd 0 and fd 1 (`warren run` on a terminal or
    /// pipes); `output` nil means `input` serves both. `handoff`, for a prespawned engine, goes on
    /// the engine's fd 3 (the caller puts `WARREN_HANDOFF_FD=3` in `environment`).
    public static func spawn(
        _ plan: SpawnPlan, input: FileDescriptor, output: FileDescriptor?, log: FileDescriptor,
        environment: [String], handoff: FileDescriptor? = nil,
        cgroup: FileDescriptor? = nil
    ) throws(Errno) -> SpawnedChild {
        let (reportRead, reportWrite) = try makeReportPipe()
        defer { try? reportWrite.close() }
        let envp = CStringArray(environment)
        var conn = warren_conn(
            sock_fd: input.rawValue, log_fd: log.rawValue, report_fd: reportWrite.rawValue,
            envp: envp.pointer, out_fd: output?.rawValue ?? -1, handoff_fd: handoff?.rawValue ?? -1,
            cgroup_fd: cgroup?.rawValue ?? -1, idle_priority: 0)
        var child = warren_child()
        let rc = withUnsafePointer(to: &plan.plan) { planPointer in
            warren_spawn(planPointer, &conn, &child)
        }
        guard rc == 0 else {
            try? reportRead.close()
            throw Errno(rawValue: -rc)
        }
        return SpawnedChild(
            pid: child.pid, pidfd: FileDescriptor(rawValue: child.pidfd), report: reportRead)
    }

    static func makeReportPipe() throws(Errno) -> (FileDescriptor, FileDescriptor) {
        var fds: (Int32, Int32) = (-1, -1)
        let rc = withUnsafeMutableBytes(of: &fds) { raw in
            warren_pipe2(raw.baseAddress!.assumingMemoryBound(to: Int32.self), O_CLOEXEC | O_NONBLOCK)
        }
        guard rc == 0 else { throw Errno(rawValue: errno) }
        return (FileDescriptor(rawValue: fds.0), FileDescriptor(rawValue: fds.1))
    }
}
