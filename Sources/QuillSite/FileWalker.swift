import Foundation

/// Lists regular files (following links) under a folder, relative to it, sorted so that every
/// build visits them in the same order. Hidden files and folders (`.git`, `.DS_Store`) are skipped.
enum FileWalker {
    static func files(under root: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
        var out: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            if name.hasPrefix(".") {
                enumerator.skipDescendants()
                continue
            }
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(
                atPath: root + "/" + relative, isDirectory: &isDirectory)
            // A dangling link still counts: reading it reports the error with the file's name.
            if !exists || !isDirectory.boolValue { out.append(relative) }
        }
        return out.sorted()
    }
}
