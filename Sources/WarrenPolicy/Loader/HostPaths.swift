// Paths in policy files: resolved lexically against the policy file's directory, and checked on
// the host where the policy names a host path (bind sources, the skeleton).
import Glibc
import SystemPackage

enum HostPaths {
    /// `path` made absolute against `directory` with ".", ".." and repeated slashes removed.
    static func resolve(_ path: String, against directory: String) -> String {
        normalize(path.hasPrefix("/") ? path : directory + "/" + path)
    }

    /// Lexical normalisation of an absolute path ("/a/./b/../c//" → "/a/c").
    static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                if !parts.isEmpty { parts.removeLast() }
                continue
            }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The directory holding `file`, absolute (relative files are taken from the current directory).
    static func directory(of file: String) -> String {
        let absolute = file.hasPrefix("/") ? file : currentDirectory() + "/" + file
        let normalized = normalize(absolute)
        guard let slash = normalized.lastIndex(of: "/"), slash != normalized.startIndex else { return "/" }
        return String(normalized[..<slash])
    }

    static func absolute(_ file: String) -> String {
        normalize(file.hasPrefix("/") ? file : currentDirectory() + "/" + file)
    }

    private static func currentDirectory() -> String {
        (try? currentWorkingDirectory()) ?? "/"
    }

    private static func currentWorkingDirectory() throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { throw Errno(rawValue: errno) }
        return String(
            decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    enum Kind {
        case directory
        case file
        case other
    }

    /// What is at `path` (symlinks followed), or the errno that stat gave.
    static func kind(of path: String) -> Result<Kind, Errno> {
        var status = stat()
        guard stat(path, &status) == 0 else { return .failure(Errno(rawValue: errno)) }
        switch status.st_mode & S_IFMT {
        case S_IFDIR: return .success(.directory)
        case S_IFREG: return .success(.file)
        default: return .success(.other)
        }
    }
}
