import Glibc
import WarrenSpawn
import WarrenSystem

/// The loop's per-connection cgroup v2 leaves (see `CgroupTree`): one made before each clone and
/// passed to it (CLONE_INTO_CGROUP), killed whole with cgroup.kill on a timeout or a shutdown kill,
/// removed after the reap. Leaves still populated at removal (EBUSY) are retried at every later
/// reap and at exit, never dropped silently.
final class CgroupLeaves {
    let tree: CgroupTree
    /// The leaf of every running connection, by connection id.
    var running: [UInt64: String] = [:]
    /// The leaf of every prespawned waiter not yet handed a connection, by waiter id.
    var waiting: [UInt64: String] = [:]
    /// Leaves of reaped connections that still held a process at removal.
    var busy: [String] = []

    init(tree: CgroupTree) {
        self.tree = tree
    }
}

extension Server {
    /// At start: makes warren's cgroup subtree. Without one (no cgroup v2, read-only, EACCES, a
    /// controller that cannot be enabled) warren goes on with one warning, unless a service's plan
    /// needs leaves: a cgroup limit this host claims to enforce, or `cgroup_leaf = "required"`;
    /// then it refuses to start (fail closed).
    static func makeCgroupLeaves(for loaded: LoadedConfig, sink: LogSink) throws(ConfigErrors)
        -> CgroupLeaves?
    {
        let host = HostFeatures.detect()
        do throws(CgroupError) {
            let tree = try CgroupTree(host: host)
            var line = LogLine(event: "cgroup")
            line.add("root", tree.root)
            line.add(
                "controllers",
                tree.controllers.isEmpty ? "none" : tree.controllers.sorted().joined(separator: ","))
            sink.write(line)
            for stale in tree.removedStale {
                var removed = LogLine(event: "cgroup_stale_removed")
                removed.add("path", stale)
                sink.write(removed)
            }
            return CgroupLeaves(tree: tree)
        } catch {
            let needing = loaded.config.services.filter { loaded.plans[$0.name]?.needsCgroupLeaf == true }
            if !needing.isEmpty {
                throw ConfigErrors(
                    needing.map {
                        "\(loaded.config.path): service \"\($0.name)\": policy \($0.policy) needs a cgroup leaf "
                            + "per connection, but warren cannot make its cgroup subtree: \(error)"
                    })
            }
            var line = LogLine(event: "warning")
            line.add(
                "msg",
                "no cgroup leaves (\(error)): engines run without cgroup.kill; a timeout kills the engine "
                    + "and, with it, its PID namespace")
            sink.write(line)
            return nil
        }
    }

    /// On reload: a new plan that needs leaves cannot run without warren's subtree.
    func checkCgroupNeeds(_ loaded: LoadedConfig) throws(ConfigErrors) {
        guard cgroups == nil else { return }
        let needing = loaded.config.services.filter { loaded.plans[$0.name]?.needsCgroupLeaf == true }
        guard !needing.isEmpty else { return }
        throw ConfigErrors(
            needing.map {
                "\(loaded.config.path): service \"\($0.name)\": policy \($0.policy) needs a cgroup leaf per "
                    + "connection, but warren runs without a cgroup subtree"
            })
    }

    /// Makes and opens the next connection's leaf. `refused` when the plan needs a leaf and none
    /// could be made: the connection is logged and closed, the engine never runs.
    func openCgroupLeaf(for service: ServiceRuntime, peer: SocketAddress) -> (
        leaf: CgroupLeaf?, refused: Bool
    ) {
        guard let cgroups else { return (nil, false) }
        do throws(CgroupError) {
            let leaf = try cgroups.tree.makeLeaf(
                service: service.name, name: "c\(nextConnectionID)", files: service.plan.cgroupFiles)
            return (leaf, false)
        } catch {
            let needed = service.plan.needsCgroupLeaf
            var line = needed ? connectionLine(service: service, peer: peer) : LogLine(event: "warning")
            if needed {
                line.add("duration", LogLine.duration(0))
                line.add("reason", "cgroup_failed")
                line.add("msg", error.description)
            } else {
                line.add("service", service.name)
                line.add("msg", "engine runs without a cgroup leaf: \(error)")
            }
            sink.write(line)
            return (nil, needed)
        }
    }

    /// A prespawned waiter's leaf (`w<id>`), made like a connection's. `refused` when the plan needs
    /// a leaf and none could be made: the waiter is not spawned (logged as prespawn_exit).
    func openWaiterLeaf(for service: ServiceRuntime) -> (leaf: CgroupLeaf?, refused: Bool) {
        guard let cgroups else { return (nil, false) }
        do throws(CgroupError) {
            let leaf = try cgroups.tree.makeLeaf(
                service: service.name, name: "w\(prespawn.nextID)", files: service.plan.cgroupFiles)
            return (leaf, false)
        } catch {
            let needed = service.plan.needsCgroupLeaf
            var line = LogLine(event: needed ? "prespawn_exit" : "warning")
            line.add("service", service.name)
            if needed { line.add("reason", "cgroup_failed") }
            line.add("msg", needed ? error.description : "engine runs without a cgroup leaf: \(error)")
            sink.write(line)
            return (nil, needed)
        }
    }

