import Glibc
import Testing
import WarrenPolicy
import WarrenSystem

@testable import WarrenSpawn

/// From the engine's own /proc/self/mountinfo: the root is read-only, every mount is nosuid, every
/// mount but the four device binds is nodev, every mount but the engine binary is noexec, and the
/// host's mounts are gone.
@Test func mountFlagsHoldEverywhere() throws {
    guard requireRoot(), let engine = testEngine() else { return }
    var dirTemplate = Array("/tmp/warren-bind.XXXXXX".utf8CString)
    let dir = String(cString: try #require(mkdtemp(&dirTemplate)))
    defer { rmdir(dir) }
    let policy = untrustedPolicy(
        seccomp: try untrustedSeccomp(),
        binds: [
            BindMount(source: dir, target: "/site", writable: false),
            BindMount(source: dir, target: "/data", writable: true),
        ])
    let result = try run(SpawnPlan(engine: engine, arguments: ["mounts"], policy: policy))
    #expect(result.exitCode == 0)
    var mounts: [String: Set<String>] = [:]
    for line in result.output.split(separator: "\n") {
        let fields = line.split(separator: " ")
        guard fields.count == 2 else { continue }
        mounts[String(fields[0])] = Set(fields[1].split(separator: ",").map(String.init))
    }
    print(mounts.keys.sorted())
    let devices = Set(MountPlan.devices.map { "/dev/" + $0 })
    #expect(mounts["/"]?.contains("ro") == true)
    #expect(mounts["/site"]?.contains("ro") == true)
    #expect(mounts["/data"]?.contains("rw") == true)
    #expect(mounts["/etc"]?.contains("ro") == true)
    #expect(mounts["/dev"]?.contains("ro") == true)
    #expect(mounts[engine]?.contains("ro") == true)
    #expect(
        Set(mounts.keys)
            == Set(["/", "/etc", "/dev", "/proc", "/tmp", "/site", "/data", engine]).union(devices))
    for (point, options) in mounts {
        #expect(options.contains("nosuid"), "\(point) lacks nosuid")
        if !devices.contains(point) { #expect(options.contains("nodev"), "\(point) lacks nodev") }
        if point != engine { #expect(options.contains("noexec"), "\(point) lacks noexec") }
    }
    #expect(mounts[engine]?.contains("noexec") == false)
}
