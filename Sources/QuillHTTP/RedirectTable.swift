// The site's redirects, from `.quill/redirects` (lines "FROM TO STATUS"), read once at start and
// searched per request by binary search over the decoded path, without allocating.

public struct Redirect: Sendable, Equatable {
    public var from: [UInt8]
    public var to: [UInt8]
    public var status: HTTPStatus
}

public struct RedirectTable: Sendable {
    public private(set) var entries: [Redirect] = []

    public init() {}

    /// Parses the file's bytes; bad lines are reported and skipped.
    public init(parsing bytes: [UInt8], file: String, diagnostics: inout Diagnostics) {
        var byPath: [[UInt8]: Redirect] = [:]
        var decoded: [UInt8] = []
        for (number, line) in numberedLines(bytes) {
            let parts = fields(line)
            if parts.isEmpty || parts[0].first == UInt8(ascii: "#") { continue }
            guard parts.count == 3 else {
                diagnostics.report(
                    file: file, line: number, "expected \"FROM TO STATUS\", found \(parts.count) fields")
                continue
            }
            let from = Array(parts[0])
            let to = Array(parts[1])
            guard from.first == ASCII.slash else {
                diagnostics.report(file: file, line: number, "FROM must be an absolute path starting with /")
                continue
            }
            let valid: Bool = from.withUnsafeBytes { raw in
                do {
                    try TargetPath.decode(0..<raw.count, in: raw, into: &decoded)
                    return true
                } catch {
                    return false
                }
            }
            guard valid else {
                diagnostics.report(
                    file: file, line: number,
                    "FROM is not a valid path (bad escape, empty, dot or hidden segment)")
                continue
            }
            guard to.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                diagnostics.report(
                    file: file, line: number, "TO must be visible ASCII (percent-encode anything else)")
                continue
            }
            guard let code = Int(String(decoding: parts[2], as: UTF8.self)),
                [301, 302, 307, 308].contains(code), let status = HTTPStatus(rawValue: code)
            else {
                diagnostics.report(file: file, line: number, "STATUS must be 301, 302, 307 or 308")
                continue
            }
            if byPath[decoded] != nil {
                diagnostics.report(file: file, line: number, "a redirect from this path is already defined")
                continue
            }
            byPath[decoded] = Redirect(from: decoded, to: to, status: status)
        }
        entries = byPath.values.sorted { $0.from.lexicographicallyPrecedes($1.from) }
    }

    /// The redirect for a decoded path; a path not listed also matches with its trailing slash
    /// added or removed ("/old" finds "/old/").
    public func lookup(_ path: [UInt8]) -> Redirect? {
        guard !entries.isEmpty else { return nil }
        if let hit = find(path, dropLast: false, addSlash: false) { return hit }
        if path.count > 1, path.last == ASCII.slash { return find(path, dropLast: true, addSlash: false) }
        return find(path, dropLast: false, addSlash: true)
    }

    private func find(_ path: [UInt8], dropLast: Bool, addSlash: Bool) -> Redirect? {
        var lo = 0
        var hi = entries.count
        while lo < hi {
            let mid = (lo + hi) / 2
            let order = compare(entries[mid].from, path, dropLast: dropLast, addSlash: addSlash)
            if order == 0 { return entries[mid] }
            if order < 0 { lo = mid + 1 } else { hi = mid }
        }
        return nil
    }

    /// Lexicographic order of `a` against the path with its last byte dropped or a slash added.
    private func compare(_ a: [UInt8], _ path: [UInt8], dropLast: Bool, addSlash: Bool) -> Int {
        let n = dropLast ? path.count - 1 : (addSlash ? path.count + 1 : path.count)
        for i in 0..<min(a.count, n) {
            let b = i < path.count ? path[i] : ASCII.slash
            if a[i] != b { return a[i] < b ? -1 : 1 }
        }
        return a.count == n ? 0 : (a.count < n ? -1 : 1)
    }
}
