// Accept-Encoding (RFC 9110 section 12.5.3): which precompressed siblings the client takes.
// Only br and gzip matter; a q-value of zero refuses a coding, `*` accepts the unnamed ones.
enum AcceptEncoding {
    static func parse(_ value: ByteView, into request: inout Request) {
        var gzip: Bool? = nil
        var br: Bool? = nil
        var star: Bool? = nil
        value.forEachListElement { element in
            var nameEnd = 0
            while nameEnd < element.count, element[nameEnd] != UInt8(ascii: ";") { nameEnd += 1 }
            let name = element.sub(0..<nameEnd).trimmed()
            let accepted = !isZeroQuality(element.sub(nameEnd..<element.count))
            if name.equalsLowercase("gzip") || name.equalsLowercase("x-gzip") {
                gzip = accepted
            } else if name.equalsLowercase("br") {
                br = accepted
            } else if name.equals("*") {
                star = accepted
            }
        }
        if let value = gzip ?? star { request.acceptsGzip = request.acceptsGzip || value }
        if let value = br ?? star { request.acceptsBrotli = request.acceptsBrotli || value }
    }

    /// True for parameters holding `q=0`, `q=0.0`, `q=0.00` or `q=0.000`.
    private static func isZeroQuality(_ params: ByteView) -> Bool {
        var i = 0
        while i < params.count {
            if ASCII.lower(params[i]) == UInt8(ascii: "q"), i + 1 < params.count,
                params[i + 1] == UInt8(ascii: "=")
            {
                var j = i + 2
                guard j < params.count, params[j] == UInt8(ascii: "0") else { return false }
                j += 1
                if j < params.count, params[j] == ASCII.dot {
                    j += 1
                    while j < params.count, params[j] == UInt8(ascii: "0") { j += 1 }
                }
                while j < params.count, params[j] == ASCII.space || params[j] == ASCII.tab { j += 1 }
                return j == params.count || params[j] == UInt8(ascii: ";")
            }
            i += 1
        }
        return false
    }
}
