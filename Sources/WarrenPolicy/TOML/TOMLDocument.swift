// Reading a TOML file: TOMLKit checks the syntax and gives the values; `SourceLineScanner` gives
// each key its line. Every failure becomes a `Diagnostic` naming the file (and line).
import SystemPackage
import TOMLKit

/// A parsed TOML file: its root table, every node carrying its source line.
public struct TOMLDocument: Sendable {
    /// The file name used in diagnostics (as given to `load` or `parse`).
    public let file: String
    public let root: TOMLTableNode

    /// Reads and parses `path`. Unreadable files give `FILE: cannot read: <strerror>`; syntax errors
    /// `FILE:LINE: message`.
    public static func load(path: String) throws(Diagnostics) -> TOMLDocument {
        let bytes: [UInt8]
        do {
            bytes = try readFile(path)
        } catch {
            throw Diagnostics([Diagnostic(file: path, line: nil, message: "cannot read: \(error)")])
        }
        return try parse(bytes: bytes, file: path)
    }

    /// Parses TOML text; `file` names it in diagnostics.
    public static func parse(_ text: String, file: String) throws(Diagnostics) -> TOMLDocument {
        try parse(bytes: Array(text.utf8), file: file)
    }

    static func parse(bytes: [UInt8], file: String) throws(Diagnostics) -> TOMLDocument {
        // toml++ reads a C string: a NUL would silently end the document early.
        if let nul = bytes.firstIndex(of: 0) {
            let line = bytes[..<nul].count(where: { $0 == UInt8(ascii: "\n") }) + 1
            throw Diagnostics([Diagnostic(file: file, line: line, message: "NUL byte in file")])
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw Diagnostics([Diagnostic(file: file, line: nil, message: "not valid UTF-8")])
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            // toml++ says "Error while parsing …"; lower-case it to read like our other messages.
            let message = error.description.prefix(1).lowercased() + error.description.dropFirst()
            throw Diagnostics([Diagnostic(file: file, line: Int(error.source.begin.line), message: message)])
        } catch {
            throw Diagnostics([Diagnostic(file: file, line: nil, message: "\(error)")])
        }
        let lines = SourceLineScanner.lines(of: text)
        let root = convert(table, path: [], line: 1, lines: lines)
        return TOMLDocument(file: file, root: root)
    }

    /// The whole file; swift-system throws `Errno`, whose description is strerror's text.
    private static func readFile(_ path: String) throws -> [UInt8] {
        let fd = try FileDescriptor.open(path, .readOnly, options: .closeOnExec)
        defer { try? fd.close() }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = try chunk.withUnsafeMutableBytes { try fd.read(into: $0) }
            if count == 0 { return result }
            result.append(contentsOf: chunk[..<count])
        }
    }

    private static func convert(
        _ table: TOMLTable, path: TOMLPath, line: Int, lines: [TOMLPath: Int]
    ) -> TOMLTableNode {
        var entries: [(key: String, node: TOMLNode)] = []
        for key in table.keys {
            guard let value = table[key] else { continue }
            let childPath = path + [.key(key)]
            let childLine = lines[childPath] ?? line
            entries.append((key, convert(value.tomlValue, path: childPath, line: childLine, lines: lines)))
        }
        // toml++ keeps keys sorted; source order makes diagnostics read top to bottom.
        entries.sort { ($0.node.line, $0.key) < ($1.node.line, $1.key) }
        return TOMLTableNode(entries: entries, line: line)
    }

    private static func convert(
        _ value: TOMLValue, path: TOMLPath, line: Int, lines: [TOMLPath: Int]
    ) -> TOMLNode {
        switch value.type {
        case .table:
            return TOMLNode(.table(convert(value.table!, path: path, line: line, lines: lines)), line: line)
        case .array:
            var elements: [TOMLNode] = []
            for (index, element) in value.array!.enumerated() {
                let elementPath = path + [.index(index)]
                let elementLine = lines[elementPath] ?? line
                elements.append(
                    convert(element.tomlValue, path: elementPath, line: elementLine, lines: lines))
            }
            return TOMLNode(.array(elements), line: line)
        case .string: return TOMLNode(.string(value.string!), line: line)
        case .int: return TOMLNode(.integer(Int64(value.int!)), line: line)
        case .double: return TOMLNode(.float(value.double!), line: line)
        case .bool: return TOMLNode(.boolean(value.bool!), line: line)
        case .date, .time, .dateTime: return TOMLNode(.dateTime(value.debugDescription), line: line)
        }
    }
}
