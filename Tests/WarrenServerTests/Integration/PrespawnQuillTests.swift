import Glibc
import Testing

/// quill-engine under policies/quill.toml as a prespawned engine: started and sandboxed before the
/// client connects, handed the connection by warren, serving it like a plain engine.
@Suite(.serialized) struct PrespawnQuillTests {
    /// Waits (up to 30 s) until warren has exactly `count` live children, each past its execve (its
    /// name is no longer warren's: the spawn reports it ready); returns their pids.
    static func waitForChildren(_ warren: WarrenProcess, count: Int) throws -> Set<String> {
        for _ in 0..<1500 {
            let children = warren.children().filter { $0.state != "Z" }
            let execd = children.filter { !TestPaths.read("/proc/\($0.pid)/comm").hasPrefix("warren") }
            if children.count == count && execd.count == count { return Set(children.map { String($0.pid) }) }
            usleep(20_000)
        }
        try #require(Bool(false), "warren never had \(count) children: \(warren.children())\n\(warren.log)")
        return []
    }

    @Test func requestsAreServedByWaitingQuillEnginesAndReloadEndsThemCleanly() throws {
        let site = try QuillSiteFixture(extra: ["prespawn = 2"])
        var served = 0
        for round in 1...3 {
            let waiting = try Self.waitForChildren(site.warren, count: 2)
            let response = try #require(site.single("/"))
            #expect(response.status == 200)
            #expect(response.text == QuillSiteFixture.index)
            served += 1
            let records = try site.warren.waitForLog(count: round, of: "event=conn", "service=blog")
            let pid = try #require(WarrenProcess.field("pid", in: records[round - 1]))
            #expect(waiting.contains(pid), "pid \(pid) was not one of the waiting engines \(waiting)")
        }
        try site.expectCleanRecords(served)
        _ = try Self.waitForChildren(site.warren, count: 2)
        site.warren.signal(SIGHUP)
        let retired = try site.warren.waitForLog(count: 2, of: "event=prespawn_exit", "reason=reload")
        #expect(retired.allSatisfy { $0.contains(" exit=0") }, "\(retired)")
        // The new pool serves too; shutdown ends it with exit 0 as well.
        _ = try Self.waitForChildren(site.warren, count: 2)
        #expect(site.single("/posts/hello/")?.text == QuillSiteFixture.post)
        // The used waiter's replacement is cloned on a spawn thread: once the engine that served
        // is reaped, wait until the pool is full again, so that shutdown finds both waiters.
        _ = try site.warren.waitForLog(count: served + 1, of: "event=conn", "service=blog")
        _ = try Self.waitForChildren(site.warren, count: 2)
        site.warren.signal(SIGTERM)
        #expect(site.warren.waitForExit() == 0)
        let stopped = site.warren.logLines.filter {
            $0.contains("event=prespawn_exit") && $0.contains("reason=shutdown")
        }
        #expect(stopped.count == 2 && stopped.allSatisfy { $0.contains(" exit=0") }, "\(site.warren.log)")
        let ends = site.warren.logLines.filter {
            $0.contains("event=conn") || $0.contains("event=prespawn_exit")
        }
        #expect(ends.count == 8 && ends.allSatisfy { $0.contains(" exit=0") }, "\(site.warren.log)")
    }
}
