import Foundation

/// One post or page, parsed and rendered, ready for templates. A final class of constants:
/// sorting, grouping and handing entries to page jobs copies one reference, not thirty fields
/// (struct copies were a tenth of a one-post rebuild), and it is Sendable, so pages render in
/// parallel.
public final class Entry: Sendable {
    public enum Kind: String, Sendable { case post, page }

    public let kind: Kind
    /// The source path relative to the site folder, as errors name it.
    public let sourcePath: String
    public let title: String
    public let slug: String
    /// The site-relative URL path, starting and ending with '/'.
    public let url: String
    public let date: Date
    /// False for a page without a date in front matter or path.
    public let hasDate: Bool
    public let updated: Date?
    public let draft: Bool
    public let tags: [String]
    /// Slugs of `tags` and `authors`, computed once (Slug.make is not cheap, and every list
    /// page shows them).
    public let tagSlugs: [String]
    public let authorSlugs: [String]
    /// The date as RFC 3339 and for display, in the site's time zone.
    public let dateISO: String
    public let dateDisplay: String
    public let internalTags: [String]
    public let authors: [String]
    public let description: String?
    public let image: String?
    public let aliases: [String]
    public let canonicalURL: String?
    public let meta: [String: String]
    /// Front matter keys Quill does not know, passed to templates as they are.
    public let extra: [String: PlainValue]
    /// The rendered body and excerpt: an entry from the cache reads them from the previous
    /// build's files only for the few pages a rebuild renders.
    let body: EntryBody
    public let wordCount: Int
    /// A hash of the file's bytes and every resolved field, for the incremental cache.
    public let contentHash: String
    /// A hash of just what a list card shows (TemplateContext.card): list pages and the archive
    /// are keyed by it, so an edit further down a post does not re-render them. Computed when
    /// empty (a freshly parsed entry), else the cache's copy.
    public let cardHash: String

    public var html: String { body.text(.html) }
    public var excerptHTML: String { body.text(.excerptHTML) }
    public var excerptText: String { body.text(.excerptText) }

    public var readingMinutes: Int { max(1, (wordCount + 229) / 230) }

    init(
        kind: Kind, sourcePath: String, title: String, slug: String, url: String, date: Date,
        hasDate: Bool, updated: Date?, draft: Bool, tags: [String], tagSlugs: [String],
        authorSlugs: [String], dateISO: String, dateDisplay: String, internalTags: [String],
        authors: [String], description: String?, image: String?, aliases: [String],
        canonicalURL: String?, meta: [String: String], extra: [String: PlainValue],
        body: EntryBody, wordCount: Int, contentHash: String, cardHash: String = ""
    ) {
        self.kind = kind
        self.sourcePath = sourcePath
        self.title = title
        self.slug = slug
        self.url = url
        self.date = date
        self.hasDate = hasDate
        self.updated = updated
        self.draft = draft
        self.tags = tags
        self.tagSlugs = tagSlugs
        self.authorSlugs = authorSlugs
        self.dateISO = dateISO
        self.dateDisplay = dateDisplay
        self.internalTags = internalTags
        self.authors = authors
        self.description = description
        self.image = image
        self.aliases = aliases
        self.canonicalURL = canonicalURL
        self.meta = meta
        self.extra = extra
        self.body = body
        self.wordCount = wordCount
        self.contentHash = contentHash
        self.cardHash =
            cardHash.isEmpty
            ? Self.computeCardHash(
                [
                    title, url, dateISO, dateDisplay, "\(max(1, (wordCount + 229) / 230))",
                    body.text(.excerptHTML), body.text(.excerptText),
                    description ?? "\u{0}", image ?? "\u{0}",
                ],
                lists: [tags, tagSlugs, authors, authorSlugs, internalTags], extra: extra)
            : cardHash
    }

    /// What `cardHash` covers; keep in step with TemplateContext.card.
    private static func computeCardHash(_ fields: [String], lists: [[String]], extra: [String: PlainValue])
        -> String
    {
        var hasher = SHA256()
        for field in fields {
            hasher.update(field)
            hasher.update("\u{1}")
        }
        for list in lists {
            hasher.update(list.joined(separator: "\u{2}"))
            hasher.update("\u{1}")
        }
        hasher.update(PlainValue.map(extra).stableText)
        return hasher.hexDigest()
    }
}

/// A front matter value kept for templates, in a Sendable form.
public indirect enum PlainValue: Sendable, Equatable {
    case string(String)
    case list([PlainValue])
    case map([String: PlainValue])

    init(_ any: Any) {
        if let list = any as? [Any] {
            self = .list(list.map(PlainValue.init))
        } else if let map = any as? [String: Any] {
            self = .map(map.mapValues(PlainValue.init))
        } else {
            self = .string("\(any)")
        }
    }

    /// A deterministic text form (map keys sorted), for hashing.
    var stableText: String {
        switch self {
        case .string(let value): return "s\(value.utf8.count):\(value)"
        case .list(let values): return "l\(values.count)[" + values.map(\.stableText).joined() + "]"
        case .map(let values):
            return "m\(values.count){"
                + values.keys.sorted().map { "s\($0.utf8.count):\($0)" + values[$0]!.stableText }.joined()
                + "}"
        }
    }

    var any: Any {
        switch self {
        case .string(let value): return value
        case .list(let values): return values.map(\.any)
        case .map(let values): return values.mapValues(\.any)
        }
    }
}
