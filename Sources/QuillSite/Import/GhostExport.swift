import Foundation

/// A Ghost JSON export (Ghost 0.x to 5.x), reduced to the tables and fields a blog needs.
/// Tables that hold only secrets or reader data (members, api_keys, sessions, …) are counted,
/// never read.
struct GhostExport {
    var posts: [GhostRecord]
    var tags: [String: GhostRecord]
    var users: [String: GhostRecord]
    /// post id → tag ids, in sort_order (the first is the primary tag).
    var postTags: [String: [String]]
    /// post id → author ids, in sort_order.
    var postAuthors: [String: [String]]
    var postMeta: [String: GhostRecord]
    /// Only the settings named in `GhostExport.settingKeys`.
    var settings: [String: String]
    /// Tables the importer does not read, with their row counts, for the summary.
    var ignoredTables: [String: Int]
    var version: String?
    let source: GhostSourceText

    /// Settings that describe the blog. Everything else in the settings table (session secrets,
    /// Stripe and Mailgun keys, members' signing keys) is never read.
    static let settingKeys: Set<String> = [
        "title", "description", "lang", "locale", "timezone", "active_timezone", "activeTimezone",
        "posts_per_page", "postsPerPage", "amp",
        "navigation", "permalinks", "cover_image", "logo", "icon", "twitter", "facebook",
        "metaRowstitle", "metaRowsdescription",
    ]

    /// The blog's time zone: `timezone` (Ghost 2+), `active_timezone` (1.x) or `activeTimezone` (0.x).
    var timeZoneName: String {
        settings["timezone"] ?? settings["active_timezone"] ?? settings["activeTimezone"] ?? "UTC"
    }

    var permalink: GhostPermalink {
        GhostPermalink(pattern: settings["permalinks"] ?? "/:slug/")
    }

    /// "FILE:LINE" of a post in the export, found by its id or, failing that, its slug or title.
    func location(of post: GhostRecord) -> String {
        for key in ["id", "slug", "title"] {
            if let value = post.string(key), let line = source.line(ofKey: key, value: value) {
                return "\(source.file):\(line)"
            }
        }
        return source.file
    }

    static let readTables: Set<String> = [
        "posts", "tags", "posts_tags", "users", "posts_authors", "posts_meta", "settings",
    ]

    static func load(path: String) throws -> GhostExport {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw GhostImportError(file: path, "cannot read the export: \(error.localizedDescription)")
        }
        return try parse(data, file: path)
    }

    static func parse(_ data: Data, file: String) throws -> GhostExport {
        let source = GhostSourceText(file: file, text: String(decoding: data, as: UTF8.self))
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: data)
        } catch let error as NSError {
            let detail = error.userInfo["NSDebugDescription"] as? String ?? "not valid JSON"
            var line: Int?
            if let range = detail.range(of: #"character (\d+)"#, options: .regularExpression),
                let offset = Int(detail[range].dropFirst("character ".count))
            {
                line = source.line(atUTF8Offset: offset)
            }
            throw GhostImportError(file: file, line: line, "not valid JSON: \(detail)")
        }
        guard let top = json as? [String: Any] else {
            throw GhostImportError(file: file, line: 1, "expected a JSON object at the top level")
        }
        // Ghost wraps the export as {"db": [{"meta", "data"}]}; hand-made or older ones are bare.
        let body: [String: Any]
        if let db = top["db"] {
            guard let list = db as? [Any], let first = list.first as? [String: Any] else {
                throw source.error("\"db\" must be a list holding one object with \"meta\" and \"data\"")
            }
            body = first
        } else {
            body = top
        }
        guard let data = body["data"] as? [String: Any] else {
            throw source.error("no \"data\" object: this is not a Ghost export")
        }
        let meta = body["meta"] as? [String: Any]

        func table(_ name: String) throws -> [GhostRecord] {
            guard let value = data[name], !(value is NSNull) else { return [] }
            guard let rows = value as? [Any] else {
                throw GhostImportError(
                    file: file, line: source.line(ofTable: name), "table \"\(name)\" must be a list")
            }
            return try rows.enumerated().map { index, row in
                guard let fields = row as? [String: Any] else {
                    throw GhostImportError(
                        file: file, line: source.line(ofTable: name),
                        "table \"\(name)\": row \(index + 1) is not an object")
                }
                return GhostRecord(fields: fields)
            }
        }

        func byID(_ rows: [GhostRecord]) -> [String: GhostRecord] {
            var result: [String: GhostRecord] = [:]
            for row in rows { if let id = row.string("id") { result[id] = row } }
            return result
        }

        func links(_ rows: [GhostRecord], from: String, to: String) -> [String: [String]] {
            var grouped: [String: [(order: Int, index: Int, id: String)]] = [:]
            for (index, row) in rows.enumerated() {
                guard let owner = row.string(from), let target = row.string(to) else { continue }
                grouped[owner, default: []].append((row.int("sort_order") ?? 0, index, target))
            }
            return grouped.mapValues { list in
                list.sorted { ($0.order, $0.index) < ($1.order, $1.index) }.map(\.id)
            }
        }

        var settings: [String: String] = [:]
        for row in try table("settings") {
            guard let key = row.string("key"), settingKeys.contains(key) else { continue }
            if let value = row.string("value") { settings[key] = value }
        }
        var metaRows: [String: GhostRecord] = [:]
        for row in try table("posts_meta") {
            if let post = row.string("post_id") { metaRows[post] = row }
        }
        var ignored: [String: Int] = [:]
        for (name, value) in data where !readTables.contains(name) {
            ignored[name] = (value as? [Any])?.count ?? 0
        }

        return GhostExport(
            posts: try table("posts"), tags: byID(try table("tags")), users: byID(try table("users")),
            postTags: links(try table("posts_tags"), from: "post_id", to: "tag_id"),
            postAuthors: links(try table("posts_authors"), from: "post_id", to: "author_id"),
            postMeta: metaRows, settings: settings, ignoredTables: ignored,
            version: meta?["version"] as? String, source: source)
    }
}

extension GhostSourceText {
    /// The line where a table's key appears, e.g. `"posts": [`.
    func line(ofTable name: String) -> Int? {
        guard let range = text.range(of: "\"\(name)\"") else { return nil }
        return line(atUTF8Offset: text.utf8.distance(from: text.startIndex, to: range.lowerBound))
    }
}
