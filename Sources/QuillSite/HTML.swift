/// Escaping for HTML text and attributes, and for XML (feeds, sitemap).
enum HTML {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// XML text: HTML escaping, minus the characters XML 1.0 forbids outright.
    static func xml(_ text: String) -> String {
        let cleaned = String(
            String.UnicodeScalarView(
                text.unicodeScalars.filter { $0.value >= 0x20 || $0 == "\n" || $0 == "\t" || $0 == "\r" }))
        return escape(cleaned)
    }

    /// The text of an HTML fragment, for descriptions and summaries: tags and footnote
    /// references removed, the common entities decoded, whitespace collapsed.
    static func text(_ html: String) -> String {
        var source = html[...]
        var out = ""
        while let open = source.firstIndex(of: "<") {
            out += source[..<open]
            let rest = source[open...]
            if rest.hasPrefix("<sup class=\"footnote-ref\">"), let end = rest.range(of: "</sup>") {
                source = rest[end.upperBound...]
            } else if let close = rest.firstIndex(of: ">") {
                out += " "
                source = rest[rest.index(after: close)...]
            } else {
                source = rest.dropFirst()
            }
        }
        out += source
        for (entity, character) in [
            ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&nbsp;", " "), ("&amp;", "&"),
        ] {
            out = out.replacingOccurrences(of: entity, with: character)
        }
        return Markdown.collapseWhitespace(out)
            .replacingOccurrences(of: " .", with: ".").replacingOccurrences(of: " ,", with: ",")
    }

    /// Removes footnote references, whose targets are not on list pages that show an excerpt.
    static func removingFootnoteReferences(_ html: String) -> String {
        guard html.contains("<sup class=\"footnote-ref\">") else { return html }
        var out = ""
        var rest = html[...]
        while let start = rest.range(of: "<sup class=\"footnote-ref\">") {
            out += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].range(of: "</sup>") else {
                rest = rest[start.lowerBound...]
                break
            }
            rest = rest[end.upperBound...]
        }
        return out + rest
    }
}
