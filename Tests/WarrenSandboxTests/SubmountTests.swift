import Glibc
import Testing
import WarrenPolicy
import WarrenSystem

@testable import WarrenSpawn

/// A bind source with a tmpfs mounted inside it: the read-only bind makes the submount read-only
/// too (mount_setattr AT_RECURSIVE), and a writable bind's submount is still noexec, nosuid and
/// nodev. The tmpfs is mode 0777, so only the mount flags can stop the engine's write.
@Test func readOnlyBindCoversSubmounts() throws {
    guard requireRoot(), let engine = testEngine() else { return }
    var dirTemplate = Array("/tmp/warren-submount.XXXXXX".utf8CString)
    let dir = String(cString: try #require(mkdtemp(&dirTemplate)))
    let sub = dir + "/sub"
    #expect(chmod(dir, 0o755) == 0)  // the engine's uid must reach the submount
    #expect(mkdir(sub, 0o755) == 0)
    guard mount("warren-test", sub, "tmpfs", 0, "mode=0777,size=64k") == 0 else {
        Issue.record("cannot mount a tmpfs on \(sub): \(Errno(rawValue: errno))")
        return
    }
    defer {
        umount2(sub, Int32(MNT_DETACH))
        rmdir(sub)
        rmdir(dir)
    }
    let policy = untrustedPolicy(
        seccomp: try untrustedSeccomp(),
        binds: [
            BindMount(source: dir, target: "/site", writable: false),
            BindMount(source: dir, target: "/data", writable: true),
        ])
    let plan = try SpawnPlan(engine: engine, arguments: ["create", "/site/sub/x"], policy: policy)
    let created = try run(plan)
    #expect(created.exitCode == 0, "\(created.output)")
    #expect(
        created.output.hasPrefix("create: confined (/site/sub/x: Read-only file system)"), "\(created.output)"
    )
    #expect(access(sub + "/x", F_OK) != 0, "the engine wrote into the read-only bind's submount")

    // The same submount through the writable bind: writable, so the check above is not vacuous.
    let writable = try run(SpawnPlan(engine: engine, arguments: ["create", "/data/sub/y"], policy: policy))
    #expect(writable.output.hasPrefix("create: NOT CONFINED"), "\(writable.output)")
    #expect(access(sub + "/y", F_OK) == 0)

    let listed = try run(SpawnPlan(engine: engine, arguments: ["mounts"], policy: policy))
    var mounts: [String: Set<String>] = [:]
    for line in listed.output.split(separator: "\n") {
        let fields = line.split(separator: " ")
        guard fields.count == 2 else { continue }
        mounts[String(fields[0])] = Set(fields[1].split(separator: ",").map(String.init))
    }
    let site = try #require(mounts["/site/sub"], "no /site/sub in \(mounts.keys.sorted())")
    #expect(site.isSuperset(of: ["ro", "nosuid", "nodev", "noexec"]), "\(site)")
    let data = try #require(mounts["/data/sub"], "no /data/sub in \(mounts.keys.sorted())")
    #expect(data.isSuperset(of: ["rw", "nosuid", "nodev", "noexec"]), "\(data)")
}
