import Foundation
import Testing

@testable import QuillSite

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Collects element names and text, to check a feed's required elements.
private final class ElementCollector: NSObject, XMLParserDelegate {
    var names: [String] = []
    var text: [String: [String]] = [:]
    private var current = ""
    private var stack: [String] = []

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        names.append(name)
        stack.append(name)
        current = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { current += string }

    func parser(
        _ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?
    ) {
        text[stack.joined(separator: "/"), default: []].append(current)
        stack.removeLast()
        current = ""
    }
}

@Suite struct FeedTests {
    private func site() throws -> TempSite {
        let site = try TempSite([
            "content/posts/2024-01-01-one.md": "---\ntags: [a & b]\n---\n# One <&>\n\nFirst **bold** post.\n",
            "content/posts/2024-02-01-two.md": "# Two\n\nSecond post with <script>\"quotes\"</script>.\n",
        ])
        _ = try site.build()
        return site
    }

    private func parse(_ text: String) throws -> ElementCollector {
        let parser = XMLParser(data: Data(text.utf8))
        let collector = ElementCollector()
        parser.delegate = collector
        parser.shouldProcessNamespaces = false
        #expect(parser.parse(), "XML error: \(String(describing: parser.parserError))")
        return collector
    }

    @Test func rssIsWellFormedWithRequiredElements() throws {
        let site = try site()
        let feed = try parse(try #require(site.read("rss.xml")))
        for name in [
            "rss", "channel", "title", "link", "description", "item", "guid", "pubDate", "content:encoded",
        ] {
            #expect(feed.names.contains(name), "missing \(name)")
        }
        #expect(feed.names.filter { $0 == "item" }.count == 2)
        #expect(feed.text["rss/channel/item/title"] == ["Two", "One <&>"])
        let content = try #require(feed.text["rss/channel/item/content:encoded"]?.last)
        #expect(content.contains("<strong>bold</strong>"))
    }

    @Test func atomIsWellFormedWithRequiredElements() throws {
        let site = try site()
        let feed = try parse(try #require(site.read("atom.xml")))
        for name in ["feed", "id", "title", "updated", "entry", "link", "content", "published", "author"] {
            #expect(feed.names.contains(name), "missing \(name)")
        }
        #expect(feed.text["feed/entry/id"] == ["https://example.org/two/", "https://example.org/one/"])
        #expect(feed.text["feed/updated"] == ["2024-02-01T00:00:00Z"])
    }

    @Test func jsonFeedParsesWithFullContent() throws {
        let site = try site()
        let data = Data(try #require(site.read("feed.json")).utf8)
        let feed = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(feed["version"] as? String == "https://jsonfeed.org/version/1.1")
        #expect(feed["title"] as? String == "Test Site")
        let items = try #require(feed["items"] as? [[String: Any]])
        #expect(items.count == 2)
        #expect(items[0]["id"] as? String == "https://example.org/two/")
        #expect((items[1]["content_html"] as? String)?.contains("<strong>bold</strong>") == true)
        #expect(items[1]["tags"] as? [String] == ["a & b"])
    }

    @Test func linksInFeedContentAreAbsolute() throws {
        let site = try TempSite([
            "content/posts/2024-03-01-links.md": """
            # Links

            See [the other post](/one/), ![a chart](chart.png), [mail](mailto:a@example.org),
            [elsewhere](https://x.example/p), [note](#later) and <a href='/raw/'>raw</a>
            <img SRC="/img/a.png" alt="a">. In code: `href="/kept/"`.
            """
        ])
        _ = try site.build()
        let rssText = try #require(site.read("rss.xml"))
        let rss = try #require(try parse(rssText).text["rss/channel/item/content:encoded"]?.first)
        let data = Data(try #require(site.read("feed.json")).utf8)
        let feed = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let items = try #require(feed["items"] as? [[String: Any]])
        let json = try #require(items.first?["content_html"] as? String)
        let atomText = try #require(site.read("atom.xml"))
        let atom = try #require(try parse(atomText).text["feed/entry/content"]?.first)
        for content in [rss, json, atom] {
            #expect(content.contains("href=\"https://example.org/one/\""), "\(content)")
            #expect(content.contains("src=\"https://example.org/links/chart.png\""))
            #expect(content.contains("href=\"mailto:a@example.org\""))
            #expect(content.contains("href=\"https://x.example/p\""))
            #expect(content.contains("href=\"#later\""))
            #expect(content.contains("href='https://example.org/raw/'"))
            #expect(content.contains("SRC=\"https://example.org/img/a.png\""))
            #expect(content.contains("href=&quot;/kept/&quot;"))
        }
        // The post's own page keeps its links as written.
        #expect(site.read("links/index.html")?.contains("href=\"/one/\"") == true)
    }

    @Test func sitemapListsEveryPost() throws {
        let site = try site()
        let map = try parse(try #require(site.read("sitemap.xml")))
        let locations = map.text["urlset/url/loc"] ?? []
        #expect(locations.contains("https://example.org/one/"))
        #expect(locations.contains("https://example.org/tag/a-b/"))
        #expect(
            site.read("robots.txt") == "User-agent: *\nAllow: /\n\nSitemap: https://example.org/sitemap.xml\n"
        )
    }
}
