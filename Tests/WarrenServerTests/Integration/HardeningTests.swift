import Glibc
import Testing
import WarrenSpawn

/// "CapBnd" of /proc/PID/status as a bit set.
private func boundingSet(of pid: String) throws -> UInt64 {
    let status = TestPaths.read("/proc/\(pid)/status")
    let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("CapBnd:") })
    return try #require(
        UInt64(line.dropFirst(7).trimmingPrefix(while: { $0 == "\t" || $0 == " " }), radix: 16))
}

/// Session id and process group of `pid`, from /proc/PID/stat (after the last ')': state, ppid,
/// pgrp, session).
private func sessionAndGroup(of pid: Int32) throws -> (session: Int32, group: Int32) {
    let stat = TestPaths.read("/proc/\(pid)/stat")
    let close = try #require(stat.lastIndex(of: ")"))
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    try #require(fields.count > 3)
    return (try #require(Int32(fields[3])), try #require(Int32(fields[2])))
}

/// What warren does to protect itself and the terminal it runs in.
@Suite(.serialized) struct HardeningTests {
    @Test func warrenKeepsOnlyItsListedCapabilitiesInItsBoundingSet() throws {
        guard getuid() == 0 else {
            print("skipped: dropping the bounding set needs root (CAP_SETPCAP)")
            return
        }
        let before = try boundingSet(of: "self")
        let port = try TestClient.freePort()
        let warren = try WarrenProcess(
            config: testConfig([TestService(name: "hello", port: port, engine: try TestPaths.engine("hello"))]
            ))
        let after = try boundingSet(of: "\(warren.pid)")
        var kept: UInt64 = 0
        for cap in Privileges.kept { kept |= UInt64(1) << UInt64(cap) }
        #expect(after & ~kept == 0, "CapBnd \(String(after, radix: 16)) holds more than the kept set")
        #expect(after == before & kept, "every kept capability the host had is still there")
        // Named ones, so that a change to the kept list must change this test too.
        for (cap, name) in [
            (16, "SYS_MODULE"), (13, "NET_RAW"), (19, "SYS_PTRACE"), (12, "NET_ADMIN"), (22, "SYS_BOOT"),
        ]
        where before & (UInt64(1) << UInt64(cap)) != 0 {
            #expect(after & (UInt64(1) << UInt64(cap)) == 0, "CAP_\(name) is still in warren's bounding set")
        }
        #expect(after & (UInt64(1) << 21) != 0, "CAP_SYS_ADMIN is needed to build sandboxes")
        // With the smaller set warren still builds sandboxes: a connection is served, and a reload
        // (which prepares the policy's template again, in a helper forked from warren) works.
        #expect(TestClient.exchange(port: port)?.hasSuffix("hello world\n") == true)
        warren.signal(SIGHUP)
        try warren.waitForLog(of: "event=reloaded")
        #expect(TestClient.exchange(port: port)?.hasSuffix("hello world\n") == true)
        try warren.waitForLog(count: 2, of: "event=conn", "service=hello", "exit=0")
    }

    @Test func anEngineRunsInASessionAndProcessGroupOfItsOwn() throws {
        guard getuid() == 0 else {
            print("skipped: sandboxed services need root (namespaces, mounts)")
            return
        }
        let port = try TestClient.freePort()
        let warren = try WarrenProcess(
            config: testConfig([TestService(name: "hold", port: port, engine: try TestPaths.engine("hold"))]))
        let fd = TestClient.connect(port: port)
        try #require(fd >= 0)
        defer { close(fd) }
        #expect(TestClient.readLine(fd) == "started")
        let children = warren.children()
        try #require(children.count == 1, "children: \(children)")
        let engine = children[0].pid
        let own = try sessionAndGroup(of: engine)
        let warrens = try sessionAndGroup(of: warren.pid)
        #expect(own.session == engine, "the engine leads its own session (setsid)")
        #expect(own.group == engine)
        #expect(own.session != warrens.session)
        #expect(own.group != warrens.group)
        shutdown(fd, Int32(SHUT_WR))
        try warren.waitForLog(of: "event=conn", "service=hold", "exit=0")
    }
}
