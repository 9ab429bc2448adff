import Foundation

/// File writes for the import: whole files replaced atomically, so an interrupted import never
/// leaves half a post.
enum GhostFiles {
    static func write(_ text: String, to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw GhostImportError(file: path, "cannot write: \(error.localizedDescription)")
        }
    }

    /// Every .md file below `directory`, as paths relative to `site`.
    static func markdownFiles(in directory: String, site: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: site + "/" + directory) else { return [] }
        var found: [String] = []
        while let name = walker.nextObject() as? String {
            if name.hasSuffix(".md") { found.append(directory + "/" + name) }
        }
        return found.sorted()
    }
}
