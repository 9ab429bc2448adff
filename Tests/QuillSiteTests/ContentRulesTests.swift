import Foundation
import Testing

@testable import QuillSite

@Suite struct ContentRulesTests {
    @Test func dateSlugAndTitleComeFromPathAndHeadingWithoutFrontMatter() throws {
        let site = try TempSite([
            "content/posts/2024/05/06/deep-dive.md":
                "Deep Dive\n=========\n\nBody.\n\n---\n\nAfter the rule.\n",
            "content/posts/2024-07-08-flat-name.md": "# Flat Name\n\nText.\n",
        ])
        _ = try site.build()
        let deep = try #require(site.read("deep-dive/index.html"))
        #expect(deep.contains("<h1>Deep Dive</h1>"))
        #expect(deep.components(separatedBy: "<h1>Deep Dive</h1>").count == 2)
        #expect(!deep.contains("id=\"deep-dive\""))  // the title heading is not repeated in the body
        #expect(deep.contains("6 May 2024"))
        #expect(deep.contains("<hr />"))  // a later --- is a rule, not front matter
        #expect(deep.contains("After the rule."))
        let flat = try #require(site.read("flat-name/index.html"))
        #expect(flat.contains("8 July 2024"))
        #expect(flat.contains("<h1>Flat Name</h1>"))
    }

    @Test func frontMatterOverridesAndKeepsUnknownKeys() throws {
        let site = try TempSite([
            "content/posts/2024-01-01-ignored.md": """
            ---
            title: "Real: Title"
            date: 2023-12-24 18:30
            slug: custom-slug
            tags: [Swift, Open Source]
            author: [Ada, Grace Hopper]
            mood: cheerful
            image: /img/x.png
            ---
            # Heading stays

            Body.
            """
        ])
        _ = try site.build()
        let html = try #require(site.read("custom-slug/index.html"))
        #expect(html.contains("<h1>Real: Title</h1>"))
        #expect(html.contains("Heading stays"))
        #expect(html.contains("24 December 2023"))
        #expect(html.contains("href=\"/tag/open-source/\""))
        #expect(html.contains("href=\"/author/grace-hopper/\""))
        #expect(html.contains("<p>mood: cheerful</p>"))
        #expect(html.contains("og:image\" content=\"https://example.org/img/x.png\""))
        #expect(site.read("tag/open-source/index.html")?.contains("Real: Title") == true)
        #expect(site.read("author/grace-hopper/index.html")?.contains("Real: Title") == true)
    }

