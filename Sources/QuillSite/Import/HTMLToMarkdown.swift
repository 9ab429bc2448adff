import Foundation

/// Converts an HTML fragment to Markdown that renders to the same HTML. What Markdown cannot say (an
/// attribute, a figure, a table, an embed) is kept as a raw HTML block or raw inline tags, exactly as
/// written, rather than approximated.
struct HTMLToMarkdown {
    static let inlineElements: Set<String> = [
        "a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "data", "del", "dfn", "em", "i", "img",
        "ins", "kbd", "mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup",
        "time", "u", "var", "wbr", "font", "label",
    ]
    /// Ghost's own card markers in rendered HTML; they carry nothing a reader sees.
    static func isGhostMarker(_ node: HTMLNode) -> Bool {
        node.kind == .comment && (node.text.hasPrefix("kg-card-") || node.text.hasPrefix("kg-"))
    }

    static func convert(_ html: String) -> String {
        let root = HTMLParser.parse(html)
        return HTMLToMarkdown().blocks(root.children).joined(separator: "\n\n")
    }

    /// Block-level rendering: each element of the result is one Markdown block.
    func blocks(_ nodes: [HTMLNode]) -> [String] {
        var result: [String] = []
        var run: [HTMLNode] = []
        func flush() {
            if let paragraph = paragraph(run, source: run.map(\.source).joined()) { result.append(paragraph) }
            run = []
        }
        for node in nodes {
            switch node.kind {
            case .text:
                run.append(node)
            case .comment:
                if Self.isGhostMarker(node) { continue }
                if run.contains(where: { !$0.isWhitespaceText }) {
                    run.append(node)
                } else {
                    flush()
                    result.append(MarkdownText.htmlBlock(node.source, tagName: nil))
                }
            case .element:
                if Self.inlineElements.contains(node.name) {
                    run.append(node)
                } else {
                    flush()
                    if let block = block(node) { result.append(block) }
                }
            }
        }
        flush()
        return result
    }

    private func raw(_ node: HTMLNode) -> String {
        MarkdownText.htmlBlock(node.source, tagName: node.name)
    }

    private func block(_ node: HTMLNode) -> String? {
        switch node.name {
        case "p":
            guard node.attributes.isEmpty else { return raw(node) }
            return paragraph(node.children, source: node.source) ?? ""
        case "h1", "h2", "h3", "h4", "h5", "h6":
            return heading(node)
        case "hr":
            return node.attributes.isEmpty ? "---" : raw(node)
        case "blockquote":
            guard node.attributes.isEmpty else { return raw(node) }
            let inner = blocks(node.children).joined(separator: "\n\n")
            return inner.split(separator: "\n", omittingEmptySubsequences: false)
                .map { $0.isEmpty ? ">" : "> " + $0 }.joined(separator: "\n")
        case "ul", "ol":
            return list(node) ?? raw(node)
        case "pre":
            return codeBlock(node) ?? raw(node)
        default:
            return raw(node)
        }
    }

    private func heading(_ node: HTMLNode) -> String {
        let level = Int(node.name.dropFirst())!
        let text = node.textContent
        let allowed = node.attributes.allSatisfy { $0.name == "id" && $0.value == Self.headingID(text) }
        guard allowed, let inline = inline(node.children), !inline.isEmpty, !inline.contains("\n"),
            !inline.hasPrefix("<")
        else { return raw(node) }
        let body = inline.hasSuffix("#") ? String(inline.dropLast()) + "\\#" : inline
        return String(repeating: "#", count: level) + " " + body
    }

    /// The id the site builder gives a heading; an id Ghost wrote that equals it is dropped (the
    /// build adds it back), any other id keeps the heading as HTML so links to it still work.
    static func headingID(_ text: String) -> String {
        Slug.make(text)
    }

