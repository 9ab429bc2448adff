// [rootfs]: the skeleton, bind mounts and tmpfs mounts. Host paths are resolved against the policy
// file's directory and must exist at load (bind sources: those left after `extends` is merged): a
// mount that would fail in the child is a load-time error.

extension PolicyFileReader {
    /// Sandbox paths a policy may not mount over: the root itself and what the spawn path builds.
    static let reservedTargets = ["/", "/proc", "/dev"]

    func readRootfs(_ table: TableReader, into draft: inout PolicyDraft) {
        draft.skeletonNamed = table.has("skeleton")
        if let skeleton = table.string("skeleton") {
            let path = HostPaths.resolve(skeleton, against: directory)
            if let problem = Self.directoryProblem(path) {
                table.error("skeleton", "rootfs skeleton '\(path)' \(problem)")
            } else {
                draft.skeleton = located(path, table, "skeleton")
            }
        }
        for bind in table.tableArray("bind") ?? [] {
            let source = bind.string("source", required: true)
            let target = bind.string("target", required: true).flatMap { checkTarget($0, bind) }
            let writable = bind.bool("writable") ?? false
            bind.finish()
            guard let source, let target else { continue }
            // Whether the source exists is checked after `extends` is merged (PolicyBuilder): a
            // derived policy may replace a base's bind whose source does not exist on this host.
            let path = HostPaths.resolve(source, against: directory)
            let mount = BindMount(source: path, target: target, writable: writable)
            draft.binds.append(Located(value: mount, file: file, line: bind.line))
        }
        for tmpfs in table.tableArray("tmpfs") ?? [] {
            let target = tmpfs.string("target", required: true).flatMap { checkTarget($0, tmpfs) }
            var size = tmpfs.size("size", required: true)
            // A tmpfs of size 0 is unlimited to the kernel: never what a cap means.
            if size == 0 {
                tmpfs.error(
                    "size", "'rootfs.tmpfs.size' must be more than 0 (a size of 0 would mean no limit)")
                size = nil
            }
            tmpfs.finish()
            guard let target, let size else { continue }
            draft.tmpfs.append(
                Located(value: TmpfsMount(target: target, sizeBytes: size), file: file, line: tmpfs.line))
        }
        var seen: Set<String> = []
        for mount in draft.binds.map({ ($0.value.target, $0.line) })
            + draft.tmpfs.map({ ($0.value.target, $0.line) })
        where !seen.insert(mount.0).inserted {
            table.error(line: mount.1, "two rootfs entries mount on '\(mount.0)'")
        }
    }

    /// The normalized target, or nil after recording why it is not acceptable.
    private func checkTarget(_ target: String, _ table: TableReader) -> String? {
        guard target.hasPrefix("/") else {
            table.error(
                "target",
                "'\(table.path("target"))' must be an absolute path inside the sandbox, not '\(target)'")
            return nil
        }
        let normalized = HostPaths.normalize(target)
        for reserved in Self.reservedTargets
        where normalized == reserved || (reserved != "/" && normalized.hasPrefix(reserved + "/")) {
            table.error(
                "target", "'\(table.path("target"))' must not be '\(reserved)' or under it: warren builds it")
            return nil
        }
        return normalized
    }

    /// Why `path` cannot serve as a directory, or nil if it can.
    static func directoryProblem(_ path: String) -> String? {
        switch HostPaths.kind(of: path) {
        case .success(.directory): return nil
        case .success: return "is not a directory"
        case .failure(let error): return "cannot be used: \(error)"
        }
    }
}
