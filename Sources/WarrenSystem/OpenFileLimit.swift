import Glibc

public enum OpenFileLimit {
    /// Raises RLIMIT_NOFILE's soft limit to its hard limit and returns the new soft limit: each
    /// running engine costs warren one fd (its pidfd; its report pipe too until its execve).
    /// Engines get their own limit from their policy.
    @discardableResult
    public static func raiseToHardLimit() throws(Errno) -> UInt64 {
        var limit = rlimit()
        _ = try retryOnInterrupt { getrlimit(nofile, &limit) }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = try retryOnInterrupt { setrlimit(nofile, &limit) }
        }
        return UInt64(limit.rlim_cur)
    }

    private static let nofile = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
}
