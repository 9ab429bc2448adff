import Glibc
import Testing
import WarrenPolicy

/// A scratch tree laid out like the repository: DIR/rootfs, DIR/policies, DIR/site. Removed on
/// deinit.
final class PolicyTree {
    let root: String

    init() throws {
        var template = Array("/tmp/warren-policy-XXXXXX".utf8CString)
        guard mkdtemp(&template) != nil else { throw Failure("mkdtemp failed: errno \(errno)") }
        root = String(
            decoding: template.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        for directory in ["rootfs", "policies", "site"] { try makeDirectory(directory) }
    }

    deinit {
        // Only this tree's own files: it holds no symlinks out and nothing else writes here.
        remove(root)
    }

    func makeDirectory(_ relative: String) throws {
        guard mkdir(root + "/" + relative, 0o755) == 0 else {
            throw Failure("mkdir \(relative): errno \(errno)")
        }
    }

    /// Writes `text` to DIR/relative and returns the absolute path.
    @discardableResult
    func write(_ relative: String, _ text: String) throws -> String {
        let path = root + "/" + relative
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Failure("open \(path): errno \(errno)") }
        defer { close(fd) }
        guard Glibc.write(fd, text, text.utf8.count) == text.utf8.count else {
            throw Failure("write \(path)")
        }
        return path
    }

    /// Loads DIR/relative; on failure throws the diagnostics with DIR replaced by "T".
    func load(_ relative: String) throws -> Policy {
        do {
            return try PolicyLoader.load(path: root + "/" + relative)
        } catch {
            throw Failure(
                error.items.map { $0.description.replacingAll(root, with: "T") }.joined(separator: "\n"))
        }
    }

    /// The diagnostics of loading DIR/relative, DIR replaced by "T"; [] if it loads.
    func errors(_ relative: String) -> [String] {
        do {
            _ = try PolicyLoader.load(path: root + "/" + relative)
            return []
        } catch {
            return error.items.map { $0.description.replacingAll(root, with: "T") }
        }
    }

    private func remove(_ path: String) {
        guard let directory = opendir(path) else {
            unlink(path)
            return
        }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(decoding: bytes.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            let child = path + "/" + name
            if entry.pointee.d_type == UInt8(DT_DIR) { remove(child) } else { unlink(child) }
        }
        closedir(directory)
        rmdir(path)
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
