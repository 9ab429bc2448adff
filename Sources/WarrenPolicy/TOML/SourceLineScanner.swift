// Finds the source line of every key, table and array element of a TOML document. TOMLKit (over
// toml++) reports positions only for syntax errors, so after it has accepted a document this
// scanner walks the text once more, tracking the key path, and records the line where each path
// first appears. It relies on the document being valid TOML (TOMLKit checked it first) and only
// skips over what it does not need: string contents, numbers, dates, comments.

/// One step of a path into a document: a table key or an array index.
enum TOMLPathComponent: Hashable, Sendable {
    case key(String)
    case index(Int)
}

typealias TOMLPath = [TOMLPathComponent]

struct SourceLineScanner {
    private let bytes: [UInt8]
    private var position = 0
    private var line = 1
    /// The line where each path is first defined.
    private(set) var lines: [TOMLPath: Int] = [:]
    /// How many elements each array of tables (`[[x]]`) has so far.
    private var arrayTableCounts: [TOMLPath: Int] = [:]

    /// Scans `text` and returns the line of every path it defines.
    static func lines(of text: String) -> [TOMLPath: Int] {
        var scanner = SourceLineScanner(bytes: Array(text.utf8))
        scanner.document()
        return scanner.lines
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private func peek(_ offset: Int) -> UInt8? {
        position + offset < bytes.count ? bytes[position + offset] : nil
    }

    private mutating func advance() {
        if bytes[position] == UInt8(ascii: "\n") { line += 1 }
        position += 1
    }

    private mutating func record(_ path: TOMLPath, line: Int) {
        if lines[path] == nil { lines[path] = line }
    }

    /// Records every prefix of `path` longer than `base` (implicitly created tables included).
    private mutating func recordPrefixes(_ path: TOMLPath, from base: Int, line: Int) {
        guard path.count > base else { return }
        for end in (base + 1)...path.count { record(Array(path[..<end]), line: line) }
    }

    private mutating func skipSpaces() {
        while let c = current, c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") { advance() }
    }

    private mutating func skipComment() {
        if current == UInt8(ascii: "#") {
            while let c = current, c != UInt8(ascii: "\n") { advance() }
        }
    }

    /// Skips spaces, comments and newlines (between statements and inside arrays).
    private mutating func skipBlank() {
        while let c = current {
            if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r")
                || c == UInt8(ascii: "\n")
            {
                advance()
            } else if c == UInt8(ascii: "#") {
                skipComment()
            } else {
                return
            }
        }
    }

    private mutating func document() {
        var table: TOMLPath = []
        while true {
            skipBlank()
            guard let c = current else { return }
            if c == UInt8(ascii: "[") {
                table = header()
            } else {
                keyValue(in: table)
            }
            // The rest of the line is blank or a comment in valid TOML.
            skipSpaces()
            skipComment()
        }
    }

    /// `[a.b]` or `[[a.b]]`; returns the path that following keys belong to.
    private mutating func header() -> TOMLPath {
        let headerLine = line
        advance()
        let isArray = current == UInt8(ascii: "[")
        if isArray { advance() }
        skipSpaces()
        let keys = dottedKey()
        skipSpaces()
        advance()  // ]
        if isArray { advance() }  // ]]
        // A key naming an array of tables refers to its latest element, as in TOML itself.
        var path: TOMLPath = []
        for (i, key) in keys.enumerated() {
            path.append(.key(key))
            recordPrefixes(path, from: path.count - 1, line: headerLine)
            if i < keys.count - 1, let count = arrayTableCounts[path] { path.append(.index(count - 1)) }
        }
        if isArray {
            let index = arrayTableCounts[path, default: 0]
            arrayTableCounts[path] = index + 1
            path.append(.index(index))
            record(path, line: headerLine)
        }
        return path
    }

    /// `key = value`, where key may be dotted; records the key's line and scans the value.
    private mutating func keyValue(in table: TOMLPath) {
        let keyLine = line
        let keys = dottedKey()
        let path = table + keys.map { .key($0) }
        recordPrefixes(path, from: table.count, line: keyLine)
        skipSpaces()
        advance()  // =
        skipSpaces()
        value(at: path)
    }

    /// One or more keys separated by dots: bare, "quoted" or 'literal'.
    private mutating func dottedKey() -> [String] {
        var keys: [String] = []
        while true {
            skipSpaces()
            keys.append(simpleKey())
            skipSpaces()
            guard current == UInt8(ascii: ".") else { return keys }
            advance()
        }
    }

    private mutating func simpleKey() -> String {
        guard let c = current else { return "" }
        if c == UInt8(ascii: "'") { return string() }
        if c == UInt8(ascii: "\"") { return Self.unescape(string()) }
        let start = position
        while let c = current, isBareKeyCharacter(c) { advance() }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    private func isBareKeyCharacter(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z"))
            || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
            || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "_")
            || c == UInt8(ascii: "-")
    }

    private mutating func value(at path: TOMLPath) {
        switch current {
        case UInt8(ascii: "["): array(at: path)
        case UInt8(ascii: "{"): inlineTable(at: path)
        case UInt8(ascii: "\""), UInt8(ascii: "'"): _ = string()
        default: scalar()
        }
    }

    private mutating func array(at path: TOMLPath) {
        advance()  // [
        var index = 0
        while true {
            skipBlank()
            guard let c = current else { return }
            if c == UInt8(ascii: "]") {
                advance()
                return
            }
            if c == UInt8(ascii: ",") {
                advance()
                continue
            }
            let element = path + [.index(index)]
            record(element, line: line)
            value(at: element)
            index += 1
        }
    }

    private mutating func inlineTable(at path: TOMLPath) {
        advance()  // {
        while true {
            skipBlank()
            guard let c = current else { return }
            if c == UInt8(ascii: "}") {
                advance()
                return
            }
            if c == UInt8(ascii: ",") {
                advance()
                continue
            }
            keyValue(in: path)
        }
    }

    /// Numbers, booleans, dates and times: everything up to a delimiter. A date-time may hold a
    /// space ("1979-05-27 07:32:00"), which is harmless here.
    private mutating func scalar() {
        while let c = current, c != UInt8(ascii: ","), c != UInt8(ascii: "]"), c != UInt8(ascii: "}"),
            c != UInt8(ascii: "#"), c != UInt8(ascii: "\n"), c != UInt8(ascii: "\r")
        {
            advance()
        }
    }

    /// A basic, literal or multi-line string; returns its raw contents (escapes are kept as
    /// written, which matters only for quoted keys holding escapes).
    private mutating func string() -> String {
        let quote = current!
        let triple = peek(1) == quote && peek(2) == quote
        advance()
        if triple {
            advance()
            advance()
        }
        let start = position
        while let c = current {
            if c == UInt8(ascii: "\\") && quote == UInt8(ascii: "\"") {
                advance()
                if current != nil { advance() }
                continue
            }
            if c == quote {
                if !triple {
                    let text = String(decoding: bytes[start..<position], as: UTF8.self)
                    advance()
                    return text
                }
                if peek(1) == quote && peek(2) == quote {
                    // Up to two more quotes may belong to the content ("""a"""" ends with a quote).
                    while peek(3) == quote { advance() }
                    let text = String(decoding: bytes[start..<position], as: UTF8.self)
                    advance()
                    advance()
                    advance()
                    return text
                }
            }
            advance()
        }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    /// The common escapes of a basic-string key (\" \\ \t \n \r \uXXXX \UXXXXXXXX), so that the
    /// key matches TOMLKit's; anything else is kept as written (the line then falls back to the
    /// enclosing table's).
    private static func unescape(_ raw: String) -> String {
        guard raw.contains("\\") else { return raw }
        var result = ""
        var characters = raw.unicodeScalars.makeIterator()
        while let c = characters.next() {
            guard c == "\\", let e = characters.next() else {
                result.unicodeScalars.append(c)
                continue
            }
            switch e {
            case "\"", "\\": result.unicodeScalars.append(e)
            case "t": result += "\t"
            case "n": result += "\n"
            case "r": result += "\r"
            case "u", "U":
                var hex = ""
                for _ in 0..<(e == "u" ? 4 : 8) {
                    if let h = characters.next() { hex.unicodeScalars.append(h) }
                }
                if let value = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(value) {
                    result.unicodeScalars.append(scalar)
                }
            default:
                result.unicodeScalars.append(c)
                result.unicodeScalars.append(e)
            }
        }
        return result
    }
}
