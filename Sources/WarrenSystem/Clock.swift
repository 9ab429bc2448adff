import Glibc

/// Nanosecond clocks: monotonic for deadlines and durations, real time for log timestamps.
public enum Clock {
    public static func monotonicNanoseconds() -> UInt64 { read(CLOCK_MONOTONIC) }

    public static func realtimeNanoseconds() -> UInt64 { read(CLOCK_REALTIME) }

    private static func read(_ clock: clockid_t) -> UInt64 {
        var ts = timespec()
        // Cannot fail for these clocks.
        _ = clock_gettime(clock, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
