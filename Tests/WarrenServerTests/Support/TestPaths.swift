import Glibc
import Testing

/// Where the tests find the repository, the static C engines and the warren binary.
enum TestPaths {
    /// The repository root, from this file's path (Tests/WarrenServerTests/Support/TestPaths.swift).
    static let root: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(4)
        return parts.joined(separator: "/")
    }()

    /// The policy the C test engines run under (Policies/test-engine.toml beside these tests).
    static var testEnginePolicy: String { root + "/Tests/WarrenServerTests/Policies/test-engine.toml" }

    /// A static test engine built by `make test-engines`; records an issue naming the fix if missing.
    static func engine(_ name: String) throws -> String {
        let path = root + "/.build/test-engines/" + name
        try #require(
            access(path, X_OK) == 0, "test engine \(path) is missing: run `make test-engines` first")
        return path
    }

    /// The warren executable built beside this test bundle (`swift build --build-tests` builds it).
    static func warren() throws -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        try #require(n > 0, "cannot read /proc/self/exe")
        let exe = String(decoding: buffer.prefix(n).map(UInt8.init(bitPattern:)), as: UTF8.self)
        let dir = exe.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(
            separator: "/")
        let path = dir + "/warren"
        try #require(access(path, X_OK) == 0, "\(path) is missing: run `swift build --build-tests` first")
        return path
    }

    /// A fresh private directory for one test's config and log.
    static func temporaryDirectory() throws -> String {
        var template = Array("/tmp/warren-test-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        try #require(made != nil, "mkdtemp failed")
        return String(cString: made!)
    }

    static func write(_ text: String, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        try #require(fd >= 0, "cannot create \(path)")
        defer { close(fd) }
        let bytes = Array(text.utf8)
        try #require(bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) } == bytes.count)
    }

    static func read(_ path: String) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            out += buffer.prefix(n)
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension TestPaths {
    /// Removes a directory made by `temporaryDirectory` and the plain files in it.
    static func removeDirectory(_ path: String) {
        guard path.hasPrefix("/tmp/warren-test-"), let dir = opendir(path) else { return }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { unlink(path + "/" + name) }
        }
        closedir(dir)
        rmdir(path)
    }
}
