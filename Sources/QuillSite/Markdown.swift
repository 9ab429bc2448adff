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

    static func render(_ source: Substring, takeTitle: Bool) -> RenderedMarkdown {
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
        let headings = markHeadings(document)
        let html = addAnchors(
            renderHTML(document, options: options, extensions: extensions), headings: headings)

        // The excerpt: blocks before a <!--more--> marker, else the first paragraph.
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
        let words = plainText(document, options: options).split { $0 == " " || $0 == "\n" || $0 == "\t" }
        return RenderedMarkdown(
            title: title, html: html, excerptHTML: excerptHTML,
            excerptText: excerptText, wordCount: words.count)
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
        var out = ""
        out.reserveCapacity(html.utf8.count + headings.count * 64)
        var rest = html[...]
        var index = 0
        while let range = rest.range(of: anchorMarker) {
            // The marker sits right after "<hN>", the four characters before it.
            let before = rest[..<range.lowerBound]
            if before.hasSuffix(">"), before.count >= 4, index < headings.count {
                let tagStart = before.index(before.endIndex, offsetBy: -4)
                let id = headings[index]
                out += before[..<tagStart]
                out += before[tagStart..<before.index(before: before.endIndex)]
                out +=
                    " id=\"\(id)\"><a class=\"anchor\" href=\"#\(id)\" aria-hidden=\"true\" tabindex=\"-1\">#</a>"
            } else {
                out += before
            }
            index += 1
            rest = rest[range.upperBound...]
        }
        out += rest
        return out
    }

    private static func removeAnchorMarkers(_ html: String) -> String {
        html.replacingOccurrences(of: anchorMarker, with: "")
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
        return String(cString: raw).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func literal(_ node: OpaquePointer) -> String {
        cmark_node_get_literal(node).map { String(cString: $0) } ?? ""
    }

    static func collapseWhitespace(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
