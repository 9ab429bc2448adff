/// Escaping for HTML text and attributes, and for XML (feeds, sitemap). These run over every
/// page of a build, so they work on UTF-8 bytes rather than Characters.
enum HTML {
    static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 38 || $0 == 60 || $0 == 62 || $0 == 34 || $0 == 39 }) else {
            return text
        }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 32)
        for byte in text.utf8 {
            switch byte {
            case 38: out += "&amp;".utf8
            case 60: out += "&lt;".utf8
            case 62: out += "&gt;".utf8
            case 34: out += "&quot;".utf8
            case 39: out += "&#39;".utf8
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// XML text: HTML escaping, minus the control characters XML 1.0 forbids outright.
    static func xml(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 < 0x20 && $0 != 10 && $0 != 9 && $0 != 13 }) else {
            return escape(text)
        }
        return escape(
            String(
                decoding: text.utf8.filter { $0 >= 0x20 || $0 == 10 || $0 == 9 || $0 == 13 }, as: UTF8.self))
    }

    /// The text of an HTML fragment, for descriptions and summaries: tags and footnote
    /// references removed, the common entities decoded, whitespace collapsed.
    static func text(_ html: String) -> String {
        let source = Array(removingFootnoteReferences(html).utf8)
        var out: [UInt8] = []
        out.reserveCapacity(source.count)
        var index = 0
        var pendingSpace = false
        func emit(_ byte: UInt8) {
            if byte == 32 || byte == 10 || byte == 9 || byte == 13 {
                pendingSpace = !out.isEmpty
                return
            }
            // No space before closing punctuation left by a removed tag ("word</em>.").
            if pendingSpace,
                !(byte == 46 || byte == 44 || byte == 59 || byte == 58 || byte == 33 || byte == 63)
            {
                out.append(32)
            }
            pendingSpace = false
            out.append(byte)
        }
        let entities: [(String, UInt8)] = [
            ("&lt;", 60), ("&gt;", 62), ("&quot;", 34), ("&#39;", 39), ("&amp;", 38),
        ]
        outer: while index < source.count {
            let byte = source[index]
            if byte == 60 {  // a tag: skip to its end
                while index < source.count, source[index] != 62 { index += 1 }
                index += 1
                pendingSpace = pendingSpace || !out.isEmpty
                continue
            }
            if byte == 38 {
                for (entity, value) in entities where Bytes.hasPrefix(source, at: index, Array(entity.utf8)) {
                    emit(value)
                    index += entity.utf8.count
                    continue outer
                }
            }
            emit(byte)
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Removes footnote references, whose targets are not on list pages that show an excerpt.
    static func removingFootnoteReferences(_ html: String) -> String {
        let open = Array("<sup class=\"footnote-ref\">".utf8)
        let close = Array("</sup>".utf8)
        let source = Array(html.utf8)
        guard Bytes.find(open, in: source, from: 0) != nil else { return html }
        var out: [UInt8] = []
        var index = 0
        while let start = Bytes.find(open, in: source, from: index),
            let end = Bytes.find(close, in: source, from: start + open.count)
        {
            out += source[index..<start]
            index = end + close.count
        }
        out += source[index...]
        return String(decoding: out, as: UTF8.self)
    }
}

/// Substring search over UTF-8 bytes (Foundation's String search is far slower on Linux).
enum Bytes {
    static func hasPrefix(_ source: [UInt8], at index: Int, _ prefix: [UInt8]) -> Bool {
        guard index + prefix.count <= source.count else { return false }
        for offset in 0..<prefix.count where source[index + offset] != prefix[offset] { return false }
        return true
    }

    static func find(_ needle: [UInt8], in source: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, source.count >= needle.count else { return nil }
        var index = start
        let last = source.count - needle.count
        while index <= last {
            if source[index] == first, hasPrefix(source, at: index, needle) { return index }
            index += 1
        }
        return nil
    }
}