    private func codeBlock(_ node: HTMLNode) -> String? {
        guard node.attributes.isEmpty else { return nil }
        let content = node.children.filter { !($0.kind == .text && $0.text.isEmpty) }
        if content.count == 1, content[0].kind == .element, content[0].name == "code" {
            let code = content[0]
            guard code.children.allSatisfy({ $0.kind == .text }) else { return nil }
            var language: String?
            for attribute in code.attributes {
                guard attribute.name == "class" else { return nil }
                let classes = attribute.value.split(separator: " ")
                guard classes.count == 1, let name = classes.first,
                    name.hasPrefix("language-") || name.hasPrefix("lang-")
                else { return nil }
                language = String(name.drop(while: { $0 != "-" }).dropFirst())
                if language!.contains("`") || language!.isEmpty { return nil }
            }
            return MarkdownText.codeBlock(code.textContent, language: language)
        }
        guard node.children.allSatisfy({ $0.kind == .text }) else { return nil }
        var text = node.textContent
        // HTML drops one newline right after <pre>.
        if text.hasPrefix("\n") { text.removeFirst() }
        return MarkdownText.codeBlock(text, language: nil)
    }

    private func list(_ node: HTMLNode) -> String? {
        let ordered = node.name == "ol"
        var start = 1
        for attribute in node.attributes {
            guard ordered, attribute.name == "start", let value = Int(attribute.value), value >= 0,
                value < 1_000_000_000
            else { return nil }
            start = value
        }
        var items: [HTMLNode] = []
        for child in node.children {
            if child.isWhitespaceText || Self.isGhostMarker(child) { continue }
            guard child.kind == .element, child.name == "li", child.attributes.isEmpty else { return nil }
            items.append(child)
        }
        guard !items.isEmpty else { return nil }
        // A list whose items hold paragraphs is "loose" (items apart); otherwise tight.
        let loose = items.contains { $0.children.contains { $0.kind == .element && $0.name == "p" } }
        var rendered: [String] = []
        for (index, item) in items.enumerated() {
            let marker = ordered ? "\(start + index). " : "- "
            let indent = String(repeating: " ", count: marker.count)
            let parts = blocks(item.children)
            if !loose, parts.contains(where: { $0.hasPrefix("<") }) { return nil }
            let body = parts.joined(separator: loose ? "\n\n" : "\n")
            let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
            var text = marker.trimmingTrailingSpace(if: body.isEmpty)
            for (number, line) in lines.enumerated() {
                if number == 0 {
                    text += line
                } else {
                    text += "\n" + (line.isEmpty ? "" : indent + line)
                }
            }
            rendered.append(text)
        }
        return rendered.joined(separator: loose ? "\n\n" : "\n")
    }

