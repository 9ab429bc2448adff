// The site's redirects, from `.quill/redirects` (lines "FROM TO STATUS"), read once at start and
// searched per request by binary search over the decoded path, without allocating.

public struct Redirect: Sendable, Equatable {
    public var from: [UInt8]
    public var to: [UInt8]
    public var status: HTTPStatus
    /// The line it came from, for duplicate reports.
    var line: Int
}

public struct RedirectTable: Sendable {
    public private(set) var entries: [Redirect] = []

    public init() {}

    /// Parses the file's bytes; bad lines are reported and skipped.
    public init(parsing bytes: [UInt8], file: String, diagnostics: inout Diagnostics) {
        var decoded: [UInt8] = []
        var parsed: [Redirect] = []
        forEachLine(bytes) { number, line in
            var scanner = FieldScanner(bytes, line)
            guard let from = scanner.next(), bytes[from.lowerBound] != UInt8(ascii: "#") else { return }
            let to = scanner.next()
            let status = scanner.next()
            var extra = 0
            while scanner.next() != nil { extra += 1 }
            guard let to, let status, extra == 0 else {
                let found = 1 + (to == nil ? 0 : 1) + (status == nil ? 0 : 1) + extra
                diagnostics.report(
                    file: file, line: number, "expected \"FROM TO STATUS\", found \(found) fields")
                return
            }
            guard bytes[from.lowerBound] == ASCII.slash else {
                diagnostics.report(file: file, line: number, "FROM must be an absolute path starting with /")
                return
            }
            let valid: Bool = bytes.withUnsafeBytes { raw in
                do {
                    try TargetPath.decode(from, in: raw, into: &decoded)
                    return true
                } catch {
                    return false
                }
            }
            guard valid else {
                diagnostics.report(
                    file: file, line: number,
                    "FROM is not a valid path (bad escape, empty, dot or hidden segment)")
                return
            }
            for i in to where bytes[i] <= 0x20 || bytes[i] >= 0x7F {
                diagnostics.report(
                    file: file, line: number, "TO must be visible ASCII (percent-encode anything else)")
                return
            }
            guard let code = Self.statusCode(bytes, status) else {
                diagnostics.report(file: file, line: number, "STATUS must be 301, 302, 307 or 308")
                return
            }
            parsed.append(Redirect(from: decoded, to: Array(bytes[to]), status: code, line: number))
        }
        // Sorted by path, then by line, so the first of equal paths is the one that counts.
        parsed.sort { $0.from == $1.from ? $0.line < $1.line : $0.from.lexicographicallyPrecedes($1.from) }
        for entry in parsed {
            if let last = entries.last, last.from == entry.from {
                diagnostics.report(
                    file: file, line: entry.line,
                    "a redirect from this path is already defined on line \(last.line)")
                continue
            }
            entries.append(entry)
        }
    }

    private static func statusCode(_ bytes: [UInt8], _ range: Range<Int>) -> HTTPStatus? {
        guard range.count == 3 else { return nil }
        var code = 0
        for i in range {
            guard bytes[i] >= 48, bytes[i] <= 57 else { return nil }
            code = code * 10 + Int(bytes[i] - 48)
        }
        switch code {
        case 301: return .movedPermanently
        case 302: return .found
        case 307: return .temporaryRedirect
        case 308: return .permanentRedirect
        default: return nil
        }
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
