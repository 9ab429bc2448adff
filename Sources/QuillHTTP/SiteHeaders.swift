// The headers every response carries besides the per-response ones: security defaults, replaced
// or extended by the site's `.quill/headers` ("Name: value"; an empty value removes a default).
// Built once at start into one byte block appended to every head.

public struct SiteHeaders: Sendable {
    public static let defaults: [(String, String)] = [
        ("X-Content-Type-Options", "nosniff"),
        (
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: https:; style-src 'self' 'unsafe-inline'; "
                + "script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
                + "frame-ancestors 'none'"
        ),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ]

    /// Headers whose value the engine computes per response; a site may not set them.
    static let protected: Set<String> = [
        "accept-ranges", "cache-control", "connection", "content-encoding", "content-length",
        "content-range", "content-type", "date", "etag", "keep-alive", "last-modified", "location",
        "transfer-encoding", "upgrade", "vary", "allow", "trailer", "te",
    ]

    public private(set) var fields: [(String, String)]
    /// "Name: value\r\n" for each field, ready to append.
    public private(set) var block: [UInt8] = []

    public init(hsts: Bool = false) {
        fields = Self.defaults
        if hsts { fields.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains")) }
        rebuild()
    }

    /// Applies the site's file on top of the defaults; bad lines are reported and skipped.
    public mutating func apply(_ bytes: [UInt8], file: String, diagnostics: inout Diagnostics) {
        for (number, line) in numberedLines(bytes) {
            guard let first = line.first(where: { $0 != ASCII.space && $0 != ASCII.tab }),
                first != UInt8(ascii: "#")
            else { continue }
            guard let colon = line.firstIndex(of: ASCII.colon) else {
                diagnostics.report(file: file, line: number, "expected \"Name: value\"")
                continue
            }
            let name = line[line.startIndex..<colon]
            guard !name.isEmpty, name.allSatisfy(ASCII.isTokenChar) else {
                diagnostics.report(
                    file: file, line: number, "header name must be a token, with no space before the colon")
                continue
            }
            let value = line[(colon + 1)...].drop(while: { $0 == ASCII.space || $0 == ASCII.tab })
            let trimmed = value.reversed().drop(while: { $0 == ASCII.space || $0 == ASCII.tab }).reversed()
            guard trimmed.allSatisfy({ $0 == ASCII.space || $0 == ASCII.tab || ($0 > 0x20 && $0 != 0x7F) })
            else {
                diagnostics.report(file: file, line: number, "header value holds a control character")
                continue
            }
            let nameString = String(decoding: name, as: UTF8.self)
            if Self.protected.contains(nameString.lowercased()) {
                diagnostics.report(
                    file: file, line: number,
                    "\(nameString) is set by the engine per response and cannot be set")
                continue
            }
            let valueString = String(decoding: trimmed, as: UTF8.self)
            fields.removeAll { $0.0.lowercased() == nameString.lowercased() }
            if !valueString.isEmpty { fields.append((nameString, valueString)) }
        }
        rebuild()
    }

    private mutating func rebuild() {
        block.removeAll()
        for (name, value) in fields {
            block.append(contentsOf: name.utf8)
            block.append(contentsOf: ": ".utf8)
            block.append(contentsOf: value.utf8)
            block.append(contentsOf: "\r\n".utf8)
        }
    }
}
