/// A node of an HTML fragment as the converter needs it: elements keep their original source text,
/// so that whatever Markdown cannot express is written back byte for byte as raw HTML.
final class HTMLNode {
    enum Kind {
        case element
        case text
        case comment
    }

    let kind: Kind
    /// Lowercased tag name for elements; empty otherwise.
    let name: String
    let attributes: [(name: String, value: String)]
    /// Decoded text for text nodes; the comment's inner text for comments.
    let text: String
    /// The element's start tag exactly as written, e.g. `<a href="/x" target="_blank">`.
    let startTag: String
    /// The whole node's source, start tag to end tag (or to its last child when the end tag was
    /// implied), set once parsing is done.
    var source: String = ""
    var children: [HTMLNode] = []

    init(element name: String, attributes: [(name: String, value: String)], startTag: String) {
        self.kind = .element
        self.name = name
        self.attributes = attributes
        self.text = ""
        self.startTag = startTag
    }

    init(text: String, source: String) {
        self.kind = .text
        self.name = ""
        self.attributes = []
        self.text = text
        self.startTag = ""
        self.source = source
    }

    init(comment: String, source: String) {
        self.kind = .comment
        self.name = ""
        self.attributes = []
        self.text = comment
        self.startTag = ""
        self.source = source
    }

    func attribute(_ name: String) -> String? {
        attributes.first { $0.name == name }?.value
    }

    /// All text below this node, decoded, as a browser's textContent.
    var textContent: String {
        switch kind {
        case .text: return text
        case .comment: return ""
        case .element: return children.map(\.textContent).joined()
        }
    }

    var isWhitespaceText: Bool {
        kind == .text && text.allSatisfy { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
    }
}
