import Foundation
import Testing

@testable import QuillSite

/// Builds examples/blog and follows every internal link and asset reference.
@Suite struct DemoSiteTests {
    @Test func demoHasNoBrokenInternalLinks() throws {
        let work = NSTemporaryDirectory() + "quill-demo-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: work) }
        var options = BuildOptions()
        options.output = work + "/public"
        let summary = try SiteBuilder.build(site: repositoryRoot + "/examples/blog", options: options)
        #expect(summary.posts >= 12)
        let root = work + "/public"
        let pages = tree(root).filter { $0.hasSuffix(".html") }
        #expect(pages.count > 20)
        var broken: [String] = []
        var checked = 0
        for page in pages {
            let html = try String(contentsOfFile: root + "/" + page, encoding: .utf8)
            for link in links(in: html) {
                var path = link
                if path.hasPrefix("http://127.0.0.1:8080") { path.removeFirst("http://127.0.0.1:8080".count) }
                guard path.hasPrefix("/"), !path.hasPrefix("//") else { continue }
                path = String(path.prefix { $0 != "#" && $0 != "?" })
                checked += 1
                let file = path.hasSuffix("/") ? root + path + "index.html" : root + path
                if !FileManager.default.fileExists(atPath: file) { broken.append("\(page): \(link)") }
            }
        }
        #expect(checked > 100)
        #expect(broken.isEmpty, "broken links: \(broken)")
    }

    @Test func demoUsesEveryFeature() throws {
        let work = NSTemporaryDirectory() + "quill-demo-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: work) }
        var options = BuildOptions()
        options.output = work + "/public"
        _ = try SiteBuilder.build(site: repositoryRoot + "/examples/blog", options: options)
        let all = try tree(work + "/public").filter { $0.hasSuffix(".html") }.map {
            try String(contentsOfFile: work + "/public/" + $0, encoding: .utf8)
        }.joined()
        for marker in [
            "<table>", "<del>", "type=\"checkbox\"", "class=\"footnotes\"", "language-swift", "<figure>",
            "rel=\"next\"", "og:image", "application/ld+json", "Café", "Pi day pie", "<hr />",
        ] {
            #expect(all.contains(marker), "the demo does not show \(marker)")
        }
        let redirects = try String(contentsOfFile: work + "/public/.quill/redirects", encoding: .utf8)
        #expect(redirects.contains("/boring/ /the-case-for-boring-servers/ 301"))
        // From the demo's redirects.toml.
        #expect(redirects.contains("/feed/ /rss.xml 301\n"))
        #expect(
            redirects.contains("/slides/boring-servers/ https://slides.example.org/boring-servers/ 308\n"))
    }

    /// Values of href and src attributes.
    private func links(in html: String) -> [String] {
        var out: [String] = []
        for attribute in ["href=\"", "src=\""] {
            var rest = html[...]
            while let start = rest.range(of: attribute) {
                rest = rest[start.upperBound...]
                guard let end = rest.firstIndex(of: "\"") else { break }
                out.append(String(rest[..<end]))
                rest = rest[end...]
            }
        }
        return out
    }
}
