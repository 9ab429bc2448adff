import CWarrenSpawn
import Glibc
import WarrenPolicy

/// One step of a mount plan, before it is laid out in C memory.
struct MountOp: Sendable, Equatable {
    enum Kind: Int32, Sendable {
        case mkdir = 1
        case mkfile = 2
        case mount = 3
        case pivot = 4
        /// mount_setattr(AT_RECURSIVE) with `flags` as MOUNT_ATTR_* bits: the whole subtree.
        case setattrRecursive = 5
    }
    var kind: Kind
    var source: String? = nil
    var target: String
    var fstype: String? = nil
    var flags: UInt = 0
    var data: String? = nil
    /// What a failure of this op means to a person reading the log.
    var what: String
}

/// An error in the rootfs a policy describes, found while planning (before anything is mounted).
public struct MountPlanError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// Compiles a policy's rootfs into two mount plans: the template's (run once per plan at load, in a
/// helper, under a staging directory) and each child's (run after copying the template).
///
/// The template: a tmpfs root (nosuid, nodev, noexec) holding the skeleton's top-level entries bound
/// read-only, /dev as a read-only tmpfs with null, zero, random and urandom bound in, mount points
/// for /proc and the tmpfs entries, the binds (read-only unless writable; either way with every mount
/// below the source carrying the same flags, set recursively by mount_setattr), the engine bound
/// read-only at /engine (the only mount without noexec); then pivot_root and the root's
/// superblock remounted read-only (every copy shares it). Each child: its own /proc for its PID
/// namespace (subset=pid: no /proc/sys, no kernel knobs) and its own size-capped tmpfs entries.
struct MountPlan {
    var template: [MountOp] = []
    var child: [MountOp] = []

    static let devices = ["null", "zero", "random", "urandom"]
    /// Where the engine binary is bound and exec'd inside every sandbox, whatever its host path:
    /// a host path could lie under a tmpfs entry (a checkout in /tmp) or a bind target and be
    /// hidden, and the engine has no business knowing the host's directory layout.
    static let engineTarget = "/engine"
    private static let hardened = WARREN_MS_NOSUID | WARREN_MS_NODEV | WARREN_MS_NOEXEC
    /// The same, as mount_setattr attributes, for every mount below a bind (see `bindReadOnly`).
    private static let hardenedAttributes =
        WARREN_MOUNT_ATTR_NOSUID | WARREN_MOUNT_ATTR_NODEV | WARREN_MOUNT_ATTR_NOEXEC

    init(policy: Policy, engine: String, staging: String) throws(MountPlanError) {
        let root = policy.rootfs
        for path in [engine, root.skeleton] + root.binds.map(\.target) + root.tmpfs.map(\.target)
            + [policy.workingDirectory]
        where !path.hasPrefix("/") || path.split(separator: "/").contains("..") {
            throw MountPlanError(description: "\(policy.path): \(path): paths must be absolute, without ..")
        }
        // A path under a tmpfs entry, /proc or /dev would be hidden by that mount in every child.
        let covering = root.tmpfs.map(\.target) + ["/proc", "/dev"]
        for (what, path) in root.binds.map({ ("bind target", $0.target) }) {
            if let cover = covering.first(where: { path == $0 || path.hasPrefix($0 + "/") }) {
                throw MountPlanError(
                    description: "\(policy.path): \(what) \(path) would be hidden by the mount on \(cover)")
            }
        }
        let s = staging
        template.append(
            MountOp(
                kind: .mount, source: "warren-root", target: s, fstype: "tmpfs", flags: Self.hardened,
                data: "mode=0755,size=1m,nr_inodes=4096", what: "tmpfs root"))
        try addSkeleton(root.skeleton, staging: s, policyPath: policy.path)
        addDevices(staging: s)
        template.append(MountOp(kind: .mkdir, target: s + "/proc", what: "mkdir /proc"))
        for bind in root.binds.sorted(by: { $0.target.count < $1.target.count }) {
            try addBind(bind, staging: s, policyPath: policy.path)
        }
        for tmpfs in root.tmpfs {
            // tmpfs reads size=0 as "unlimited": never let a zero through.
            guard tmpfs.sizeBytes > 0 else {
                throw MountPlanError(
                    description: "\(policy.path): tmpfs \(tmpfs.target): size must be above 0")
            }
            addParents(of: tmpfs.target, staging: s, includingSelf: true)
            child.append(
                MountOp(
                    kind: .mount, source: "tmpfs", target: tmpfs.target, fstype: "tmpfs",
                    flags: Self.hardened,
                    data:
                        "size=\(tmpfs.sizeBytes),nr_inodes=1024,mode=0700,uid=\(policy.uid),gid=\(policy.gid)",
                    what: "tmpfs \(tmpfs.target)"))
        }
        let inside = s + Self.engineTarget
        template.append(
            MountOp(kind: .mkfile, target: inside, what: "engine mount point \(Self.engineTarget)"))
        template.append(
            MountOp(
                kind: .mount, source: engine, target: inside, flags: WARREN_MS_BIND,
                what: "bind engine \(engine)"))
        template.append(
            MountOp(
                kind: .mount, target: inside,
                flags: WARREN_MS_REMOUNT | WARREN_MS_BIND | WARREN_MS_RDONLY | WARREN_MS_NOSUID
                    | WARREN_MS_NODEV,
                what: "remount engine read-only"))
        if policy.workingDirectory != "/" {
            addParents(of: policy.workingDirectory, staging: s, includingSelf: true)
        }
        template.append(MountOp(kind: .pivot, target: s, what: "pivot_root"))
        // The superblock itself, not only this mount: every child's copy shares it.
        template.append(
            MountOp(
                kind: .mount, target: "/", flags: WARREN_MS_REMOUNT | WARREN_MS_RDONLY | Self.hardened,
                what: "remount root superblock read-only"))
        template.append(
            MountOp(
                kind: .mount, target: "/",
                flags: WARREN_MS_REMOUNT | WARREN_MS_BIND | WARREN_MS_RDONLY | Self.hardened,
                what: "remount root read-only"))
        child.insert(
            MountOp(
                kind: .mount, source: "proc", target: "/proc", fstype: "proc", flags: Self.hardened,
                data: "subset=pid", what: "mount /proc"), at: 0)
    }

