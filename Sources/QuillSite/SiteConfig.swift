import Foundation
import TOMLKit

/// One entry of the site's navigation menu.
public struct NavigationItem: Sendable, Equatable {
    public var label: String
    public var url: String
}

/// site.toml: the settings every page shares.
public struct SiteConfig: Sendable {
    public var title = "Untitled"
    public var baseURL = "http://127.0.0.1:8080"
    public var description = ""
    public var author = ""
    public var language = "en"
    public var timeZone = TimeZone(identifier: "UTC")!
    public var postsPerPage = 10
    public var navigation: [NavigationItem] = []
    public var permalink = "/:slug/"
    public var feedLimit = 20
    public var headers: [(String, String)] = []
    /// The text of site.toml, hashed into every cache key (any setting can change any page).
    public var source = ""

    static let permalinkTokens = [":year", ":month", ":day", ":slug"]
    /// Headers quill-engine computes per response; `.quill/headers` may not set them.
    static let engineHeaders: Set<String> = [
        "accept-ranges", "cache-control", "connection", "content-encoding", "content-length", "content-range",
        "content-type", "date", "etag", "keep-alive", "last-modified", "location", "transfer-encoding",
        "upgrade", "vary", "allow", "trailer", "te",
    ]

    public init() {}

    public static func load(from path: String, displayPath: String) throws(SiteError) -> SiteConfig {
        let file = try TextFile.read(path, displayPath: displayPath)
        return try parse(file.text, file: displayPath)
    }

    public static func parse(_ text: String, file: String) throws(SiteError) -> SiteConfig {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw SiteError(file: file, line: error.source.begin.line, error.description)
        } catch {
            throw SiteError(file: file, line: 1, "\(error)")
        }
        var config = SiteConfig()
        config.source = text
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        func lineOf(_ key: String) -> Int {
            for (index, line) in lines.enumerated() {
                let trimmed = line.drop { $0 == " " || $0 == "\t" }
                if trimmed.hasPrefix(key + " ") || trimmed.hasPrefix(key + "=")
                    || trimmed.hasPrefix("[" + key)
                {
                    return index + 1
                }
            }
            return 1
        }
        func string(_ key: String) throws(SiteError) -> String? {
            guard let value = table[key] else { return nil }
            guard let string = value.string else {
                throw SiteError(file: file, line: lineOf(key), "'\(key)' must be a string")
            }
            return string
        }
        let known: Set = [
            "title", "base_url", "description", "author", "language", "timezone", "posts_per_page",
            "navigation", "permalink", "feed_limit", "headers",
        ]
        for key in table.keys where !known.contains(key) {
            throw SiteError(
                file: file, line: lineOf(key),
                "unknown setting '\(key)' (known: \(known.sorted().joined(separator: ", ")))")
        }
        if let value = try string("title") { config.title = value }
        if let value = try string("base_url") {
            guard let url = URL(string: value), let scheme = url.scheme, ["http", "https"].contains(scheme),
                url.host != nil
            else {
                throw SiteError(
                    file: file, line: lineOf("base_url"), "'base_url' must be an http(s) URL, not '\(value)'")
            }
            config.baseURL = value.hasSuffix("/") ? String(value.dropLast()) : value
        }
        if let value = try string("description") { config.description = value }
        if let value = try string("author") { config.author = value }
        if let value = try string("language") { config.language = value }
        if let value = try string("timezone") {
            guard let zone = TimeZone(identifier: value) else {
                throw SiteError(file: file, line: lineOf("timezone"), "unknown time zone '\(value)'")
            }
            config.timeZone = zone
        }
        if let value = try string("permalink") {
            var rest = value
            for token in permalinkTokens { rest = rest.replacingOccurrences(of: token, with: "") }
            guard value.hasPrefix("/"), value.hasSuffix("/"), value.contains(":slug"), !rest.contains(":")
            else {
                throw SiteError(
                    file: file, line: lineOf("permalink"),
                    "'permalink' must start and end with '/' and use :slug (tokens: :year :month :day :slug)")
            }
            config.permalink = value
        }
        for (key, path) in [("posts_per_page", \SiteConfig.postsPerPage), ("feed_limit", \.feedLimit)] {
            guard let value = table[key] else { continue }
            guard let number = value.int, number > 0 else {
                throw SiteError(file: file, line: lineOf(key), "'\(key)' must be a positive integer")
            }
            config[keyPath: path] = number
        }
        if let value = table["navigation"] {
            guard let array = value.array else {
                throw SiteError(
                    file: file, line: lineOf("navigation"),
                    "'navigation' must be an array of { label = \"…\", url = \"…\" } tables")
            }
            for item in array {
                guard let entry = item.table, let label = entry["label"]?.string,
                    let url = entry["url"]?.string
                else {
                    throw SiteError(
                        file: file, line: lineOf("navigation"),
                        "each 'navigation' entry needs a string 'label' and a string 'url'")
                }
                config.navigation.append(NavigationItem(label: label, url: url))
            }
        }
        if let value = table["headers"] {
            guard let headers = value.table else {
                throw SiteError(file: file, line: lineOf("headers"), "'headers' must be a table of strings")
            }
            for name in headers.keys.sorted() {
                guard let text = headers[name]?.string, !text.contains("\n"), !name.contains(":") else {
                    throw SiteError(
                        file: file, line: lineOf("headers"), "header '\(name)' must be a one-line string")
                }
                if engineHeaders.contains(name.lowercased()) {
                    throw SiteError(
                        file: file, line: lineOf(name),
                        "header '\(name)' is set by the engine for each response")
                }
                config.headers.append((name, text))
            }
        }
        return config
    }
}
