import Foundation
import Testing

@testable import QuillSite

/// The parsed-entry cache: unchanged sources are neither read nor parsed again, entries from
/// the cache render the same bytes as freshly parsed ones, and a damaged cache is ignored.
@Suite struct EntryCacheTests {
    /// Sources written by a test are seconds old, and the cache skips files modified within two
    /// seconds of a build (their times may not yet tell edits apart): date them back.
    private func age(_ site: TempSite, _ paths: [String], minutes: Double) throws {
        let date = Date(timeIntervalSinceNow: -60 * minutes)
        for path in paths {
            try FileManager.default.setAttributes(
                [.modificationDate: date], ofItemAtPath: site.root + "/" + path)
        }
    }

    private func expectSameAsFull(_ site: TempSite, _ label: String) throws {
        let fullOut = site.root + "/full-\(UUID().uuidString)/public"
        _ = try site.build(full: true, out: fullOut)
        let incremental = Set(tree(site.output))
        #expect(incremental == Set(tree(fullOut)), "\(label): different files")
        for path in incremental.sorted() {
            let mine = FileManager.default.contents(atPath: site.output + "/" + path)
            let theirs = FileManager.default.contents(atPath: fullOut + "/" + path)
            if mine != theirs { Issue.record("\(label): \(path) differs from a full build") }
        }
    }

    private func post(_ day: Int, title: String? = nil, tail: String = "") -> String {
        "---\ntitle: \(title ?? "Post \(day)")\ntags: [t\(day % 2)]\nmood: calm\n---\n\n"
            + "First paragraph of \(day), *emphasis* and ünïcode.\n\nMore of \(day).\(tail)\n"
    }

    @Test func unchangedSourcesAreNotParsedAndCachedEntriesRenderTheSameBytes() throws {
        var files: [String: String] = ["content/pages/about.md": "# About\n\nA page.\n"]
        for day in 1...6 { files["content/posts/2024-01-0\(day)-p\(day).md"] = post(day) }
        let site = try TempSite(files)
        let sources = files.keys.sorted()
        try age(site, sources, minutes: 60)

        let first = try site.build()
        #expect(first.parsed == 7)
        let second = try site.build()
        #expect(second.parsed == 0, "parsed \(second.parsed)")
        #expect(second.rendered == 0, "rendered \(second.rendered) of \(second.files)")

        // An edit below p3's excerpt: one source parsed; its page and the three feeds rendered.
        try site.write("content/posts/2024-01-03-p3.md", post(3, tail: "\n\nAn added paragraph."))
        try age(site, ["content/posts/2024-01-03-p3.md"], minutes: 30)
        let third = try site.build()
        #expect(third.parsed == 1, "parsed \(third.parsed)")
        #expect(third.rendered == 4, "rendered \(third.rendered) of \(third.files)")
        #expect(site.read("p3/index.html")?.contains("An added paragraph.") == true)
        try expectSameAsFull(site, "an edit below the excerpt")

        // A new title: the neighbours' pages, rendered from cached entries, name it.
        try site.write("content/posts/2024-01-03-p3.md", post(3, title: "Renamed"))
        try age(site, ["content/posts/2024-01-03-p3.md"], minutes: 20)
        let fourth = try site.build()
        #expect(fourth.parsed == 1)
        #expect(site.read("p2/index.html")?.contains("Renamed") == true)
        #expect(site.read("p4/index.html")?.contains("Renamed") == true)
        #expect(
            site.read("p4/index.html")?.contains("First paragraph of 4, <em>emphasis</em> and ünïcode.")
                == true)
        try expectSameAsFull(site, "a new title")
    }

    @Test func aDamagedCacheIsIgnored() throws {
        var files: [String: String] = [:]
        for day in 1...4 { files["content/posts/2024-01-0\(day)-p\(day).md"] = post(day) }
        let site = try TempSite(files)
        try age(site, files.keys.sorted(), minutes: 60)
        let first = try site.build()
        let cache = first.buildFolder + "/.quill/" + EntryCache.path
        let bytes = try #require(FileManager.default.contents(atPath: cache))
        #expect(bytes.count > 100)
        // Cut in the middle of an entry: the rest cannot be trusted, so every source is parsed.
        try Data(bytes.prefix(bytes.count / 2)).write(to: URL(fileURLWithPath: cache))
        let second = try site.build()
        #expect(second.parsed == 4, "parsed \(second.parsed)")
        try expectSameAsFull(site, "after a damaged cache")
        // The next build has a whole cache again.
        #expect(try site.build().parsed == 0)
    }

    @Test func aCacheWhoseHTMLFileDoesNotMatchIsIgnored() throws {
        var files: [String: String] = [:]
        for day in 1...4 { files["content/posts/2024-01-0\(day)-p\(day).md"] = post(day) }
        let site = try TempSite(files)
        try age(site, files.keys.sorted(), minutes: 60)
        let first = try site.build()
        let bodies = first.buildFolder + "/.quill/" + EntryCache.bodiesPath
        let bytes = try #require(FileManager.default.contents(atPath: bodies))
        // Every post's HTML is there, not in `entries`.
        #expect(String(decoding: bytes, as: UTF8.self).contains("<em>emphasis</em>"))
        let entries = try #require(
            FileManager.default.contents(atPath: first.buildFolder + "/.quill/entries"))
        #expect(!String(decoding: entries, as: UTF8.self).contains("<em>emphasis</em>"))
        // One byte short: the lengths in `entries` no longer add up, so nothing is reused.
        try Data(bytes.dropLast()).write(to: URL(fileURLWithPath: bodies))
        let second = try site.build()
        #expect(second.parsed == 4, "parsed \(second.parsed)")
        try expectSameAsFull(site, "after a short entries-html")
        // Missing altogether: the same.
        let third = try site.build()
        #expect(third.parsed == 0)
        unlink(third.buildFolder + "/.quill/" + EntryCache.bodiesPath)
        #expect(try site.build().parsed == 4)
        try expectSameAsFull(site, "after a missing entries-html")
    }
}
