/// An error in the site's input, reported as `FILE:LINE: message` (the form editors jump to).
public struct SiteError: Error, CustomStringConvertible, Sendable, Equatable {
    public var file: String
    public var line: Int
    public var message: String

    public init(file: String, line: Int, _ message: String) {
        self.file = file
        self.line = max(line, 1)
        self.message = message
    }

    public var description: String { "\(file):\(line): \(message)" }
}

/// Every error one build found, so an author fixes them all in one pass.
public struct BuildFailure: Error, CustomStringConvertible, Sendable {
    public var errors: [SiteError]

    public init(_ errors: [SiteError]) {
        self.errors = errors.sorted { ($0.file, $0.line) < ($1.file, $1.line) }
    }

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
