/// What an import did, for the person running it and for tests. It holds titles, slugs, paths and
/// reasons only: nothing from the export's secret-bearing tables ever reaches it.
public struct GhostImportSummary: Sendable {
    public var posts = 0
    public var pages = 0
    public var drafts = 0
    public var tags: Set<String> = []
    public var authors: Set<String> = []
    public var created: [String] = []
    public var updated: [String] = []
    public var unchanged: [String] = []
    /// Item (slug or title) and the reason it was not written.
    public var skipped: [(item: String, reason: String)] = []
    public var warnings: [(item: String, message: String)] = []
    public var imagesCopied: [String] = []
    public var imagesMissing: [String] = []
    public var imagesDirectoryGiven = false
    public var ignoredTables: [(name: String, rows: Int)] = []
    public var notes: [String] = []

    public init() {}

    /// The report printed at the end of an import.
    public var text: String {
        var lines: [String] = []
        lines.append(
            "Imported \(posts) posts, \(pages) pages (\(drafts) as drafts), \(tags.count) tags, "
                + "\(authors.count) authors.")
        lines.append(
            "Files: \(created.count) created, \(updated.count) updated, \(unchanged.count) unchanged.")
        if !skipped.isEmpty {
            lines.append("Skipped \(skipped.count):")
            for entry in skipped { lines.append("  \(entry.item): \(entry.reason)") }
        }
        if !warnings.isEmpty {
            lines.append("Warnings \(warnings.count):")
            for entry in warnings { lines.append("  \(entry.item): \(entry.message)") }
        }
        if imagesDirectoryGiven {
            lines.append("Images: \(imagesCopied.count) copied.")
        }
        if !imagesMissing.isEmpty {
            let why =
                imagesDirectoryGiven ? "not found in the images folder" : "not copied (no --images given)"
            lines.append("Images \(why), \(imagesMissing.count):")
            for path in imagesMissing { lines.append("  \(path)") }
        }
        if !ignoredTables.isEmpty {
            let names = ignoredTables.map { "\($0.name) (\($0.rows))" }.joined(separator: ", ")
            lines.append(
                "Not imported (members, keys, sessions and other Ghost internals are never copied): \(names)")
        }
        for note in notes { lines.append("Note: \(note)") }
        return lines.joined(separator: "\n")
    }
}
