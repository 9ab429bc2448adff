import Foundation
import Synchronization

/// Parsed entries kept in each build's `.quill/entries`, so a rebuild neither reads nor parses a
/// source file whose size, modification time and inode are unchanged (front matter and Markdown
/// parsing were most of a one-post rebuild). The whole cache is dropped when site.toml or the
/// cache version changes, since settings (time zone, permalink, author) shape every entry.
/// Both files are written in source-path order, so a full and an incremental build write the
/// same bytes.
///
/// Each entry's rendered HTML and excerpts are in `.quill/entries-html`, one after another in
/// the same order; `entries` records only their lengths. Loading reads `entries` (small) and
/// opens `entries-html`, which is read only for pages that render (EntryBody); writing copies
/// unchanged items' bytes from the previous files in runs, without encoding them again (the
/// HTML in the kernel, with sendfile).
struct EntryCache: Sendable {
    struct Item: Sendable {
        var identity: String
        var entry: Entry
        var warnings: [String]
        /// This item's bytes in `source` (the previous build's cache file), when it came from
        /// there.
        var encoded: Range<Int>? = nil
    }

    static let path = "entries"
    static let bodiesPath = "entries-html"
    /// Version 4 moved the HTML to `entries-html`; a version 3 cache is ignored.
    static let version = "quill-entries-4"

    var items: [String: Item] = [:]
    /// The previous build's cache file, which reused items' `encoded` ranges point into.
    var source: [UInt8] = []
    /// The previous build's `entries-html`, which reused items' bodies point into.
    var bodies: EntryBodyFile? = nil

    /// The hash of the site.toml the entries were made with; the caller drops a cache whose hash
    /// is not the current one's.
    var configHash = ""

    /// The cache of a previous build, or an empty one when it is missing, of another version,
    /// unreadable, or when its two files do not match in size.
    static func load(buildRoot: String) -> EntryCache {
        guard let bytes = FileSystem.readAll(buildRoot + "/.quill/" + path) else { return EntryCache() }
        var reader = ByteReader(bytes: bytes)
        guard reader.string() == version,
            let bodies = EntryBodyFile(path: buildRoot + "/.quill/" + bodiesPath)
        else { return EntryCache() }
        reader.bodies = bodies
        var cache = EntryCache()
        cache.configHash = reader.string()
        let count = reader.int()
        guard reader.ok, count >= 0, count <= bytes.count else { return EntryCache() }
        cache.items.reserveCapacity(count)
        for _ in 0..<count {
            let start = reader.offset
            guard var item = reader.item(), reader.ok else { return EntryCache() }
            item.encoded = start..<reader.offset
            cache.items[item.entry.sourcePath] = item
        }
        guard reader.ok, reader.offset == bytes.count, reader.bodyOffset == bodies.size else {
            return EntryCache()
        }
        cache.source = bytes
        cache.bodies = bodies
        return cache
    }

    func cached(_ sourcePath: String, identity: String) -> Item? {
        guard let item = items[sourcePath], item.identity == identity else { return nil }
        return item
    }

    /// The two files' contents: `entries` as chunks (runs of reused items are slices of
    /// `source`, adjacent ones merged; new items encoded) and `entries-html` as segments (runs
    /// of the previous file, and new items' bytes).
    func encoded(configHash: String) -> (entries: [ArraySlice<UInt8>], bodies: [FileSystem.Segment]) {
        var writer = ByteWriter()
        writer.string(Self.version)
        writer.string(configHash)
        writer.int(items.count)
        var chunks: [ArraySlice<UInt8>] = []
        var segments: [FileSystem.Segment] = []
        var run: Range<Int>? = nil
        var bodyRun: Range<Int>? = nil
        func flush() {
            if !writer.bytes.isEmpty {
                chunks.append(writer.bytes[...])
                writer.bytes = []
            }
        }
        func flushRun() {
            if let current = run { chunks.append(source[current]) }
            run = nil
        }
        func flushBodyRun() {
            if let current = bodyRun, let bodies { segments.append(.copy(bodies.descriptor, current)) }
            bodyRun = nil
        }
        for path in items.keys.sorted() {
            let item = items[path]!
            if let range = item.encoded {
                flush()
                if let current = run, current.upperBound == range.lowerBound {
                    run = current.lowerBound..<range.upperBound
                } else {
                    flushRun()
                    run = range
                }
            } else {
                flushRun()
                writer.item(item)
            }
            let body = item.entry.body
            if let stored = body.stored, stored.file === bodies {
                if let current = bodyRun, current.upperBound == stored.range.lowerBound {
                    bodyRun = current.lowerBound..<stored.range.upperBound
                } else {
                    flushBodyRun()
                    bodyRun = stored.range
                }
            } else {
                flushBodyRun()
                for field in [EntryBody.Field.html, .excerptHTML, .excerptText] {
                    segments.append(.bytes(body.bytes(field)[...]))
                }
            }
        }
        flushRun()
        flush()
        flushBodyRun()
        return (chunks, segments)
    }
}

