import Foundation
import Testing

@testable import QuillSite

@Suite struct InotifyTests {
    @Test func reportsChangesInWatchedTreesAndNewSubfolders() throws {
        let site = try TempSite(["content/posts/a.md": "# A\n"])
        let watcher = try Inotify()
        try watcher.watch(site.root + "/content", recursive: true)
        try site.write("content/posts/a.md", "# A, edited\n")
        let first = try watcher.wait(quiet: 50)
        #expect(first.contains(site.root + "/content/posts/a.md"))

        // A folder made after the watch started is watched too.
        try FileManager.default.createDirectory(
            atPath: site.root + "/content/posts/2024", withIntermediateDirectories: true)
        _ = try watcher.wait(quiet: 50)
        try site.write("content/posts/2024/b.md", "# B\n")
        let second = try watcher.wait(quiet: 50)
        #expect(second.contains(site.root + "/content/posts/2024/b.md"))
    }
}