    /// One paragraph from a run of inline nodes, or nil when it holds nothing visible. Falls back to
    /// the run's HTML when Markdown would read it differently.
    private func paragraph(_ nodes: [HTMLNode], source: String) -> String? {
        var trimmed = nodes
        while let first = trimmed.first, first.isWhitespaceText || Self.isGhostMarker(first) {
            trimmed.removeFirst()
        }
        while let last = trimmed.last, last.isWhitespaceText || Self.isGhostMarker(last) {
            trimmed.removeLast()
        }
        if trimmed.isEmpty { return nil }
        if trimmed.contains(where: { $0.kind == .element && !Self.inlineElements.contains($0.name) }) {
            return MarkdownText.htmlBlock(source, tagName: "p")
        }
        guard var text = inline(trimmed) else { return MarkdownText.htmlBlock(source, tagName: "p") }
        text = text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "\n")
        if text.isEmpty || text.hasPrefix("<") { return MarkdownText.htmlBlock(source, tagName: "p") }
        return MarkdownText.escapeLineStarts(text)
    }

    /// Inline rendering of a node list, or nil if it holds block content Markdown cannot nest here.
    func inline(_ nodes: [HTMLNode]) -> String? {
        var out = ""
        for (index, node) in nodes.enumerated() {
            switch node.kind {
            case .text:
                out += MarkdownText.escapeInline(collapseWhitespace(node.text))
            case .comment:
                if !Self.isGhostMarker(node) { out += node.source }
            case .element:
                let isLast = nodes[(index + 1)...].allSatisfy { $0.isWhitespaceText }
                guard let piece = inlineElement(node, isLast: isLast) else { return nil }
                if let last = out.last, let first = piece.first, "*~".contains(last), "*~".contains(first) {
                    // "*a*" then "*b*" would read as one run "**"; an empty comment keeps them apart.
                    out += "<!---->"
                }
                out += piece
            }
        }
        return out
    }

    private func collapseWhitespace(_ text: String) -> String {
        var result = ""
        var inSpace = false
        for character in text {
            if character == " " || character == "\n" || character == "\t" || character == "\r" {
                if !inSpace { result.append(" ") }
                inSpace = true
            } else {
                result.append(character)
                inSpace = false
            }
        }
        return result
    }

    private func inlineElement(_ node: HTMLNode, isLast: Bool) -> String? {
        guard Self.inlineElements.contains(node.name) else { return nil }
        switch node.name {
        case "br":
            return isLast ? node.source : "\\\n"
        case "strong", "b":
            return emphasis(node, delimiter: "**")
        case "em", "i":
            return emphasis(node, delimiter: "*")
        case "s", "del", "strike":
            return emphasis(node, delimiter: "~~")
        case "code":
            if node.attributes.isEmpty, node.children.allSatisfy({ $0.kind == .text }) {
                let code = node.textContent
                if !code.isEmpty, !code.contains("\n"), !code.allSatisfy({ $0 == " " }) {
                    return MarkdownText.codeSpan(code)
                }
            }
            return wrapRaw(node)
        case "a":
            let allowed = node.attributes.allSatisfy { ["href", "title"].contains($0.name) }
            guard allowed, let href = node.attribute("href"), let inner = inline(node.children),
                !inner.trimmingCharacters(in: .whitespaces).isEmpty, !inner.contains("\\\n")
            else { return wrapRaw(node) }
            return
                "[\(inner)](\(MarkdownText.destination(href))\(MarkdownText.title(node.attribute("title"))))"
        case "img":
            let allowed = node.attributes.allSatisfy { ["src", "alt", "title"].contains($0.name) }
            guard allowed, let src = node.attribute("src") else { return node.source }
            let alt = MarkdownText.escapeInline(collapseWhitespace(node.attribute("alt") ?? ""))
            return "![\(alt)](\(MarkdownText.destination(src))\(MarkdownText.title(node.attribute("title"))))"
        default:
            return wrapRaw(node)
        }
    }

    /// `**text**` where CommonMark's flanking rules let the delimiters work; raw tags otherwise.
    private func emphasis(_ node: HTMLNode, delimiter: String) -> String? {
        guard node.attributes.isEmpty, let inner = inline(node.children) else { return wrapRaw(node) }
        let core = inner.trimmingCharacters(in: .whitespaces)
        if core.isEmpty { return inner }
        let lead = String(inner.prefix(while: { $0 == " " }))
        let trail = String(inner.reversed().prefix(while: { $0 == " " }))
        guard let first = core.first, let last = core.last, !first.isPunctuationOrSymbol,
            !last.isPunctuationOrSymbol, !core.contains("\\\n"), !core.contains(delimiter)
        else { return wrapRaw(node) }
        return lead + delimiter + core + delimiter + trail
    }

    /// The element's own start tag, its content as Markdown, and its end tag: CommonMark passes the
    /// tags through and still reads the content.
    private func wrapRaw(_ node: HTMLNode) -> String? {
        if HTMLParser.voidElements.contains(node.name) { return node.source }
        guard let inner = inline(node.children) else { return nil }
        let startTag = node.startTag.replacingOccurrences(of: "\n", with: " ")
        return startTag + inner + "</\(node.name)>"
    }
}

extension Character {
    fileprivate var isPunctuationOrSymbol: Bool { isPunctuation || isSymbol || self == "\\" }
}

extension String {
    fileprivate func trimmingTrailingSpace(if condition: Bool) -> String {
        condition ? trimmingCharacters(in: .whitespaces) : self
    }
}
