// The policy model: what a policy file says, after `extends` is resolved, validation has passed and
// the seccomp filter has been compiled. Immutable; built once per policy at load or reload, then
// read by every spawn of the services that name it.

/// How a child gets one kind of namespace.
public enum NamespaceMode: String, Sendable, Equatable, CaseIterable {
    /// A new namespace per connection.
    case fresh
    /// One empty namespace prepared per service at load, joined by every child.
    case shared
    /// The host's namespace: an explicit opt-out.
    case host
}

/// Namespaces other than mount and PID, which are always new per connection.
public struct Namespaces: Sendable, Equatable {
    public var net: NamespaceMode
    public var ipc: NamespaceMode
    public var uts: NamespaceMode
    public var user: NamespaceMode
    public var cgroup: NamespaceMode

    public init(
        net: NamespaceMode, ipc: NamespaceMode, uts: NamespaceMode, user: NamespaceMode,
        cgroup: NamespaceMode
    ) {
        self.net = net
        self.ipc = ipc
        self.uts = uts
        self.user = user
        self.cgroup = cgroup
    }
}

/// A host path made visible inside the sandbox root.
public struct BindMount: Sendable, Equatable {
    /// Absolute host path; it exists (checked at load).
    public var source: String
    /// Absolute path inside the sandbox.
    public var target: String
    /// Read-only unless true.
    public var writable: Bool

    public init(source: String, target: String, writable: Bool) {
        self.source = source
        self.target = target
        self.writable = writable
    }
}

/// A size-capped tmpfs inside the sandbox.
public struct TmpfsMount: Sendable, Equatable {
    public var target: String
    public var sizeBytes: UInt64

    public init(target: String, sizeBytes: UInt64) {
        self.target = target
        self.sizeBytes = sizeBytes
    }
}

/// What the per-connection root holds besides /proc, the minimal /dev and the engine binary.
public struct RootfsPlan: Sendable, Equatable {
    /// Absolute path of the read-only skeleton directory (the repository's `rootfs/` by default).
    public var skeleton: String
    public var binds: [BindMount]
    public var tmpfs: [TmpfsMount]

    public init(skeleton: String, binds: [BindMount], tmpfs: [TmpfsMount]) {
        self.skeleton = skeleton
        self.binds = binds
        self.tmpfs = tmpfs
    }
}

/// rlimits; nil leaves the limit as inherited. Values are both soft and hard limit.
public struct ResourceLimits: Sendable, Equatable {
    public var cpuSeconds: UInt64?
    public var addressSpace: UInt64?
    public var openFiles: UInt64?
    public var processes: UInt64?
    public var fileSize: UInt64?
    public var core: UInt64?
    public var stack: UInt64?

    public init(
        cpuSeconds: UInt64? = nil, addressSpace: UInt64? = nil, openFiles: UInt64? = nil,
        processes: UInt64? = nil, fileSize: UInt64? = nil, core: UInt64? = nil, stack: UInt64? = nil
    ) {
        self.cpuSeconds = cpuSeconds
        self.addressSpace = addressSpace
        self.openFiles = openFiles
        self.processes = processes
        self.fileSize = fileSize
        self.core = core
        self.stack = stack
    }
}

/// cgroup v2 limits, enforced only where the host delegates a v2 subtree with the controllers.
public struct CgroupLimits: Sendable, Equatable {
    public var memoryMax: UInt64?
    public var pidsMax: UInt64?
    /// cpu.max as (quota, period) in microseconds.
    public var cpuMaxQuotaMicros: UInt64?
    public var cpuMaxPeriodMicros: UInt64?
    /// `cgroup_leaf = "required"`: no engine runs outside a per-connection leaf (cgroup.kill on
    /// timeout); warren refuses the service where it cannot make them.
    public var leafRequired: Bool

    public init(
        memoryMax: UInt64? = nil, pidsMax: UInt64? = nil, cpuMaxQuotaMicros: UInt64? = nil,
        cpuMaxPeriodMicros: UInt64? = nil, leafRequired: Bool = false
    ) {
        self.memoryMax = memoryMax
        self.pidsMax = pidsMax
        self.cpuMaxQuotaMicros = cpuMaxQuotaMicros
        self.cpuMaxPeriodMicros = cpuMaxPeriodMicros
        self.leafRequired = leafRequired
    }

    /// No cgroup limit asked for (`leafRequired` is not a limit).
    public var isEmpty: Bool { memoryMax == nil && pidsMax == nil && cpuMaxQuotaMicros == nil }
}

/// A compiled seccomp filter: the BPF program exported by libseccomp, ready to load.
public struct CompiledSeccomp: Sendable, Equatable {
    /// The `struct sock_filter` array as raw bytes (8 bytes per instruction).
    public var program: [UInt8]
    /// What the filter does with a syscall no rule names (for summaries; the program holds it).
    public var defaultAction: SeccompAction
    /// The rules the program was built from, execve's included (for summaries).
    public var rules: [SeccompRule]

    public init(program: [UInt8], defaultAction: SeccompAction = .kill, rules: [SeccompRule] = []) {
        self.program = program
        self.defaultAction = defaultAction
        self.rules = rules
    }

    public var instructionCount: Int { program.count / 8 }
}

/// A complete, validated, compiled policy.
public struct Policy: Sendable, Equatable {
    /// The file it was read from (after `extends`, the most derived file).
    public var path: String
    public var namespaces: Namespaces
    /// The uid/gid the engine runs as outside any user namespace (with one, root inside maps to it).
    public var uid: UInt32
    public var gid: UInt32
    public var rootfs: RootfsPlan
    public var limits: ResourceLimits
    public var cgroup: CgroupLimits
    /// Capability numbers to keep (default none).
    public var keepCapabilities: [Int32]
    public var seccomp: CompiledSeccomp
    /// Extra environment, in file order, after the UCSPI variables.
    public var environment: [(name: String, value: String)]
    /// Arguments placed before the service's own: argv = [engine] + policy args + service args.
    public var arguments: [String]
    /// Working directory inside the sandbox.
    public var workingDirectory: String
    /// Hostname inside a fresh or shared UTS namespace.
    public var hostname: String?

    public init(
        path: String, namespaces: Namespaces, uid: UInt32, gid: UInt32, rootfs: RootfsPlan,
        limits: ResourceLimits, cgroup: CgroupLimits, keepCapabilities: [Int32],
        seccomp: CompiledSeccomp, environment: [(name: String, value: String)], arguments: [String],
        workingDirectory: String, hostname: String?
    ) {
        self.path = path
        self.namespaces = namespaces
        self.uid = uid
        self.gid = gid
        self.rootfs = rootfs
        self.limits = limits
        self.cgroup = cgroup
        self.keepCapabilities = keepCapabilities
        self.seccomp = seccomp
        self.environment = environment
        self.arguments = arguments
        self.workingDirectory = workingDirectory
        self.hostname = hostname
    }

    public static func == (a: Policy, b: Policy) -> Bool {
        a.path == b.path && a.namespaces == b.namespaces && a.uid == b.uid && a.gid == b.gid
            && a.rootfs == b.rootfs && a.limits == b.limits && a.cgroup == b.cgroup
            && a.keepCapabilities == b.keepCapabilities && a.seccomp == b.seccomp
            && a.environment.elementsEqual(b.environment, by: { $0 == $1 })
            && a.arguments == b.arguments && a.workingDirectory == b.workingDirectory
            && a.hostname == b.hostname
    }
}
