import Foundation

/// Renders a Ghost editor card (mobiledoc card or Lexical decorator node; both carry the same
/// payload fields) as one Markdown block. Cards Markdown can say (markdown, plain image, code, hr)
/// become Markdown; the rest become the HTML Ghost rendered for them; unknown ones are kept whole
/// as an HTML block and reported.
enum GhostCards {
    struct Rendered {
        var markdown: String
        var warning: String?
    }

    static func render(name: String, payload: [String: Any]) -> Rendered {
        func string(_ key: String) -> String? {
            (payload[key] as? String).flatMap { $0.isEmpty ? nil : $0 }
        }
        switch name {
        case "markdown", "card-markdown":
            return Rendered(markdown: (string("markdown") ?? "").trimmingCharacters(in: .newlines))
        case "html", "card-html":
            return Rendered(markdown: HTMLToMarkdown.convert(string("html") ?? ""))
        case "hr", "horizontalrule":
            return Rendered(markdown: "---")
        case "image":
            return Rendered(markdown: image(payload))
        case "code", "codeblock":
            let code = string("code") ?? ""
            guard let caption = string("caption") else {
                return Rendered(markdown: MarkdownText.codeBlock(code, language: string("language")))
            }
            let language = string("language").map { " class=\"language-\(escapeAttribute($0))\"" } ?? ""
            let html =
                "<figure class=\"kg-card kg-code-card\"><pre><code\(language)>\(escapeText(code))</code></pre>"
                + "<figcaption>\(caption)</figcaption></figure>"
            return Rendered(markdown: MarkdownText.htmlBlock(html, tagName: "figure"))
        case "embed":
            let html =
                "<figure class=\"kg-card kg-embed-card\">\(string("html") ?? "")"
                + (string("caption").map { "<figcaption>\($0)</figcaption>" } ?? "") + "</figure>"
            return Rendered(markdown: MarkdownText.htmlBlock(html, tagName: "figure"))
        case "bookmark":
            return Rendered(markdown: MarkdownText.htmlBlock(bookmark(payload), tagName: "figure"))
        case "gallery":
            return Rendered(markdown: MarkdownText.htmlBlock(gallery(payload), tagName: "figure"))
        case "callout":
            let color = string("backgroundColor") ?? "grey"
            let emoji = string("calloutEmoji").map { "<div class=\"kg-callout-emoji\">\($0)</div>" } ?? ""
            let html =
                "<div class=\"kg-card kg-callout-card kg-callout-card-\(escapeAttribute(color))\">\(emoji)"
                + "<div class=\"kg-callout-text\">\(string("calloutText") ?? "")</div></div>"
            return Rendered(markdown: MarkdownText.htmlBlock(html, tagName: "div"))
        case "toggle":
            let html =
                "<details class=\"kg-card kg-toggle-card\"><summary>\(string("heading") ?? "")</summary>"
                + "<div class=\"kg-toggle-content\">\(string("content") ?? "")</div></details>"
            return Rendered(markdown: MarkdownText.htmlBlock(html, tagName: "details"))
        case "button":
            let alignment = escapeAttribute(string("alignment") ?? "center")
            let html =
                "<div class=\"kg-card kg-button-card kg-align-\(alignment)\"><a href=\""
                + "\(escapeAttribute(string("buttonUrl") ?? ""))\" class=\"kg-btn kg-btn-accent\">"
                + "\(escapeText(string("buttonText") ?? ""))</a></div>"
            return Rendered(markdown: MarkdownText.htmlBlock(html, tagName: "div"))
        default:
            return unknown(name: name, payload: payload)
        }
    }

    /// Keeps an unknown card's whole payload in a data attribute and its own HTML (if it has any)
    /// inside, so nothing is lost and a person can finish it by hand.
    static func unknown(name: String, payload: [String: Any]) -> Rendered {
        let json =
            (try? JSONSerialization.data(
                withJSONObject: payload, options: [.sortedKeys, .withoutEscapingSlashes]))
            .map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        let inner = payload["html"] as? String ?? ""
        let html =
            "<div class=\"kg-card kg-\(escapeAttribute(name))-card\" data-ghost-card=\"\(escapeAttribute(name))\" "
            + "data-ghost-payload=\"\(escapeAttribute(json))\">\(inner)</div>"
        return Rendered(
            markdown: MarkdownText.htmlBlock(html, tagName: "div"),
            warning: "card \"\(name)\" has no Markdown form: kept as an HTML block with its data")
    }

