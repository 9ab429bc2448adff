import Foundation

/// Reads one Markdown file into an Entry: front matter (all optional), then date and slug from
/// the path, then the title from the first heading.
struct EntryLoader: Sendable {
    var config: SiteConfig
    var siteRoot: String

    static let metaKeys = [
        "meta_title", "meta_description", "og_title", "og_description", "og_image", "twitter_title",
        "twitter_description", "twitter_image",
    ]
    static let knownKeys: Set<String> = Set(
        [
            "title", "date", "updated", "slug", "tags", "draft", "description", "image", "author", "authors",
            "aliases", "excerpt", "canonical_url", "internal_tags", "layout",
        ] + metaKeys)

    /// Returns the entry and any warnings (such as a Latin-1 file).
    func load(relativePath: String, kind: Entry.Kind) throws(SiteError) -> (Entry, [String]) {
        let file = relativePath
        let source = try TextFile.read(siteRoot + "/" + relativePath, displayPath: file)
        var warnings: [String] = []
        if source.wasLatin1 {
            warnings.append("\(file):1: warning: not valid UTF-8; read as Latin-1")
        }
        let matter = try FrontMatter.split(source.text, file: file)
        let pathInfo = Slug.fromPath(
            String(relativePath.dropFirst(kind == .post ? "content/posts/".count : "content/pages/".count)))

        var slug = pathInfo.slug
        if let value = try matter.string("slug", file: file) {
            slug = Slug.make(value)
            if slug.isEmpty {
                throw SiteError(file: file, line: matter.fields["slug"]!.line, "'slug' is empty")
            }
        }
        if slug.isEmpty { throw SiteError(file: file, line: 1, "cannot make a slug from the file name") }

        var date: Date
        var hasDate = true
        if let value = try matter.date("date", file: file, zone: config.timeZone) {
            date = value
        } else if let (year, month, day) = pathInfo.date {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = config.timeZone
            guard let value = calendar.date(from: DateComponents(year: year, month: month, day: day)) else {
                throw SiteError(file: file, line: 1, "the date in the file's path is not a valid date")
            }
            date = value
        } else if kind == .page {
            date = Date(timeIntervalSince1970: 0)  // pages need no date; the sitemap then omits one
            hasDate = false
        } else {
            // No date anywhere: the file's modification time, to the second. A rebuild does not
            // change it, but an edit or a fresh checkout does (and moves the post), hence the
            // warning.
            let attributes = try? FileManager.default.attributesOfItem(atPath: siteRoot + "/" + relativePath)
            date = (attributes?[.modificationDate] as? Date) ?? Date(timeIntervalSince1970: 0)
            date = Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
            warnings.append(
                "\(file):1: warning: no date in front matter or file name; using the file's "
                    + "modification time, \(DateFormat(zone: config.timeZone).rfc3339(date)), which an edit "
                    + "or a fresh checkout changes: add 'date:' to keep it")
        }
        let updated = try matter.date("updated", file: file, zone: config.timeZone)

        let frontTitle = try matter.string("title", file: file)
        let rendered = Markdown.render(matter.body, takeTitle: frontTitle == nil, knownTitle: frontTitle)
        let title = frontTitle ?? rendered.title ?? slug.replacingOccurrences(of: "-", with: " ").capitalized

        var authors = try matter.strings("author", file: file)
        if authors.isEmpty { authors = try matter.strings("authors", file: file) }
        if authors.isEmpty, !config.author.isEmpty { authors = [config.author] }

        let aliases = try matter.strings("aliases", file: file)
        for alias in aliases where !alias.hasPrefix("/") || alias.contains(" ") || alias.contains("..") {
            throw SiteError(
                file: file, line: matter.fields["aliases"]!.line,
                "alias '\(alias)' must be an absolute URL path such as /old/path/")
        }
        var meta: [String: String] = [:]
        for key in Self.metaKeys {
            if let value = try matter.string(key, file: file) { meta[key] = value }
        }
        var extra: [String: PlainValue] = [:]
        for key in matter.keyOrder where !Self.knownKeys.contains(key) {
            extra[key] = PlainValue(FrontMatter.plain(matter.fields[key]!.node))
        }
        var excerptHTML = rendered.excerptHTML
        var excerptText = rendered.excerptText
        if let value = try matter.string("excerpt", file: file) {
            excerptText = value
            excerptHTML = "<p>" + HTML.escape(value) + "</p>"
        }
        let url: String
        switch kind {
        case .post: url = Permalink.expand(config.permalink, slug: slug, date: date, zone: config.timeZone)
        case .page: url = "/\(slug)/"
        }

        let tags = try matter.strings("tags", file: file, commaSeparated: true)
        let format = DateFormat(zone: config.timeZone)
        var hasher = SHA256()
        hasher.update(source.bytes)
        for field in [relativePath, url, title, "\(date.timeIntervalSince1970)"] { hasher.update(field) }
        let entry = Entry(
            kind: kind, sourcePath: relativePath, title: title, slug: slug, url: url, date: date,
            hasDate: hasDate,
            updated: updated, draft: try matter.bool("draft", file: file) ?? false,
            tags: tags, tagSlugs: tags.map(Slug.make), authorSlugs: authors.map(Slug.make),
            dateISO: format.rfc3339(date), dateDisplay: format.display(date),
            internalTags: try matter.strings("internal_tags", file: file),
            authors: authors, description: try matter.string("description", file: file),
            image: try matter.string("image", file: file), aliases: aliases,
            canonicalURL: try matter.string("canonical_url", file: file), meta: meta, extra: extra,
            body: EntryBody(
                html: Array(rendered.html.utf8), excerptHTML: Array(excerptHTML.utf8),
                excerptText: Array(excerptText.utf8)), wordCount: rendered.wordCount,
            contentHash: hasher.hexDigest())
        return (entry, warnings)
    }
}

enum Permalink {
    static func expand(_ pattern: String, slug: String, date: Date, zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        func two(_ n: Int?) -> String { n.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        return
            pattern
            .replacingOccurrences(of: ":year", with: "\(parts.year ?? 1970)")
            .replacingOccurrences(of: ":month", with: two(parts.month))
            .replacingOccurrences(of: ":day", with: two(parts.day))
            .replacingOccurrences(of: ":slug", with: slug)
    }
}
