import Foundation

/// One post or page, parsed and rendered, ready for templates. Immutable and Sendable so that
/// pages render in parallel.
public struct Entry: Sendable {
    public enum Kind: String, Sendable { case post, page }

    public var kind: Kind
    /// The source path relative to the site folder, as errors name it.
    public var sourcePath: String
    public var title: String
    public var slug: String
    /// The site-relative URL path, starting and ending with '/'.
    public var url: String
    public var date: Date
    /// False for a page without a date in front matter or path.
    public var hasDate: Bool
    public var updated: Date?
    public var draft: Bool
    public var tags: [String]
    /// Slugs of `tags` and `authors`, computed once (Slug.make is not cheap, and every list
    /// page shows them).
    public var tagSlugs: [String]
    public var authorSlugs: [String]
    /// The date as RFC 3339 and for display, in the site's time zone.
    public var dateISO: String
    public var dateDisplay: String
    public var internalTags: [String]
    public var authors: [String]
    public var description: String?
    public var image: String?
    public var aliases: [String]
    public var canonicalURL: String?
    public var meta: [String: String]
    /// Front matter keys Quill does not know, passed to templates as they are.
    public var extra: [String: PlainValue]
    public var html: String
    public var excerptHTML: String
    public var excerptText: String
    public var wordCount: Int
    /// A hash of the file's bytes and every resolved field, for the incremental cache.
    public var contentHash: String
    /// A hash of just what a list card shows (TemplateContext.card): list pages and the archive
    /// are keyed by it, so an edit further down a post does not re-render them.
    public var cardHash = ""

    public var readingMinutes: Int { max(1, (wordCount + 229) / 230) }

    /// What `cardHash` covers; keep in step with TemplateContext.card.
    func computeCardHash() -> String {
        var hasher = SHA256()
        for field in [
            title, url, dateISO, dateDisplay, "\(readingMinutes)", excerptHTML, excerptText,
            description ?? "\u{0}",
            image ?? "\u{0}",
        ] {
            hasher.update(field)
            hasher.update("\u{1}")
        }
        for list in [tags, tagSlugs, authors, authorSlugs, internalTags] {
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
