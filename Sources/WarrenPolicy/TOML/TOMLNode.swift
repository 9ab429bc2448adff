// A TOML document as plain Swift values, each carrying the source line it came from. TOMLKit
// parses; the line of every key and array element is found by `SourceLineScanner`.

/// One value and the 1-based line where it (or its key) appears.
public struct TOMLNode: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case string(String)
        case integer(Int64)
        case float(Double)
        case boolean(Bool)
        /// Dates, times and date-times, kept in their TOML spelling.
        case dateTime(String)
        case array([TOMLNode])
        case table(TOMLTableNode)
    }

    public var value: Value
    public var line: Int

    public init(_ value: Value, line: Int) {
        self.value = value
        self.line = line
    }

    /// The TOML name of the value's type, for messages ("a string", "an integer"…).
    public var typeName: String {
        switch value {
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a float"
        case .boolean: "a boolean"
        case .dateTime: "a date-time"
        case .array: "an array"
        case .table: "a table"
        }
    }
}

/// A table's entries in source order.
public struct TOMLTableNode: Sendable, Equatable {
    public var entries: [(key: String, node: TOMLNode)]
    /// The line of the table's header, key or opening brace (1 for the document's root).
    public var line: Int

    public init(entries: [(key: String, node: TOMLNode)], line: Int) {
        self.entries = entries
        self.line = line
    }

    public subscript(key: String) -> TOMLNode? { entries.first { $0.key == key }?.node }

    public var keys: [String] { entries.map(\.key) }

    public static func == (a: TOMLTableNode, b: TOMLTableNode) -> Bool {
        a.line == b.line && a.entries.elementsEqual(b.entries, by: { $0 == $1 })
    }
}
