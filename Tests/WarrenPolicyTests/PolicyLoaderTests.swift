import Glibc
import Testing
import WarrenPolicy

@Test func anEmptyPolicyGetsTightDefaults() throws {
    let tree = try PolicyTree()
    try tree.write("policies/empty.toml", "# nothing set\n")
    let policy = try tree.load("policies/empty.toml")
    #expect(policy.path == tree.root + "/policies/empty.toml")
    #expect(
        policy.namespaces == Namespaces(net: .fresh, ipc: .fresh, uts: .fresh, user: .fresh, cgroup: .fresh))
    #expect(policy.uid == 65534 && policy.gid == 65534)
    #expect(policy.rootfs == RootfsPlan(skeleton: tree.root + "/rootfs", binds: [], tmpfs: []))
    #expect(
        policy.limits
            == ResourceLimits(
                cpuSeconds: 10, addressSpace: 256 << 20, openFiles: 64, processes: 1, fileSize: 0, core: 0,
                stack: 8 << 20))
    #expect(policy.cgroup.isEmpty)
    #expect(policy.keepCapabilities == [])
    #expect(policy.seccomp.defaultAction == .kill)
    #expect(policy.seccomp.rules.map(\.syscall) == ["execve"])
    #expect(policy.seccomp.instructionCount > 0 && policy.seccomp.program.count % 8 == 0)
    #expect(policy.environment.isEmpty && policy.arguments.isEmpty)
    #expect(policy.workingDirectory == "/" && policy.hostname == nil)
}

@Test func everyKeyIsRead() throws {
    let tree = try PolicyTree()
    try tree.makeDirectory("skel")
    try tree.makeDirectory("site/public")
    try tree.write(
        "policies/full.toml",
        """
        args = ["--site", "/site"]
        cwd = "/site/./public/"
        hostname = "engine-1"

        [namespaces]
        net = "shared"
        ipc = "host"
        uts = "fresh"
        user = "fresh"
        cgroup = "shared"

        [user]
        uid = 1000
        gid = 1001

        [rootfs]
        skeleton = "../skel"
        bind = [
          { source = "../site", target = "/site" },
          { source = "/tmp", target = "/scratch", writable = true },
        ]
        tmpfs = [{ target = "/tmp", size = "4M" }]

        [limits]
        cpu_seconds = 5
        address_space = "128M"
        open_files = 32
        processes = "unlimited"
        file_size = "1M"
        core = 0
        stack = "1M"
        memory_max = "64M"
        pids_max = 16
        cpu_max = "50ms/100ms"

        [capabilities]
        keep = ["cap_net_bind_service", "CAP_CHOWN"]

        [env]
        SWIFT_ROOT = "/"
        LANG = "C"

        [seccomp]
        default_action = "errno:EPERM"
        allow = ["read", "exit_group"]
        kill = ["ptrace"]
        errno = { socket = "EACCES" }

        [seccomp.allow_if]
        write = { arg0 = [1, 2] }
        mmap = { arg2 = { mask = 4, value = 0 }, arg3 = 0x22 }
        """)
    let policy = try tree.load("policies/full.toml")
    #expect(policy.arguments == ["--site", "/site"])
    #expect(policy.workingDirectory == "/site/public")
    #expect(policy.hostname == "engine-1")
    #expect(
        policy.namespaces == Namespaces(net: .shared, ipc: .host, uts: .fresh, user: .fresh, cgroup: .shared))
    #expect(policy.uid == 1000 && policy.gid == 1001)
    #expect(
        policy.rootfs
            == RootfsPlan(
                skeleton: tree.root + "/skel",
                binds: [
                    BindMount(source: tree.root + "/site", target: "/site", writable: false),
                    BindMount(source: "/tmp", target: "/scratch", writable: true),
                ],
                tmpfs: [TmpfsMount(target: "/tmp", sizeBytes: 4 << 20)]))
    #expect(
        policy.limits
            == ResourceLimits(
                cpuSeconds: 5, addressSpace: 128 << 20, openFiles: 32, processes: nil, fileSize: 1 << 20,
                core: 0,
                stack: 1 << 20))
    #expect(
        policy.cgroup
            == CgroupLimits(
                memoryMax: 64 << 20, pidsMax: 16, cpuMaxQuotaMicros: 50_000, cpuMaxPeriodMicros: 100_000))
    #expect(policy.keepCapabilities == [10, 0])
    #expect(policy.environment.map { "\($0.name)=\($0.value)" } == ["SWIFT_ROOT=/", "LANG=C"])
    #expect(policy.seccomp.defaultAction == .errno(1))
    let rules = policy.seccomp.rules.map {
        "\($0.syscall) \($0.action) \($0.comparisons.map { "a\($0.argument)&\($0.mask)=\($0.value)" })"
    }
    #expect(
        rules == [
            "exit_group allow []",
            "mmap allow [\"a2&4=0\", \"a3&18446744073709551615=34\"]",
            "ptrace kill []",
            "read allow []",
            "socket errno:EACCES []",
            "write allow [\"a0&18446744073709551615=1\"]",
            "write allow [\"a0&18446744073709551615=2\"]",
            "execve allow []",
        ])
    #expect(
        policy.summary(limitLines: ["(limits, from the host)"]) == [
            "namespaces: mount fresh, pid fresh, net shared, ipc host, uts fresh, user fresh, cgroup shared",
            "user: uid 1000, gid 1001 (root inside its user namespace)",
            "rootfs: skeleton \(tree.root)/skel (read-only); bind \(tree.root)/site at /site (read-only); "
                + "bind /tmp at /scratch (writable); tmpfs at /tmp (4M)",
            "(limits, from the host)",
            "capabilities kept: cap_net_bind_service, cap_chown",
            "seccomp: default errno:EPERM, 5 syscalls allowed (2 with argument filters), 1 failing with an errno, "
                + "1 killing, \(policy.seccomp.instructionCount) BPF instructions, x86_64 only",
        ])
}

