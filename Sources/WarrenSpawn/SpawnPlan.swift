import CWarrenSpawn
import Glibc
import WarrenPolicy
import WarrenSystem

/// The immutable per-service plan the C spawn path reads: built once at load or reload, shared by
/// every connection of the service, released when no spawn can read it any more.
///
/// With a policy, building it prepares what every connection would otherwise redo (see
/// prepare.c): the template mount namespace with the rootfs assembled and the shared namespaces.
/// Dropping the plan (a reload) closes them.
public final class SpawnPlan: @unchecked Sendable {
    /// The engine as the host sees it.
    public let engine: String
    /// The path execve takes: the engine's host path, or `/engine` inside a sandbox.
    public let executablePath: String
    /// argv, argv[0] (the executable path) included.
    public let arguments: [String]
    /// The policy's environment, appended after the per-connection UCSPI variables.
    public let policyEnvironment: [String]
    public let policy: Policy?
    /// The rlimits in force for every child (the policy's, plus cgroup fallbacks).
    public let limits: ResourceLimits?
    /// Lines for warren's start and `warren check`: limits asked for that this host cannot enforce.
    public let warnings: [String]
    /// Limit files written into each connection's cgroup leaf (controllers in force only).
    public let cgroupFiles: [CgroupFile]

    private let path: CStringArray
    private let argv: CStringArray
    private let arena = CArena()
    private let childMounts: [MountOp]
    private var prepared = warren_prepared(
        mnt_fd: -1, net_fd: -1, ipc_fd: -1, uts_fd: -1, cgroup_fd: -1, user_fd: -1)
    // `@unchecked Sendable`: `plan` points into the memory above and is never written after init.
    var plan: warren_plan

    /// - Parameters:
    ///   - engine: absolute path of the engine binary on the host.
    ///   - arguments: the service's arguments (argv[1...] after the policy's own).
    ///   - policy: the compiled policy; nil runs the engine unconfined (tests of the bare path only).
    ///   - host: what this host can enforce (detected once by the caller, or here).
    /// - Throws: `SandboxPlanError` when the policy cannot be applied in full (fail closed).
    public convenience init(
        engine: String, arguments: [String], policy: Policy?, host: HostFeatures? = nil
    ) throws {
        try self.init(engine: engine, arguments: arguments, policy: policy, host: host, extraChildMounts: [])
    }

    /// `extraChildMounts` run after the policy's own, in each child: tests use it to make a child's
    /// mount step fail and show that the engine then never runs.
    init(
        engine: String, arguments: [String], policy: Policy?, host: HostFeatures?, extraChildMounts: [MountOp]
    ) throws {
        self.engine = engine
        self.policy = policy
        executablePath = policy == nil ? engine : MountPlan.engineTarget
        let argv = [executablePath] + (policy?.arguments ?? []) + arguments
        self.arguments = argv
        self.policyEnvironment = (policy?.environment ?? []).map { "\($0.name)=\($0.value)" }
        self.path = CStringArray([executablePath])
        self.argv = CStringArray(argv)
        self.plan = warren_plan(
            path: UnsafePointer(self.path.pointer[0]), argv: self.argv.pointer, sandbox: nil)
        guard let policy else {
            limits = nil
            warnings = []
            cgroupFiles = []
            childMounts = []
            return
        }
        let host = host ?? HostFeatures.detect()
        if policy.cgroup.leafRequired && !host.cgroupLeavesAvailable {
            throw SandboxPlanError(
                description: "\(policy.path): cgroup_leaf = \"required\", but this host has no cgroup leaves "
                    + "(\(host.cgroupUnavailableReason))")
        }
        let enforcement = host.enforcement(for: policy)
        let limits = enforcement.rlimits
        self.limits = limits
        self.warnings = enforcement.warning.map { [$0] } ?? []
        self.cgroupFiles = enforcement.cgroupFiles
        guard engine.hasPrefix("/") else {
            throw SandboxPlanError(description: "\(policy.path): engine \(engine): not an absolute path")
        }
        guard policy.seccomp.instructionCount > 0, policy.seccomp.program.count % 8 == 0,
            policy.seccomp.instructionCount <= Int(UInt16.max)
        else {
            throw SandboxPlanError(description: "\(policy.path): no usable compiled seccomp filter")
        }
        let staging = try Self.makeStagingDirectory()
        defer { rmdir(staging) }
        let mounts: MountPlan
        do {
            mounts = try MountPlan(policy: policy, engine: engine, staging: staging)
        } catch {
            throw SandboxPlanError(description: error.description)
        }
        childMounts = mounts.child + extraChildMounts
        try prepare(policy: policy, template: mounts.template)
        plan.sandbox = arena.value(sandbox(policy: policy, limits: limits, mounts: childMounts))
    }

    deinit {
        warren_release(&prepared)
    }

    /// The fds of the prepared namespaces (tests check that they go with the plan).
    var preparedNamespaces: warren_prepared { prepared }

    /// A failure report from a child of this plan, in words: the step, the mount or limit it
    /// concerned, and the errno.
    public func describe(_ failure: SpawnFailure) -> String {
        if failure.step == "mount" || failure.step == "mkdir" || failure.step == "mkfile",
            childMounts.indices.contains(Int(failure.detail))
        {
            return "\(failure.step) (\(childMounts[Int(failure.detail)].what)): \(failure.errno)"
        }
        return failure.description
    }

    // MARK: - Preparation