    private static func image(_ payload: [String: Any]) -> String {
        let src = payload["src"] as? String ?? ""
        let alt = payload["alt"] as? String ?? ""
        let title = payload["title"] as? String
        let caption = (payload["caption"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        let width = (payload["cardWidth"] as? String).flatMap { $0.isEmpty || $0 == "regular" ? nil : $0 }
        if caption == nil, width == nil, payload["href"] == nil {
            let altText = MarkdownText.escapeInline(alt)
            return "![\(altText)](\(MarkdownText.destination(src))\(MarkdownText.title(title)))"
        }
        var classes = "kg-card kg-image-card"
        if let width { classes += " kg-width-\(escapeAttribute(width))" }
        if caption != nil { classes += " kg-card-hascaption" }
        var image = "<img src=\"\(escapeAttribute(src))\" class=\"kg-image\" alt=\"\(escapeAttribute(alt))\""
        if let title, !title.isEmpty { image += " title=\"\(escapeAttribute(title))\"" }
        image += " loading=\"lazy\">"
        if let href = payload["href"] as? String, !href.isEmpty {
            image = "<a href=\"\(escapeAttribute(href))\">\(image)</a>"
        }
        let html =
            "<figure class=\"\(classes)\">\(image)"
            + (caption.map { "<figcaption>\($0)</figcaption>" } ?? "") + "</figure>"
        return MarkdownText.htmlBlock(html, tagName: "figure")
    }

    private static func bookmark(_ payload: [String: Any]) -> String {
        let url = payload["url"] as? String ?? ""
        let metadata = payload["metadata"] as? [String: Any] ?? [:]
        func meta(_ key: String) -> String? { (metadata[key] as? String).flatMap { $0.isEmpty ? nil : $0 } }
        var html = "<figure class=\"kg-card kg-bookmark-card\"><a class=\"kg-bookmark-container\" href=\""
        html += escapeAttribute(url) + "\"><div class=\"kg-bookmark-content\">"
        html += "<div class=\"kg-bookmark-title\">\(escapeText(meta("title") ?? url))</div>"
        if let description = meta("description") {
            html += "<div class=\"kg-bookmark-description\">\(escapeText(description))</div>"
        }
        html += "<div class=\"kg-bookmark-metadata\">"
        if let icon = meta("icon") {
            html += "<img class=\"kg-bookmark-icon\" src=\"\(escapeAttribute(icon))\" alt=\"\">"
        }
        if let publisher = meta("publisher") {
            html += "<span class=\"kg-bookmark-author\">\(escapeText(publisher))</span>"
        }
        if let author = meta("author") {
            html += "<span class=\"kg-bookmark-publisher\">\(escapeText(author))</span>"
        }
        html += "</div></div>"
        if let thumbnail = meta("thumbnail") {
            html +=
                "<div class=\"kg-bookmark-thumbnail\"><img src=\"\(escapeAttribute(thumbnail))\" alt=\"\"></div>"
        }
        html += "</a>"
        if let caption = payload["caption"] as? String, !caption.isEmpty {
            html += "<figcaption>\(caption)</figcaption>"
        }
        return html + "</figure>"
    }

    private static func gallery(_ payload: [String: Any]) -> String {
        let images = payload["images"] as? [[String: Any]] ?? []
        var rows: [Int: [[String: Any]]] = [:]
        for (index, image) in images.enumerated() {
            rows[(image["row"] as? Int) ?? index / 3, default: []].append(image)
        }
        var html =
            "<figure class=\"kg-card kg-gallery-card kg-width-wide\"><div class=\"kg-gallery-container\">"
        for row in rows.keys.sorted() {
            html += "<div class=\"kg-gallery-row\">"
            for image in rows[row]! {
                html +=
                    "<div class=\"kg-gallery-image\"><img src=\"\(escapeAttribute(image["src"] as? String ?? ""))\""
                if let width = image["width"] as? Int { html += " width=\"\(width)\"" }
                if let height = image["height"] as? Int { html += " height=\"\(height)\"" }
                html += " loading=\"lazy\" alt=\"\(escapeAttribute(image["alt"] as? String ?? ""))\"></div>"
            }
            html += "</div>"
        }
        html += "</div>"
        if let caption = payload["caption"] as? String, !caption.isEmpty {
            html += "<figcaption>\(caption)</figcaption>"
        }
        return html + "</figure>"
    }

    static func escapeText(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    static func escapeAttribute(_ text: String) -> String {
        escapeText(text).replacingOccurrences(of: "\"", with: "&quot;")
    }
}
