// Start-up diagnostics on stderr: "FILE:LINE: message", one write each. The engine keeps serving
// after a bad metadata line; the line is ignored.
import SystemPackage

public struct Diagnostics: Sendable {
    public var output: FileDescriptor
    /// Every message written, kept for tests and for the exit report.
    public private(set) var messages: [String] = []

    public init(output: FileDescriptor) {
        self.output = output
    }

    public mutating func report(file: String, line: Int, _ message: String) {
        let text = line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)"
        messages.append(text)
        var bytes = Array("quill-engine: \(text)\n".utf8)
        if bytes.count > 4000 { bytes = Array(bytes.prefix(3999)) + [ASCII.lf] }
        _ = bytes.withUnsafeBytes { try? output.writeOnce($0) }
    }
}

// The metadata helpers below walk bytes by index and closure rather than building arrays of
// tuples or slices: each distinct generic type costs a runtime type lookup at start-up, which
// every connection's process pays (measured with perf).

/// Calls `body` with each line's 1-based number and byte range (without CR LF).
func forEachLine(_ bytes: [UInt8], _ body: (Int, Range<Int>) -> Void) {
    var start = 0
    var number = 1
    for i in 0...bytes.count where i == bytes.count || bytes[i] == ASCII.lf {
        var end = i
        if end > start, bytes[end - 1] == ASCII.cr { end -= 1 }
        if i < bytes.count || start < bytes.count { body(number, start..<end) }
        number += 1
        start = i + 1
    }
}

/// Whitespace-separated fields of a line, one at a time.
struct FieldScanner {
    let bytes: [UInt8]
    var position: Int
    let end: Int

    init(_ bytes: [UInt8], _ line: Range<Int>) {
        self.bytes = bytes
        position = line.lowerBound
        end = line.upperBound
    }

    mutating func next() -> Range<Int>? {
        while position < end, bytes[position] == ASCII.space || bytes[position] == ASCII.tab { position += 1 }
        guard position < end else { return nil }
        let start = position
        while position < end, bytes[position] != ASCII.space && bytes[position] != ASCII.tab { position += 1 }
        return start..<position
    }
}
