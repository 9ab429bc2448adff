/// A small, forgiving HTML fragment parser: enough of the HTML parsing rules (void elements, raw
/// text elements, implied end tags) to read what Ghost and its editors produced.
enum HTMLParser {
    static let voidElements: Set<String> = [
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
        "wbr", "param",
    ]
    static let rawTextElements: Set<String> = ["script", "style", "textarea", "title"]
    /// Start tags that end an open <p>, as in the HTML standard.
    static let closesParagraph: Set<String> = [
        "address", "article", "aside", "blockquote", "details", "div", "dl", "fieldset", "figcaption",
        "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "main", "menu",
        "nav", "ol", "p", "pre", "section", "table", "ul",
    ]

    /// Parses a fragment; the returned root is a synthetic element named "#root".
    static func parse(_ html: String) -> HTMLNode {
        let bytes = Array(html.utf8)
        let root = HTMLNode(element: "#root", attributes: [], startTag: "")
        var stack: [(node: HTMLNode, start: Int)] = [(root, 0)]
        var position = 0

        func string(_ from: Int, _ to: Int) -> String {
            String(decoding: bytes[from..<to], as: UTF8.self)
        }
        func close(_ count: Int, at end: Int) {
            for _ in 0..<count {
                let (node, start) = stack.removeLast()
                node.source = string(start, end)
            }
        }
        func closeImplied(_ end: Int) {
            // An element closed by a later start tag ends where that tag begins.
            close(1, at: end)
        }
        func append(_ node: HTMLNode) { stack[stack.count - 1].node.children.append(node) }

        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "<"), let tag = scanTag(bytes, at: position) {
                let tagStart = position
                position = tag.end
                switch tag.kind {
                case .comment(let inner):
                    append(HTMLNode(comment: string(inner.0, inner.1), source: string(tagStart, tag.end)))
                case .declaration:
                    continue
                case .end(let name):
                    if let depth = stack.lastIndex(where: { $0.node.name == name }), depth > 0 {
                        close(stack.count - depth, at: tag.end)
                    }
                case .start(let name, let attributes, let selfClosing):
                    let top = stack[stack.count - 1].node.name
                    if closesParagraph.contains(name), stack.contains(where: { $0.node.name == "p" }),
                        top == "p"
                    {
                        closeImplied(tagStart)
                    }
                    if name == "li", let depth = stack.lastIndex(where: { $0.node.name == "li" }),
                        !stack[depth...].contains(where: { ["ul", "ol"].contains($0.node.name) })
                    {
                        close(stack.count - depth, at: tagStart)
                    }
                    if ["dt", "dd"].contains(name), ["dt", "dd"].contains(stack[stack.count - 1].node.name) {
                        closeImplied(tagStart)
                    }
                    if ["td", "th"].contains(name), ["td", "th"].contains(stack[stack.count - 1].node.name) {
                        closeImplied(tagStart)
                    }
                    if name == "tr", let depth = stack.lastIndex(where: { $0.node.name == "tr" }),
                        !stack[depth...].contains(where: { $0.node.name == "table" })
                    {
                        close(stack.count - depth, at: tagStart)
                    }
                    let node = HTMLNode(
                        element: name, attributes: attributes, startTag: string(tagStart, tag.end))
                    append(node)
                    if voidElements.contains(name) || selfClosing {
                        node.source = node.startTag
                    } else if rawTextElements.contains(name) {
                        let end = findEndTag(bytes, name: name, from: position)
                        if end.contentEnd > position {
                            let raw = string(position, end.contentEnd)
                            let text = name == "textarea" || name == "title" ? HTMLEntities.decode(raw) : raw
                            node.children.append(HTMLNode(text: text, source: raw))
                        }
                        position = end.tagEnd
                        node.source = string(tagStart, end.tagEnd)
                    } else {
                        stack.append((node, tagStart))
                    }
                }
            } else {
                var end = position + 1
                while end < bytes.count, bytes[end] != UInt8(ascii: "<") { end += 1 }
                // A "<" that starts no tag is text; keep scanning past it.
                while end < bytes.count, scanTag(bytes, at: end) == nil {
                    end += 1
                    while end < bytes.count, bytes[end] != UInt8(ascii: "<") { end += 1 }
                }
                let raw = string(position, end)
                append(HTMLNode(text: HTMLEntities.decode(raw), source: raw))
                position = end
            }
        }
        close(stack.count - 1, at: bytes.count)
        root.source = html
        return root
    }

    enum TagKind {
        case start(String, [(name: String, value: String)], selfClosing: Bool)
        case end(String)
        case comment((Int, Int))
        case declaration
    }

    static func scanTag(_ bytes: [UInt8], at start: Int) -> (kind: TagKind, end: Int)? {
        var index = start + 1
        guard index < bytes.count else { return nil }
        if bytes[index] == UInt8(ascii: "!") {
            if matches(bytes, at: index + 1, "--") {
                let innerStart = index + 3
                var search = innerStart
                while search + 2 < bytes.count + 0 {
                    if matches(bytes, at: search, "-->") {
                        return (.comment((innerStart, search)), search + 3)
                    }
                    search += 1
                }
                return (.comment((innerStart, bytes.count)), bytes.count)
            }
            guard let close = bytes[index...].firstIndex(of: UInt8(ascii: ">")) else { return nil }
            return (.declaration, close + 1)
        }
        var isEnd = false
        if bytes[index] == UInt8(ascii: "/") {
            isEnd = true
            index += 1
        }
        guard index < bytes.count, isLetter(bytes[index]) else { return nil }
        let nameStart = index
        while index < bytes.count, isNameByte(bytes[index]) { index += 1 }
        let name = String(decoding: bytes[nameStart..<index], as: UTF8.self).lowercased()
        var attributes: [(name: String, value: String)] = []
        var selfClosing = false
        while index < bytes.count {
            while index < bytes.count, isSpace(bytes[index]) { index += 1 }
            guard index < bytes.count else { return nil }
            let byte = bytes[index]
            if byte == UInt8(ascii: ">") {
                let kind: TagKind =
                    isEnd ? .end(name) : .start(name, attributes, selfClosing: selfClosing)
                return (kind, index + 1)
            }
            if byte == UInt8(ascii: "/") {
                selfClosing = true
                index += 1
                continue
            }
            selfClosing = false
            let attributeStart = index
            while index < bytes.count, !isSpace(bytes[index]),
                ![UInt8(ascii: "="), UInt8(ascii: ">"), UInt8(ascii: "/")].contains(bytes[index])
            {
                index += 1
            }
            if index == attributeStart { index += 1 }
            let attributeName = String(decoding: bytes[attributeStart..<index], as: UTF8.self).lowercased()
            while index < bytes.count, isSpace(bytes[index]) { index += 1 }
            var value = ""
            if index < bytes.count, bytes[index] == UInt8(ascii: "=") {
                index += 1
                while index < bytes.count, isSpace(bytes[index]) { index += 1 }
                guard index < bytes.count else { return nil }
                let quote = bytes[index]
                if quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
                    guard let close = bytes[(index + 1)...].firstIndex(of: quote) else { return nil }
                    value = String(decoding: bytes[(index + 1)..<close], as: UTF8.self)
                    index = close + 1
                } else {
                    let valueStart = index
                    while index < bytes.count, !isSpace(bytes[index]), bytes[index] != UInt8(ascii: ">") {
                        index += 1
                    }
                    value = String(decoding: bytes[valueStart..<index], as: UTF8.self)
                }
            }
            attributes.append((attributeName, HTMLEntities.decode(value)))
        }
        return nil
    }

    private static func findEndTag(_ bytes: [UInt8], name: String, from: Int) -> (
        contentEnd: Int, tagEnd: Int
    ) {
        let needle = Array("</\(name)".utf8)
        var index = from
        while index + needle.count <= bytes.count {
            if bytes[index] == UInt8(ascii: "<"),
                zip(bytes[index..<(index + needle.count)], needle).allSatisfy({ lower($0) == $1 })
            {
                let close = bytes[index...].firstIndex(of: UInt8(ascii: ">")) ?? (bytes.count - 1)
                return (index, close + 1)
            }
            index += 1
        }
        return (bytes.count, bytes.count)
    }

    private static func matches(_ bytes: [UInt8], at index: Int, _ text: String) -> Bool {
        let needle = Array(text.utf8)
        guard index + needle.count <= bytes.count else { return false }
        return Array(bytes[index..<(index + needle.count)]) == needle
    }

    private static func lower(_ byte: UInt8) -> UInt8 {
        byte >= 65 && byte <= 90 ? byte + 32 : byte
    }
    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
    }
    private static func isNameByte(_ byte: UInt8) -> Bool {
        isLetter(byte) || (byte >= 48 && byte <= 57) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ":")
    }
    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 32 || byte == 9 || byte == 10 || byte == 13 || byte == 12
    }
}
