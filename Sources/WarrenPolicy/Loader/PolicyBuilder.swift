// From a merged draft to a `Policy`: defaults applied, cross-key checks made, seccomp compiled.

struct PolicyBuilder {
    let draft: PolicyDraft
    let log: DiagnosticLog

    /// The policy, or nil after recording why not.
    func build() -> Policy? {
        var modes: [String: NamespaceMode] = [:]
        for kind in PolicyFileReader.namespaceKinds {
            modes[kind] = draft.namespaces[kind]?.value ?? .fresh
        }
        let namespaces = Namespaces(
            net: modes["net"]!, ipc: modes["ipc"]!, uts: modes["uts"]!, user: modes["user"]!,
            cgroup: modes["cgroup"]!)
        if let hostname = draft.hostname, namespaces.uts == .host {
            let uts = draft.namespaces["uts"]
            let place = uts.map { " (\($0.file):\($0.line ?? 0))" } ?? ""
            log.error(
                hostname.file, hostname.line,
                "'hostname' needs a uts namespace, but namespaces.uts is 'host'\(place)")
        }
        // Only the binds left after merging: one a derived policy replaced (same target) need
        // not exist here.
        for bind in draft.binds {
            if case .failure(let error) = HostPaths.kind(of: bind.value.source) {
                log.error(
                    bind.file, bind.line,
                    "bind source '\(bind.value.source)' does not exist or cannot be reached: \(error)")
            }
        }
        let skeleton = draft.skeletonNamed ? draft.skeleton?.value : defaultSkeleton()
        let limits = resourceLimits()
        let cgroup = cgroupLimits()
        let seccomp = compileSeccomp()
        guard let skeleton, let seccomp else { return nil }
        if let cwd = draft.workingDirectory, !sandboxDirectoryExists(cwd.value, skeleton: skeleton) {
            log.error(
                cwd.file, cwd.line,
                "'cwd' '\(cwd.value)' is not a directory in the sandbox (neither in the skeleton nor under a bind or tmpfs)"
            )
        }
        return Policy(
            path: draft.file, namespaces: namespaces, uid: draft.uid?.value ?? PolicyLoader.defaultID,
            gid: draft.gid?.value ?? PolicyLoader.defaultID,
            rootfs: RootfsPlan(
                skeleton: skeleton, binds: draft.binds.map(\.value), tmpfs: draft.tmpfs.map(\.value)),
            limits: limits, cgroup: cgroup, keepCapabilities: draft.keepCapabilities.map(\.value.number),
            seccomp: seccomp, environment: draft.environment.map { ($0.name, $0.value.value) },
            arguments: draft.arguments.map(\.value), workingDirectory: draft.workingDirectory?.value ?? "/",
            hostname: draft.hostname?.value)
    }

    /// Whether `path` (absolute, normalized) will be a directory inside the sandbox: under the
    /// deepest mount whose target contains it (a bind's source, or an empty tmpfs), else in the
    /// skeleton.
    private func sandboxDirectoryExists(_ path: String, skeleton: String) -> Bool {
        func contains(_ target: String) -> Bool { path == target || path.hasPrefix(target + "/") }
        let bind = draft.binds.map(\.value).filter { contains($0.target) }.max {
            $0.target.count < $1.target.count
        }
        let tmpfs = draft.tmpfs.map(\.value).filter { contains($0.target) }.max {
            $0.target.count < $1.target.count
        }
        if let tmpfs, tmpfs.target.count >= (bind?.target.count ?? 0) { return path == tmpfs.target }
        if let bind {
            let rest = path.dropFirst(bind.target.count)
            return PolicyFileReader.directoryProblem(bind.source + rest) == nil
        }
        return PolicyFileReader.directoryProblem(skeleton + (path == "/" ? "" : path)) == nil
    }

    /// The repository's rootfs/: `../rootfs` from the (most derived) policy file's directory.
    private func defaultSkeleton() -> String? {
        let path = HostPaths.resolve("../rootfs", against: HostPaths.directory(of: draft.file))
        if let problem = PolicyFileReader.directoryProblem(path) {
            log.error(
                draft.file, nil,
                "the default rootfs skeleton '\(path)' (../rootfs beside the policy's directory) \(problem); set rootfs.skeleton"
            )
            return nil
        }
        return path
    }

    private func resourceLimits() -> ResourceLimits {
        func value(_ key: String) -> UInt64? {
            let set = draft.rlimits[key]
            let value = set.map(\.value) ?? PolicyFileReader.defaultRlimits[key]
            if let value, let hard = HostLimits.hardLimit(key), value > hard {
                let origin = set == nil ? " (the default)" : ""
                log.error(
                    set?.file ?? draft.file, set?.line,
                    "'limits.\(key)' is \(value)\(origin), above warren's own hard limit \(hard): "
                        + "a child can lower its limits, never raise them")
            }
            return value
        }
        return ResourceLimits(
            cpuSeconds: value("cpu_seconds"), addressSpace: value("address_space"),
            openFiles: value("open_files"), processes: value("processes"), fileSize: value("file_size"),
            core: value("core"), stack: value("stack"))
    }

    private func cgroupLimits() -> CgroupLimits {
        var limits = CgroupLimits()
        if case .bytes(let bytes)? = draft.cgroup["memory_max"]?.value { limits.memoryMax = bytes }
        if case .count(let count)? = draft.cgroup["pids_max"]?.value { limits.pidsMax = count }
        if case .cpu(let quota, let period)? = draft.cgroup["cpu_max"]?.value {
            limits.cpuMaxQuotaMicros = quota
            limits.cpuMaxPeriodMicros = period
        }
        if case .leaf(let required)? = draft.cgroup["cgroup_leaf"]?.value { limits.leafRequired = required }
        return limits
    }

    /// The filter: the files' rules in syscall order, execve allowed (warren starts the engine with
    /// it after loading the filter), rules that repeat the default left out.
    private func compileSeccomp() -> CompiledSeccomp? {
        let defaultAction = draft.defaultAction?.value ?? .kill
        if let execve = draft.syscalls["execve"], execve.rules != [allowExecve(execve.rules[0].number)] {
            log.error(
                execve.file, execve.line,
                "execve must stay allowed without conditions: warren starts the engine with it after loading the filter"
            )
            return nil
        }
        var rules: [SeccompRule] = []
        for name in draft.syscalls.keys.sorted() {
            rules += draft.syscalls[name]!.rules.filter {
                !($0.comparisons.isEmpty && $0.action == defaultAction)
            }
        }
        if draft.syscalls["execve"] == nil, let number = SyscallNames.number(of: "execve") {
            rules.append(allowExecve(number))
        }
        do throws(SeccompError) {
            return try SeccompCompiler.compile(defaultAction: defaultAction, rules: rules)
        } catch {
            let place = draft.defaultAction ?? Located(value: defaultAction, file: draft.file, line: nil)
            log.error(place.file, place.line, "seccomp: \(error.message)")
            return nil
        }
    }

    private func allowExecve(_ number: Int32) -> SeccompRule {
        SeccompRule(syscall: "execve", number: number, action: .allow)
    }
}
