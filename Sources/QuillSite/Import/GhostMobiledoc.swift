import Foundation

/// Converts a Ghost 1.x–4.x mobiledoc document to Markdown. Markdown cards are taken verbatim (the
/// author's own source); text sections are rendered to the HTML Ghost would have made and converted.
enum GhostMobiledoc {
    struct Failure: Error {
        let reason: String
    }

    static func convert(_ json: String) throws -> (markdown: String, warnings: [String]) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)),
            let document = object as? [String: Any]
        else { throw Failure(reason: "mobiledoc is not a JSON object") }
        let markups = document["markups"] as? [[Any]] ?? []
        let atoms = document["atoms"] as? [[Any]] ?? []
        let cards = document["cards"] as? [[Any]] ?? []
        guard let sections = document["sections"] as? [[Any]] else {
            throw Failure(reason: "mobiledoc has no \"sections\" list")
        }
        var blocks: [String] = []
        var warnings: [String] = []
        var listRun: [String] = []

        func markersHTML(_ markers: [Any]) -> String {
            var html = ""
            var open: [String] = []
            for case let marker as [Any] in markers {
                guard marker.count >= 4 else { continue }
                let type = marker[0] as? Int ?? 0
                for case let index as Int in marker[1] as? [Any] ?? [] where index < markups.count {
                    let markup = markups[index]
                    let tag = (markup.first as? String ?? "span").lowercased()
                    var attributes = ""
                    let pairs = markup.count > 1 ? markup[1] as? [Any] ?? [] : []
                    for pair in stride(from: 0, to: pairs.count - 1, by: 2) {
                        if let name = pairs[pair] as? String, let value = pairs[pair + 1] as? String {
                            attributes += " \(name)=\"\(GhostCards.escapeAttribute(value))\""
                        }
                    }
                    html += "<\(tag)\(attributes)>"
                    open.append(tag)
                }
                if type == 1, let index = marker[3] as? Int, index < atoms.count {
                    let atom = atoms[index]
                    let name = atom.first as? String ?? ""
                    if name == "soft-return" {
                        html += "<br>"
                    } else {
                        html += GhostCards.escapeText(atom.count > 1 ? atom[1] as? String ?? "" : "")
                    }
                } else {
                    html += GhostCards.escapeText(marker[3] as? String ?? "")
                }
                let closed = min(marker[2] as? Int ?? 0, open.count)
                for _ in 0..<closed { html += "</\(open.removeLast())>" }
            }
            while let tag = open.popLast() { html += "</\(tag)>" }
            return html
        }

        for section in sections {
            guard let kind = section.first as? Int else { continue }
            switch kind {
            case 1:
                let tag = (section.count > 1 ? section[1] as? String : nil)?.lowercased() ?? "p"
                let inner = markersHTML(section.count > 2 ? section[2] as? [Any] ?? [] : [])
                let html: String
                switch tag {
                case "aside": html = "<blockquote class=\"kg-blockquote-alt\">\(inner)</blockquote>"
                case "pull-quote": html = "<blockquote class=\"kg-blockquote-alt\">\(inner)</blockquote>"
                default: html = "<\(tag)>\(inner)</\(tag)>"
                }
                let converted = HTMLToMarkdown.convert(html)
                if !converted.isEmpty { blocks.append(converted) }
            case 2:
                let src = section.count > 1 ? section[1] as? String ?? "" : ""
                blocks.append(GhostCards.render(name: "image", payload: ["src": src]).markdown)
            case 3:
                let tag =
                    (section.count > 1 ? section[1] as? String : nil)?.lowercased() == "ol" ? "ol" : "ul"
                let items = (section.count > 2 ? section[2] as? [Any] ?? [] : []).compactMap { $0 as? [Any] }
                listRun = items.map { "<li>\(markersHTML($0))</li>" }
                blocks.append(HTMLToMarkdown.convert("<\(tag)>\(listRun.joined())</\(tag)>"))
            case 10:
                guard section.count > 1, let index = section[1] as? Int, index < cards.count else {
                    warnings.append("mobiledoc card section points at no card")
                    continue
                }
                let card = cards[index]
                let name = card.first as? String ?? ""
                let payload = card.count > 1 ? card[1] as? [String: Any] ?? [:] : [:]
                let rendered = GhostCards.render(name: name, payload: payload)
                if !rendered.markdown.isEmpty { blocks.append(rendered.markdown) }
                if let warning = rendered.warning { warnings.append(warning) }
            default:
                warnings.append("mobiledoc section of kind \(kind) is unknown and was kept as a comment")
                let data = (try? JSONSerialization.data(withJSONObject: section)).map {
                    String(decoding: $0, as: UTF8.self)
                }
                blocks.append(
                    "<!-- ghost mobiledoc section: \((data ?? "").replacingOccurrences(of: "--", with: "- -")) -->"
                )
            }
        }
        return (blocks.joined(separator: "\n\n"), warnings)
    }
}
