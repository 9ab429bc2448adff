import CCmark
import Foundation

/// A Markdown body rendered by cmark-gfm: CommonMark plus GFM tables, strikethrough, autolinks,
/// task lists and footnotes; raw HTML passes through (migrated posts are often one HTML block).
struct RenderedMarkdown: Sendable {
    /// The first heading's text when the caller asked for it; that heading is then not in `html`.
    var title: String?
    var html: String
    /// The blocks before a `<!--more-->` marker, else the first paragraph.
    var excerptHTML: String
    var excerptText: String
    var wordCount: Int
}

enum Markdown {
    private static let registered: Bool = {
        cmark_gfm_core_extensions_ensure_registered()
        return true
    }()

    private static let extensionNames = ["table", "strikethrough", "autolink", "tasklist"]
    private static let moreMarker = "<!--more-->"
    private static let anchorMarker = "<!--quill:anchor-->"

    /// `takeTitle`: the first heading becomes the title. Otherwise, with `knownTitle` (from
    /// front matter), a first block that is a heading with that same text is dropped, so that
    /// migrated posts that repeat their title in the body do not show it twice.
    static func render(_ source: Substring, takeTitle: Bool, knownTitle: String? = nil) -> RenderedMarkdown {
        _ = registered
        let options = CMARK_OPT_UNSAFE | CMARK_OPT_FOOTNOTES | CMARK_OPT_SMART
        guard let parser = cmark_parser_new(options) else { fatalError("cmark_parser_new: out of memory") }
        defer { cmark_parser_free(parser) }
        for name in extensionNames {
            if let ext = cmark_find_syntax_extension(name) {
                cmark_parser_attach_syntax_extension(parser, ext)
            }
        }
        var text = String(source)
        text.withUTF8 { buffer in
            buffer.withMemoryRebound(to: CChar.self) { cmark_parser_feed(parser, $0.baseAddress, $0.count) }
        }
        guard let document = cmark_parser_finish(parser) else { fatalError("cmark_parser_finish failed") }
        defer { cmark_node_free(document) }
        let extensions = cmark_parser_get_syntax_extensions(parser)

        var title: String?
        if takeTitle, let heading = firstHeading(document) {
            title = plainText(heading, options: options)
            cmark_node_unlink(heading)
            cmark_node_free(heading)
        }
        if !takeTitle, let knownTitle, let first = cmark_node_first_child(document),
            cmark_node_get_type(first) == CMARK_NODE_HEADING, plainText(first, options: options) == knownTitle
        {
            cmark_node_unlink(first)
            cmark_node_free(first)
        }
        let headings = markHeadings(document)
        let html = addAnchors(
            renderHTML(document, options: options, extensions: extensions), headings: headings)

        // The excerpt: blocks before a <!--more--> marker, else the first paragraph. The marker
        // may be a block of its own or inline ("text <!--more--> more text"); inline, the block
        // holding it is cut there (the full `html` above is already rendered, so the tree may
        // be changed now).
        var excerptBlocks: [OpaquePointer] = []
        var child = cmark_node_first_child(document)
        var firstParagraph: OpaquePointer?
        var sawMarker = false
        while let node = child {
            let type = cmark_node_get_type(node)
            if type == CMARK_NODE_HTML_BLOCK, literal(node).contains(moreMarker) {
                sawMarker = true
                break
            }
            if type != CMARK_NODE_HTML_BLOCK, let marker = inlineMarker(in: node) {
                cutAt(marker, block: node)
                if cmark_node_first_child(node) != nil { excerptBlocks.append(node) }
                sawMarker = true
                break
            }
            if type == CMARK_NODE_PARAGRAPH, firstParagraph == nil { firstParagraph = node }
            excerptBlocks.append(node)
            child = cmark_node_next(node)
        }
        if !sawMarker {
            // The first paragraph; a post that is one HTML block (a migrated post) has none.
            let first = cmark_node_first_child(document)
            excerptBlocks = (firstParagraph ?? first).map { [$0] } ?? []
        }
        var excerptHTML = ""
        for block in excerptBlocks {
            excerptHTML += renderHTML(block, options: options, extensions: extensions)
        }
        excerptHTML = HTML.removingFootnoteReferences(removeAnchorMarkers(excerptHTML))
        let excerptText = HTML.text(excerptHTML)
        let words = countWords(plainText(document, options: options))
        return RenderedMarkdown(
            title: title, html: html, excerptHTML: excerptHTML,
            excerptText: excerptText, wordCount: words)
    }

    /// The first inline `<!--more-->` inside a block, if any.
    private static func inlineMarker(in block: OpaquePointer) -> OpaquePointer? {
        guard let iterator = cmark_iter_new(block) else { return nil }
        defer { cmark_iter_free(iterator) }
        while cmark_iter_next(iterator) != CMARK_EVENT_DONE {
            let node = cmark_iter_get_node(iterator)!
            if cmark_node_get_type(node) == CMARK_NODE_HTML_INLINE, literal(node).contains(moreMarker) {
                return node
            }
        }
        return nil
    }

