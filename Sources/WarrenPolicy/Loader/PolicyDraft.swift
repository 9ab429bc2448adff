// One policy file as read, before defaults: every value remembers the file and line it came from,
// so that checks made after `extends` is merged still point at the right place.

/// A value and where it was written.
struct Located<Value> {
    var value: Value
    var file: String
    var line: Int?
}

/// The rules one file gives one syscall (from allow, kill, errno or allow_if).
struct SyscallRules {
    var name: String
    var rules: [SeccompRule]
    var file: String
    var line: Int
}

struct PolicyDraft {
    var file: String
    var extends: Located<String>?
    /// `extends` was written but refused (wrong type, empty).
    var extendsRefused = false
    var namespaces: [String: Located<NamespaceMode>] = [:]
    var uid: Located<UInt32>?
    var gid: Located<UInt32>?
    var skeleton: Located<String>?
    /// A file named a skeleton, even one refused (then no default is tried in its place).
    var skeletonNamed = false
    var binds: [Located<BindMount>] = []
    var tmpfs: [Located<TmpfsMount>] = []
    /// rlimit key → value; nil means "unlimited" (inherited from warren).
    var rlimits: [String: Located<UInt64?>] = [:]
    /// cgroup key → value; nil means "max" (no cgroup limit).
    var cgroup: [String: Located<CgroupValue?>] = [:]
    var keepCapabilities: [Located<(name: String, number: Int32)>] = []
    var defaultAction: Located<SeccompAction>?
    var syscalls: [String: SyscallRules] = [:]
    var environment: [(name: String, value: Located<String>)] = []
    var arguments: [Located<String>] = []
    var workingDirectory: Located<String>?
    var hostname: Located<String>?

    enum CgroupValue {
        case bytes(UInt64)
        case count(UInt64)
        case cpu(quota: UInt64, period: UInt64)
        /// cgroup_leaf: "required" (true) or "optional".
        case leaf(required: Bool)
    }

    /// `self` extended by `child`: the child's scalar settings replace ours; a syscall named by the
    /// child takes only the child's rules; capabilities and arguments are appended; bind and tmpfs
    /// entries and environment variables replace ours with the same target or name, else append.
    func merged(with child: PolicyDraft) -> PolicyDraft {
        var result = self
        result.file = child.file
        result.extends = child.extends
        result.namespaces.merge(child.namespaces) { $1 }
        result.uid = child.uid ?? uid
        result.gid = child.gid ?? gid
        result.skeleton = child.skeleton ?? skeleton
        result.skeletonNamed = child.skeletonNamed || skeletonNamed
        for bind in child.binds {
            result.binds.removeAll { $0.value.target == bind.value.target }
            result.tmpfs.removeAll { $0.value.target == bind.value.target }
            result.binds.append(bind)
        }
        for mount in child.tmpfs {
            result.binds.removeAll { $0.value.target == mount.value.target }
            result.tmpfs.removeAll { $0.value.target == mount.value.target }
            result.tmpfs.append(mount)
        }
        result.rlimits.merge(child.rlimits) { $1 }
        result.cgroup.merge(child.cgroup) { $1 }
        for cap in child.keepCapabilities
        where !result.keepCapabilities.contains(where: {
            $0.value.number == cap.value.number
        }) {
            result.keepCapabilities.append(cap)
        }
        result.defaultAction = child.defaultAction ?? defaultAction
        result.syscalls.merge(child.syscalls) { $1 }
        for variable in child.environment {
            if let index = result.environment.firstIndex(where: { $0.name == variable.name }) {
                result.environment[index] = variable
            } else {
                result.environment.append(variable)
            }
        }
        result.arguments += child.arguments
        result.workingDirectory = child.workingDirectory ?? workingDirectory
        result.hostname = child.hostname ?? hostname
        return result
    }
}
