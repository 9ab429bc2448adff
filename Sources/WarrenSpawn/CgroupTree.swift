import CWarrenSpawn
import Glibc
import WarrenPolicy
import WarrenSystem

/// warren's own cgroup v2 subtree: `<warren's cgroup>/warren.<pid>.<n>/svc-<service>/c<connection>`.
///
/// The subtree is warren's alone (made at start, removed at exit), so nothing of the host's own
/// hierarchy is touched beyond enabling controllers in the parent's `cgroup.subtree_control`.
/// warren itself stays where it is: its directories hold no process, so the "no internal
/// processes" rule never stops a controller from being enabled below them. `n` counts trees in
/// one process (tests run several servers at once).
///
/// Per connection: a leaf is made and opened (O_DIRECTORY) before the clone, the fd goes into
/// clone3 (CLONE_INTO_CGROUP: the child starts inside the leaf, no window outside it) and is closed
/// right after: warren keeps no fd per engine for its cgroup. `cgroup.kill` is reopened by path
/// the rare time it is needed (a timeout or a shutdown kill).
public final class CgroupTree: @unchecked Sendable {
    /// The tree's top directory.
    public let root: String
    /// Controllers enabled for every leaf (memory, pids, cpu), a subset of what the host offers.
    public let controllers: Set<String>
    /// Trees of warren processes that no longer exist (killed before they could clean up), removed
    /// when this one was made.
    public let removedStale: [String]

    private static let counter = Counter()

    /// Makes the tree under `host`'s cgroup and enables the controllers it offers of memory, pids
    /// and cpu. Throws when there is no writable cgroup v2 hierarchy (the caller decides whether
    /// that is fatal) or when a controller the host offers cannot be enabled (then `HostFeatures`
    /// would have claimed a limit that is not in force).
    public init(host: HostFeatures) throws(CgroupError) {
        guard let parent = host.cgroup2Directory else {
            throw CgroupError("no cgroup v2 hierarchy is mounted")
        }
        guard host.cgroup2Writable else { throw CgroupError("cgroup v2 at \(parent) is mounted read-only") }
        let wanted = HostFeatures.limitControllers.filter { host.controllers.contains($0) }
        removedStale = Self.removeStale(in: parent)
        let root = parent + "/warren.\(getpid()).\(Self.counter.next())"
        if mkdir(root, 0o755) != 0 {
            throw CgroupError("cannot create \(root): \(Errno(rawValue: errno))")
        }
        do throws(CgroupError) {
            try Self.enable(wanted, in: parent)
            try Self.enable(wanted, in: root)
        } catch {
            rmdir(root)
            throw error
        }
        self.root = root
        self.controllers = Set(wanted)
    }

    /// The directory of one service's leaves, made (and its controllers enabled) when missing.
    public func serviceDirectory(_ service: String) throws(CgroupError) -> String {
        let path = root + "/svc-" + service
        if mkdir(path, 0o755) != 0 {
            guard errno == EEXIST else {
                throw CgroupError("cannot create \(path): \(Errno(rawValue: errno))")
            }
            return path
        }
        do throws(CgroupError) {
            try Self.enable(HostFeatures.limitControllers.filter { controllers.contains($0) }, in: path)
        } catch {
            rmdir(path)
            throw error
        }
        return path
    }

