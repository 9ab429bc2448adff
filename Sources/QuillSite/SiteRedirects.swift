import Foundation
import TOMLKit

/// One `[[redirect]]` entry of the site's redirects.toml, with the line it starts on for errors.
public struct SiteRedirect: Sendable, Equatable {
    public var from: String
    public var to: String
    public var status: Int
    public var line: Int
}

/// `SITE/redirects.toml`: redirects a person (or `quill import ghost`) wrote by hand, merged into
/// `.quill/redirects` beside the front matter aliases. Checked here so that the engine, which only
/// skips bad lines, never gets one.
public enum SiteRedirects {
    public static let fileName = "redirects.toml"
    static let statuses: Set<Int> = [301, 302, 307, 308]
    static let keys: Set<String> = ["from", "to", "status", "source"]

    public static func load(siteRoot: String) throws(SiteError) -> [SiteRedirect] {
        let path = siteRoot + "/" + fileName
        guard FileSystem.exists(path) else { return [] }
        let file = try TextFile.read(path, displayPath: fileName)
        return try parse(file.text, file: fileName)
    }

    public static func parse(_ text: String, file: String) throws(SiteError) -> [SiteRedirect] {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw SiteError(file: file, line: error.source.begin.line, error.description)
        } catch {
            throw SiteError(file: file, line: 1, "\(error)")
        }
        // TOMLKit keeps no positions for values: find each entry's header line and its keys' lines.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        let headers = lines.indices.filter { lines[$0].hasPrefix("[[redirect]]") }.map { $0 + 1 }
        func lineOf(_ key: String, entry: Int) -> Int {
            guard entry < headers.count else { return 1 }
            let end = entry + 1 < headers.count ? headers[entry + 1] - 1 : lines.count
            for number in headers[entry]..<end {
                let line = lines[number]
                if line.hasPrefix(key + " ") || line.hasPrefix(key + "=") { return number + 1 }
            }
            return headers[entry]
        }
        for key in table.keys where key != "redirect" {
            let number = (lines.firstIndex { $0.hasPrefix(key) || $0.hasPrefix("[" + key) } ?? 0) + 1
            throw SiteError(file: file, line: number, "unknown key '\(key)': entries are [[redirect]] tables")
        }
        guard let value = table["redirect"] else { return [] }
        guard let array = value.array else {
            throw SiteError(file: file, line: 1, "'redirect' must be written as [[redirect]] tables")
        }
        var result: [SiteRedirect] = []
        var seen: [String: Int] = [:]
        for index in 0..<array.count {
            let start = index < headers.count ? headers[index] : 1
            guard let entry = array[index].table else {
                throw SiteError(file: file, line: start, "each redirect must be a [[redirect]] table")
            }
            for key in entry.keys where !keys.contains(key) {
                throw SiteError(
                    file: file, line: lineOf(key, entry: index),
                    "unknown key '\(key)' (known: \(keys.sorted().joined(separator: ", ")))")
            }
            guard let from = entry["from"]?.string else {
                throw SiteError(
                    file: file, line: lineOf("from", entry: index), "redirect needs a string 'from'")
            }
            guard let to = entry["to"]?.string else {
                throw SiteError(file: file, line: lineOf("to", entry: index), "redirect needs a string 'to'")
            }
            if let problem = fromProblem(from) {
                throw SiteError(
                    file: file, line: lineOf("from", entry: index), "from \"\(from)\": \(problem)")
            }
            if let problem = toProblem(to) {
                throw SiteError(file: file, line: lineOf("to", entry: index), "to \"\(to)\": \(problem)")
            }
            var status = 301
            if let raw = entry["status"] {
                guard let number = raw.int, statuses.contains(number) else {
                    throw SiteError(
                        file: file, line: lineOf("status", entry: index),
                        "status must be 301, 302, 307 or 308")
                }
                status = number
            }
            if let source = entry["source"], source.string == nil {
                throw SiteError(file: file, line: lineOf("source", entry: index), "'source' must be a string")
            }
            // The engine matches a path with or without its trailing slash, so those are one FROM.
            let key = normalized(from)
            if let other = seen[key] {
                throw SiteError(
                    file: file, line: lineOf("from", entry: index),
                    "duplicate redirect from \(from) (already on line \(other))")
            }
            seen[key] = lineOf("from", entry: index)
            result.append(
                SiteRedirect(from: from, to: to, status: status, line: lineOf("from", entry: index)))
        }
        return result
    }

    /// `/a/b/` and `/a/b` are the same request to the engine.
    static func normalized(_ path: String) -> String {
        path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    /// The output files a FROM would hide (the engine consults its redirects before files).
    static func shadowedFiles(_ from: String) -> [String] {
        let path = normalized(from)
        if path == "/" { return ["index.html"] }
        let relative = String(path.dropFirst())
        return [relative, relative + "/index.html"]
    }

    static func fromProblem(_ from: String) -> String? {
        guard from.hasPrefix("/") else { return "must be an absolute path starting with /" }
        if let bad = from.unicodeScalars.first(where: { $0.value <= 0x20 || $0.value >= 0x7F }) {
            return bad == " "
                ? "must not contain spaces (percent-encode them as %20)"
                : "must be visible ASCII (percent-encode anything else)"
        }
        if from.contains("?") || from.contains("#") {
            return "must be a path only, without ?query or #fragment"
        }
        let segments = from.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        if segments.contains(where: { $0 == ".." || $0 == "." }) {
            return "must not contain . or .. segments"
        }
        if segments.dropLast().contains(where: \.isEmpty) { return "must not contain an empty segment (//)" }
        if segments.contains(where: { $0.hasPrefix(".") }) {
            return "must not contain a hidden segment (the engine serves no /.name paths)"
        }
        return nil
    }

    static func toProblem(_ to: String) -> String? {
        if to.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value >= 0x7F }) {
            return "must be visible ASCII without spaces (percent-encode anything else)"
        }
        if to.hasPrefix("/") {
            return to.hasPrefix("//")
                ? "a path must not start with // (write https://… for another site)" : nil
        }
        guard let url = URL(string: to), let scheme = url.scheme?.lowercased(),
            ["http", "https"].contains(scheme),
            url.host?.isEmpty == false
        else { return "must be a path starting with / or an absolute http(s) URL" }
        return nil
    }
}