@Test func everyErrorOfAPolicyIsReportedWithItsLine() throws {
    let tree = try PolicyTree()
    try tree.write(
        "policies/bad.toml",
        """
        colour = "blue"
        hostname = "web"
        cwd = "relative"

        [namespaces]
        net = "none"
        uts = "host"
        mount = "host"

        [user]
        uid = 0

        [rootfs]
        skeleton = "../nowhere"
        bind = [
          { source = "../missing", target = "/data" },
          { source = "../site", target = "site" },
          { source = "../site", target = "/proc/x" },
          { target = "/y" },
        ]
        tmpfs = [{ target = "/tmp", size = "4Q" }, { target = "/t2", size = 0 }, { target = "/t3" }]

        [limits]
        cpu_seconds = 0
        address_space = "12"
        open_files = "many"
        stack = "99999999999T"
        cpu_max = "1s/2s"
        swap = 1

        [capabilities]
        keep = ["cap_fly"]

        [env]
        PROTO = "UDP"
        "1BAD" = "x"

        [seccomp]
        default_action = "allow"
        allow = ["read", "frobnicate", "socketcall", "read"]
        errno = { ptrace = "EWHAT" }
        allow_if = { write = { arg9 = 1 }, mmap = { arg2 = { mask = 1, value = 2 } } }
        """)
    #expect(
        tree.errors("policies/bad.toml") == [
            "T/policies/bad.toml:1: unknown key 'colour'",
            "T/policies/bad.toml:2: 'hostname' needs a uts namespace, but namespaces.uts is 'host' (T/policies/bad.toml:7)",
            "T/policies/bad.toml:3: 'cwd' must be an absolute path inside the sandbox, not 'relative'",
            "T/policies/bad.toml:6: 'namespaces.net' must be fresh, shared or host, not 'none'",
            "T/policies/bad.toml:8: 'namespaces.mount' cannot be set: mount and pid namespaces are always fresh",
            "T/policies/bad.toml:11: 'user.uid' must be between 1 and 4294967294, not 0",
            "T/policies/bad.toml:14: rootfs skeleton 'T/nowhere' cannot be used: No such file or directory",
            "T/policies/bad.toml:16: bind source 'T/missing' does not exist or cannot be reached: No such file or directory",
            "T/policies/bad.toml:17: 'rootfs.bind.target' must be an absolute path inside the sandbox, not 'site'",
            "T/policies/bad.toml:18: 'rootfs.bind.target' must not be '/proc' or under it: warren builds it",
            "T/policies/bad.toml:19: missing key 'rootfs.bind.source'",
            "T/policies/bad.toml:21: 'rootfs.tmpfs.size': invalid size '4Q': expected bytes as digits with an optional K, M, G or T suffix",
            "T/policies/bad.toml:21: 'rootfs.tmpfs.size' must be more than 0 (a size of 0 would mean no limit)",
            "T/policies/bad.toml:21: missing key 'rootfs.tmpfs.size'",
            "T/policies/bad.toml:24: 'limits.cpu_seconds' must be at least 1 (or \"unlimited\"), not 0",
            "T/policies/bad.toml:25: 'limits.address_space' must be at least 1048576 (or \"unlimited\"), not 12",
            "T/policies/bad.toml:26: 'limits.open_files' must be an integer, not a string",
            "T/policies/bad.toml:27: 'limits.stack': size '99999999999T' is too large",
            "T/policies/bad.toml:28: 'limits.cpu_max': cpu_max period '2s' must be between 1ms and 1s",
            "T/policies/bad.toml:29: unknown key 'limits.swap'",
            "T/policies/bad.toml:32: unknown capability 'cap_fly' (expected a name such as cap_net_bind_service)",
            "T/policies/bad.toml:35: 'env.PROTO' is set by warren for every connection and cannot be overridden",
            "T/policies/bad.toml:36: 'env.1BAD': a variable name is letters, digits and '_', not starting with a digit",
            "T/policies/bad.toml:39: 'seccomp.default_action': 'allow' as default action would let every unlisted syscall run; use kill, errno:NAME or log",
            "T/policies/bad.toml:40: unknown syscall 'frobnicate' in seccomp.allow",
            "T/policies/bad.toml:40: unknown syscall 'socketcall' in seccomp.allow",
            "T/policies/bad.toml:40: syscall 'read' is named twice in [seccomp] (allow and allow)",
            "T/policies/bad.toml:41: 'seccomp.errno.ptrace': unknown errno name 'EWHAT' (expected a name such as EPERM or ENOSYS)",
            "T/policies/bad.toml:42: 'seccomp.allow_if.mmap.arg2.value' has bits outside its mask: it can never match",
            "T/policies/bad.toml:42: 'seccomp.allow_if.write.arg9': arguments are named arg0 to arg5",
        ])
}

