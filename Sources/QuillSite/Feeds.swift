import Foundation

/// RSS 2.0, Atom 1.0 and JSON Feed 1.1, each with the full content of the newest posts. Dates
/// come from the posts, never the clock, so a rebuild gives the same bytes.
struct Feeds {
    var context: TemplateContext
    var config: SiteConfig { context.config }
    var format: DateFormat { context.format }

    var posts: ArraySlice<Entry> { context.model.posts.prefix(config.feedLimit) }

    private var lastUpdate: Date {
        posts.map { max($0.date, $0.updated ?? $0.date) }.max() ?? Date(timeIntervalSince1970: 0)
    }

    /// A post's HTML with its links made absolute (see FeedLinks).
    private func content(_ post: Entry) -> String {
        FeedLinks.absolute(post.html, base: config.baseURL, page: post.url)
    }

    func rss() -> String {
        var out = """
            <?xml version="1.0" encoding="utf-8"?>
            <rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
            <channel>
            <title>\(HTML.xml(config.title))</title>
            <link>\(HTML.xml(config.baseURL))/</link>
            <description>\(HTML.xml(config.description.isEmpty ? config.title : config.description))</description>
            <language>\(HTML.xml(config.language))</language>
            <lastBuildDate>\(format.rfc822(lastUpdate))</lastBuildDate>
            <generator>Quill</generator>
            <atom:link href="\(HTML.xml(context.absolute("/rss.xml")))" rel="self" type="application/rss+xml"/>

            """
        for post in posts {
            let url = HTML.xml(context.absolute(post.url))
            out += "<item>\n<title>\(HTML.xml(post.title))</title>\n<link>\(url)</link>\n"
            out +=
                "<guid isPermaLink=\"true\">\(url)</guid>\n<pubDate>\(format.rfc822(post.date))</pubDate>\n"
            for author in post.authors { out += "<dc:creator>\(HTML.xml(author))</dc:creator>\n" }
            for tag in post.tags { out += "<category>\(HTML.xml(tag))</category>\n" }
            out += "<description>\(HTML.xml(post.description ?? post.excerptText))</description>\n"
            out += "<content:encoded>\(HTML.xml(content(post)))</content:encoded>\n</item>\n"
        }
        return out + "</channel>\n</rss>\n"
    }

    func atom() -> String {
        var out = """
            <?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom" xml:lang="\(HTML.xml(config.language))" xml:base="\(HTML.xml(config.baseURL))/">
            <title>\(HTML.xml(config.title))</title>

            """
        if !config.description.isEmpty { out += "<subtitle>\(HTML.xml(config.description))</subtitle>\n" }
        out += """
            <id>\(HTML.xml(config.baseURL))/</id>
            <link href="\(HTML.xml(config.baseURL))/" rel="alternate" type="text/html"/>
            <link href="\(HTML.xml(context.absolute("/atom.xml")))" rel="self" type="application/atom+xml"/>
            <updated>\(format.rfc3339(lastUpdate))</updated>
            <generator>Quill</generator>

            """
        if !config.author.isEmpty { out += "<author><name>\(HTML.xml(config.author))</name></author>\n" }
        for post in posts {
            let url = HTML.xml(context.absolute(post.url))
            out += "<entry>\n<title>\(HTML.xml(post.title))</title>\n"
            out += "<link href=\"\(url)\" rel=\"alternate\" type=\"text/html\"/>\n<id>\(url)</id>\n"
            out += "<published>\(format.rfc3339(post.date))</published>\n"
            out += "<updated>\(format.rfc3339(post.updated ?? post.date))</updated>\n"
            for author in post.authors { out += "<author><name>\(HTML.xml(author))</name></author>\n" }
            for tag in post.tags { out += "<category term=\"\(HTML.xml(tag))\"/>\n" }
            let summary = post.description ?? post.excerptText
            if !summary.isEmpty { out += "<summary>\(HTML.xml(summary))</summary>\n" }
            out += "<content type=\"html\">\(HTML.xml(content(post)))</content>\n</entry>\n"
        }
        return out + "</feed>\n"
    }

    func jsonFeed() -> String {
        var feed: [String: Any] = [
            "version": "https://jsonfeed.org/version/1.1", "title": config.title,
            "home_page_url": config.baseURL + "/", "feed_url": context.absolute("/feed.json"),
            "language": config.language,
        ]
        if !config.description.isEmpty { feed["description"] = config.description }
        if !config.author.isEmpty { feed["authors"] = [["name": config.author]] }
        feed["items"] = posts.map { post -> [String: Any] in
            var item: [String: Any] = [
                "id": context.absolute(post.url), "url": context.absolute(post.url), "title": post.title,
                "content_html": content(post), "date_published": format.rfc3339(post.date),
            ]
            if let updated = post.updated { item["date_modified"] = format.rfc3339(updated) }
            let summary = post.description ?? post.excerptText
            if !summary.isEmpty { item["summary"] = summary }
            if !post.tags.isEmpty { item["tags"] = post.tags }
            if !post.authors.isEmpty { item["authors"] = post.authors.map { ["name": $0] } }
            if let image = post.image { item["image"] = context.absolute(image) }
            return item
        }
        let data = try! JSONSerialization.data(
            withJSONObject: feed, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// sitemap.xml: home, posts, pages, archive, tag and author pages.
    func sitemap() -> String {
        var out = """
            <?xml version="1.0" encoding="utf-8"?>
            <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">

            """
        func url(_ path: String, _ date: Date?) {
            out += "<url><loc>\(HTML.xml(context.absolute(path)))</loc>"
            if let date { out += "<lastmod>\(format.rfc3339(date))</lastmod>" }
            out += "</url>\n"
        }
        let model = context.model
        url("/", model.posts.first.map { $0.updated ?? $0.date })
        for post in model.posts { url(post.url, post.updated ?? post.date) }
        for page in model.pages { url(page.url, page.updated ?? (page.hasDate ? page.date : nil)) }
        url("/archive/", nil)
        for tag in model.tags { url(tag.url, nil) }
        for author in model.authors { url(author.url, nil) }
        return out + "</urlset>\n"
    }

    func robots() -> String {
        "User-agent: *\nAllow: /\n\nSitemap: \(context.absolute("/sitemap.xml"))\n"
    }
}
