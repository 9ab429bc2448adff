import Foundation
import Synchronization

/// Writes a build's files, and their `.gz`/`.br` siblings, into the new build folder. The
/// incremental cache lives here: `.quill/manifest` records each file's input key and content
/// hash. When a page's key is unchanged since the previous build, its files are hard-linked from
/// there without rendering; when rendered bytes are unchanged, the compressed siblings are
/// linked instead of compressed again.
final class OutputWriter: Sendable {
    struct Record: Sendable, Equatable {
        var key: String
        var hash: String
    }

    static let manifestPath = ".quill/manifest"

    let root: String
    private let previousRoot: String?
    private let previous: [String: Record]
    private let records = Mutex<[String: Record]>([:])
    private let counters = Mutex<(rendered: Int, reused: Int)>((0, 0))
    /// Folders already made, so each page costs no mkdir calls beyond the first.
    private let folders = Mutex<Set<String>>([])

    init(root: String, previousRoot: String?) {
        self.root = root
        self.previousRoot = previousRoot
        var previous: [String: Record] = [:]
        if let previousRoot,
            let text = try? String(contentsOfFile: previousRoot + "/" + Self.manifestPath, encoding: .utf8)
        {
            for line in text.split(separator: "\n") {
                let fields = line.split(separator: " ", maxSplits: 2)
                guard fields.count == 3 else { continue }
                previous[String(fields[2])] = Record(key: String(fields[1]), hash: String(fields[0]))
            }
        }
        self.previous = previous
    }

    var renderedCount: Int { counters.withLock { $0.rendered } }
    var reusedCount: Int { counters.withLock { $0.reused } }

    /// Writes `path` (relative to the build root). `key`, when given, identifies every input of
    /// the file: if the previous build had the same key, `render` is not called at all.
    func write(_ path: String, key: String? = nil, render: () throws -> [UInt8]) throws {
        let target = root + "/" + path
        let folder = (target as NSString).deletingLastPathComponent
        if !folders.withLock({ $0.contains(folder) }) {
            try FileSystem.makeDirectories(folder)
            folders.withLock { _ = $0.insert(folder) }
        }
        if let key, let old = previous[path], old.key == key, linkFromPrevious(path) {
            records.withLock { $0[path] = old }
            counters.withLock { $0.reused += 1 }
            return
        }
        let bytes = try render()
        let hash = SHA256.hex(bytes)
        records.withLock { $0[path] = Record(key: key ?? "-", hash: hash) }
        counters.withLock { $0.rendered += 1 }
        if let old = previous[path], old.hash == hash, linkFromPrevious(path) { return }
        do {
            try FileSystem.writeNew(target, bytes)
            if Compression.isCompressible(path) {
                try FileSystem.writeNew(target + ".gz", Compression.gzip(bytes))
                try FileSystem.writeNew(target + ".br", Compression.brotli(bytes))
            }
        } catch {
            throw SiteError(file: target, line: 1, "cannot write: \(error)")
        }
    }

    /// Metadata under `.quill/`, which the engine never serves; not compressed, not cached.
    func writeMetadata(_ path: String, _ text: String) throws(SiteError) {
        let target = root + "/.quill/" + path
        try FileSystem.makeDirectories(root + "/.quill")
        do {
            try FileSystem.writeNew(target, Array(text.utf8))
        } catch {
            throw SiteError(file: target, line: 1, "cannot write: \(error)")
        }
    }

    func writeManifest() throws(SiteError) {
        let all = records.withLock { $0 }
        var text = "# quill build manifest: content-hash input-key path\n"
        for path in all.keys.sorted() {
            let record = all[path]!
            text += "\(record.hash) \(record.key) \(path)\n"
        }
        try writeMetadata("manifest", text)
    }

    /// Links a file and its siblings from the previous build; false (and nothing left behind)
    /// when any of them is missing there, so the caller renders it afresh.
    private func linkFromPrevious(_ path: String) -> Bool {
        guard let previousRoot else { return false }
        let names = Compression.isCompressible(path) ? [path, path + ".gz", path + ".br"] : [path]
        var linked: [String] = []
        for name in names {
            do {
                try FileSystem.link(previousRoot + "/" + name, root + "/" + name)
                linked.append(name)
            } catch {
                for done in linked { unlink(root + "/" + done) }
                return false
            }
        }
        return true
    }
}
