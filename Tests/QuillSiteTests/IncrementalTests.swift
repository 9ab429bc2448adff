import Foundation
import Testing

@testable import QuillSite

@Suite struct IncrementalTests {
    /// Every file's bytes, but for the parsed-entry cache's two files: they hold only files older than two
    /// seconds at build time (see EntryCache), so two builds a moment apart may differ there.
    private func contents(_ root: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let resolved = root + "/"
        let cache: Set = [".quill/" + EntryCache.path, ".quill/" + EntryCache.bodiesPath]
        for path in tree(root) where !cache.contains(path) {
            out[path] = try Data(contentsOf: URL(fileURLWithPath: resolved + path))
        }
        return out
    }

    @Test func unchangedPostsAreNotRenderedAndIncrementalEqualsFull() throws {
        var files: [String: String] = [:]
        for day in 1...6 {
            files["content/posts/2024-01-0\(day)-p\(day).md"] =
                "---\ntags: [x]\n---\n# P\(day)\n\nText \(day).\n"
        }
        files["static/a.txt"] = "static\n"
        let site = try TempSite(files)
        let first = try site.build()
        #expect(first.rendered == first.files)

        // Nothing changed: no page is rendered again.
        let second = try site.build()
        let posts = 6
        #expect(second.files - second.rendered >= posts)

        // One post's body changes: only that post (and list pages, feeds) are rendered.
        try site.write("content/posts/2024-01-03-p3.md", "---\ntags: [x]\n---\n# P3\n\nNew text.\n")
        let third = try site.build()
        #expect(third.files - third.rendered >= posts - 1)
        #expect(site.read("p3/index.html")?.contains("New text.") == true)

        // A full rebuild elsewhere gives byte-identical output, siblings included.
        let incremental = try contents(site.output)
        let fullOut = site.root + "/full/public"
        _ = try site.build(full: true, out: fullOut)
        let full = try contents(fullOut)
        #expect(Set(incremental.keys) == Set(full.keys))
        for (path, data) in incremental where full[path] != data {
            Issue.record("\(path) differs between the incremental and the full build")
        }
    }

