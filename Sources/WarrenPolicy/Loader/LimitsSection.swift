// [limits]: rlimits, which every host enforces, and cgroup v2 limits, which only a host that
// delegates the controllers can. Omitted rlimits get tight defaults (see `defaultRlimits`);
// "unlimited" must be written out to keep warren's own limit.

extension PolicyFileReader {
    enum LimitKind {
        case count(minimum: UInt64)
        case size(minimum: UInt64)
    }

    /// rlimit keys, their kind and the smallest value an engine can start with.
    static let rlimitKeys: [(key: String, kind: LimitKind)] = [
        ("cpu_seconds", .count(minimum: 1)),
        ("address_space", .size(minimum: 1 << 20)),
        // 0, 1 and 2 are open before the engine starts.
        ("open_files", .count(minimum: 3)),
        ("processes", .count(minimum: 1)),
        ("file_size", .size(minimum: 0)),
        ("core", .size(minimum: 0)),
        ("stack", .size(minimum: 16 << 10)),
    ]

    /// Applied when no file of the policy sets the key: tight enough for a static single-process
    /// engine, so that forgetting a limit never leaves it unlimited.
    static let defaultRlimits: [String: UInt64] = [
        "cpu_seconds": 10, "address_space": 256 << 20, "open_files": 64, "processes": 1, "file_size": 0,
        "core": 0, "stack": 8 << 20,
    ]

    func readLimits(_ table: TableReader, into draft: inout PolicyDraft) {
        for (key, kind) in Self.rlimitKeys where table.has(key) {
            if case .string("unlimited") = table.table[key]?.value {
                _ = table.node(key)
                draft.rlimits[key] = located(nil, table, key)
                continue
            }
            let value: UInt64?
            let minimum: UInt64
            switch kind {
            case .count(let least):
                value = table.integer(key, range: 0...Int64.max).map { UInt64($0) }
                minimum = least
            case .size(let least):
                value = table.size(key)
                minimum = least
            }
            guard let value else { continue }
            if value < minimum {
                table.error(
                    key, "'limits.\(key)' must be at least \(minimum) (or \"unlimited\"), not \(value)")
                continue
            }
            draft.rlimits[key] = located(value, table, key)
        }
        readCgroupLimits(table, into: &draft)
    }

    private func readCgroupLimits(_ table: TableReader, into draft: inout PolicyDraft) {
        if table.has("cgroup_leaf"), let text = table.string("cgroup_leaf") {
            if text == "required" || text == "optional" {
                draft.cgroup["cgroup_leaf"] = located(
                    .leaf(required: text == "required"), table, "cgroup_leaf")
            } else {
                table.error(
                    "cgroup_leaf", "'limits.cgroup_leaf' must be \"required\" or \"optional\", not '\(text)'")
            }
        }
        for key in ["memory_max", "pids_max", "cpu_max"] where table.has(key) {
            if case .string("max") = table.table[key]?.value {
                _ = table.node(key)
                draft.cgroup[key] = located(nil, table, key)
                continue
            }
            switch key {
            case "memory_max":
                guard let bytes = table.size(key) else { continue }
                if bytes < 1 << 20 {
                    table.error(key, "'limits.memory_max' must be at least 1M (or \"max\"), not \(bytes)")
                } else {
                    draft.cgroup[key] = located(.bytes(bytes), table, key)
                }
            case "pids_max":
                guard let count = table.integer(key, range: 1...Int64.max) else { continue }
                draft.cgroup[key] = located(.count(UInt64(count)), table, key)
            default:
                guard let text = table.string(key) else { continue }
                do throws(ValueError) {
                    let (quota, period) = try Self.cpuMax(text)
                    draft.cgroup[key] = located(.cpu(quota: quota, period: period), table, key)
                } catch {
                    table.error(key, "'limits.cpu_max': \(error.message)")
                }
            }
        }
    }

    /// "QUOTA/PERIOD" as two durations, e.g. "50ms/100ms" (half a CPU); microseconds out, within
    /// the kernel's bounds for cpu.max (period 1ms to 1s, quota at least 1ms).
    static func cpuMax(_ text: String) throws(ValueError) -> (quota: UInt64, period: UInt64) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw ValueError(
                "invalid cpu_max '\(text)': expected QUOTA/PERIOD such as \"50ms/100ms\", or \"max\"")
        }
        let quota = try ValueParser.duration(String(parts[0]))
        let period = try ValueParser.duration(String(parts[1]))
        let micros = { (d: Duration) in
            UInt64(d.components.seconds) * 1_000_000 + UInt64(d.components.attoseconds / 1_000_000_000_000)
        }
        let (q, p) = (micros(quota), micros(period))
        guard (1_000...1_000_000).contains(p) else {
            throw ValueError("cpu_max period '\(parts[1])' must be between 1ms and 1s")
        }
        guard q >= 1_000 else { throw ValueError("cpu_max quota '\(parts[0])' must be at least 1ms") }
        return (q, p)
    }
}
