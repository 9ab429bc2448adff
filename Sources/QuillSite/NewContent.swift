import Foundation

/// `quill new post|page "Title"`: a Markdown file with front matter, named after its slug.
public enum NewContent {
    public static func create(kind: Entry.Kind, title: String, site: String, now: Date = Date())
        throws(SiteError)
        -> String
    {
        let slug = Slug.make(title)
        guard !slug.isEmpty else {
            throw SiteError(file: "<title>", line: 1, "cannot make a slug from '\(title)'")
        }
        var zone = TimeZone(identifier: "UTC")!
        if let config = try? SiteConfig.load(from: site + "/site.toml", displayPath: "site.toml") {
            zone = config.timeZone
        }
        let format = DateFormat(zone: zone)
        let folder = kind == .post ? "content/posts" : "content/pages"
        let name = kind == .post ? "\(format.day(now))-\(slug).md" : "\(slug).md"
        let path = site + "/" + folder + "/" + name
        guard !FileSystem.exists(path) else { throw SiteError(file: path, line: 1, "already exists") }
        let quoted =
            "\""
            + title.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            + "\""
        var text = "---\ntitle: \(quoted)\n"
        if kind == .post {
            text +=
                "date: \(format.rfc3339(now).replacingOccurrences(of: "T", with: " "))\ntags: []\ndraft: true\n"
        }
        text += "---\n\nWrite here.\n"
        try FileSystem.makeDirectories(site + "/" + folder)
        do { try FileSystem.writeNew(path, Array(text.utf8)) } catch {
            throw SiteError(file: path, line: 1, "cannot write: \(error)")
        }
        return path
    }
}
