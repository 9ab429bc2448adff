import Foundation
import Testing

@testable import QuillSite

/// The import's block in redirects.toml: what it holds, that a second import rewrites only that
/// block, and that a person's entries win.
@Suite("quill import ghost: redirects.toml")
struct ImportRedirectsTests {
    static let archives = "ghost-4-archives.json"

    @Test func ghostFeedsAndArchiveSlugsAreRedirected() throws {
        let site = try ImportFixtures.scratch()
        defer { try? FileManager.default.removeItem(atPath: site) }
        let summary = try GhostImporter(exportPath: ImportFixtures.path(Self.archives), site: site).run()
        #expect(summary.created.contains("redirects.toml"))
        let entries = try SiteRedirects.load(siteRoot: site).map { "\($0.from) \($0.to) \($0.status)" }
        // 7 posts, 3 a page: Alice has 3 pages, "Getting Started" 3; Bob's slug is Quill's already;
        // AMP is on, so each post's /amp/ copy redirects to the post.
        #expect(
            entries == [
                "/rss/ /rss.xml 301",
                "/author/alice/rss/ /rss.xml 301",
                "/author/alice/ /author/alice-writer/ 301",
                "/author/alice/page/2/ /author/alice-writer/page/2/ 301",
                "/author/alice/page/3/ /author/alice-writer/page/3/ 301",
                "/author/bob-editor/rss/ /rss.xml 301",
                "/tag/start/rss/ /rss.xml 301",
                "/tag/start/ /tag/getting-started/ 301",
                "/tag/start/page/2/ /tag/getting-started/page/2/ 301",
                "/tag/start/page/3/ /tag/getting-started/page/3/ 301",
                "/tag/swift/rss/ /rss.xml 301",
            ] + (1...7).map { "/archive-post-\($0)/amp/ /archive-post-\($0)/ 301" })
    }

    @Test func aSecondImportKeepsAPersonsEntriesAndRewritesItsOwn() throws {
        let site = try ImportFixtures.scratch()
        defer { try? FileManager.default.removeItem(atPath: site) }
        let path = site + "/redirects.toml"
        let personal = """
            # mine
            [[redirect]]
            from = "/rss"
            to = "/feed.json"
            status = 302

            [[redirect]]
            from = "/old-home/"
            to = "/"

            """
        try GhostFiles.write(personal, to: path)
        let first = try GhostImporter(exportPath: ImportFixtures.path(Self.archives), site: site).run()
        #expect(first.updated.contains("redirects.toml"))
        let afterFirst = try ImportFixtures.read(path)
        #expect(afterFirst.hasPrefix(personal))
        #expect(first.notes.contains("redirects.toml already redirects /rss/; the import leaves it"))
        let froms = try SiteRedirects.load(siteRoot: site).map(\.from)
        #expect(froms.filter { $0.hasPrefix("/rss") } == ["/rss"])
        #expect(froms.contains("/old-home/") && froms.contains("/tag/start/"))

        // A hand edit inside the block is replaced; one after it is kept; nothing is duplicated.
        let edited =
            afterFirst.replacingOccurrences(of: "/tag/getting-started/\"", with: "/tag/typo/\"")
            + "\n[[redirect]]\nfrom = \"/later/\"\nto = \"/\"\n"
        try GhostFiles.write(edited, to: path)
        let second = try GhostImporter(exportPath: ImportFixtures.path(Self.archives), site: site).run()
        #expect(second.updated.contains("redirects.toml"))
        let entries = try SiteRedirects.load(siteRoot: site)
        #expect(entries.first { $0.from == "/tag/start/" }?.to == "/tag/getting-started/")
        #expect(entries.contains { $0.from == "/later/" })
        #expect(Set(entries.map(\.from)).count == entries.count)

        let third = try GhostImporter(exportPath: ImportFixtures.path(Self.archives), site: site).run()
        #expect(third.unchanged.contains("redirects.toml"))
    }

    @Test func aBrokenRedirectsFileStopsTheImportWithItsLine() throws {
        let site = try ImportFixtures.scratch()
        defer { try? FileManager.default.removeItem(atPath: site) }
        try GhostFiles.write("[[redirect]]\nfrom = \"nope\"\nto = \"/\"\n", to: site + "/redirects.toml")
        #expect(throws: GhostImportError.self) {
            try GhostImporter(exportPath: ImportFixtures.path(Self.archives), site: site).run()
        }
        do {
            _ = try GhostImporter(exportPath: ImportFixtures.path(Self.archives), site: site).run()
        } catch let error as GhostImportError {
            #expect(error.description.hasPrefix(site + "/redirects.toml:2: from \"nope\""))
        }
    }
}
