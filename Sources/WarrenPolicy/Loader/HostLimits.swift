// warren's own hard rlimits: a child can lower its limits but, without CAP_SYS_RESOURCE (absent
// from this kind of host's bounding set), never raise them, so a policy asking for more than
// warren has would fail in every child. Checked at load instead.
import Glibc

enum HostLimits {
    /// The policy key of each rlimit and its resource.
    static let resources: [String: Int32] = [
        "cpu_seconds": Int32(RLIMIT_CPU.rawValue), "address_space": Int32(RLIMIT_AS.rawValue),
        "open_files": Int32(RLIMIT_NOFILE.rawValue), "processes": Int32(__RLIMIT_NPROC.rawValue),
        "file_size": Int32(RLIMIT_FSIZE.rawValue), "core": Int32(RLIMIT_CORE.rawValue),
        "stack": Int32(RLIMIT_STACK.rawValue),
    ]

    /// warren's hard limit for the policy key, or nil when unlimited or unknown.
    static func hardLimit(_ key: String) -> UInt64? {
        guard let resource = resources[key] else { return nil }
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(UInt32(resource)), &limit) == 0 else { return nil }
        return limit.rlim_max == rlim_t.max ? nil : UInt64(limit.rlim_max)
    }
}
