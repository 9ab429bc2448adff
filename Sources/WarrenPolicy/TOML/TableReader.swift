// Typed reading of one TOML table. Every accessor records a diagnostic (wrong type, missing key,
// bad value) in the shared log and returns nil, so that one pass finds every error of a file;
// `finish()` then reports each key nobody asked for as unknown.

/// Reads the keys of one table (a `[header]` table, an inline table or the document root).
public final class TableReader {
    public let file: String
    public let log: DiagnosticLog
    public let table: TOMLTableNode
    /// The table's dotted name for messages ("" for the root, "limits", "service", "rootfs.bind").
    public let name: String
    private let isRoot: Bool
    private var consumed: Set<String> = []
    private var children: [TableReader] = []

    /// A reader over a document's root table.
    public convenience init(_ document: TOMLDocument, log: DiagnosticLog) {
        self.init(table: document.root, name: "", file: document.file, log: log, isRoot: true)
    }

    init(table: TOMLTableNode, name: String, file: String, log: DiagnosticLog, isRoot: Bool = false) {
        self.table = table
        self.name = name
        self.file = file
        self.log = log
        self.isRoot = isRoot
    }

    /// The line of the table's header or key (1 for the root).
    public var line: Int { table.line }

    /// Every key of the table, in source order.
    public var keys: [String] { table.keys }

    /// The key's line, or the table's when the key is absent.
    public func line(of key: String) -> Int { table[key]?.line ?? table.line }

    /// Whether the key is present (does not count as reading it).
    public func has(_ key: String) -> Bool { table[key] != nil }

    /// `name.key`, as messages spell it.
    public func path(_ key: String) -> String { name.isEmpty ? key : "\(name).\(key)" }

    /// Records an error at the key's line (or the table's).
    public func error(_ key: String?, _ message: String) {
        let line = key.flatMap { table[$0]?.line } ?? (isRoot ? nil : table.line)
        log.error(file, line, message)
    }

    /// Records an error at an explicit line.
    public func error(line: Int?, _ message: String) { log.error(file, line, message) }

    /// The raw node, marked as read; records `missing key` when required and absent.
    public func node(_ key: String, required: Bool = false) -> TOMLNode? {
        consumed.insert(key)
        guard let node = table[key] else {
            if required {
                log.error(file, isRoot ? nil : table.line, "missing key '\(path(key))'")
            }
            return nil
        }
        return node
    }

    private func wrongType(_ key: String, _ node: TOMLNode, _ expected: String) {
        log.error(file, node.line, "'\(path(key))' must be \(expected), not \(node.typeName)")
    }

    public func string(_ key: String, required: Bool = false) -> String? {
        guard let node = node(key, required: required) else { return nil }
        guard case .string(let value) = node.value else {
            wrongType(key, node, "a string")
            return nil
        }
        return value
    }

    /// An integer, optionally within `range` (inclusive).
    public func integer(
        _ key: String, required: Bool = false, range: ClosedRange<Int64>? = nil
    ) -> Int64? {
        guard let node = node(key, required: required) else { return nil }
        guard case .integer(let value) = node.value else {
            wrongType(key, node, "an integer")
            return nil
        }
        if let range, !range.contains(value) {
            let bound =
                range.upperBound == Int64.max
                ? "at least \(range.lowerBound)" : "between \(range.lowerBound) and \(range.upperBound)"
            log.error(file, node.line, "'\(path(key))' must be \(bound), not \(value)")
            return nil
        }
        return value
    }

    public func bool(_ key: String, required: Bool = false) -> Bool? {
        guard let node = node(key, required: required) else { return nil }
        guard case .boolean(let value) = node.value else {
            wrongType(key, node, "a boolean (true or false)")
            return nil
        }
        return value
    }

    /// An array of strings with each element's line; nil (after a diagnostic) if any element is
    /// not a string.
    public func stringArrayWithLines(
        _ key: String, required: Bool = false
    ) -> [(value: String, line: Int)]? {
        guard let node = node(key, required: required) else { return nil }
        guard case .array(let elements) = node.value else {
            wrongType(key, node, "an array of strings")
            return nil
        }
        var result: [(value: String, line: Int)] = []
        var valid = true
        for element in elements {
            if case .string(let value) = element.value {
                result.append((value, element.line))
            } else {
                log.error(file, element.line, "'\(path(key))' must hold strings, not \(element.typeName)")
                valid = false
            }
        }
        return valid ? result : nil
    }

    public func stringArray(_ key: String, required: Bool = false) -> [String]? {
        stringArrayWithLines(key, required: required)?.map(\.value)
    }

    /// A sub-table, written as `[name.key]`, dotted keys or an inline table.
    public func table(_ key: String, required: Bool = false) -> TableReader? {
        guard let node = node(key, required: required) else { return nil }
        guard case .table(let table) = node.value else {
            wrongType(key, node, "a table")
            return nil
        }
        let child = TableReader(table: table, name: path(key), file: file, log: log)
        children.append(child)
        return child
    }

    /// An array of tables, written as `[[name.key]]` entries or an array of inline tables.
    /// Elements that are not tables are reported and left out.
    public func tableArray(_ key: String, required: Bool = false) -> [TableReader]? {
        guard let node = node(key, required: required) else { return nil }
        guard case .array(let elements) = node.value else {
            wrongType(key, node, "an array of tables")
            return nil
        }
        var result: [TableReader] = []
        for element in elements {
            guard case .table(let table) = element.value else {
                log.error(file, element.line, "'\(path(key))' must hold tables, not \(element.typeName)")
                continue
            }
            let child = TableReader(table: table, name: path(key), file: file, log: log)
            children.append(child)
            result.append(child)
        }
        return result
    }

    /// A size in bytes: a non-negative integer or a string such as "4M" (see `ValueParser.size`).
    public func size(_ key: String, required: Bool = false) -> UInt64? {
        guard let node = node(key, required: required) else { return nil }
        switch node.value {
        case .integer(let value) where value >= 0: return UInt64(value)
        case .integer(let value):
            log.error(file, node.line, "'\(path(key))' must not be negative, not \(value)")
        case .string(let text):
            do throws(ValueError) {
                return try ValueParser.size(text)
            } catch {
                log.error(file, node.line, "'\(path(key))': \(error.message)")
            }
        default: wrongType(key, node, "a size (bytes, or a string such as \"4M\")")
        }
        return nil
    }

    /// A duration written as a string such as "120s" (see `ValueParser.duration`).
    public func duration(_ key: String, required: Bool = false) -> Duration? {
        guard let node = node(key, required: required) else { return nil }
        guard case .string(let text) = node.value else {
            wrongType(key, node, "a duration (a string such as \"120s\")")
            return nil
        }
        do throws(ValueError) {
            return try ValueParser.duration(text)
        } catch {
            log.error(file, node.line, "'\(path(key))': \(error.message)")
            return nil
        }
    }

    /// Reports every key not read as `unknown key 'name.key'`, here and in every table read
    /// through this reader.
    public func finish() {
        for (key, node) in table.entries where !consumed.contains(key) {
            log.error(file, node.line, "unknown key '\(path(key))'")
        }
        for child in children { child.finish() }
        children.removeAll()
    }
}
