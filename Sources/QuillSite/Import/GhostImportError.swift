import Foundation

/// A problem with the export or the site folder, phrased for the person running the import:
/// it names the file and, where one is known, the line.
public struct GhostImportError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var line: Int?
    public var message: String

    public init(file: String, line: Int? = nil, _ message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}

/// Finds line numbers in the raw export text, since JSONSerialization keeps no positions.
struct GhostSourceText {
    let file: String
    let text: String

    /// The 1-based line holding the UTF-8 offset `offset` (clamped to the text).
    func line(atUTF8Offset offset: Int) -> Int {
        var line = 1
        for (index, byte) in text.utf8.enumerated() {
            if index >= offset { break }
            if byte == UInt8(ascii: "\n") { line += 1 }
        }
        return line
    }

    /// The line of the first occurrence of `"key": "value"` (any spacing), used to point an error at
    /// the record it concerns, for example a post by its id.
    func line(ofKey key: String, value: String) -> Int? {
        let quoted = "\"\(value)\""
        var searchStart = text.startIndex
        while let found = text.range(of: quoted, range: searchStart..<text.endIndex) {
            let windowStart = text.index(found.lowerBound, offsetBy: -64, limitedBy: text.startIndex)
            var before = Substring(text[(windowStart ?? text.startIndex)..<found.lowerBound])
            while let last = before.last, last.isWhitespace { before = before.dropLast() }
            if before.last == ":" {
                before = before.dropLast()
                while let last = before.last, last.isWhitespace { before = before.dropLast() }
                if before.hasSuffix("\"\(key)\"") {
                    return line(atUTF8Offset: text.utf8.distance(from: text.startIndex, to: found.lowerBound))
                }
            }
            searchStart = found.upperBound
        }
        return nil
    }

    func error(_ message: String, id: String? = nil) -> GhostImportError {
        let found = id.flatMap { self.line(ofKey: "id", value: $0) }
        return GhostImportError(file: file, line: found, message)
    }
}
