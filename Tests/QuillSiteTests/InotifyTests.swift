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

    /// `quill watch` watches the site folder itself only for site.toml and redirects.toml; build
    /// folders made there must not be watched, or each rebuild's writes start another rebuild.
    @Test func foldersMadeInAFolderWatchedAloneAreNotWatched() throws {
        let site = try TempSite(["site.toml": "title = \"T\"\n"])
        let watcher = try Inotify()
        try watcher.watch(site.root, recursive: false)
        try FileManager.default.createDirectory(
            atPath: site.root + "/public.1", withIntermediateDirectories: true)
        let made = try watcher.wait(quiet: 50)
        #expect(made.contains(site.root + "/public.1"))
        try site.write("public.1/index.html", "<p>built</p>\n")
        // The write's event, had there been a watch, is queued before write() returns.
        let inside = try watcher.wait(quiet: 50, timeout: 200)
        #expect(inside.isEmpty, "\(inside)")
        try site.write("site.toml", "title = \"U\"\n")
        #expect(try watcher.wait(quiet: 50).contains(site.root + "/site.toml"))
    }
}
