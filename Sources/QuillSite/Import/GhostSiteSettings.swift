import Foundation

/// site.toml from the export's settings, written only when the site has none; an existing one is
/// the author's and is only read (for the permalink and time zone the new URLs depend on).
struct GhostSiteSettings {
    var permalink: String
    var timeZone: TimeZone
    /// True when this run wrote site.toml.
    var wrote: Bool
    var notes: [String]

    static func prepare(site: String, export: GhostExport, baseURL: String?) throws -> GhostSiteSettings {
        let path = site + "/site.toml"
        let ghostPermalink = export.permalink
        let zoneName = export.timeZoneName
        let zone = TimeZone(identifier: zoneName) ?? TimeZone(identifier: "UTC")!
        var notes: [String] = []
        if FileManager.default.fileExists(atPath: path) {
            // The site builder's own reading, so the new URLs are computed exactly as it will.
            let config: SiteConfig
            do {
                config = try SiteConfig.load(from: path, displayPath: path)
            } catch {
                throw GhostImportError(file: error.file, line: error.line, error.message)
            }
            if ghostPermalink.pattern != config.permalink {
                notes.append(
                    "site.toml's permalink \(config.permalink) differs from Ghost's \(ghostPermalink.pattern): "
                        + "old post URLs are kept as redirects (aliases)")
            }
            return GhostSiteSettings(
                permalink: config.permalink, timeZone: config.timeZone, wrote: false, notes: notes)
        }
        let permalink = ghostPermalink.isQuillCompatible ? ghostPermalink.pattern : "/:slug/"
        if !ghostPermalink.isQuillCompatible {
            notes.append(
                "Ghost's permalink \(ghostPermalink.pattern) uses tokens Quill lacks: posts move to /:slug/, "
                    + "old URLs redirect (aliases)")
        }
        var lines = ["# Written by `quill import ghost` from the export's settings; edit freely."]
        func add(_ key: String, _ value: String?) {
            if let value, !value.isEmpty { lines.append("\(key) = \(GhostFrontMatter.quote(value))") }
        }
        add("title", export.settings["title"])
        add("description", export.settings["description"])
        if let baseURL {
            add("base_url", baseURL)
        } else {
            notes.append(
                "site.toml has no base_url yet (Ghost exports do not carry the site's address): set it")
        }
        add("language", export.settings["locale"] ?? export.settings["lang"])
        if TimeZone(identifier: zoneName) != nil { add("timezone", zoneName) }
        if let perPage = (export.settings["posts_per_page"] ?? export.settings["postsPerPage"]).flatMap(
            Int.init), perPage > 0
        {
            lines.append("posts_per_page = \(perPage)")
        }
        lines.append("permalink = \(GhostFrontMatter.quote(permalink))")
        let navigation = navigationItems(export.settings["navigation"])
        if !navigation.isEmpty {
            let items = navigation.map {
                "  { label = \(GhostFrontMatter.quote($0.label)), url = \(GhostFrontMatter.quote($0.url)) },"
            }
            lines.append("navigation = [\n" + items.joined(separator: "\n") + "\n]")
        }
        try GhostFiles.write(lines.joined(separator: "\n") + "\n", to: path)
        return GhostSiteSettings(permalink: permalink, timeZone: zone, wrote: true, notes: notes)
    }

    /// Ghost keeps navigation as a JSON string of {label, url}; URLs may carry __GHOST_URL__.
    static func navigationItems(_ json: String?) -> [(label: String, url: String)] {
        guard let json,
            let list = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]]
        else { return [] }
        return list.compactMap { item in
            guard let label = item["label"] as? String, let url = item["url"] as? String else { return nil }
            return (label, GhostURLs.rewrite(url))
        }
    }
}
