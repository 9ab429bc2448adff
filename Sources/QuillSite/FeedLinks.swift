/// Feed readers show a post away from the site, and RSS and JSON Feed have no base URL, so links
/// and images in feed content are made absolute: `href` and `src` values that are root-relative
/// (`/x`) get the site's base URL, page-relative ones (`img.png`) the post's URL too. Values with
/// a scheme (`https:`, `mailto:`), protocol-relative ones (`//host`) and fragments (`#fn1`) stay.
enum FeedLinks {
    private static let attributes: [[UInt8]] = [Array("href=".utf8), Array("src=".utf8)]

    /// `base` has no trailing slash (site.toml's base_url); `page` is the post's URL path.
    static func absolute(_ html: String, base: String, page: String) -> String {
        let source = Array(html.utf8)
        guard source.contains(61) else { return html }  // no '=' at all: nothing to rewrite
        var out: [UInt8] = []
        out.reserveCapacity(source.count + 256)
        var index = 0
        var copied = 0
        while index < source.count {
            guard let attribute = attributeValueStart(source, at: index) else {
                index += 1
                continue
            }
            let start = attribute
            if let prefix = prefix(for: source, at: start, base: base, page: page) {
                out += source[copied..<start]
                out += prefix
                copied = start
            }
            index = start
        }
        if copied == 0 { return html }
        out += source[copied...]
        return String(decoding: out, as: UTF8.self)
    }

    /// When `source[index...]` is ` href="` or ` src='` (any case, after whitespace), the index
    /// of the value's first byte.
    private static func attributeValueStart(_ source: [UInt8], at index: Int) -> Int? {
        let byte = source[index]
        guard byte == 32 || byte == 10 || byte == 9 || byte == 13 else { return nil }
        for name in attributes {
            let quote = index + 1 + name.count
            guard quote < source.count - 1 else { continue }
            var matches = true
            for offset in 0..<name.count where lower(source[index + 1 + offset]) != name[offset] {
                matches = false
                break
            }
            if matches, source[quote] == 34 || source[quote] == 39 { return quote + 1 }
        }
        return nil
    }

    private static func lower(_ byte: UInt8) -> UInt8 { byte >= 65 && byte <= 90 ? byte + 32 : byte }

    /// What goes in front of the value at `start`, or nil when it is already absolute.
    private static func prefix(for source: [UInt8], at start: Int, base: String, page: String) -> [UInt8]? {
        guard start < source.count else { return nil }
        let first = source[start]
        if first == 34 || first == 39 || first == 35 { return nil }  // empty, or a fragment
        if first == 47 {  // '/': root-relative, unless '//'
            if start + 1 < source.count, source[start + 1] == 47 { return nil }
            return Array(base.utf8)
        }
        // A scheme: letters, digits, + - . before a ':' that comes before any '/', '?' or '#'.
        var index = start
        while index < source.count {
            let byte = source[index]
            if byte == 58 { return nil }
            let schemeByte =
                (byte >= 97 && byte <= 122) || (byte >= 65 && byte <= 90) || (byte >= 48 && byte <= 57)
                || byte == 43 || byte == 45 || byte == 46
            if !schemeByte { break }
            index += 1
        }
        return Array((base + page).utf8)
    }
}
