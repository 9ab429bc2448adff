import Foundation

/// Builds the dictionaries Mustache templates see. Every page gets `site` and `page` (head
/// metadata); list pages get `posts` and `pagination`; post and page templates get `post`.
struct TemplateContext: Sendable {
    var model: SiteModel
    var assetURLs: [String: String]
    var format: DateFormat
    /// Asset URLs keyed for templates: "style.css" → `site.assets.style_css`.
    private var assets: [String: String] = [:]

    init(model: SiteModel, assetURLs: [String: String], format: DateFormat) {
        self.model = model
        self.assetURLs = assetURLs
        self.format = format
        for (name, url) in assetURLs {
            assets[String(name.map { $0.isLetter || $0.isNumber ? $0 : "_" })] = url
        }
    }

    var config: SiteConfig { model.config }

    func absolute(_ path: String) -> String {
        if path.hasPrefix("http://") || path.hasPrefix("https://") { return path }
        return config.baseURL + (path.hasPrefix("/") ? path : "/" + path)
    }

    func site(current: String) -> [String: Any] {
        return [
            "title": config.title, "description": config.description, "base_url": config.baseURL,
            "language": config.language, "author": config.author,
            "navigation": config.navigation.map { item in
                ["label": item.label, "url": item.url, "current": item.url == current] as [String: Any]
            },
            "assets": assets, "rss_url": "/rss.xml", "atom_url": "/atom.xml", "json_feed_url": "/feed.json",
        ]
    }

    /// Head metadata: title, description, canonical URL, OpenGraph and Twitter cards.
    func head(title: String?, description: String, path: String, entry: Entry? = nil) -> [String: Any] {
        let docTitle = title.map { "\($0) · \(config.title)" } ?? config.title
        var page: [String: Any] = [
            "title": entry?.meta["meta_title"] ?? docTitle,
            "description": entry?.meta["meta_description"] ?? description,
            "canonical": absolute(entry?.canonicalURL ?? path), "url": path,
            "og_type": entry?.kind == .post ? "article" : "website",
            "og_title": entry?.meta["og_title"] ?? title ?? config.title,
            "og_description": entry?.meta["og_description"] ?? description,
            "twitter_title": entry?.meta["twitter_title"] ?? entry?.meta["og_title"] ?? title ?? config.title,
            "twitter_description": entry?.meta["twitter_description"] ?? entry?.meta["og_description"]
                ?? description,
        ]
        let ogImage = entry?.meta["og_image"] ?? entry?.image
        if let ogImage { page["og_image"] = absolute(ogImage) }
        if let image = entry?.meta["twitter_image"] ?? ogImage {
            page["twitter_image"] = absolute(image)
            page["twitter_card"] = "summary_large_image"
        } else {
            page["twitter_card"] = "summary"
        }
        if let entry, entry.kind == .post {
            page["json_ld"] = jsonLD(entry)
            page["published_time"] = format.rfc3339(entry.date)
            if let updated = entry.updated { page["modified_time"] = format.rfc3339(updated) }
        }
        return page
    }

    private func jsonLD(_ entry: Entry) -> String {
        var article: [String: Any] = [
            "@context": "https://schema.org", "@type": "BlogPosting", "headline": entry.title,
            "url": absolute(entry.url), "datePublished": entry.dateISO,
            "dateModified": format.rfc3339(entry.updated ?? entry.date),
            "mainEntityOfPage": ["@type": "WebPage", "@id": absolute(entry.url)],
            "publisher": ["@type": "Organization", "name": config.title, "url": config.baseURL + "/"],
            "wordCount": entry.wordCount,
        ]
        if !entry.authors.isEmpty {
            article["author"] = entry.authors.map { ["@type": "Person", "name": $0] }
        }
        if let description = entry.description ?? nonEmpty(entry.excerptText) {
            article["description"] = description
        }
        if let image = entry.image { article["image"] = absolute(image) }
        if !entry.tags.isEmpty { article["keywords"] = entry.tags.joined(separator: ", ") }
        return JSONText.encode(article)
    }

    private func nonEmpty(_ text: String) -> String? { text.isEmpty ? nil : text }

    func summary(_ text: String, limit: Int = 160) -> String {
        guard text.count > limit else { return text }
        var cut = String(text.prefix(limit))
        if let space = cut.lastIndex(of: " ") { cut = String(cut[..<space]) }
        return cut + "…"
    }

    func card(_ post: Entry) -> [String: Any] {
        var card = post.extra.mapValues(\.any)
        let fields: [String: Any] = [
            "title": post.title, "url": post.url, "date_iso": post.dateISO,
            "date_display": post.dateDisplay, "reading_time": post.readingMinutes,
            "excerpt_html": post.excerptHTML, "excerpt_text": post.excerptText,
            "description": post.description ?? summary(post.excerptText),
            "tags": tagLinks(post), "authors": authorLinks(post), "has_tags": !post.tags.isEmpty,
            "internal_tags": post.internalTags,
        ]
        card.merge(fields) { _, new in new }
        if let image = post.image { card["image"] = image }
        return card
    }

    func tagLinks(_ post: Entry) -> [[String: Any]] {
        zip(post.tags, post.tagSlugs).compactMap { name, slug in
            slug.isEmpty ? nil : ["name": name, "url": "/tag/\(slug)/"]
        }
    }

    func authorLinks(_ post: Entry) -> [[String: Any]] {
        zip(post.authors, post.authorSlugs).compactMap { name, slug in
            slug.isEmpty ? nil : ["name": name, "url": "/author/\(slug)/"]
        }
    }

    func entryContext(_ entry: Entry, previous: Entry?, next: Entry?) -> [String: Any] {
        var post = card(entry)
        post["content"] = entry.html
        post["word_count"] = entry.wordCount
        if let updated = entry.updated, updated != entry.date {
            post["updated_iso"] = format.rfc3339(updated)
            post["updated_display"] = format.display(updated)
        }
        if let previous { post["previous"] = ["title": previous.title, "url": previous.url] }
        if let next { post["next"] = ["title": next.title, "url": next.url] }
        let description = entry.description ?? summary(entry.excerptText)
        return [
            "site": site(current: entry.url),
            "page": head(title: entry.title, description: description, path: entry.url, entry: entry),
            "post": post,
        ]
    }

    /// A list page (home, tag, author): its posts and links to its neighbours.
    func listContext(
        title: String?, description: String, base: String, page: Int, pages: Int, posts: [Entry],
        extra: [String: Any] = [:]
    ) -> [String: Any] {
        let path = Paginator.path(base: base, page: page)
        var pagination: [String: Any] = ["current": page, "total": pages, "has_pages": pages > 1]
        if page > 1 { pagination["prev_url"] = Paginator.path(base: base, page: page - 1) }
        if page < pages { pagination["next_url"] = Paginator.path(base: base, page: page + 1) }
        let pageTitle = page > 1 ? "\(title ?? config.title) — page \(page)" : title
        var context: [String: Any] = [
            "site": site(current: path), "page": head(title: pageTitle, description: description, path: path),
            "posts": posts.map(card), "has_posts": !posts.isEmpty, "pagination": pagination,
            "is_home": base == "/" && page == 1,
        ]
        context.merge(extra) { _, new in new }
        return context
    }
}

enum Paginator {
    static func path(base: String, page: Int) -> String {
        page <= 1 ? base : "\(base)page/\(page)/"
    }

    static func pageCount(_ count: Int, perPage: Int) -> Int { max(1, (count + perPage - 1) / perPage) }
}