    /// Makes one connection's leaf, writes the limit files `files` into it and opens it for
    /// CLONE_INTO_CGROUP. The caller closes the fd right after the clone.
    public func makeLeaf(service: String, name: String, files: [CgroupFile]) throws(CgroupError) -> CgroupLeaf
    {
        // The service's directory is made by the first leaf that finds it missing: one mkdir per
        // connection, not two.
        let path = root + "/svc-" + service + "/" + name
        if mkdir(path, 0o755) != 0 {
            guard errno == ENOENT else {
                throw CgroupError("cannot create \(path): \(Errno(rawValue: errno))")
            }
            _ = try serviceDirectory(service)
            guard mkdir(path, 0o755) == 0 else {
                throw CgroupError("cannot create \(path): \(Errno(rawValue: errno))")
            }
        }
        for file in files {
            do throws(Errno) {
                try Self.write(file.value, to: path + "/" + file.name)
            } catch {
                rmdir(path)
                throw CgroupError("cannot write \(file.value) to \(path)/\(file.name): \(error)")
            }
        }
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            let error = Errno(rawValue: errno)
            rmdir(path)
            throw CgroupError("cannot open \(path): \(error)")
        }
        return CgroupLeaf(path: path, descriptor: FileDescriptor(rawValue: fd))
    }

    /// Kills every process in the leaf at once (cgroup.kill, kernel 5.14+), however it forked or
    /// whatever process group or session it moved to.
    public static func kill(leaf path: String) throws(Errno) {
        try write("1", to: path + "/cgroup.kill")
    }

    /// Removes a directory of the tree; false while processes are still in it (EBUSY), true when it
    /// is gone (or already was).
    public static func remove(_ path: String) throws(Errno) -> Bool {
        if rmdir(path) == 0 || errno == ENOENT { return true }
        if errno == EBUSY { return false }
        throw Errno(rawValue: errno)
    }

    /// Removes every directory of the tree, deepest first; returns those that could not be removed
    /// (still populated), each with its errno.
    public func removeAll() -> [(path: String, errno: Errno)] {
        var left: [(String, Errno)] = []
        for service in Self.subdirectories(of: root) {
            for leaf in Self.subdirectories(of: service) where rmdir(leaf) != 0 && errno != ENOENT {
                left.append((leaf, Errno(rawValue: errno)))
            }
            if rmdir(service) != 0 && errno != ENOENT { left.append((service, Errno(rawValue: errno))) }
        }
        if rmdir(root) != 0 && errno != ENOENT { left.append((root, Errno(rawValue: errno))) }
        return left
    }

    /// Removes every `warren.PID.N` tree in `parent` whose warren is gone (a SIGKILL leaves its tree
    /// behind; only empty cgroups can be removed, so a tree still holding a process stays).
    private static func removeStale(in parent: String) -> [String] {
        var removed: [String] = []
        for tree in subdirectories(of: parent) {
            let name = tree.split(separator: "/").last ?? ""
            let parts = name.split(separator: ".")
            guard parts.count == 3, parts[0] == "warren", let pid = pid_t(parts[1]), pid != getpid(),
                Glibc.kill(pid, 0) != 0, errno == ESRCH
            else { continue }
            for service in subdirectories(of: tree) {
                for leaf in subdirectories(of: service) { rmdir(leaf) }
                rmdir(service)
            }
            if rmdir(tree) == 0 { removed.append(tree) }
        }
        return removed
    }

    /// Directories directly below `path` (a cgroup's children; its files are not directories).
    public static func subdirectories(of path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var out: [String] = []
        while let entry = readdir(dir) {
            guard entry.pointee.d_type == UInt8(DT_DIR) else { continue }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { out.append(path + "/" + name) }
        }
        return out
    }

    /// Adds `controllers` to `directory`'s cgroup.subtree_control (those already there are fine).
    private static func enable(_ controllers: [String], in directory: String) throws(CgroupError) {
        guard !controllers.isEmpty else { return }
        let enabled = readSmallFile(directory + "/cgroup.subtree_control") ?? ""
        let present = Set(enabled.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
        for controller in controllers where !present.contains(controller) {
            do throws(Errno) {
                try write("+" + controller, to: directory + "/cgroup.subtree_control")
            } catch {
                throw CgroupError(
                    "cannot enable the \(controller) controller in \(directory)/cgroup.subtree_control: \(error)"
                )
            }
        }
    }

    /// One write(2) of `text` to a cgroup interface file: the kernel takes each write whole.
    static func write(_ text: String, to path: String) throws(Errno) {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Errno(rawValue: errno) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        while true {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n == bytes.count { return }
            if n < 0 && errno == EINTR { continue }
            throw Errno(rawValue: n < 0 ? errno : EIO)
        }
    }

    private final class Counter: @unchecked Sendable {
        private var value = 0
        private var lock = pthread_mutex_t()
        init() { pthread_mutex_init(&lock, nil) }
        func next() -> Int {
            pthread_mutex_lock(&lock)
            defer { pthread_mutex_unlock(&lock) }
            value += 1
            return value
        }
    }
}

/// One connection's leaf: its path (for cgroup.kill and rmdir) and, until the clone, its fd.
public struct CgroupLeaf: Sendable {
    public var path: String
    public var descriptor: FileDescriptor
}

/// One limit file written into every leaf of a plan, e.g. ("memory.max", "268435456").
public struct CgroupFile: Sendable, Equatable {
    public var name: String
    public var value: String
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// Why the tree, a directory or a leaf could not be made: path and errno in words.
public struct CgroupError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