    /// Every folder under a build, so a recycled build can be checked for leftover folders too.
    private func folders(_ root: String) -> Set<String> {
        let resolved =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: root))
            .map { (root as NSString).deletingLastPathComponent + "/" + $0 } ?? root
        var out: Set<String> = []
        let enumerator = FileManager.default.enumerator(atPath: resolved)
        while let path = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: resolved + "/" + path, isDirectory: &isDirectory),
                isDirectory.boolValue
            {
                out.insert(path)
            }
        }
        return out
    }

    private func expectSameAsFull(_ site: TempSite, _ label: String) throws {
        let fullOut = site.root + "/full-\(UUID().uuidString)/public"
        _ = try site.build(full: true, out: fullOut)
        let incremental = try contents(site.output)
        let full = try contents(fullOut)
        #expect(Set(incremental.keys) == Set(full.keys), "\(label): different files")
        for (path, data) in incremental where full[path] != data {
            Issue.record("\(label): \(path) differs between the incremental and the full build")
        }
        #expect(folders(site.output) == folders(fullOut), "\(label): different folders")
    }

    @Test func oneChangedPostRerendersOnlyThePagesThatShowIt() throws {
        var files: [String: String] = [:]
        for day in 1...9 {
            files["content/posts/2024-01-0\(day)-p\(day).md"] =
                "---\ntags: [\(day % 2 == 0 ? "even" : "odd")]\n---\n# P\(day)\n\nText \(day).\n"
        }
        let site = try TempSite(files)
        _ = try site.build()
        // p1 is the oldest. Its first paragraph (its excerpt) changes: its page, the last home,
        // "odd" and author page, the archive and the three feeds (feed_limit 20 holds every post)
        // show it. The sitemap (URLs and dates) and p2's page (p1's title and URL) do not change.
        try site.write("content/posts/2024-01-01-p1.md", "---\ntags: [odd]\n---\n# P1\n\nChanged.\n")
        let summary = try site.build()
        #expect(summary.rendered == 8, "rendered \(summary.rendered) of \(summary.files)")
        try expectSameAsFull(site, "one changed post")
        // An edit below the excerpt leaves every list card as it was: only the post and the
        // feeds (which carry full content) are rendered.
        try site.write(
            "content/posts/2024-01-01-p1.md", "---\ntags: [odd]\n---\n# P1\n\nChanged.\n\nA new paragraph.\n")
        let below = try site.build()
        #expect(below.rendered == 4, "rendered \(below.rendered) of \(below.files)")
        try expectSameAsFull(site, "an edit below the excerpt")
    }

    @Test func aRecycledSpareBuildEqualsAFullBuild() throws {
        var files: [String: String] = [:]
        for day in 1...6 {
            files["content/posts/2024-01-0\(day)-p\(day).md"] =
                "---\ntags: [t\(day % 3)]\n---\n# P\(day)\n\nText.\n"
        }
        files["static/a.txt"] = String(repeating: "static text, long enough to compress. ", count: 40)
        files["static/old/b.txt"] = "b\n"
        let site = try TempSite(files)
        _ = try site.build()
        _ = try site.build()
        _ = try site.build()  // the first build is now the hidden spare
        let spares = try FileManager.default.contentsOfDirectory(atPath: site.root).filter {
            $0.hasPrefix(".public.spare-")
        }
        #expect(spares.count == 1)
        let steps: [(String, () throws -> Void)] = [
            ("edit", { try site.write("content/posts/2024-01-03-p3.md", "# P3\n\nNew text.\n") }),
            (
                "add",
                { try site.write("content/posts/2024-02-01-new.md", "---\ntags: [fresh]\n---\n# New\n") }
            ),
            (
                "delete",
                {
                    try FileManager.default.removeItem(atPath: site.root + "/content/posts/2024-01-06-p6.md")
                    try FileManager.default.removeItem(atPath: site.root + "/static/old/b.txt")
                }
            ),
            ("static", { try site.write("static/a.txt", "short now\n") }),
            ("nothing", {}),
        ]
        for (label, change) in steps {
            try change()
            _ = try site.build()
            try expectSameAsFull(site, label)
        }
        // --full in place renders everything again and reuses only identical bytes: same output.
        let full = try site.build(full: true)
        #expect(full.rendered == full.files)
        try expectSameAsFull(site, "--full in place")
        let published = try FileManager.default.contentsOfDirectory(atPath: site.root).filter {
            $0.hasPrefix("public.")
        }
        #expect(published.count == 2, "\(published)")
        #expect(site.read("p6/index.html") == nil)
        #expect(site.read("new/index.html") != nil)
    }

    @Test func unchangedSourceFilesAreNotParsedAgain() throws {
        let site = try TempSite(["content/posts/2024-01-01-a.md": "# A\n\nAlpha.\n"])
        let path = site.root + "/content/posts/2024-01-01-a.md"
        let past = Date(timeIntervalSince1970: 1_700_000_000)
        try FileManager.default.setAttributes([.modificationDate: past], ofItemAtPath: path)
        _ = try site.build()
        // Same size, same modification time, same inode: the cached entry is used, so the new
        // bytes are not seen. This is what "unchanged" means to the cache.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.write(contentsOf: Data("# A\n\nOmega.\n".utf8))
        try handle.close()
        try FileManager.default.setAttributes([.modificationDate: past], ofItemAtPath: path)
        _ = try site.build()
        #expect(site.read("a/index.html")?.contains("Alpha.") == true)
        // A new modification time is a change.
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSince1970: 1_700_000_100)], ofItemAtPath: path)
        _ = try site.build()
        #expect(site.read("a/index.html")?.contains("Omega.") == true)
        // A file modified just now is always read (a same-size edit in the same clock tick).
        try site.write("content/posts/2024-01-01-a.md", "# A\n\nDelta.\n")
        _ = try site.build()
        #expect(site.read("a/index.html")?.contains("Delta.") == true)
    }

    @Test func templateChangeRerendersEveryPost() throws {
        let site = try TempSite([
            "content/posts/2024-01-01-a.md": "# A\n", "content/posts/2024-01-02-b.md": "# B\n",
        ])
        _ = try site.build()
        try site.write(
            "theme/templates/post.mustache",
            "{{> head}}<h1 class=\"changed\">{{post.title}}</h1></body></html>\n")
        _ = try site.build()
        #expect(site.read("a/index.html")?.contains("class=\"changed\"") == true)
        #expect(site.read("b/index.html")?.contains("class=\"changed\"") == true)
    }
}
