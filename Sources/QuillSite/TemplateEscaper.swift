import Mustache

/// The HTML escaping of `{{name}}` in templates, with swift-mustache's output but not its speed:
/// its escaper walks every value Character by Character through a dictionary, 9% of a full
/// build's CPU. Most values need no escaping at all, and ASCII ones are escaped over bytes.
/// Theme.load parses every template with a first line naming this content type.
struct TemplateEscaper: MustacheContentType {
    static let name = "QUILL_HTML"
    /// A standalone pragma line: removed whole by the parser, so the output is unchanged and
    /// only line numbers move down by one (Theme.load reports them as the file has them).
    static let pragma = "{{% CONTENT_TYPE: \(name)}}\n"

    /// Registered once, before the first template is parsed.
    static let registered: Void = MustacheContentTypes.register(TemplateEscaper(), named: name)

    private static let replacements: [Character: String] = [
        "<": "&lt;", ">": "&gt;", "&": "&amp;", "\"": "&quot;", "'": "&#39;",
    ]

    func escapeText(_ text: String) -> String {
        var special = false
        var ascii = true
        for byte in text.utf8 {
            if byte >= 0x80 {
                ascii = false
            } else if byte == 38 || byte == 60 || byte == 62 || byte == 34 || byte == 39 {
                special = true
            }
        }
        if !special { return text }
        if ascii { return HTML.escape(text) }
        // Beside other text, a quote may begin a Character with a combining mark, which
        // swift-mustache leaves alone; its own Character-wise walk decides there.
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for character in text {
            if let replacement = Self.replacements[character] {
                out += replacement
            } else {
                out.append(character)
            }
        }
        return out
    }
}
