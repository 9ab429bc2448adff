import Foundation
import Yams

/// Writes the YAML front matter of an imported file, keys in a fixed, readable order, and reads back
/// the two hidden keys the importer uses to recognise its own files on a later run.
struct GhostFrontMatter {
    enum Value {
        case string(String)
        case date(Date)
        case bool(Bool)
        case list([String])
    }

    /// The post's id in the Ghost export: how a second import finds the file it wrote before.
    static let idKey = "ghost_id"
    /// FNV-1a 64 of the file as the import wrote it (without this line). If the file no longer
    /// hashes to it, a person has edited it, and a new import leaves it alone unless --force.
    static let hashKey = "ghost_import_hash"

    private(set) var entries: [(key: String, value: Value)] = []

    mutating func set(_ key: String, _ value: String?) {
        if let value, !value.isEmpty { entries.append((key, .string(value))) }
    }
    mutating func set(_ key: String, _ value: Date?) {
        if let value { entries.append((key, .date(value))) }
    }
    mutating func set(_ key: String, _ value: Bool) {
        entries.append((key, .bool(value)))
    }
    mutating func set(_ key: String, _ value: [String]) {
        if !value.isEmpty { entries.append((key, .list(value))) }
    }

    /// The whole file: front matter, a hash line over everything else, and the body.
    func document(body: String) -> String {
        var lines = ["---"]
        for (key, value) in entries {
            switch value {
            case .string(let text): lines.append("\(key): \(Self.quote(text))")
            case .date(let date): lines.append("\(key): \(GhostDate.format(date))")
            case .bool(let flag): lines.append("\(key): \(flag)")
            case .list(let items):
                lines.append("\(key): [" + items.map(Self.quote).joined(separator: ", ") + "]")
            }
        }
        lines.append("---")
        let text = lines.joined(separator: "\n") + "\n" + (body.isEmpty ? "" : body + "\n")
        return Self.insertHash(into: text)
    }

    /// YAML double-quoted scalar; its escapes are a superset of JSON's.
    static func quote(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0x85
                    || scalar.value == 0x2028
                    || scalar.value == 0x2029
                {
                    result += String(format: "\\u%04X", scalar.value)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }

    private static func insertHash(into text: String) -> String {
        let hash = GhostContentHash.hex(text)
        // The hash line goes last in the front matter, just before the closing "---".
        guard let close = text.range(of: "\n---\n") else { return text }
        return text[..<close.lowerBound] + "\n\(hashKey): \"\(hash)\"" + text[close.lowerBound...]
    }

    /// What a later import needs to know about an existing file.
    struct Existing {
        var ghostID: String?
        /// True when the file still hashes to the value the import recorded in it.
        var isUnedited: Bool
    }

    static func inspect(_ text: String) -> Existing {
        guard text.hasPrefix("---\n"),
            let close = text.range(
                of: "\n---\n", range: text.index(text.startIndex, offsetBy: 3)..<text.endIndex)
        else { return Existing(ghostID: nil, isUnedited: false) }
        let yaml = String(text[text.index(text.startIndex, offsetBy: 4)..<close.lowerBound])
        let fields = (try? Yams.load(yaml: yaml)) as? [String: Any] ?? [:]
        let id = fields[idKey].map { "\($0)" }
        guard let recorded = fields[hashKey] as? String else {
            return Existing(ghostID: id, isUnedited: false)
        }
        // Remove exactly the line insertHash added, then hash what remains.
        let line = "\n\(hashKey): \"\(recorded)\""
        guard let range = text.range(of: line) else { return Existing(ghostID: id, isUnedited: false) }
        var stripped = text
        stripped.removeSubrange(range)
        return Existing(ghostID: id, isUnedited: GhostContentHash.hex(stripped) == recorded)
    }
}
