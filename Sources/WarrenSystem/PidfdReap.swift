import CWarrenSpawn
import Glibc

/// How a child ended.
public enum ChildExit: Sendable, Equatable {
    case exited(code: Int32)
    case killed(signal: Int32, coreDumped: Bool)
}

extension FileDescriptor {
    /// Reaps the child this pidfd refers to, without blocking: nil while it is still running.
    /// Called when the pidfd turns readable, so the child has exited and this never waits.
    public func reapChild() throws(Errno) -> ChildExit? {
        var exit = warren_exit()
        _ = try retryOnInterrupt { warren_waitid_pidfd(rawValue, WNOHANG, &exit) }
        switch exit.code {
        case 0: return nil
        case Int32(CLD_EXITED): return .exited(code: exit.status)
        case Int32(CLD_DUMPED): return .killed(signal: exit.status, coreDumped: true)
        default: return .killed(signal: exit.status, coreDumped: false)
        }
    }

    /// pidfd_send_signal: no pid-reuse race, unlike kill(2).
    public func sendSignal(_ signal: Int32) throws(Errno) {
        _ = try retryOnInterrupt { warren_pidfd_send_signal(rawValue, signal, 0) }
    }
}