    /// Removes `marker` and everything after it inside `block`: its later siblings, then the later
    /// siblings of each ancestor up to the block. Trailing spaces before the marker go too.
    private static func cutAt(_ marker: OpaquePointer, block: OpaquePointer) {
        var node: OpaquePointer? = marker
        while let current = node, current != block {
            while let next = cmark_node_next(current) {
                cmark_node_unlink(next)
                cmark_node_free(next)
            }
            node = cmark_node_parent(current)
        }
        let parent = cmark_node_parent(marker)
        cmark_node_unlink(marker)
        cmark_node_free(marker)
        // "Text <!--more-->" leaves "Text " (or a soft break) at the end: drop it.
        while let parent, let last = cmark_node_last_child(parent) {
            let type = cmark_node_get_type(last)
            if type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK {
                cmark_node_unlink(last)
                cmark_node_free(last)
            } else if type == CMARK_NODE_TEXT {
                let text = literal(last)
                let kept = String(
                    decoding: Array(text.utf8).reversed().drop(while: { $0 == 32 }).reversed(), as: UTF8.self)
                if kept.isEmpty {
                    cmark_node_unlink(last)
                    cmark_node_free(last)
                } else {
                    if kept != text { cmark_node_set_literal(last, kept) }
                    break
                }
            } else {
                break
            }
        }
    }

    /// The first level-1 heading at the top level, else the first heading of any level there.
    private static func firstHeading(_ document: OpaquePointer) -> OpaquePointer? {
        var child = cmark_node_first_child(document)
        var first: OpaquePointer?
        while let node = child {
            if cmark_node_get_type(node) == CMARK_NODE_HEADING {
                if cmark_node_get_heading_level(node) == 1 { return node }
                if first == nil { first = node }
            }
            child = cmark_node_next(node)
        }
        return first
    }

    /// Puts a marker comment at the start of every heading and returns each heading's anchor id,
    /// in document order; `addAnchors` turns `<hN><!--marker-->` into `<hN id="…">`.
    private static func markHeadings(_ document: OpaquePointer) -> [String] {
        var ids: [String] = []
        var used: [String: Int] = [:]
        guard let iterator = cmark_iter_new(document) else { return [] }
        defer { cmark_iter_free(iterator) }
        var headings: [OpaquePointer] = []
        while cmark_iter_next(iterator) != CMARK_EVENT_DONE {
            let node = cmark_iter_get_node(iterator)!
            if cmark_iter_get_event_type(iterator) == CMARK_EVENT_ENTER,
                cmark_node_get_type(node) == CMARK_NODE_HEADING
            {
                headings.append(node)
            }
        }
        for heading in headings {
            var id = Slug.make(plainText(heading, options: 0))
            if id.isEmpty { id = "section" }
            if let count = used[id] {
                used[id] = count + 1
                id += "-\(count)"
            } else {
                used[id] = 1
            }
            ids.append(id)
            let marker = cmark_node_new(CMARK_NODE_HTML_INLINE)
            cmark_node_set_literal(marker, anchorMarker)
            cmark_node_prepend_child(heading, marker)
        }
        return ids
    }

    private static func addAnchors(_ html: String, headings: [String]) -> String {
        guard !headings.isEmpty else { return html }
        let source = Array(html.utf8)
        let marker = Array(anchorMarker.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(source.count + headings.count * 96)
        var index = 0
        var heading = 0
        while let found = Bytes.find(marker, in: source, from: index) {
            // The marker sits right after "<hN>", the four bytes before it.
            if found >= index + 4, source[found - 1] == 62, source[found - 4] == 60, heading < headings.count
            {
                let id = headings[heading]
                out += source[index..<(found - 1)]
                out +=
                    " id=\"\(id)\"><a class=\"anchor\" href=\"#\(id)\" aria-hidden=\"true\" tabindex=\"-1\">#</a>"
                    .utf8
            } else {
                out += source[index..<found]
            }
            heading += 1
            index = found + marker.count
        }
        out += source[index...]
        return String(decoding: out, as: UTF8.self)
    }

    private static func removeAnchorMarkers(_ html: String) -> String {
        let source = Array(html.utf8)
        let marker = Array(anchorMarker.utf8)
        guard var found = Bytes.find(marker, in: source, from: 0) else { return html }
        var out: [UInt8] = []
        var index = 0
        while true {
            out += source[index..<found]
            index = found + marker.count
            guard let next = Bytes.find(marker, in: source, from: index) else { break }
            found = next
        }
        out += source[index...]
        return String(decoding: out, as: UTF8.self)
    }

    /// Text without leading and trailing ASCII whitespace (Foundation's trimming bridges to
    /// NSString and showed up in profiles of large builds).
    static func trimmed(_ text: String) -> String {
        let bytes = Array(text.utf8)
        func isSpace(_ byte: UInt8) -> Bool { byte == 32 || byte == 10 || byte == 9 || byte == 13 }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = bytes.lastIndex(where: { !isSpace($0) })!
        if first == 0, last == bytes.count - 1 { return text }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }

    /// Words in text: runs of non-space bytes.
    static func countWords(_ text: String) -> Int {
        var count = 0
        var inWord = false
        for byte in text.utf8 {
            let space = byte == 32 || byte == 10 || byte == 9 || byte == 13
            if !space, !inWord { count += 1 }
            inWord = !space
        }
        return count
    }

    private static func renderHTML(
        _ node: OpaquePointer, options: Int32, extensions: UnsafeMutablePointer<cmark_llist>?
    ) -> String {
        guard let raw = cmark_render_html(node, options, extensions) else { return "" }
        defer { free(raw) }
        return String(cString: raw)
    }

    private static func plainText(_ node: OpaquePointer, options: Int32) -> String {
        guard let raw = cmark_render_plaintext(node, options, 0) else { return "" }
        defer { free(raw) }
        return trimmed(String(cString: raw))
    }

    private static func literal(_ node: OpaquePointer) -> String {
        cmark_node_get_literal(node).map { String(cString: $0) } ?? ""
    }

    static func collapseWhitespace(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