/// The previous build's entry cache, read and decoded on another thread from the moment a build
/// starts: a one-post rebuild waits for nothing else before it can look at its sources, so it is
/// queued before the theme and the manifests.
final class PendingEntryCache: Sendable {
    private let cache = Mutex<EntryCache?>(nil)
    private let loaded = DispatchGroup()

    init(buildRoot: String) {
        loaded.enter()
        DispatchQueue.global().async {
            let decoded = EntryCache.load(buildRoot: buildRoot)
            self.cache.withLock { $0 = decoded }
            self.loaded.leave()
        }
    }

    func wait() -> EntryCache {
        loaded.wait()
        return cache.withLock { $0 } ?? EntryCache()
    }
}

/// Length-prefixed little-endian fields; no framework, since JSON coding of a thousand entries
/// would cost more than parsing the posts again.
private struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func int(_ value: Int) {
        withUnsafeBytes(of: Int64(value).littleEndian) { bytes += $0 }
    }

    mutating func double(_ value: Double) {
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 }
    }

    mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    mutating func string(_ value: String) {
        int(value.utf8.count)
        bytes += value.utf8
    }

    mutating func optional(_ value: String?) {
        bool(value != nil)
        if let value { string(value) }
    }

    mutating func strings(_ values: [String]) {
        int(values.count)
        for value in values { string(value) }
    }

    mutating func plain(_ value: PlainValue) {
        switch value {
        case .string(let text):
            bytes.append(0)
            string(text)
        case .list(let values):
            bytes.append(1)
            int(values.count)
            for value in values { plain(value) }
        case .map(let values):
            bytes.append(2)
            int(values.count)
            for key in values.keys.sorted() {
                string(key)
                plain(values[key]!)
            }
        }
    }

    mutating func item(_ item: EntryCache.Item) {
        string(item.identity)
        strings(item.warnings)
        let e = item.entry
        string(e.kind.rawValue)
        for text in [e.sourcePath, e.title, e.slug, e.url] { string(text) }
        double(e.date.timeIntervalSince1970)
        bool(e.hasDate)
        bool(e.updated != nil)
        if let updated = e.updated { double(updated.timeIntervalSince1970) }
        bool(e.draft)
        for list in [e.tags, e.tagSlugs, e.authorSlugs] { strings(list) }
        string(e.dateISO)
        string(e.dateDisplay)
        strings(e.internalTags)
        strings(e.authors)
        optional(e.description)
        optional(e.image)
        strings(e.aliases)
        optional(e.canonicalURL)
        let metaKeys = e.meta.keys.sorted()
        strings(metaKeys)
        strings(metaKeys.map { e.meta[$0]! })
        plain(.map(e.extra))
        // The bodies themselves go to entries-html, in the same order.
        for length in e.body.lengths { int(length) }
        int(e.wordCount)
        string(e.contentHash)
        string(e.cardHash)
    }
}

/// Reads what ByteWriter wrote; any short or malformed input clears `ok` and yields empty values.
private struct ByteReader {
    var bytes: [UInt8]
    var offset = 0
    var ok = true
    /// The entries-html file the items' bodies are in, and where the next item's body starts.
    var bodies: EntryBodyFile? = nil
    var bodyOffset = 0

