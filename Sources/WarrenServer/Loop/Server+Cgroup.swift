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
    /// Leaves of reaped connections that still held a process at removal.
    var busy: [String] = []
    /// The next connection leaf's number. Not the connection id: that is given when a spawn thread
    /// answers, and several spawns are in flight at once, each needing its own leaf before.
    var nextLeaf: UInt64 = 1

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
    /// `waiter`: a prespawned engine's leaf, named `w` + the waiter's id; its refusal is a
    /// `prespawn_exit` record and the pool backs off.
    func openCgroupLeaf(for service: ServiceRuntime, peer: SocketAddress?, waiter: UInt64? = nil) -> (
        leaf: CgroupLeaf?, refused: Bool
    ) {
        guard let cgroups else { return (nil, false) }
        do throws(CgroupError) {
            let name: String
            if let waiter {
                name = "w\(waiter)"
            } else {
                name = "c\(cgroups.nextLeaf)"
                cgroups.nextLeaf += 1
            }
            let leaf = try cgroups.tree.makeLeaf(
                service: service.name, name: name, files: service.plan.cgroupFiles)
            return (leaf, false)
        } catch {
            let needed = service.plan.needsCgroupLeaf
            var line: LogLine
            if !needed {
                line = LogLine(event: "warning")
                line.add("service", service.name)
                line.add("msg", "engine runs without a cgroup leaf: \(error)")
            } else if let peer {
                line = connectionLine(service: service, peer: peer)
                line.add("duration", LogLine.duration(0))
                line.add("reason", "cgroup_failed")
                line.add("msg", error.description)
            } else {
                line = LogLine(event: "prespawn_exit")
                line.add("service", service.name)
                line.add("reason", "cgroup_failed")
                line.add("msg", error.description)
                backOff(service, line: &line)
            }
            sink.write(line)
            return (nil, needed)
        }
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

    /// A prespawned engine's leaf: recorded under the waiter until its handoff, then moved to the
    /// connection it serves (`adoptCgroupLeaf`); without a child it goes now.
    func settleWaiterCgroupLeaf(_ leaf: CgroupLeaf?, waiter: Waiter?) {
        guard let leaf, let cgroups else { return }
        try? leaf.descriptor.close()
        if let waiter { waiter.cgroupLeaf = leaf.path } else { removeLeaf(leaf.path, cgroups) }
    }

    /// The handoff: the waiter's leaf is now the connection's (its timeout kills the leaf whole).
    func adoptCgroupLeaf(of waiter: Waiter, by connection: Connection) {
        guard let cgroups, let path = waiter.cgroupLeaf else { return }
        waiter.cgroupLeaf = nil
        cgroups.running[connection.id] = path
    }

    /// A waiter reaped before any handoff: its leaf goes (a retired waiter past its deadline is
    /// killed whole first).
    func removeWaiterCgroupLeaf(_ waiter: Waiter, kill: Bool = false) {
        guard let cgroups, let path = waiter.cgroupLeaf else { return }
        if kill {
            try? CgroupTree.kill(leaf: path)
            return
        }
        waiter.cgroupLeaf = nil
        removeLeaf(path, cgroups)
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
            (Array(cgroups.running.values) + cgroups.busy).map { String($0[..<$0.lastIndex(of: "/")!]) })
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
