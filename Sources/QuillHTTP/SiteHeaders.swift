// The headers every response carries besides the per-response ones: security defaults, replaced
// or extended by the site's `.quill/headers` ("Name: value"; an empty value removes a default).
// Built once at start into one byte block appended to every head, from literals and bytes only
// (no strings, sets or arrays of tuples: each would cost a runtime type lookup at start-up).

public struct SiteHeaders: Sendable {
    /// "Name: value\r\n" for each field, ready to append.
    public private(set) var block: [UInt8] = []

    public init(hsts: Bool = false) {
        block.reserveCapacity(512)
        block.append("X-Content-Type-Options: nosniff\r\n")
        block.append("Content-Security-Policy: default-src 'self'; img-src 'self' data: https:; ")
        block.append("style-src 'self' 'unsafe-inline'; script-src 'self'; object-src 'none'; ")
        block.append("base-uri 'self'; form-action 'self'; frame-ancestors 'none'\r\n")
        block.append("Referrer-Policy: strict-origin-when-cross-origin\r\n")
        if hsts { block.append("Strict-Transport-Security: max-age=31536000; includeSubDomains\r\n") }
    }

    /// Headers whose value the engine computes per response; a site may not set them.
    static func isProtected(_ name: ByteView) -> Bool {
        name.equalsLowercase("accept-ranges") || name.equalsLowercase("cache-control")
            || name.equalsLowercase("connection") || name.equalsLowercase("content-encoding")
            || name.equalsLowercase("content-length") || name.equalsLowercase("content-range")
            || name.equalsLowercase("content-type") || name.equalsLowercase("date")
            || name.equalsLowercase("etag") || name.equalsLowercase("keep-alive")
            || name.equalsLowercase("last-modified") || name.equalsLowercase("location")
            || name.equalsLowercase("transfer-encoding") || name.equalsLowercase("upgrade")
            || name.equalsLowercase("vary") || name.equalsLowercase("allow")
            || name.equalsLowercase("trailer") || name.equalsLowercase("te")
    }

    /// Applies the site's file on top of the defaults; bad lines are reported and skipped.
    public mutating func apply(_ bytes: [UInt8], file: String, diagnostics: inout Diagnostics) {
        var block = self.block
        bytes.withUnsafeBytes { raw in
            forEachLine(bytes) { number, line in
                var start = line.lowerBound
                while start < line.upperBound, bytes[start] == ASCII.space || bytes[start] == ASCII.tab {
                    start += 1
                }
                guard start < line.upperBound, bytes[start] != UInt8(ascii: "#") else { return }
                var colon = line.lowerBound
                while colon < line.upperBound, bytes[colon] != ASCII.colon { colon += 1 }
                guard colon < line.upperBound else {
                    diagnostics.report(file: file, line: number, "expected \"Name: value\"")
                    return
                }
                let name = ByteView(base: raw, range: line.lowerBound..<colon)
                var nameValid = !name.isEmpty
                for i in 0..<name.count where !ASCII.isTokenChar(name[i]) { nameValid = false }
                guard nameValid else {
                    diagnostics.report(
                        file: file, line: number,
                        "header name must be a token, with no space before the colon")
                    return
                }
                let value = ByteView(base: raw, range: (colon + 1)..<line.upperBound).trimmed()
                for i in 0..<value.count where !ASCII.isFieldValueChar(value[i]) {
                    diagnostics.report(file: file, line: number, "header value holds a control character")
                    return
                }
                if Self.isProtected(name) {
                    let text = String(decoding: bytes[name.range], as: UTF8.self)
                    diagnostics.report(
                        file: file, line: number,
                        "\(text) is set by the engine per response and cannot be set")
                    return
                }
                Self.remove(name, from: &block)
                if !value.isEmpty {
                    block.append(name)
                    block.append(": ")
                    block.append(value)
                    block.append("\r\n")
                }
            }
        }
        self.block = block
    }

    /// Removes the field called `name` (case-insensitive) from a block of "Name: value\r\n" lines.
    private static func remove(_ name: ByteView, from block: inout [UInt8]) {
        var lineStart = 0
        while lineStart < block.count {
            var lineEnd = lineStart
            while lineEnd + 1 < block.count, !(block[lineEnd] == ASCII.cr && block[lineEnd + 1] == ASCII.lf) {
                lineEnd += 1
            }
            let next = lineEnd + 2
            var matches = lineStart + name.count < block.count && block[lineStart + name.count] == ASCII.colon
            if matches {
                for i in 0..<name.count where ASCII.lower(block[lineStart + i]) != ASCII.lower(name[i]) {
                    matches = false
                    break
                }
            }
            if matches {
                block.removeSubrange(lineStart..<min(next, block.count))
            } else {
                lineStart = next
            }
        }
    }
}
