import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Lists regular files (following links) under a folder, relative to it, sorted so that every
/// build visits them in the same order. Hidden files and folders (`.git`, `.DS_Store`) are skipped.
/// readdir's entry types spare a stat per file (FileManager's enumerator was a tenth of a one-post
/// rebuild); links and unknown types are stat'ed.
enum FileWalker {
    static func files(under root: String) -> [String] {
        var out: [String] = []
        walk(root, prefix: "", into: &out)
        return out.sorted()
    }

    private static func walk(_ folder: String, prefix: String, into out: inout [String]) {
        guard let directory = opendir(folder) else { return }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasPrefix(".") { continue }
            let relative = prefix + name
            var isDirectory = Int32(entry.pointee.d_type) == DT_DIR
            if Int32(entry.pointee.d_type) == DT_LNK || Int32(entry.pointee.d_type) == DT_UNKNOWN {
                var info = stat()
                // A dangling link still counts: reading it reports the error with the file's name.
                isDirectory = stat(folder + "/" + name, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
            }
            if isDirectory {
                walk(folder + "/" + name, prefix: relative + "/", into: &out)
            } else {
                out.append(relative)
            }
        }
    }
}
