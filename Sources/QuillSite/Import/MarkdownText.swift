import Foundation

/// Escaping and block-shaping rules for writing CommonMark (with GitHub's extensions, which the site
/// builder enables) so that text reads back exactly as it was.
enum MarkdownText {
    /// Escapes characters that would otherwise start Markdown syntax inside a line of text.
    static func escapeInline(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.count)
        var previous: Character = " "
        let characters = Array(text)
        for (index, character) in characters.enumerated() {
            switch character {
            case "\\", "`", "*", "_", "[", "]", "<", "~", "|":
                result.append("\\")
                result.append(character)
            case "&":
                // Only where it would read as a character reference.
                let rest = characters[(index + 1)...].prefix(33)
                if let semicolon = rest.firstIndex(of: ";"), semicolon > index + 1,
                    characters[(index + 1)..<semicolon].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "#" }
                    )
                {
                    result.append("\\")
                }
                result.append(character)
            case "-" where previous == "-" || characters.dropFirst(index + 1).first == "-":
                // The site renders with smart punctuation: "--" would become a dash.
                result.append("\\-")
            case "."
            where index >= 3 && String(characters[(index - 3)..<index]).lowercased() == "www"
                && (index == 3 || !characters[index - 4].isLetter && !characters[index - 4].isNumber):
                // Likewise "www." would start an extended autolink.
                result.append("\\.")
            case "@" where previous.isLetter || previous.isNumber:
                // And "name@host" would become a mailto: link. A backslash does not stop that (the
                // extension reads whole text runs), but an empty comment splits the run invisibly.
                result.append("<!---->@")
            case ":" where previous.isLetter && text.dropFirst(index).hasPrefix("://"):
                // Keeps a bare URL in text from becoming a link through the autolink extension.
                result.append("\\:")
            default:
                result.append(character)
            }
            previous = character
        }
        return result
    }

    /// Escapes the start of each line of a paragraph that would otherwise read as a heading, list
    /// item, quote, thematic break or setext underline.
    static func escapeLineStarts(_ paragraph: String) -> String {
        paragraph.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let body = line.drop(while: { $0 == " " })
            let indent = String(line.prefix(line.count - body.count))
            guard let first = body.first else { return String(line) }
            if "#>+-=".contains(first) {
                return indent + "\\" + body
            }
            if first.isNumber {
                let digits = body.prefix(while: { $0.isNumber })
                let after = body.dropFirst(digits.count)
                if digits.count <= 9, let marker = after.first, marker == "." || marker == ")" {
                    return indent + digits + "\\" + after
                }
            }
            return String(line)
        }.joined(separator: "\n")
    }

    /// A code span holding `code` verbatim.
    static func codeSpan(_ code: String) -> String {
        let fence = String(repeating: "`", count: longestRun(of: "`", in: code) + 1)
        let pad = code.hasPrefix("`") || code.hasSuffix("`") || (code.hasPrefix(" ") && code.hasSuffix(" "))
        return pad ? "\(fence) \(code) \(fence)" : "\(fence)\(code)\(fence)"
    }

    /// A fenced code block holding `code` verbatim.
    static func codeBlock(_ code: String, language: String?) -> String {
        let fence = String(repeating: "`", count: max(3, longestRun(of: "`", in: code) + 1))
        var body = code
        if body.hasSuffix("\n") { body.removeLast() }
        return "\(fence)\(language ?? "")\n\(body)\n\(fence)"
    }

    /// A link or image destination, in angle brackets when it holds spaces or parentheses.
    static func destination(_ url: String) -> String {
        if url.isEmpty { return "<>" }
        if url.contains(where: { $0 == " " || $0 == "(" || $0 == ")" || $0 == "<" || $0 == ">" }) {
            return "<"
                + url.replacingOccurrences(of: "<", with: "%3C").replacingOccurrences(of: ">", with: "%3E")
                + ">"
        }
        return url
    }

    static func title(_ title: String?) -> String {
        guard let title, !title.isEmpty else { return "" }
        return " \""
            + title.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            + "\""
    }

    /// Shapes raw HTML so that CommonMark reads it back as one HTML block, untouched: it must start
    /// a line with a tag CommonMark knows as a block start, and hold no blank line (which ends such a
    /// block). An empty comment stands in for each blank line: it renders as nothing, also inside <pre>.
    static func htmlBlock(_ html: String, tagName: String?) -> String {
        var text = html.trimmingCharacters(in: .newlines)
        if let tagName, !blockStartTags.contains(tagName), !rawBlockTags.contains(tagName),
            let close = text.firstIndex(of: ">")
        {
            // Not a block tag: CommonMark's 7th kind of HTML block wants the start tag alone on its line.
            let startTag = text[...close].replacingOccurrences(of: "\n", with: " ")
            text = startTag + "\n" + text[text.index(after: close)...]
        }
        if let tagName, rawBlockTags.contains(tagName) { return text }
        if text.hasPrefix("<!--") && !text.dropFirst(4).dropLast(3).contains("-->") { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) ? "<!---->" : String(line)
        }.joined(separator: "\n")
    }

    static let rawBlockTags: Set<String> = ["pre", "script", "style", "textarea"]
    static let blockStartTags: Set<String> = [
        "address", "article", "aside", "base", "basefont", "blockquote", "body", "caption", "center",
        "col", "colgroup", "dd", "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption",
        "figure", "footer", "form", "frame", "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "head",
        "header", "hr", "html", "iframe", "legend", "li", "link", "main", "menu", "menuitem", "nav",
        "noframes", "ol", "optgroup", "option", "p", "param", "search", "section", "summary", "table",
        "tbody", "td", "tfoot", "th", "thead", "title", "tr", "track", "ul",
    ]

    private static func longestRun(of character: Character, in text: String) -> Int {
        var longest = 0
        var current = 0
        for each in text {
            current = each == character ? current + 1 : 0
            longest = max(longest, current)
        }
        return longest
    }
}
