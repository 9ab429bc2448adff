import CWarrenSpawn
import Glibc
import WarrenSystem

/// Scheduling policies of engines: a prespawned waiter starts at SCHED_IDLE (its child sets it
/// first thing) and is put back to SCHED_OTHER, nice 0, just before its handoff.
public enum Scheduling {
    public static let other: Int32 = 0
    public static let idle: Int32 = 5

    /// Every thread of `pid` to SCHED_OTHER, nice 0. Needs CAP_SYS_NICE over the engine (warren
    /// has it); the engine could not do this itself.
    public static func restoreNormal(pid: pid_t) throws(Errno) {
        guard warren_sched_restore(pid) == 0 else { throw Errno(rawValue: errno) }
    }

    /// The policy of one thread (SCHED_OTHER 0, SCHED_IDLE 5, ...).
    public static func policy(of tid: pid_t) throws(Errno) -> Int32 {
        let policy = warren_sched_policy(tid)
        guard policy >= 0 else { throw Errno(rawValue: errno) }
        return policy
    }
}
