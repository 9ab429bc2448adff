import Foundation

/// Converts a Ghost 5 Lexical document to Markdown: text nodes are rendered to the HTML Ghost makes
/// and converted; card nodes go through `GhostCards`.
enum GhostLexical {
    static func convert(_ json: String) throws -> (markdown: String, warnings: [String]) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)),
            let document = object as? [String: Any], let root = document["root"] as? [String: Any]
        else { throw GhostMobiledoc.Failure(reason: "lexical is not a JSON object with a \"root\"") }
        var blocks: [String] = []
        var warnings: [String] = []
        for case let node as [String: Any] in root["children"] as? [Any] ?? [] {
            let type = node["type"] as? String ?? ""
            if let html = blockHTML(node) {
                let converted = HTMLToMarkdown.convert(html)
                if !converted.isEmpty { blocks.append(converted) }
            } else {
                let rendered = GhostCards.render(name: type, payload: node)
                if !rendered.markdown.isEmpty { blocks.append(rendered.markdown) }
                if let warning = rendered.warning { warnings.append(warning) }
            }
        }
        return (blocks.joined(separator: "\n\n"), warnings)
    }

    /// The HTML of a text-bearing block node, or nil for card nodes.
    private static func blockHTML(_ node: [String: Any]) -> String? {
        let children = node["children"] as? [Any] ?? []
        switch node["type"] as? String ?? "" {
        case "paragraph", "extended-paragraph":
            return "<p>\(inlineHTML(children))</p>"
        case "heading", "extended-heading":
            let tag =
                (node["tag"] as? String).flatMap {
                    $0.range(of: #"^h[1-6]$"#, options: .regularExpression) != nil ? $0 : nil
                } ?? "h2"
            return "<\(tag)>\(inlineHTML(children))</\(tag)>"
        case "quote", "extended-quote":
            return "<blockquote>\(inlineHTML(children))</blockquote>"
        case "aside":
            return "<blockquote class=\"kg-blockquote-alt\">\(inlineHTML(children))</blockquote>"
        case "list":
            return listHTML(node)
        default:
            return nil
        }
    }

    private static func listHTML(_ node: [String: Any]) -> String {
        let ordered = node["listType"] as? String == "number"
        let tag = ordered ? "ol" : "ul"
        let start = (node["start"] as? Int).flatMap { ordered && $0 != 1 ? " start=\"\($0)\"" : nil } ?? ""
        var html = "<\(tag)\(start)>"
        for case let item as [String: Any] in node["children"] as? [Any] ?? [] {
            var inner = ""
            for case let child as [String: Any] in item["children"] as? [Any] ?? [] {
                if child["type"] as? String == "list" {
                    inner += listHTML(child)
                } else {
                    inner += inlineHTML([child])
                }
            }
            html += "<li>\(inner)</li>"
        }
        return html + "</\(tag)>"
    }

    /// Lexical text format bits, in the nesting order Ghost renders them.
    private static let formats: [(bit: Int, tag: String)] = [
        (1, "strong"), (2, "em"), (4, "s"), (8, "u"), (16, "code"), (32, "sub"), (64, "sup"), (128, "mark"),
    ]

    private static func inlineHTML(_ nodes: [Any]) -> String {
        var html = ""
        for case let node as [String: Any] in nodes {
            switch node["type"] as? String ?? "" {
            case "text", "extended-text":
                let format = node["format"] as? Int ?? 0
                var text = GhostCards.escapeText(node["text"] as? String ?? "")
                for (bit, tag) in formats.reversed() where format & bit != 0 {
                    text = "<\(tag)>\(text)</\(tag)>"
                }
                html += text
            case "linebreak":
                html += "<br>"
            case "tab":
                html += "\t"
            case "link", "autolink":
                var attributes = " href=\"\(GhostCards.escapeAttribute(node["url"] as? String ?? ""))\""
                for key in ["title", "rel", "target"] {
                    if let value = node[key] as? String, !value.isEmpty {
                        attributes += " \(key)=\"\(GhostCards.escapeAttribute(value))\""
                    }
                }
                html += "<a\(attributes)>\(inlineHTML(node["children"] as? [Any] ?? []))</a>"
            default:
                if let children = node["children"] as? [Any] {
                    html += inlineHTML(children)
                } else if let text = node["text"] as? String {
                    html += GhostCards.escapeText(text)
                }
            }
        }
        return html
    }
}
