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

/// Splits a metadata file into numbered lines (1-based), without trailing CR.
func numberedLines(_ bytes: [UInt8]) -> [(Int, ArraySlice<UInt8>)] {
    var result: [(Int, ArraySlice<UInt8>)] = []
    var start = 0
    var number = 1
    for i in 0...bytes.count where i == bytes.count || bytes[i] == ASCII.lf {
        var end = i
        if end > start, bytes[end - 1] == ASCII.cr { end -= 1 }
        if i < bytes.count || start < bytes.count { result.append((number, bytes[start..<end])) }
        number += 1
        start = i + 1
    }
    return result
}

/// Whitespace-separated fields of a line.
func fields(_ line: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
    line.split(whereSeparator: { $0 == ASCII.space || $0 == ASCII.tab })
}