@Test func theEnginesMountPointIsReserved() throws {
    let tree = try PolicyTree()
    try tree.write(
        "policies/engine.toml",
        """
        [rootfs]
        bind = [{ source = "../site", target = "/engine" }]
        tmpfs = [{ target = "/engine/x", size = "1M" }]
        """)
    #expect(
        tree.errors("policies/engine.toml") == [
            "T/policies/engine.toml:2: 'rootfs.bind.target' must not be '/engine' or under it: warren builds it",
            "T/policies/engine.toml:3: 'rootfs.tmpfs.target' must not be '/engine' or under it: warren builds it",
        ])
}

@Test func extendsMergesBaseFirstAndDerivedWins() throws {
    let tree = try PolicyTree()
    try tree.makeDirectory("policies/base")
    try tree.write(
        "policies/base/base.toml",
        """
        args = ["--base"]
        [namespaces]
        net = "shared"
        ipc = "shared"
        [rootfs]
        skeleton = "../../rootfs"
        bind = [{ source = "../../site", target = "/site" }, { source = "/tmp", target = "/data" }]
        [limits]
        open_files = 16
        processes = 4
        [capabilities]
        keep = ["cap_chown"]
        [env]
        A = "base"
        B = "base"
        [seccomp]
        allow = ["read", "write", "ptrace"]
        """)
    try tree.write(
        "policies/derived.toml",
        """
        extends = "base/base.toml"
        args = ["--derived"]
        [namespaces]
        net = "fresh"
        [rootfs]
        tmpfs = [{ target = "/data", size = "1M" }]
        [limits]
        processes = 2
        [capabilities]
        keep = ["cap_chown", "cap_kill"]
        [env]
        B = "derived"
        C = "derived"
        [seccomp]
        allow = ["close"]
        errno = { ptrace = "EPERM" }
        [seccomp.allow_if]
        write = { arg0 = 1 }
        """)
    let policy = try tree.load("policies/derived.toml")
    #expect(policy.path == tree.root + "/policies/derived.toml")
    #expect(policy.arguments == ["--base", "--derived"])
    #expect(
        policy.namespaces.net == .fresh && policy.namespaces.ipc == .shared && policy.namespaces.uts == .fresh
    )
    #expect(policy.rootfs.skeleton == tree.root + "/rootfs")
    #expect(policy.rootfs.binds == [BindMount(source: tree.root + "/site", target: "/site", writable: false)])
    #expect(policy.rootfs.tmpfs == [TmpfsMount(target: "/data", sizeBytes: 1 << 20)])
    #expect(policy.limits.openFiles == 16 && policy.limits.processes == 2)
    #expect(policy.keepCapabilities == [0, 5])
    #expect(policy.environment.map { "\($0.name)=\($0.value)" } == ["A=base", "B=derived", "C=derived"])
    let rules = policy.seccomp.rules.map { "\($0.syscall) \($0.action) \($0.comparisons.count)" }
    #expect(
        rules == ["close allow 0", "ptrace errno:EPERM 0", "read allow 0", "write allow 1", "execve allow 0"])
}