    /// Front matter is composed without Yams's regular-expression rules; bools and empty values
    /// read as YAML means them: unquoted `null` and `~` are no value, quoted they are text.
    @Test func frontMatterWordsReadAsBefore() throws {
        func matter(_ line: String) throws -> FrontMatter {
            try FrontMatter.split("---\n\(line)\n---\nBody\n", file: "a.md")
        }
        for (word, value) in [
            ("yes", true), ("tRuE", true), ("ON", true), ("!!bool yes", true), ("no", false), ("Off", false),
        ] {
            #expect(try matter("draft: \(word)").bool("draft", file: "a.md") == value, "draft: \(word)")
        }
        for word in ["'true'", "\"no\"", "1", "y"] {
            #expect(throws: SiteError.self, "draft: \(word)") {
                try matter("draft: \(word)").bool("draft", file: "a.md")
            }
        }
        for (word, text) in [
            ("'null'", "null"), ("\"~\"", "~"), ("nullable", "nullable"), ("2024", "2024"), ("no", "no"),
        ] {
            #expect(try matter("description: \(word)").string("description", file: "a.md") == text, "\(word)")
        }
        for word in ["", "''", "!!null x", "null", "Null", "NULL", "~"] {
            #expect(try matter("description: \(word)").string("description", file: "a.md") == nil, "\(word)")
        }
        #expect(try matter("tags: null").strings("tags", file: "a.md").isEmpty)
    }

    @Test func permalinkTokensShapePostURLs() throws {
        let site = try TempSite([
            "site.toml":
                "title = \"T\"\nbase_url = \"https://e.org\"\npermalink = \"/:year/:month/:day/:slug/\"\n",
            "content/posts/2024-03-09-hello.md": "# Hello\n",
        ])
        _ = try site.build()
        #expect(site.read("2024/03/09/hello/index.html") != nil)
    }

    @Test func draftsAndFutureAreExcludedUnlessAsked() throws {
        let site = try TempSite([
            "content/posts/2024-01-01-draft.md": "---\ndraft: true\n---\n# Draft\n",
            "content/posts/2099-01-01-future.md": "# Future\n",
            "content/posts/2024-01-02-live.md": "# Live\n",
        ])
        _ = try site.build()
        #expect(site.read("draft/index.html") == nil)
        #expect(site.read("future/index.html") == nil)
        #expect(site.read("live/index.html") != nil)
        #expect(site.read("rss.xml")?.contains("Draft") == false)
        _ = try site.build(drafts: true, future: true)
        #expect(site.read("draft/index.html") != nil)
        #expect(site.read("future/index.html") != nil)
    }

    @Test func latin1FilesAreReadWithAWarning() throws {
        let site = try TempSite()
        try site.write(
            "content/posts/2024-01-01-cafe.md", bytes: Array("# Caf".utf8) + [0xE9] + Array("\n".utf8))
        let summary = try site.build()
        #expect(
            summary.warnings == [
                "content/posts/2024-01-01-cafe.md:1: warning: not valid UTF-8; read as Latin-1"
            ])
        #expect(site.read("cafe/index.html")?.contains("<h1>Café</h1>") == true)
    }

    @Test func undatedPostTakesItsModificationTimeWithAWarningAndRebuildsIdentically() throws {
        let site = try TempSite(["content/posts/undated.md": "# Undated\n\nText.\n"])
        let path = site.root + "/content/posts/undated.md"
        // 2024-05-06T07:08:09.75Z: the fraction is dropped.
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSince1970: 1_714_979_289.75)], ofItemAtPath: path)
        let first = try site.build()
        #expect(
            first.warnings == [
                "content/posts/undated.md:1: warning: no date in front matter or file name; using the file's "
                    + "modification time, 2024-05-06T07:08:09Z, which an edit or a fresh checkout changes: "
                    + "add 'date:' to keep it"
            ])
        let page = try #require(site.read("undated/index.html"))
        #expect(page.contains("datetime=\"2024-05-06T07:08:09Z\""))
        let rss = try #require(site.read("rss.xml"))
        _ = try site.build(full: true)
        #expect(site.read("undated/index.html") == page)
        #expect(site.read("rss.xml") == rss)
    }

    @Test func compressedSiblingsOnlyWhereTheyShrinkTheFile() throws {
        var state: UInt32 = 12_345
        let noise = (0..<4096).map { _ -> UInt8 in
            state = state &* 1_103_515_245 &+ 12_345
            return UInt8(truncatingIfNeeded: state >> 16)
        }
        // A long list of links, as on an archive page: gzip leaves well over brotliMinimumGzip.
        let prose = (0..<3_000).map { index -> String in
            state = state &* 1_103_515_245 &+ 12_345
            return "<li><a href=\"/posts/\(state >> 20)/\">Post \(index): notes on \(state >> 24)</a></li>"
        }.joined(separator: "\n")
        let site = try TempSite(["content/posts/2024-01-01-a.md": "# A\n"])
        try site.write("static/noise.txt", bytes: noise)
        try site.write("static/words.txt", String(repeating: "words that repeat ", count: 100))
        try site.write("static/prose.txt", prose)
        _ = try site.build()
        let files = Set(tree(site.output))
        #expect(!files.contains("noise.txt.gz") && !files.contains("noise.txt.br"))
        #expect(files.contains("noise.txt"))
        // A small .gz gets no .br beside it; a big one does when brotli beats it.
        #expect(files.contains("words.txt.gz") && !files.contains("words.txt.br"))
        let gz = try #require(FileManager.default.contents(atPath: site.output + "/prose.txt.gz"))
        let br = try #require(FileManager.default.contents(atPath: site.output + "/prose.txt.br"))
        #expect(gz.count >= Compression.brotliMinimumGzip)
        #expect(br.count < gz.count)
    }

    @Test func paginationSplitsHomeAndTags() throws {
        var files: [String: String] = [:]
        for day in 1...5 {
            files["content/posts/2024-01-0\(day)-p\(day).md"] = "---\ntags: [t]\n---\n# P\(day)\n"
        }
        let site = try TempSite(files)
        _ = try site.build()
        #expect(site.read("index.html")?.contains("href=\"/page/2/\"") == true)
        #expect(site.read("page/3/index.html")?.contains("P1") == true)
        #expect(site.read("page/4/index.html") == nil)
        #expect(site.read("tag/t/page/3/index.html")?.contains("href=\"/tag/t/page/2/\"") == true)
        // Newest first; previous is the older neighbour.
        let middle = try #require(site.read("p3/index.html"))
        #expect(middle.contains("rel=\"prev\" href=\"/p2/\""))
        #expect(middle.contains("rel=\"next\" href=\"/p4/\""))
    }

    @Test func outputHasMetadataFeedsAndCompressedSiblings() throws {
        let site = try TempSite([
            "content/posts/2024-01-01-a.md": "---\naliases: [/old/a/]\n---\n# A\n\nText.\n",
            "content/pages/about.md": "# About\n\nMe.\n",
            "static/robots.txt": "User-agent: *\nDisallow: /private/\n",
        ])
        _ = try site.build()
        let files = Set(tree(site.output))
        for path in [
            "index.html", "a/index.html", "about/index.html", "archive/index.html", "404.html", "rss.xml",
            "atom.xml", "feed.json", "sitemap.xml", "a/index.html.gz", ".quill/redirects",
        ] {
            #expect(files.contains(path), "missing \(path)")
        }
        // Files under 512 bytes get no siblings: the engine serves them as they are.
        #expect(try #require(site.read("robots.txt")).utf8.count < Compression.minimumSize)
        #expect(!files.contains("robots.txt.gz") && !files.contains("robots.txt.br"))
        #expect(site.read("robots.txt")?.contains("/private/") == true)  // static wins
        #expect(site.read(".quill/redirects")?.contains("/old/a/ /a/ 301\n") == true)
        let css = try #require(files.first { $0.hasPrefix("assets/style.") && $0.hasSuffix(".css") })
        let fingerprint = css.split(separator: ".").dropLast().last!
        #expect(fingerprint.count >= 8 && fingerprint.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        #expect(site.read("a/index.html")?.contains("href=\"/\(css)\"") == true)
        let post = try #require(site.read("a/index.html"))
        #expect(post.contains("<link rel=\"canonical\" href=\"https://example.org/a/\">"))
        #expect(post.contains("\"@type\":\"BlogPosting\""))
        // The .gz sibling is real gzip of the same bytes.
        let gunzip = Process()
        gunzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gunzip.arguments = ["-dc", site.output + "/a/index.html.gz"]
        let pipe = Pipe()
        gunzip.standardOutput = pipe
        try gunzip.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        gunzip.waitUntilExit()
        #expect(String(decoding: data, as: UTF8.self) == post)
    }

    @Test func newPostAndPageGetFrontMatterAndSlug() throws {
        let site = try TempSite()
        let now = Date(timeIntervalSince1970: 1_700_000_000)  // 2023-11-14
        let post = try NewContent.create(kind: .post, title: "Hello, \"World\"!", site: site.root, now: now)
        #expect(post.hasSuffix("content/posts/2023-11-14-hello-world.md"))
        let text = try String(contentsOfFile: post, encoding: .utf8)
        #expect(text.hasPrefix("---\ntitle: \"Hello, \\\"World\\\"!\"\ndate: 2023-11-14 22:13:20Z\n"))
        #expect(text.contains("draft: true"))
        let page = try NewContent.create(kind: .page, title: "About Me", site: site.root)
        #expect(page.hasSuffix("content/pages/about-me.md"))
        #expect(throws: SiteError.self) {
            try NewContent.create(kind: .page, title: "About Me", site: site.root)
        }
        _ = try site.build(drafts: true)
        #expect(site.read("hello-world/index.html")?.contains("Hello, &quot;World&quot;!") == true)
    }
}
