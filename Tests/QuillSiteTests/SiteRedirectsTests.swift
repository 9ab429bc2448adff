import Foundation
import Testing

@testable import QuillSite

/// redirects.toml: what it accepts, every error it names by line, and how the build merges it.
@Suite struct SiteRedirectsTests {
    /// The `FILE:LINE: message` a bad redirects.toml gets, parsed on its own.
    private func error(_ text: String) -> String? {
        do {
            _ = try SiteRedirects.parse(text, file: "redirects.toml")
            return nil
        } catch {
            return error.description
        }
    }

    @Test func entriesWithDefaultsPathsAndURLs() throws {
        let entries = try SiteRedirects.parse(
            """
            # moved things
            [[redirect]]
            from = "/rss/"
            to = "/rss.xml"

            [[redirect]]
            from = "/old%20name"
            to = "https://elsewhere.example/new?x=1"
            status = 308
            source = "hand"
            """, file: "redirects.toml")
        #expect(
            entries == [
                SiteRedirect(from: "/rss/", to: "/rss.xml", status: 301, line: 3),
                SiteRedirect(
                    from: "/old%20name", to: "https://elsewhere.example/new?x=1", status: 308, line: 7),
            ])
        #expect(try SiteRedirects.parse("# nothing yet\n", file: "redirects.toml").isEmpty)
    }

    @Test func everyBadEntryIsNamedByLine() {
        let cases: [(String, String)] = [
            (
                "[[redirect]]\nfrom = \"old/\"\nto = \"/new/\"\n",
                "redirects.toml:2: from \"old/\": must be an absolute path starting with /"
            ),
            (
                "[[redirect]]\nfrom = \"/a/../b/\"\nto = \"/new/\"\n",
                "redirects.toml:2: from \"/a/../b/\": must not contain . or .. segments"
            ),
            (
                "[[redirect]]\nfrom = \"/a b/\"\nto = \"/new/\"\n",
                "redirects.toml:2: from \"/a b/\": must not contain spaces (percent-encode them as %20)"
            ),
            (
                "[[redirect]]\nfrom = \"/a/?q=1\"\nto = \"/new/\"\n",
                "redirects.toml:2: from \"/a/?q=1\": must be a path only, without ?query or #fragment"
            ),
            ("[[redirect]]\nto = \"/new/\"\n", "redirects.toml:1: redirect needs a string 'from'"),
            (
                "[[redirect]]\nfrom = \"/a/\"\nto = \"ftp://x.example/\"\n",
                "redirects.toml:3: to \"ftp://x.example/\": must be a path starting with / or an absolute http(s) URL"
            ),
            (
                "[[redirect]]\nfrom = \"/a/\"\nto = \"new\"\n",
                "redirects.toml:3: to \"new\": must be a path starting with / or an absolute http(s) URL"
            ),
            (
                "[[redirect]]\nfrom = \"/a/\"\nto = \"/b/\"\nstatus = 404\n",
                "redirects.toml:4: status must be 301, 302, 307 or 308"
            ),
            (
                "[[redirect]]\nfrom = \"/a/\"\nto = \"/b/\"\nstaus = 302\n",
                "redirects.toml:4: unknown key 'staus' (known: from, source, status, to)"
            ),
            (
                "[[redirect]]\nfrom = \"/a/\"\nto = \"/b/\"\n\n[[redirect]]\nfrom = \"/a\"\nto = \"/c/\"\n",
                "redirects.toml:6: duplicate redirect from /a (already on line 2)"
            ),
            ("title = \"x\"\n", "redirects.toml:1: unknown key 'title': entries are [[redirect]] tables"),
        ]
        for (text, expected) in cases {
            #expect(error(text) == expected, "for \(text.debugDescription)")
        }
        #expect(error("[[redirect]\nfrom = 1\n")?.hasPrefix("redirects.toml:1: ") == true)
    }

    @Test func mergedIntoTheEngineTableBesideAliases() throws {
        let site = try TempSite([
            "content/posts/2024-01-01-a.md": "---\naliases: [/old/a/]\n---\n# A\n\nText.\n",
            "redirects.toml": "[[redirect]]\nfrom = \"/rss/\"\nto = \"/rss.xml\"\n\n"
                + "[[redirect]]\nfrom = \"/away\"\nto = \"https://example.net/\"\nstatus = 302\n",
        ])
        _ = try site.build()
        let table = try #require(site.read(".quill/redirects"))
        for line in ["/old/a/ /a/ 301\n", "/rss/ /rss.xml 301\n", "/away https://example.net/ 302\n"] {
            #expect(table.contains(line), "missing \(line) in \(table)")
        }
    }

    @Test func aRedirectMayNotHideAGeneratedPage() throws {
        let pages = [
            "/a/": "a/index.html", "/": "index.html", "/tag/swift": "tag/swift/index.html",
            "/page/2/": "page/2/index.html", "/rss.xml": "rss.xml", "/about/": "about/index.html",
            "/archive/": "archive/index.html",
        ]
        for (from, file) in pages {
            let site = try TempSite([
                "content/posts/2024-01-01-a.md": "---\ntags: [Swift]\n---\n# A\n\nText.\n",
                "content/posts/2024-01-02-b.md": "# B\n\nText.\n",
                "content/posts/2024-01-03-c.md": "# C\n\nText.\n",
                "content/pages/about.md": "# About\n\nText.\n",
                "redirects.toml": "# hand-written\n[[redirect]]\nfrom = \"\(from)\"\nto = \"/elsewhere/\"\n",
            ])
            #expect(
                site.failingBuild() == [
                    "redirects.toml:3: redirect from \(from) would hide \(file), which this build generates"
                ])
        }
    }

    @Test func anAliasAndARedirectForOnePathIsAnError() throws {
        let site = try TempSite([
            "content/posts/2024-01-01-a.md": "---\naliases: [/old/a/]\n---\n# A\n\nText.\n",
            "redirects.toml": "[[redirect]]\nfrom = \"/old/a\"\nto = \"/b/\"\n",
        ])
        #expect(
            site.failingBuild() == [
                "redirects.toml:2: redirect from /old/a is also an alias in content/posts/2024-01-01-a.md; keep one of them"
            ])
    }

    @Test func aBadFileFailsTheBuildWithItsLine() throws {
        let site = try TempSite([
            "content/posts/2024-01-01-a.md": "# A\n\nText.\n",
            "redirects.toml": "\n[[redirect]]\nfrom = \"/x/\"\nto = \"/y/\"\nstatus = \"301\"\n",
        ])
        #expect(site.failingBuild() == ["redirects.toml:5: status must be 301, 302, 307 or 308"])
    }
}