@Test func extendsCyclesAndMissingBasesAreErrors() throws {
    let tree = try PolicyTree()
    try tree.write("policies/a.toml", "extends = \"b.toml\"\n")
    try tree.write("policies/b.toml", "# b\nextends = \"a.toml\"\n")
    try tree.write("policies/orphan.toml", "\nextends = \"gone.toml\"\n")
    try tree.write("policies/broken-base.toml", "extends = \"syntax.toml\"\n")
    try tree.write("policies/syntax.toml", "[seccomp\n")
    #expect(
        tree.errors("policies/a.toml") == [
            "T/policies/b.toml:2: extends cycle: T/policies/a.toml -> T/policies/b.toml -> T/policies/a.toml"
        ])
    #expect(
        tree.errors("policies/orphan.toml") == [
            "T/policies/orphan.toml:2: extends 'T/policies/gone.toml': cannot read: No such file or directory"
        ])
    #expect(tree.errors("policies/broken-base.toml").count == 1)
    #expect(tree.errors("policies/broken-base.toml").first?.hasPrefix("T/policies/syntax.toml:1: ") == true)
}

@Test func missingPolicyFilesAndSkeletonsAreErrors() throws {
    let tree = try PolicyTree()
    #expect(
        tree.errors("policies/none.toml") == ["T/policies/none.toml: cannot read: No such file or directory"])
    try tree.makeDirectory("a")
    try tree.makeDirectory("a/b")
    try tree.write("a/b/p.toml", "")
    #expect(
        tree.errors("a/b/p.toml") == [
            "T/a/b/p.toml: the default rootfs skeleton 'T/a/rootfs' (../rootfs beside the policy's directory) "
                + "cannot be used: No such file or directory; set rootfs.skeleton"
        ])
}

@Test func execveCannotBeDenied() throws {
    let tree = try PolicyTree()
    try tree.write("policies/p.toml", "[seccomp]\n\nkill = [\"execve\"]\n")
    #expect(
        tree.errors("policies/p.toml") == [
            "T/policies/p.toml:3: execve must stay allowed without conditions: warren starts the engine with it after loading the filter"
        ])
    try tree.write("policies/q.toml", "[seccomp]\nallow = [\"execve\"]\n")
    let policy = try tree.load("policies/q.toml")
    #expect(policy.seccomp.rules.map(\.syscall) == ["execve"])
}

@Test func limitsAboveWarrensOwnHardLimitAreRefused() throws {
    var limit = rlimit()
    try #require(getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0)
    guard limit.rlim_max != rlim_t.max else {
        print("skipped: warren's open-files hard limit is unlimited here, nothing to exceed")
        return
    }
    let tree = try PolicyTree()
    try tree.write("policies/p.toml", "[limits]\nopen_files = \(limit.rlim_max + 1)\n")
    #expect(
        tree.errors("policies/p.toml") == [
            "T/policies/p.toml:2: 'limits.open_files' is \(limit.rlim_max + 1), above warren's own hard limit "
                + "\(limit.rlim_max): a child can lower its limits, never raise them"
        ])
}

@Test func aRefusedExtendsStopsBeforeWholePolicyChecks() throws {
    let tree = try PolicyTree()
    try tree.makeDirectory("a")
    try tree.makeDirectory("a/b")
    try tree.write("a/b/p.toml", "extends = 5\n")
    // No complaint about the default skeleton: the base that might set it was never read.
    #expect(tree.errors("a/b/p.toml") == ["T/a/b/p.toml:1: 'extends' must be a string, not an integer"])
}

@Test func theSummaryFlagsALoggingFilter() throws {
    let tree = try PolicyTree()
    try tree.write("policies/p.toml", "[seccomp]\ndefault_action = \"log\"\nallow = [\"read\"]\n")
    let policy = try tree.load("policies/p.toml")
    #expect(policy.seccomp.defaultAction == .log)
    #expect(
        policy.summary(limitLines: []).last
            == "seccomp: default log (every unlisted syscall runs: for writing a policy only), 2 syscalls allowed "
            + "(0 with argument filters), \(policy.seccomp.instructionCount) BPF instructions, x86_64 only")
}

@Test func theWorkingDirectoryMustExistInTheSandbox() throws {
    let tree = try PolicyTree()
    try tree.makeDirectory("rootfs/etc")
    try tree.makeDirectory("site/public")
    let mounts = """
        [rootfs]
        bind = [{ source = "../site", target = "/site" }]
        tmpfs = [{ target = "/site/scratch", size = "1M" }]
        """
    for good in ["/", "/etc", "/site", "/site/public", "/site/scratch"] {
        try tree.write("policies/p.toml", "cwd = \"\(good)\"\n" + mounts)
        #expect(tree.errors("policies/p.toml") == [], "\(good)")
    }
    for bad in ["/nowhere", "/site/nowhere", "/site/scratch/sub", "/etc/passwd-dir"] {
        try tree.write("policies/p.toml", "cwd = \"\(bad)\"\n" + mounts)
        #expect(
            tree.errors("policies/p.toml") == [
                "T/policies/p.toml:1: 'cwd' '\(bad)' is not a directory in the sandbox "
                    + "(neither in the skeleton nor under a bind or tmpfs)"
            ])
    }
}
