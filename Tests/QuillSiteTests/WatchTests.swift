import Foundation
import Synchronization
import Testing

@testable import QuillSite

@Suite struct WatchTests {
    /// The watch loop builds once, and after one edit rebuilds with the new text. Waits are bounded:
    /// each wait for changes gives up after two seconds, and the loop stops after 15 idle waits.
    @Test func oneEditIsRebuilt() throws {
        let site = try TempSite([
            "content/posts/2024-01-01-a.md": "# A\n\nFirst text.\n",
            "content/posts/2024-01-02-b.md": "# B\n\nOther.\n",
        ])
        var watcher = SiteWatcher(site: site.root, options: BuildOptions())
        watcher.idleTimeout = 2000
        var builds: [BuildSummary] = []
        var changes: [[String]] = []
        var idle = 0
        var failures: [String] = []
        try watcher.run { event in
            switch event {
            case .built(let summary):
                builds.append(summary)
                if builds.count == 1 {
                    // Edit after the first build, as a person would.
                    try? site.write("content/posts/2024-01-01-a.md", "# A\n\nSecond text.\n")
                    return true
                }
                return false
            case .failed(let error):
                failures.append("\(error)")
                return false
            case .changed(let paths):
                changes.append(paths)
                return true
            case .idle:
                idle += 1
                return idle < 15
            }
        }
        #expect(failures.isEmpty)
        try #require(builds.count == 2, "no rebuild after the edit (\(idle) idle waits)")
        #expect(changes.count == 1)
        #expect(changes.first?.contains(site.root + "/content/posts/2024-01-01-a.md") == true)
        // The build's own output in the site folder is not a change: no rebuild loop.
        #expect(changes.joined().allSatisfy { !$0.hasPrefix(site.root + "/public") })
        #expect(site.read("a/index.html")?.contains("Second text.") == true)
        // Incremental: the unchanged post was reused, not rendered again.
        #expect(builds[1].rendered < builds[1].files)
    }
}
