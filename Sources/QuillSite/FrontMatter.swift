import Foundation
import Yams

/// The YAML block between a first line `---` and the next `---` (or `...`). A `---` anywhere
/// else in a file is a Markdown thematic break, never front matter.
struct FrontMatter {
    /// Each top-level key with its value and the line (in the whole file) it sits on.
    var fields: [String: (node: Node, line: Int)] = [:]
    var keyOrder: [String] = []
    /// The Markdown after the block, and the file line it starts on.
    var body: Substring
    var bodyLine: Int

    static func split(_ text: String, file: String) throws(SiteError) -> FrontMatter {
        guard text.hasPrefix("---"), let firstEnd = text.firstIndex(of: "\n"),
            Markdown.trimmed(String(text[..<firstEnd])) == "---"
        else {
            return FrontMatter(body: text[...], bodyLine: 1)
        }
        var lineStart = text.index(after: firstEnd)
        var lineNumber = 2
        while lineStart < text.endIndex {
            let lineEnd = text[lineStart...].firstIndex(of: "\n") ?? text.endIndex
            let line = Markdown.trimmed(String(text[lineStart..<lineEnd]))
            if line == "---" || line == "..." {
                let yaml = String(text[text.index(after: firstEnd)..<lineStart])
                let bodyStart = lineEnd < text.endIndex ? text.index(after: lineEnd) : lineEnd
                var matter = FrontMatter(body: text[bodyStart...], bodyLine: lineNumber + 1)
                try matter.parse(yaml, file: file)
                return matter
            }
            lineStart = lineEnd < text.endIndex ? text.index(after: lineEnd) : lineEnd
            lineNumber += 1
        }
        throw SiteError(file: file, line: 1, "front matter opened with '---' is never closed by a '---' line")
    }

    private mutating func parse(_ yaml: String, file: String) throws(SiteError) {
        let root: Node?
        do {
            // No resolver rules: Yams's default rules are ICU regular expressions whose one-time
            // set-up cost 5 ms, a tenth of a one-post rebuild, and the accessors below never
            // consult them (values' tags stay unresolved; `node.bool` reads the words itself).
            root = try Yams.compose(yaml: yaml, .basic)
        } catch let error as YamlError {
            throw Self.describe(error, file: file)
        } catch {
            throw SiteError(file: file, line: 2, "front matter: \(error)")
        }
        guard let root else { return }  // an empty block
        guard let mapping = root.mapping else {
            throw SiteError(file: file, line: 2, "front matter must be a YAML mapping of 'key: value' lines")
        }
        for (key, value) in mapping {
            let line = (key.mark?.line ?? 1) + 1
            guard let name = key.string else {
                throw SiteError(file: file, line: line, "front matter keys must be strings")
            }
            if fields[name] != nil {
                throw SiteError(file: file, line: line, "front matter key '\(name)' is given twice")
            }
            fields[name] = (value, line)
            keyOrder.append(name)
        }
    }

    private static func describe(_ error: YamlError, file: String) -> SiteError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            // "While parsing X" errors are reported where X began, the line an author must fix.
            let detail = context.map { "\(problem) \($0.text)" } ?? problem
            let line = context?.mark.line ?? mark.line
            return SiteError(file: file, line: line + 1, "invalid front matter: \(detail)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return SiteError(
                file: file, line: context.mark.line + 1,
                "front matter key '\(duplicates.joined(separator: "', '"))' is given twice")
        default:
            return SiteError(file: file, line: 2, "invalid front matter: \(error)")
        }
    }

    // Typed accessors: each names the file and line of a value of the wrong type.

    func string(_ key: String, file: String) throws(SiteError) -> String? {
        guard let (node, line) = fields[key] else { return nil }
        if node.scalar == nil {
            throw SiteError(file: file, line: line, "'\(key)' must be a single value, not a list or mapping")
        }
        if case .scalar(let scalar) = node,
            scalar.tag.description.hasSuffix("null") || scalar.string.isEmpty || Self.isPlainNull(scalar)
        {
            return nil
        }
        return node.string
    }

    /// YAML's null words, unquoted (`description: null`, `~`): no value, not the text "null".
    /// Quoted ('null') they stay text. The basic resolver leaves their tags unresolved.
    private static func isPlainNull(_ scalar: Node.Scalar) -> Bool {
        scalar.style == .plain && ["null", "Null", "NULL", "~"].contains(scalar.string)
    }

    func bool(_ key: String, file: String) throws(SiteError) -> Bool? {
        guard let (node, line) = fields[key] else { return nil }
        guard let value = node.bool else {
            throw SiteError(file: file, line: line, "'\(key)' must be true or false")
        }
        return value
    }

    /// A list of strings; a single string is taken as a list of one (comma-separated for tags).
    func strings(_ key: String, file: String, commaSeparated: Bool = false) throws(SiteError) -> [String] {
        guard let (node, line) = fields[key] else { return [] }
        if let scalar = node.scalar {
            if scalar.string.isEmpty || node.null != nil { return [] }
            let parts =
                commaSeparated ? scalar.string.split(separator: ",").map(String.init) : [scalar.string]
            return parts.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        guard let sequence = node.sequence else {
            throw SiteError(file: file, line: line, "'\(key)' must be a list of strings")
        }
        var out: [String] = []
        for item in sequence {
            guard let value = item.scalar?.string else {
                throw SiteError(
                    file: file, line: (item.mark?.line ?? line - 1) + 1, "'\(key)' must list strings")
            }
            out.append(value)
        }
        return out
    }

    func date(_ key: String, file: String, zone: TimeZone) throws(SiteError) -> Date? {
        guard let text = try string(key, file: file) else { return nil }
        guard let date = DateParser.parse(text, zone: zone) else {
            throw SiteError(
                file: file, line: fields[key]!.line,
                "'\(key)' is not a date: '\(text)' (use YYYY-MM-DD, optionally with HH:MM[:SS] and a zone)")
        }
        return date
    }

    /// A YAML value as plain Swift values for templates (strings, lists, dictionaries).
    static func plain(_ node: Node) -> Any {
        switch node {
        case .scalar(let scalar): return scalar.string
        case .sequence(let sequence): return sequence.map { plain($0) }
        case .mapping(let mapping):
            var out: [String: Any] = [:]
            for (key, value) in mapping { out[key.string ?? ""] = plain(value) }
            return out
        case .alias: return ""
        }
    }
}