    private static func makeStagingDirectory() throws -> String {
        var template = Array("/tmp/warren-root.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw SandboxPlanError(
                description: "cannot create a staging directory in /tmp: \(Errno(rawValue: errno))")
        }
        return String(cString: made)
    }

    private func cOps(_ ops: [MountOp]) -> [warren_mount_op] {
        ops.map { op in
            warren_mount_op(
                kind: op.kind.rawValue, source: op.source.map(arena.string), target: arena.string(op.target),
                fstype: op.fstype.map(arena.string), flags: op.flags, data: op.data.map(arena.string))
        }
    }

    private func prepare(policy: Policy, template: [MountOp]) throws {
        let ns = policy.namespaces
        let ops = cOps(template)
        let hostname = policy.hostname ?? "warren"
        let uidMap = "0 \(policy.uid) 1\n"
        let gidMap = "0 \(policy.gid) 1\n"
        var spec = warren_prepare_spec(
            mounts: arena.array(ops), mount_count: ops.count,
            share_net: ns.net == .shared ? 1 : 0, share_ipc: ns.ipc == .shared ? 1 : 0,
            share_uts: ns.uts == .shared ? 1 : 0, share_cgroup: ns.cgroup == .shared ? 1 : 0,
            share_user: ns.user == .shared ? 1 : 0, hostname: arena.string(hostname),
            hostname_len: hostname.utf8.count, uid_map: arena.string(uidMap), gid_map: arena.string(gidMap))
        var failure = warren_report()
        guard warren_prepare(&spec, &prepared, &failure) == 0 else {
            var bytes = [UInt8](repeating: 0, count: MemoryLayout<warren_report>.size)
            withUnsafeBytes(of: failure) { bytes = Array($0) }
            let decoded = SpawnFailure(reportBytes: bytes) ?? SpawnFailure(step: "prepare", errno: .ioError)
            var what = decoded.description
            if template.indices.contains(Int(decoded.detail)) {
                what = "\(decoded.step) (\(template[Int(decoded.detail)].what)): \(decoded.errno)"
            }
            throw SandboxPlanError(description: "\(policy.path): preparing the sandbox failed: \(what)")
        }
    }

    private func sandbox(policy: Policy, limits: ResourceLimits, mounts: [MountOp]) -> warren_sandbox {
        let ns = policy.namespaces
        // Only the PID namespace at clone; the child unshares the fresh ones (ns.c says why).
        var unshare: UInt64 = 0
        if ns.net == .fresh { unshare |= WARREN_CLONE_NEWNET }
        if ns.ipc == .fresh { unshare |= WARREN_CLONE_NEWIPC }
        if ns.uts == .fresh { unshare |= WARREN_CLONE_NEWUTS }
        if ns.cgroup == .fresh { unshare |= WARREN_CLONE_NEWCGROUP }
        let userMode: Int32 =
            switch ns.user {
            case .host: Int32(WARREN_USER_HOST.rawValue)
            case .fresh: Int32(WARREN_USER_FRESH.rawValue)
            case .shared: Int32(WARREN_USER_SHARED.rawValue)
            }
        var keep: UInt64 = 0
        for cap in policy.keepCapabilities where (0..<64).contains(cap) { keep |= UInt64(1) << UInt64(cap) }
        // A user namespace (fresh or joined) starts with a full bounding set; otherwise only what
        // warren itself still holds needs dropping.
        let bounding = ns.user == .host ? HostCapabilities.boundingSet() : HostCapabilities.all()
        let ops = cOps(mounts)
        let rlimits = Self.rlimits(limits)
        let filter = policy.seccomp.program
        let hostname = policy.hostname
        return warren_sandbox(
            clone_flags: WARREN_CLONE_NEWPID, unshare_flags: unshare, mnt_fd: prepared.mnt_fd,
            net_fd: prepared.net_fd, ipc_fd: prepared.ipc_fd,
            uts_fd: prepared.uts_fd, cgroup_fd: prepared.cgroup_fd, user_mode: userMode,
            user_fd: prepared.user_fd, uid: policy.uid, gid: policy.gid,
            uid_map: arena.string("0 \(policy.uid) 1\n"), gid_map: arena.string("0 \(policy.gid) 1\n"),
            hostname: hostname.map(arena.string), hostname_len: hostname?.utf8.count ?? 0,
            mounts: arena.array(ops), mount_count: ops.count, cwd: arena.string(policy.workingDirectory),
            rlimits: arena.array(rlimits), rlimit_count: rlimits.count, bset_drop: bounding & ~keep,
            keep_caps: keep, filter: UnsafeRawPointer(arena.array(filter)),
            filter_len: UInt16(filter.count / 8))
    }

    /// RLIMIT_CORE is 0 unless the policy says otherwise: a core dump would also turn a seccomp
    /// kill's CLD_KILLED into CLD_DUMPED.
    static func rlimits(_ limits: ResourceLimits) -> [warren_rlimit] {
        let pairs: [(Int32, UInt64?)] = [
            (WARREN_RLIMIT_CPU, limits.cpuSeconds), (WARREN_RLIMIT_AS, limits.addressSpace),
            (WARREN_RLIMIT_NOFILE, limits.openFiles), (WARREN_RLIMIT_NPROC, limits.processes),
            (WARREN_RLIMIT_FSIZE, limits.fileSize), (WARREN_RLIMIT_CORE, limits.core ?? 0),
            (WARREN_RLIMIT_STACK, limits.stack),
        ]
        return pairs.compactMap { resource, value in
            value.map { warren_rlimit(resource: resource, value: $0) }
        }
    }
}

/// A policy that cannot be applied in full on this host: warren refuses the service (fail closed).
public struct SandboxPlanError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
}
