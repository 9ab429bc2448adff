// Content-Type by file extension. Text types carry a charset (quill build writes UTF-8), and the
// compressible flag says whether precompressed .br/.gz siblings are worth looking for.

public struct MIMEType: Sendable {
    public var value: StaticString
    public var compressible: Bool
}

public enum MIMETypes {
    public static let fallback = MIMEType(value: "application/octet-stream", compressible: false)

    // Sorted by extension; looked up by binary search without building a String.
    private static let table: [(StaticString, MIMEType)] = [
        ("7z", MIMEType(value: "application/x-7z-compressed", compressible: false)),
        ("aac", MIMEType(value: "audio/aac", compressible: false)),
        ("apng", MIMEType(value: "image/apng", compressible: false)),
        ("atom", MIMEType(value: "application/atom+xml; charset=utf-8", compressible: true)),
        ("avif", MIMEType(value: "image/avif", compressible: false)),
        ("bin", MIMEType(value: "application/octet-stream", compressible: false)),
        ("bmp", MIMEType(value: "image/bmp", compressible: true)),
        ("css", MIMEType(value: "text/css; charset=utf-8", compressible: true)),
        ("csv", MIMEType(value: "text/csv; charset=utf-8", compressible: true)),
        ("epub", MIMEType(value: "application/epub+zip", compressible: false)),
        ("flac", MIMEType(value: "audio/flac", compressible: false)),
        ("gif", MIMEType(value: "image/gif", compressible: false)),
        ("gz", MIMEType(value: "application/gzip", compressible: false)),
        ("htm", MIMEType(value: "text/html; charset=utf-8", compressible: true)),
        ("html", MIMEType(value: "text/html; charset=utf-8", compressible: true)),
        ("ico", MIMEType(value: "image/vnd.microsoft.icon", compressible: true)),
        ("ics", MIMEType(value: "text/calendar; charset=utf-8", compressible: true)),
        ("jpeg", MIMEType(value: "image/jpeg", compressible: false)),
        ("jpg", MIMEType(value: "image/jpeg", compressible: false)),
        ("js", MIMEType(value: "text/javascript; charset=utf-8", compressible: true)),
        ("json", MIMEType(value: "application/json", compressible: true)),
        ("jsonld", MIMEType(value: "application/ld+json", compressible: true)),
        ("m4a", MIMEType(value: "audio/mp4", compressible: false)),
        ("manifest", MIMEType(value: "application/manifest+json", compressible: true)),
        ("map", MIMEType(value: "application/json", compressible: true)),
        ("md", MIMEType(value: "text/markdown; charset=utf-8", compressible: true)),
        ("mjs", MIMEType(value: "text/javascript; charset=utf-8", compressible: true)),
        ("mp3", MIMEType(value: "audio/mpeg", compressible: false)),
        ("mp4", MIMEType(value: "video/mp4", compressible: false)),
        ("oga", MIMEType(value: "audio/ogg", compressible: false)),
        ("ogg", MIMEType(value: "audio/ogg", compressible: false)),
        ("ogv", MIMEType(value: "video/ogg", compressible: false)),
        ("opus", MIMEType(value: "audio/opus", compressible: false)),
        ("otf", MIMEType(value: "font/otf", compressible: true)),
        ("pdf", MIMEType(value: "application/pdf", compressible: false)),
        ("png", MIMEType(value: "image/png", compressible: false)),
        ("rss", MIMEType(value: "application/rss+xml; charset=utf-8", compressible: true)),
        ("svg", MIMEType(value: "image/svg+xml", compressible: true)),
        ("tar", MIMEType(value: "application/x-tar", compressible: true)),
        ("tif", MIMEType(value: "image/tiff", compressible: false)),
        ("tiff", MIMEType(value: "image/tiff", compressible: false)),
        ("ttf", MIMEType(value: "font/ttf", compressible: true)),
        ("txt", MIMEType(value: "text/plain; charset=utf-8", compressible: true)),
        ("vtt", MIMEType(value: "text/vtt; charset=utf-8", compressible: true)),
        ("wasm", MIMEType(value: "application/wasm", compressible: true)),
        ("wav", MIMEType(value: "audio/wav", compressible: false)),
        ("weba", MIMEType(value: "audio/webm", compressible: false)),
        ("webm", MIMEType(value: "video/webm", compressible: false)),
        ("webmanifest", MIMEType(value: "application/manifest+json", compressible: true)),
        ("webp", MIMEType(value: "image/webp", compressible: false)),
        ("woff", MIMEType(value: "font/woff", compressible: false)),
        ("woff2", MIMEType(value: "font/woff2", compressible: false)),
        ("xhtml", MIMEType(value: "application/xhtml+xml; charset=utf-8", compressible: true)),
        ("xml", MIMEType(value: "application/xml; charset=utf-8", compressible: true)),
        ("xsl", MIMEType(value: "application/xslt+xml; charset=utf-8", compressible: true)),
        ("zip", MIMEType(value: "application/zip", compressible: false)),
    ]

    /// The type for the extension of the last segment of `path` (case-insensitive).
    public static func forPath(_ path: [UInt8]) -> MIMEType {
        var dot = path.count
        var i = path.count - 1
        while i >= 0, path[i] != ASCII.slash {
            if path[i] == ASCII.dot {
                dot = i
                break
            }
            i -= 1
        }
        guard dot < path.count - 1, dot > 0, path[dot - 1] != ASCII.slash else { return fallback }
        return path.withUnsafeBytes { raw in
            lookup(ByteView(base: raw, range: (dot + 1)..<path.count))
        }
    }

    static func lookup(_ ext: ByteView) -> MIMEType {
        var lo = 0
        var hi = table.count
        while lo < hi {
            let mid = (lo + hi) / 2
            let order = compare(ext, table[mid].0)
            if order == 0 { return table[mid].1 }
            if order < 0 { hi = mid } else { lo = mid + 1 }
        }
        return fallback
    }

    private static func compare(_ a: ByteView, _ b: StaticString) -> Int {
        let p = b.utf8Start
        let n = b.utf8CodeUnitCount
        for i in 0..<min(a.count, n) {
            let x = ASCII.lower(a[i])
            if x != p[i] { return x < p[i] ? -1 : 1 }
        }
        return a.count == n ? 0 : (a.count < n ? -1 : 1)
    }

    /// Fingerprinted assets ("style.3f2a9c1b.css"): the second-to-last dot component of the last
    /// segment is 8 to 64 lowercase hex characters. They never change, so they cache for a year.
    public static func isFingerprinted(_ path: [UInt8]) -> Bool {
        var lastDot = -1
        var i = path.count - 1
        while i >= 0, path[i] != ASCII.slash {
            if path[i] == ASCII.dot {
                if lastDot < 0 {
                    lastDot = i
                } else {
                    return isLowerHex(path, (i + 1)..<lastDot)
                }
            }
            i -= 1
        }
        return false
    }

    private static func isLowerHex(_ path: [UInt8], _ range: Range<Int>) -> Bool {
        guard range.count >= 8, range.count <= 64 else { return false }
        for i in range {
            let c = path[i]
            guard (48...57).contains(c) || (97...102).contains(c) else { return false }
        }
        return true
    }
}