    private mutating func addParents(of path: String, staging: String, includingSelf: Bool) {
        let parts = path.split(separator: "/")
        var current = staging
        for (i, part) in parts.enumerated() where includingSelf || i < parts.count - 1 {
            current += "/" + part
            template.append(
                MountOp(kind: .mkdir, target: current, what: "mkdir \(current.dropFirst(staging.count))"))
        }
    }

    private mutating func addSkeleton(_ skeleton: String, staging: String, policyPath: String)
        throws(MountPlanError)
    {
        guard let dir = opendir(skeleton) else {
            throw MountPlanError(
                description: "\(policyPath): rootfs skeleton \(skeleton): \(String(cString: strerror(errno)))"
            )
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            // README.md documents the skeleton; it is not part of it.
            if name == "." || name == ".." || name == "README.md" { continue }
            names.append(name)
        }
        for name in names.sorted() {
            let source = skeleton + "/" + name
            let kind = try Self.kind(of: source, policyPath: policyPath)
            try bindReadOnly(source: source, target: "/" + name, kind: kind, staging: staging)
        }
    }

    private mutating func addDevices(staging: String) {
        let dev = staging + "/dev"
        template.append(MountOp(kind: .mkdir, target: dev, what: "mkdir /dev"))
        template.append(
            MountOp(
                kind: .mount, source: "warren-dev", target: dev, fstype: "tmpfs", flags: Self.hardened,
                data: "mode=0755,size=64k,nr_inodes=16", what: "tmpfs /dev"))
        for name in Self.devices {
            template.append(MountOp(kind: .mkfile, target: dev + "/" + name, what: "mknod /dev/\(name)"))
            template.append(
                MountOp(
                    kind: .mount, source: "/dev/" + name, target: dev + "/" + name, flags: WARREN_MS_BIND,
                    what: "bind /dev/\(name)"))
            // Devices need dev; writable (/dev/null), never exec or suid.
            template.append(
                MountOp(
                    kind: .mount, target: dev + "/" + name,
                    flags: WARREN_MS_REMOUNT | WARREN_MS_BIND | WARREN_MS_NOSUID | WARREN_MS_NOEXEC,
                    what: "remount /dev/\(name)"))
        }
        template.append(
            MountOp(
                kind: .mount, target: dev, flags: WARREN_MS_REMOUNT | WARREN_MS_RDONLY | Self.hardened,
                what: "remount /dev read-only"))
    }

    private mutating func addBind(_ bind: BindMount, staging: String, policyPath: String)
        throws(MountPlanError)
    {
        let kind = try Self.kind(of: bind.source, policyPath: policyPath)
        addParents(of: bind.target, staging: staging, includingSelf: false)
        if bind.writable {
            template.append(
                MountOp(
                    kind: kind, target: staging + bind.target, what: "mount point \(bind.target)"))
            template.append(
                MountOp(
                    kind: .mount, source: bind.source, target: staging + bind.target,
                    flags: WARREN_MS_BIND | WARREN_MS_REC, what: "bind \(bind.source) on \(bind.target)"))
            // Recursive: a mount below the source (a tmpfs, another disk) must not keep suid or exec.
            template.append(
                MountOp(
                    kind: .setattrRecursive, target: staging + bind.target, flags: Self.hardenedAttributes,
                    what: "set \(bind.target) and every mount below it nosuid,nodev,noexec"))
        } else {
            try bindReadOnly(source: bind.source, target: bind.target, kind: kind, staging: staging)
        }
    }

    private mutating func bindReadOnly(source: String, target: String, kind: MountOp.Kind, staging: String)
        throws(MountPlanError)
    {
        template.append(MountOp(kind: kind, target: staging + target, what: "mount point \(target)"))
        template.append(
            MountOp(
                kind: .mount, source: source, target: staging + target,
                flags: WARREN_MS_BIND | WARREN_MS_REC, what: "bind \(source) on \(target)"))
        // mount_setattr(AT_RECURSIVE), not MS_REMOUNT|MS_BIND: a remount changes only the top mount
        // of the recursive bind, and a mount below the source would stay writable (kernel 5.12+).
        template.append(
            MountOp(
                kind: .setattrRecursive, target: staging + target,
                flags: WARREN_MOUNT_ATTR_RDONLY | Self.hardenedAttributes,
                what: "set \(target) and every mount below it read-only"))
    }

    /// A directory or a file (the mount point must be of the same kind).
    private static func kind(of path: String, policyPath: String) throws(MountPlanError) -> MountOp.Kind {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw MountPlanError(
                description: "\(policyPath): bind source \(path): \(String(cString: strerror(errno)))")
        }
        return (st.st_mode & S_IFMT) == S_IFDIR ? .mkdir : .mkfile
    }
}
