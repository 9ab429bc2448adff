import Foundation

/// A source file's text. Files that are not valid UTF-8 (old exports are often Latin-1) are read
/// as Latin-1 rather than dropped, and the caller is told so it can warn.
struct TextFile: Sendable {
    var bytes: [UInt8]
    var text: String
    var wasLatin1: Bool

    static func read(_ path: String, displayPath: String) throws(SiteError) -> TextFile {
        let bytes: [UInt8]
        do {
            bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw SiteError(file: displayPath, line: 1, "cannot read file: \(explain(path))")
        }
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        if let text = String(validating: body, as: UTF8.self) {
            return TextFile(bytes: bytes, text: text, wasLatin1: false)
        }
        let text = String(body.map { Character(Unicode.Scalar($0)) })
        return TextFile(bytes: bytes, text: text, wasLatin1: true)
    }

    /// Why a path cannot be read, in the words of its errno.
    private static func explain(_ path: String) -> String {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            return "no such file (a dangling link?)"
        }
        if isDirectory.boolValue { return "is a directory" }
        return "permission denied"
    }
}