    /// After a waiter's clone: closes the leaf's fd; records the leaf for the waiter, or removes it
    /// when the spawn failed.
    func settleWaiterLeaf(_ leaf: CgroupLeaf?, waiter: Waiter?) {
        guard let leaf, let cgroups else { return }
        try? leaf.descriptor.close()
        if let waiter {
            cgroups.waiting[waiter.id] = leaf.path
        } else {
            removeLeaf(leaf.path, cgroups)
        }
    }

    /// A handoff: the waiter's leaf is the connection's from now on (its kill and removal).
    func adoptWaiterLeaf(_ waiter: Waiter, by connection: Connection) {
        guard let cgroups, let path = cgroups.waiting.removeValue(forKey: waiter.id) else { return }
        cgroups.running[connection.id] = path
    }

    /// A waiter reaped before any handoff: its leaf goes.
    func removeWaiterLeaf(_ waiter: Waiter) {
        guard let cgroups, let path = cgroups.waiting.removeValue(forKey: waiter.id) else { return }
        removeLeaf(path, cgroups)
    }

    /// After the clone: the leaf's fd is closed at once (warren keeps no fd per engine for it).
    /// With a child, the leaf is recorded for its kill and removal; without one it goes now.
    func settleCgroupLeaf(_ leaf: CgroupLeaf?, connection: Connection?) {
        guard let leaf, let cgroups else { return }
        try? leaf.descriptor.close()
        if let connection {
            cgroups.running[connection.id] = leaf.path
        } else {
            removeLeaf(leaf.path, cgroups)
        }
    }

    /// Timeout or shutdown: every process in the leaf dies at once, whatever process group or
    /// session it moved to (the SIGKILL to the engine follows).
    func killCgroup(of connection: Connection) {
        guard let cgroups, let path = cgroups.running[connection.id] else { return }
        do throws(Errno) {
            try CgroupTree.kill(leaf: path)
        } catch {
            var line = LogLine(event: "warning")
            line.add("service", connection.service.name)
            line.add("pid", connection.pid)
            line.add("msg", "cgroup.kill in \(path) failed: \(SymbolicName.errno(error))")
            sink.write(line)
        }
    }

    /// After the reap: removes the connection's leaf, and retries leaves that were still busy.
    func removeCgroupLeaf(of connection: Connection) {
        guard let cgroups else { return }
        if !cgroups.busy.isEmpty {
            let retry = cgroups.busy
            cgroups.busy = []
            for path in retry { removeLeaf(path, cgroups) }
        }
        if let path = cgroups.running.removeValue(forKey: connection.id) { removeLeaf(path, cgroups) }
    }

    private func removeLeaf(_ path: String, _ cgroups: CgroupLeaves) {
        do throws(Errno) {
            if try !CgroupTree.remove(path) {
                cgroups.busy.append(path)
                var line = LogLine(event: "cgroup_busy")
                line.add("leaf", path)
                line.add("msg", "still populated after the reap; removal retried at the next reap")
                sink.write(line)
            }
        } catch {
            var line = LogLine(event: "warning")
            line.add("msg", "cannot remove cgroup leaf \(path): \(SymbolicName.errno(error))")
            sink.write(line)
        }
    }

    /// After a reload: directories of services that are gone and have no running engine left.
    func pruneCgroupServices() {
        guard let cgroups else { return }
        let kept = Set(services.keys.map { cgroups.tree.root + "/svc-" + $0 })
        let inUse = Set(
            (Array(cgroups.running.values) + Array(cgroups.waiting.values) + cgroups.busy).map {
                String($0[..<$0.lastIndex(of: "/")!])
            })
        for directory in CgroupTree.subdirectories(of: cgroups.tree.root)
        where !kept.contains(directory) && !inUse.contains(directory) {
            _ = try? CgroupTree.remove(directory)
        }
    }

    /// At exit: removes the whole subtree. A leaf still populated (a process that outlived its
    /// engine's reap) is killed and waited for briefly; whatever is left is named in the log.
    func removeCgroupTree() {
        guard let cgroups else { return }
        for path in cgroups.busy { try? CgroupTree.kill(leaf: path) }
        var left = cgroups.tree.removeAll()
        var attempts = 0
        while !left.isEmpty && attempts < 100 {
            attempts += 1
            usleep(2_000)
            left = cgroups.tree.removeAll()
        }
        for (path, error) in left {
            var line = LogLine(event: "warning")
            line.add("msg", "cgroup \(path) left behind: \(SymbolicName.errno(error))")
            sink.write(line)
        }
        self.cgroups = nil
    }
}