    private mutating func take(_ count: Int) -> ArraySlice<UInt8>? {
        guard ok, count >= 0, offset + count <= bytes.count else {
            ok = false
            return nil
        }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    mutating func int() -> Int {
        guard let slice = take(8) else { return 0 }
        let value = slice.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        return Int(Int64(bitPattern: UInt64(littleEndian: value)))
    }

    mutating func double() -> Double {
        Double(bitPattern: UInt64(bitPattern: Int64(int())))
    }

    mutating func bool() -> Bool { take(1)?.first == 1 }

    mutating func string() -> String {
        let count = int()
        guard count <= bytes.count, let slice = take(count) else {
            ok = false
            return ""
        }
        return String(decoding: slice, as: UTF8.self)
    }

    mutating func optional() -> String? { bool() ? string() : nil }

    mutating func strings() -> [String] {
        let count = int()
        guard ok, count >= 0, count <= bytes.count - offset else {
            ok = false
            return []
        }
        return (0..<count).map { _ in string() }
    }

    mutating func plain(depth: Int = 0) -> PlainValue {
        guard depth < 64, let tag = take(1)?.first else {
            ok = false
            return .string("")
        }
        switch tag {
        case 0: return .string(string())
        case 1:
            let count = int()
            guard ok, count >= 0, count <= bytes.count - offset else {
                ok = false
                return .list([])
            }
            return .list((0..<count).map { _ in plain(depth: depth + 1) })
        case 2:
            let count = int()
            guard ok, count >= 0, count <= bytes.count - offset else {
                ok = false
                return .map([:])
            }
            var values: [String: PlainValue] = [:]
            for _ in 0..<count {
                let key = string()
                values[key] = plain(depth: depth + 1)
            }
            return .map(values)
        default:
            ok = false
            return .string("")
        }
    }

    mutating func item() -> EntryCache.Item? {
        let identity = string()
        let warnings = strings()
        guard let kind = Entry.Kind(rawValue: string()) else {
            ok = false
            return nil
        }
        let sourcePath = string()
        let title = string()
        let slug = string()
        let url = string()
        let date = Date(timeIntervalSince1970: double())
        let hasDate = bool()
        let updated = bool() ? Date(timeIntervalSince1970: double()) : nil
        let draft = bool()
        let tags = strings()
        let tagSlugs = strings()
        let authorSlugs = strings()
        let dateISO = string()
        let dateDisplay = string()
        let internalTags = strings()
        let authors = strings()
        let description = optional()
        let image = optional()
        let aliases = strings()
        let canonicalURL = optional()
        let metaKeys = strings()
        let metaValues = strings()
        guard metaKeys.count == metaValues.count, case .map(let extra) = plain() else {
            ok = false
            return nil
        }
        let lengths = [int(), int(), int()]
        guard let bodies, lengths.allSatisfy({ $0 >= 0 && $0 <= bodies.size }),
            bodyOffset + lengths.reduce(0, +) <= bodies.size
        else {
            ok = false
            return nil
        }
        let body = EntryBody(file: bodies, offset: bodyOffset, lengths: lengths)
        bodyOffset += lengths.reduce(0, +)
        let wordCount = int()
        let contentHash = string()
        let cardHash = string()
        guard ok else { return nil }
        let entry = Entry(
            kind: kind, sourcePath: sourcePath, title: title, slug: slug, url: url, date: date,
            hasDate: hasDate, updated: updated, draft: draft, tags: tags, tagSlugs: tagSlugs,
            authorSlugs: authorSlugs, dateISO: dateISO, dateDisplay: dateDisplay, internalTags: internalTags,
            authors: authors, description: description, image: image, aliases: aliases,
            canonicalURL: canonicalURL,
            meta: Dictionary(zip(metaKeys, metaValues), uniquingKeysWith: { first, _ in first }),
            extra: extra, body: body, wordCount: wordCount, contentHash: contentHash, cardHash: cardHash)
        return EntryCache.Item(identity: identity, entry: entry, warnings: warnings)
    }
}
