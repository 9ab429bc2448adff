import Foundation
import Testing

@testable import QuillSite

@Suite("quill import ghost")
struct ImportGhostTests {
    @Test(arguments: ImportFixtures.exports)
    func everyFixtureImportsWithoutSecrets(_ export: String) throws {
        let site = try ImportFixtures.scratch()
        defer { try? FileManager.default.removeItem(atPath: site) }
        let summary = try GhostImporter(exportPath: ImportFixtures.path(export), site: site).run()
        #expect(summary.posts + summary.pages > 0)
        var everything = summary.text
        for file in ImportFixtures.files(site) { everything += try ImportFixtures.read(site + "/" + file) }
        for secret in ImportFixtures.secrets {
            #expect(!everything.contains(secret), "secret \(secret) leaked from \(export)")
        }
        #expect(!everything.contains("__GHOST_URL__"))
    }

    @Test func ghost5PostsPagesDraftsAndMetadata() throws {
        let site = try ImportFixtures.scratch()
        defer { try? FileManager.default.removeItem(atPath: site) }
        let summary = try GhostImporter(exportPath: ImportFixtures.path("ghost-5-lexical.json"), site: site)
            .run()
        #expect(summary.posts == 5 && summary.pages == 1 && summary.drafts == 3)
        #expect(summary.tags == ["Swift", "Web Dev"])
        #expect(summary.authors == ["Alice Writer", "Bob Editor"])
        #expect(
            ImportFixtures.files(site + "/content") == [
                "pages/about.md", "posts/2024-01-15-paid-only.md", "posts/2024-02-10-html-only.md",
                "posts/2024-03-05-lexical-post.md", "posts/2024-03-20-unfinished-draft.md",
                "posts/2030-01-01-coming-soon.md",
            ])
        let post = try ImportFixtures.read(site + "/content/posts/2024-03-05-lexical-post.md")
        for line in [
            "title: \"Lexical post\"", "date: 2024-03-05T09:30:00Z", "tags: [\"Swift\", \"Web Dev\"]",
            "internal_tags: [\"#newsletter\"]", "author: [\"Alice Writer\", \"Bob Editor\"]",
            "excerpt: \"An excerpt.\"", "image: \"/content/images/2024/03/cover.jpg\"",
            "og_title: \"OG lexical\"",
            "meta_description: \"Meta description\"", "twitter_title: \"Tweet title\"", "ghost_id: \"p501\"",
            "Hello from **Lexical** with `code` and a [link home](/v4-cards/).", "1. first\n2. *second*",
            "```python\nprint(\"hi\")\n```", "data-ghost-card=\"signup\"",
        ] {
            #expect(post.contains(line), "missing: \(line)")
        }
        #expect(!post.contains("draft:"))
        for draft in ["2024-03-20-unfinished-draft", "2030-01-01-coming-soon", "2024-01-15-paid-only"] {
            #expect(try ImportFixtures.read(site + "/content/posts/\(draft).md").contains("\ndraft: true\n"))
        }
        #expect(summary.warnings.contains { $0.item == "lexical-post" && $0.message.contains("\"signup\"") })
        #expect(summary.warnings.contains { $0.item == "paid-only" })
        let toml = try ImportFixtures.read(site + "/site.toml")
        #expect(toml.contains("title = \"Fixture Blog\"") && toml.contains("timezone = \"Europe/Paris\""))
        #expect(toml.contains("{ label = \"About\", url = \"/about/\" }"))
    }

    @Test func ghost3CardsAndSkippedItems() throws {
        let site = try ImportFixtures.scratch()
        defer { try? FileManager.default.removeItem(atPath: site) }
        let summary = try GhostImporter(exportPath: ImportFixtures.path("ghost-3-mobiledoc.json"), site: site)
            .run()
        // The reason names the record's place in the export, so a person can look at it.
        let fixture = ImportFixtures.path("ghost-3-mobiledoc.json")
        let line = try ImportFixtures.read(fixture).split(separator: "\n", omittingEmptySubsequences: false)
            .firstIndex { $0.contains("\"5ec0000000000000000000a4\"") }.map { $0 + 1 }
        #expect(summary.skipped.map(\.reason) == ["no slug (\(fixture):\(line ?? 0))"])
        #expect(summary.warnings.contains { $0.item == "v4-cards" && $0.message.contains("mystery-card") })
        #expect(summary.warnings.contains { $0.item == "contact" && $0.message.contains("mobiledoc") })
        let post = try ImportFixtures.read(site + "/content/posts/2020-05-20-v4-cards.md")
        for piece in [
            "Intro with **bold**, a [link](/lexical-post/) and\\\n*a soft break*",
            "Some *Markdown* from a card.\n\n- a\n- b", "```rust\nfn main() {}\n```",
            "<figcaption>A <em>caption</em></figcaption>", "<iframe src=\"https://www.youtube.com/embed/x\">",
            "kg-bookmark-card", "data-ghost-payload=\"{&quot;foo&quot;:&quot;bar&quot;}\"",
            "\n---\n\n<figure",
            "- list one\n- **list two**", "> Quoted",
            "canonical_url: \"https://elsewhere.example/original/\"",
        ] {
            #expect(post.contains(piece), "missing: \(piece)")
        }
        #expect(try ImportFixtures.read(site + "/content/pages/contact.md").hasSuffix("---\nWrite to us.\n"))
    }

    @Test func ghost1BareDatedPermalinksAndMarkdown() throws {
        let site = try ImportFixtures.scratch()
        defer { try? FileManager.default.removeItem(atPath: site) }
        let summary = try GhostImporter(exportPath: ImportFixtures.path("ghost-1-bare.json"), site: site)
            .run()
        #expect(summary.posts == 2 && summary.pages == 1)
        #expect(
            try ImportFixtures.read(site + "/site.toml").contains("permalink = \"/:year/:month/:day/:slug/\"")
        )
        let old = try ImportFixtures.read(site + "/content/posts/2017-07-12-old-times.md")
        #expect(old.contains("---\nWritten in **Ghost 1**.\n\n![pic](/content/images/2017/07/old.png)"))
        #expect(!old.contains("aliases"))
        #expect(try ImportFixtures.read(site + "/content/pages/colophon.md").contains("## How it is made"))
        #expect(summary.imagesMissing == ["/content/images/2017/07/old.png"])
    }

    @Test func permalinkQuillCannotExpressBecomesAliases() throws {
        let site = try ImportFixtures.scratch()
        defer { try? FileManager.default.removeItem(atPath: site) }
        let export = site + "/export.json"
        try Data(
            #"""
            {"data":{"posts":[{"id":"9","slug":"hello","status":"published","html":"<p>x</p>",
            "published_at":"2021-02-03T04:05:06.000Z"}],"settings":[{"key":"permalinks","value":"/:id/:slug/"}]}}
            """#.utf8
        ).write(to: URL(fileURLWithPath: export))
        _ = try GhostImporter(exportPath: export, site: site + "/site").run()
        #expect(try ImportFixtures.read(site + "/site/site.toml").contains("permalink = \"/:slug/\""))
        #expect(
            try ImportFixtures.read(site + "/site/content/posts/2021-02-03-hello.md").contains(
                "aliases: [\"/9/hello/\"]"))
    }

    @Test func slugsQuillWritesDifferentlyKeepTheOldURLAndNeverCollide() throws {
        let site = try ImportFixtures.scratch()
        defer { try? FileManager.default.removeItem(atPath: site) }
        let export = site + "/export.json"
        try Data(
            #"""
            {"data":{"posts":[
            {"id":"1","slug":"my_post","status":"published","html":"<p>x</p>","published_at":"2021-02-03T04:05:06Z"},
            {"id":"2","slug":"my-post","status":"published","html":"<p>y</p>","published_at":"2022-02-03T04:05:06Z"}]}}
            """#.utf8
        ).write(to: URL(fileURLWithPath: export))
        let summary = try GhostImporter(exportPath: export, site: site + "/site").run()
        let post = try ImportFixtures.read(site + "/site/content/posts/2021-02-03-my-post.md")
        #expect(post.contains("slug: \"my-post\"") && post.contains("aliases: [\"/my_post/\"]"))
        #expect(summary.posts == 1)
        #expect(summary.skipped.map(\.item) == ["my-post"])
        #expect(summary.skipped.first?.reason.contains("same file or URL as \"my-post\"") == true)
    }

    @Test func secondImportUpdatesAndNeverDuplicates() throws {
        let site = try ImportFixtures.scratch()
        defer { try? FileManager.default.removeItem(atPath: site) }
        let importer = GhostImporter(exportPath: ImportFixtures.path("ghost-5-lexical.json"), site: site)
        let first = try importer.run()
        let filesAfterFirst = ImportFixtures.files(site)
        let second = try importer.run()
        #expect(ImportFixtures.files(site) == filesAfterFirst)
        #expect(second.created.isEmpty && second.updated.isEmpty)
        #expect(second.unchanged.count == first.created.count - 1)  // site.toml is written once
        #expect(second.posts == first.posts && second.pages == first.pages)
    }

    @Test func handEditedPostIsKeptUnlessForced() throws {
        let site = try ImportFixtures.scratch()
        defer { try? FileManager.default.removeItem(atPath: site) }
        let export = ImportFixtures.path("ghost-5-lexical.json")
        _ = try GhostImporter(exportPath: export, site: site).run()
        let path = site + "/content/posts/2024-02-10-html-only.md"
        let edited = try ImportFixtures.read(path) + "\nAn added paragraph.\n"
        try Data(edited.utf8).write(to: URL(fileURLWithPath: path))

        let again = try GhostImporter(exportPath: export, site: site).run()
        #expect(try ImportFixtures.read(path) == edited)
        #expect(again.skipped.contains { $0.item == "html-only" && $0.reason.contains("--force") })

        let forced = try GhostImporter(exportPath: export, site: site, force: true).run()
        #expect(try !ImportFixtures.read(path).contains("An added paragraph."))
        #expect(forced.updated == ["content/posts/2024-02-10-html-only.md"])
    }

    @Test func fileNotWrittenByTheImportIsNotOverwritten() throws {
        let site = try ImportFixtures.scratch()
        defer { try? FileManager.default.removeItem(atPath: site) }
        let mine = "---\ntitle: Mine\n---\nHand written.\n"
        try GhostFiles.write(mine, to: site + "/content/pages/about.md")
        let summary = try GhostImporter(exportPath: ImportFixtures.path("ghost-5-lexical.json"), site: site)
            .run()
        #expect(try ImportFixtures.read(site + "/content/pages/about.md") == mine)
        #expect(
            summary.skipped.contains {
                $0.item == "about" && $0.reason.contains("not written by this import")
            })
    }

    @Test func existingSiteTomlIsLeftAlone() throws {
        let site = try ImportFixtures.scratch()
        defer { try? FileManager.default.removeItem(atPath: site) }
        let toml = "title = \"Mine\"\npermalink = \"/:year/:slug/\"\n"
        try GhostFiles.write(toml, to: site + "/site.toml")
        _ = try GhostImporter(exportPath: ImportFixtures.path("ghost-3-mobiledoc.json"), site: site).run()
        #expect(try ImportFixtures.read(site + "/site.toml") == toml)
        // Ghost served it at /v4-cards/; under this site's permalink the old URL becomes an alias.
        let post = try ImportFixtures.read(site + "/content/posts/2020-05-20-v4-cards.md")
        #expect(post.contains("aliases: [\"/v4-cards/\"]"))
    }

    @Test func imagesAreCopiedAndMissingOnesListed() throws {
        let site = try ImportFixtures.scratch()
        defer { try? FileManager.default.removeItem(atPath: site) }
        let images = site + "-images"
        defer { try? FileManager.default.removeItem(atPath: images) }
        try GhostFiles.write("png bytes", to: images + "/2024/03/lexical.png")
        try GhostFiles.write("jpg bytes", to: images + "/2024/03/cover.jpg")
        let summary = try GhostImporter(
            exportPath: ImportFixtures.path("ghost-5-lexical.json"), site: site, imagesDirectory: images
        ).run()
        #expect(
            summary.imagesCopied == [
                "/content/images/2024/03/cover.jpg", "/content/images/2024/03/lexical.png",
            ])
        #expect(
            summary.imagesMissing == [
                "/content/images/2024/02/g1.jpg", "/content/images/2024/03/og.png",
                "/content/media/2024/03/clip.mp4 (copy Ghost's content/media or content/files by hand)",
            ])
        #expect(try ImportFixtures.read(site + "/static/content/images/2024/03/lexical.png") == "png bytes")
        #expect(summary.text.contains("Images not found in the images folder, 3:"))
    }

    @Test func imagePathsThatLeaveTheFolderAreRefused() {
        #expect(GhostImages.relativePath("/content/images/../../etc/passwd") == nil)
        #expect(GhostImages.relativePath("/content/images/2020/a%20b.png") == "2020/a b.png")
        #expect(
            GhostImages.references(
                in: "<img srcset=\"/content/images/size/w600/a.jpg 600w, /content/images/a.jpg?v=1 1000w\">")
                == ["/content/images/size/w600/a.jpg", "/content/images/a.jpg"])
    }

    @Test func badExportFailsWithFileAndLine() throws {
        let site = try ImportFixtures.scratch()
        defer { try? FileManager.default.removeItem(atPath: site) }
        let export = site + "/broken.json"
        try Data("{\n\"data\": {\n\"posts\": [\n{\"id\": 1 \"slug\": \"x\"}\n]}}".utf8).write(
            to: URL(fileURLWithPath: export))
        #expect {
            try GhostImporter(exportPath: export, site: site + "/out").run()
        } throws: { error in
            (error as? GhostImportError)?.description.hasPrefix("\(export):4: not valid JSON") ?? false
        }
        #expect(!FileManager.default.fileExists(atPath: site + "/out/content"))
    }
}
