// Errors in config and policy files, always naming the file and, where known, the line, so that
// `warren check` can print every problem of a file at once instead of stopping at the first.

/// One problem found in a file.
public struct Diagnostic: Error, Sendable, Equatable, Hashable, CustomStringConvertible {
    public var file: String
    /// 1-based line, or nil when the problem concerns the file as a whole (unreadable, empty).
    public var line: Int?
    public var message: String

    public init(file: String, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// `FILE:LINE: message`, or `FILE: message` without a line.
    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}

/// Every problem found while reading one or more files; thrown only when there is at least one.
public struct Diagnostics: Error, Sendable, Equatable, CustomStringConvertible {
    public var items: [Diagnostic]

    public init(_ items: [Diagnostic]) { self.items = items }

    /// One diagnostic per line, in the order found.
    public var description: String { items.map(\.description).joined(separator: "\n") }
}

/// Collects diagnostics while a file is read; readers record into it and go on.
public final class DiagnosticLog {
    public private(set) var items: [Diagnostic] = []

    public init() {}

    public var isEmpty: Bool { items.isEmpty }

    public func error(_ file: String, _ line: Int?, _ message: String) {
        items.append(Diagnostic(file: file, line: line, message: message))
    }

    public func append(contentsOf diagnostics: Diagnostics) {
        items.append(contentsOf: diagnostics.items)
    }

    /// All diagnostics, grouped by file in the order files were first named, then by line; errors
    /// without a line come first in their file. Duplicates (same file, line, message) are dropped.
    public var sorted: [Diagnostic] {
        var fileOrder: [String: Int] = [:]
        for item in items where fileOrder[item.file] == nil { fileOrder[item.file] = fileOrder.count }
        var seen: Set<Diagnostic> = []
        let unique = items.filter { seen.insert($0).inserted }
        return unique.enumerated().sorted { a, b in
            let (fa, fb) = (fileOrder[a.element.file]!, fileOrder[b.element.file]!)
            if fa != fb { return fa < fb }
            let (la, lb) = (a.element.line ?? 0, b.element.line ?? 0)
            if la != lb { return la < lb }
            return a.offset < b.offset
        }.map(\.element)
    }

    /// Throws everything collected so far, if anything.
    public func check() throws(Diagnostics) {
        if !items.isEmpty { throw Diagnostics(sorted) }
    }
}
