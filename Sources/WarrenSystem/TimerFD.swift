import CWarrenSpawn
import Glibc

/// One CLOCK_MONOTONIC timerfd, armed at an absolute deadline. The loop keeps its deadlines in a
/// heap and arms this one fd at the earliest, so no timer polls.
public struct TimerFD: Sendable {
    public let descriptor: FileDescriptor

    public static func create() throws(Errno) -> TimerFD {
        let fd = try retryOnInterrupt {
            timerfd_create(CLOCK_MONOTONIC, Int32(TFD_NONBLOCK) | Int32(TFD_CLOEXEC))
        }
        return TimerFD(descriptor: FileDescriptor(rawValue: fd))
    }

    /// Fires once at `deadline` (monotonic nanoseconds); a deadline in the past fires at once.
    public func arm(atMonotonicNanoseconds deadline: UInt64) throws(Errno) {
        // An all-zero it_value disarms: never pass 0.
        let value = max(deadline, 1)
        var spec = itimerspec(
            it_interval: timespec(),
            it_value: timespec(tv_sec: Int(value / 1_000_000_000), tv_nsec: Int(value % 1_000_000_000)))
        _ = try retryOnInterrupt {
            timerfd_settime(descriptor.rawValue, Int32(TFD_TIMER_ABSTIME), &spec, nil)
        }
    }

    public func disarm() throws(Errno) {
        var spec = itimerspec()
        _ = try retryOnInterrupt { timerfd_settime(descriptor.rawValue, 0, &spec, nil) }
    }

    /// Consumes the expiration count so the fd stops being readable; false when it had not fired.
    @discardableResult
    public func acknowledge() throws(Errno) -> Bool {
        var count: UInt64 = 0
        do {
            let n = try retryOnInterrupt { Glibc.read(descriptor.rawValue, &count, 8) }
            return n == 8
        } catch .wouldBlock {
            return false
        }
    }
}
