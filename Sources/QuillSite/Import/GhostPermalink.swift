import Foundation

/// Ghost's permalink setting (Ghost 0.x–1.x kept it in settings; later versions default to /:slug/)
/// and the URL each post had under it.
struct GhostPermalink {
    let pattern: String

    static let ghostDefault = GhostPermalink(pattern: "/:slug/")
    /// The tokens Quill's `permalink` understands.
    static let quillTokens: Set<String> = [":year", ":month", ":day", ":slug"]

    /// Whether Quill can serve posts at the same URLs with this pattern as its own permalink.
    var isQuillCompatible: Bool {
        tokens.allSatisfy { Self.quillTokens.contains($0) } && pattern.hasPrefix("/")
            && pattern.contains(":slug")
    }

    var tokens: [String] {
        guard let regex = try? NSRegularExpression(pattern: ":[a-z_]+") else { return [] }
        let range = NSRange(pattern.startIndex..., in: pattern)
        return regex.matches(in: pattern, range: range).compactMap {
            Range($0.range, in: pattern).map { String(pattern[$0]) }
        }
    }

    struct Values {
        var slug: String
        var date: Date
        var timeZone: TimeZone
        var id: String
        var primaryAuthor: String?
        var primaryTag: String?
    }

    func path(_ values: Values) -> String {
        let (year, month, day) = GhostDate.components(values.date, in: values.timeZone)
        // Longest tokens first, so ":primary_tag" is not read as ":primary".
        let replacements: [(String, String)] = [
            (":primary_author", values.primaryAuthor ?? "all"), (":primary_tag", values.primaryTag ?? "all"),
            (":author", values.primaryAuthor ?? "all"), (":slug", values.slug), (":year", year),
            (":month", month), (":day", day), (":id", values.id),
        ]
        var path = pattern
        for (token, value) in replacements { path = path.replacingOccurrences(of: token, with: value) }
        if !path.hasPrefix("/") { path = "/" + path }
        return path
    }
}
