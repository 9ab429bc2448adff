import Foundation
import Testing

@testable import QuillSite

/// Every error names FILE:LINE, fails the build, and leaves the published site untouched.
@Suite struct ErrorPathTests {
    /// Builds once successfully, breaks the site, and checks the failure and the untouched site.
    private func expectFailure(
        _ change: (TempSite) throws -> Void, _ expected: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let site = try TempSite(["content/posts/2024-01-01-good.md": "# Good\n"])
        _ = try site.build()
        let before = try FileManager.default.destinationOfSymbolicLink(atPath: site.output)
        let buildsBefore = try FileManager.default.contentsOfDirectory(atPath: site.root).filter {
            $0.hasPrefix("public.")
        }
        try change(site)
        let errors = site.failingBuild()
        #expect(errors.contains(expected), "got \(errors)", sourceLocation: sourceLocation)
        #expect(
            try FileManager.default.destinationOfSymbolicLink(atPath: site.output) == before,
            sourceLocation: sourceLocation)
        let buildsAfter = try FileManager.default.contentsOfDirectory(atPath: site.root).filter {
            $0.hasPrefix("public.")
        }
        #expect(
            buildsAfter == buildsBefore, "a failed build left a folder behind", sourceLocation: sourceLocation
        )
        #expect(site.read("good/index.html") != nil, sourceLocation: sourceLocation)
    }

    @Test func badFrontMatterYAML() throws {
        try expectFailure(
            { try $0.write("content/posts/bad.md", "---\ntitle: ok\ntags: [unclosed\n---\nBody\n") },
            "content/posts/bad.md:3: invalid front matter: did not find expected ',' or ']' while parsing a flow sequence"
        )
    }

    @Test func frontMatterOfTheWrongType() throws {
        try expectFailure(
            { try $0.write("content/posts/bad.md", "---\ntitle: ok\ndraft: maybe\n---\nBody\n") },
            "content/posts/bad.md:3: 'draft' must be true or false")
        try expectFailure(
            { try $0.write("content/posts/bad.md", "---\ndate: last tuesday\n---\nBody\n") },
            "content/posts/bad.md:2: 'date' is not a date: 'last tuesday' (use YYYY-MM-DD, optionally with HH:MM[:SS] and a zone)"
        )
    }

    @Test func unclosedFrontMatter() throws {
        try expectFailure(
            { try $0.write("content/posts/bad.md", "---\ntitle: never closed\n\nBody\n") },
            "content/posts/bad.md:1: front matter opened with '---' is never closed by a '---' line")
    }

    @Test func duplicateSlugs() throws {
        try expectFailure(
            { try $0.write("content/posts/2024-02-02-good.md", "# Also good\n") },
            "content/posts/2024-02-02-good.md:1: duplicate slug: URL /good/ is also used by content/posts/2024-01-01-good.md"
        )
    }

    @Test func missingTemplate() throws {
        try expectFailure(
            { try FileManager.default.removeItem(atPath: $0.root + "/theme/templates/post.mustache") },
            "theme/templates/post.mustache:1: missing template: the theme must provide 'post'")
    }

    @Test func brokenTemplate() throws {
        try expectFailure(
            { try $0.write("theme/templates/page.mustache", "line one\n{{#section}}never closed\n") },
            "theme/templates/page.mustache:3: template error: expectedSectionEnd")
    }

    @Test func unreadableFile() throws {
        try expectFailure(
            { site in
                try FileManager.default.createSymbolicLink(
                    atPath: site.root + "/content/posts/gone.md", withDestinationPath: "/nonexistent/gone.md")
            }, "content/posts/gone.md:1: cannot read file: no such file (a dangling link?)")
    }

    @Test func badSiteConfig() throws {
        try expectFailure(
            { try $0.write("site.toml", "title = \"x\"\nbase_url = \"not a url\"\n") },
            "site.toml:2: 'base_url' must be an http(s) URL, not 'not a url'")
        try expectFailure(
            { try $0.write("site.toml", "title = \"x\"\nposts_per_page = [\n") },
            "site.toml:2: Error while parsing array: encountered end-of-file")
    }

    @Test func headerTheEngineOwns() throws {
        try expectFailure(
            { try $0.write("site.toml", "title = \"x\"\n\n[headers]\nCache-Control = \"no-store\"\n") },
            "site.toml:4: header 'Cache-Control' is set by the engine for each response")
    }

    @Test func aliasClashesWithAPage() throws {
        try expectFailure(
            { try $0.write("content/posts/2024-03-03-other.md", "---\naliases: [/good/]\n---\n# Other\n") },
            "content/posts/2024-03-03-other.md:1: alias /good/ is already the URL of content/posts/2024-01-01-good.md"
        )
    }
}
