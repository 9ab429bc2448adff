/// Ghost 4+ writes links to the blog itself as `__GHOST_URL__/path`; in the new site they become
/// root-relative paths, so they work whatever base_url the site is given.
enum GhostURLs {
    static let placeholder = "__GHOST_URL__"

    static func rewrite(_ text: String) -> String {
        guard text.contains(placeholder) else { return text }
        var result = text.replacingOccurrences(of: placeholder + "/", with: "/")
        result = result.replacingOccurrences(of: placeholder, with: "/")
        return result
    }
}
