import Foundation
import Synchronization

/// Writes a build's files, and their `.gz`/`.br` siblings, into the new build folder. The
/// incremental cache lives here: `.quill/manifest` records each file's input key and content
/// hash. When a page's key is unchanged since the previous build, its files are hard-linked from
/// there without rendering; when rendered bytes are unchanged, the compressed siblings are
/// linked instead of compressed again.
///
/// The build folder may be a recycled spare (an older build, see Publisher): then `existing` is
/// its manifest, a file whose hash is already right is left alone (no syscall at all), others
/// are replaced, and `removeLeftovers` deletes what the new build no longer has. Files are never
/// written in place: each may be hard-linked into other builds.
final class OutputWriter: Sendable {
    struct Record: Sendable, Equatable {
        var key: String
        var hash: String
    }

    static let manifestPath = ".quill/manifest"

    let root: String
    private let previousRoot: String?
    private let previous: [String: Record]
    /// The recycled folder's own manifest; empty for a fresh folder.
    private let existing: [String: Record]
    private let records = Mutex<[String: Record]>([:])
    private let counters = Mutex<(rendered: Int, reused: Int)>((0, 0))
    /// Folders already made, so each page costs no mkdir calls beyond the first.
    private let folders = Mutex<Set<String>>([])

    /// False for `--full`: every file is rendered, and only identical bytes are reused.
    private let useKeys: Bool

    /// `previous` and `existing` are the manifests of `previousRoot` and of the recycled folder
    /// (empty for a fresh one), read by the caller while the sources load.
    init(
        root: String, previousRoot: String?, previous: [String: Record], existing: [String: Record],
        useKeys: Bool = true
    ) {
        self.root = root
        self.previousRoot = previousRoot
        self.useKeys = useKeys
        self.previous = previous
        self.existing = existing
    }

    static func readManifest(_ buildRoot: String) -> [String: Record] {
        var records: [String: Record] = [:]
        // By hand over bytes: Data.split was a seventh of a one-post rebuild.
        guard let bytes = FileSystem.readAll(buildRoot + "/" + manifestPath) else { return records }
        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != 10 { end += 1 }
            if bytes[start] != 35, let first = bytes[start..<end].firstIndex(of: 32),
                let second = bytes[(first + 1)..<end].firstIndex(of: 32)
            {
                records[String(decoding: bytes[(second + 1)..<end], as: UTF8.self)] = Record(
                    key: String(decoding: bytes[(first + 1)..<second], as: UTF8.self),
                    hash: String(decoding: bytes[start..<first], as: UTF8.self))
            }
            start = end + 1
        }
        return records
    }

    var renderedCount: Int { counters.withLock { $0.rendered } }
    var reusedCount: Int { counters.withLock { $0.reused } }

    /// Writes `path` (relative to the build root). `key`, when given, identifies every input of
    /// the file: if the previous build had the same key, `render` is not called at all.
    func write(_ path: String, key: String? = nil, render: () throws -> [UInt8]) throws {
        let target = root + "/" + path
        // The recycled folder's copy, until it is removed to make room.
        var here = existing[path]
        if useKeys, let key, let old = previous[path], old.key == key {
            if let here, here.hash == old.hash {
                // A recycled folder that already holds these bytes.
                finish(path, old, reused: true)
                return
            }
            try prepare(path, replacing: here != nil)
            here = nil
            if linkFromPrevious(path) {
                finish(path, old, reused: true)
                return
            }
        }
        let bytes = try render()
        let record = Record(key: key ?? "-", hash: SHA256.hex(bytes))
        finish(path, record, reused: false)
        if let here, here.hash == record.hash { return }
        try prepare(path, replacing: here != nil)
        if let old = previous[path], old.hash == record.hash, linkFromPrevious(path) { return }
        do {
            try FileSystem.writeNew(target, bytes)
            for (suffix, compressed) in Compression.siblings(path, bytes) {
                try FileSystem.writeNew(target + suffix, compressed)
            }
        } catch {
            throw SiteError(file: target, line: 1, "cannot write: \(error)")
        }
    }

    private func finish(_ path: String, _ record: Record, reused: Bool) {
        records.withLock { $0[path] = record }
        counters.withLock {
            if reused { $0.reused += 1 } else { $0.rendered += 1 }
        }
    }

    /// Makes room for `path`: its folder exists, and no old copy (or sibling) is left there.
    private func prepare(_ path: String, replacing: Bool) throws(SiteError) {
        if replacing {
            for suffix in ["", ".gz", ".br"] { unlink(root + "/" + path + suffix) }
            return
        }
        let folder = ((root + "/" + path) as NSString).deletingLastPathComponent
        if !folders.withLock({ $0.contains(folder) }) {
            try FileSystem.makeDirectories(folder)
            folders.withLock { _ = $0.insert(folder) }
        }
    }

    /// In a recycled folder: removes files (and siblings) the new build does not have, and the
    /// folders that leaves empty, so the tree equals a fresh build's.
    func removeLeftovers() {
        let kept = records.withLock { $0 }
        var emptied: Set<String> = []
        for path in existing.keys where kept[path] == nil {
            for suffix in ["", ".gz", ".br"] { unlink(root + "/" + path + suffix) }
            emptied.insert((path as NSString).deletingLastPathComponent)
        }
        // Deepest first; rmdir fails harmlessly on a folder that still holds something.
        for folder in emptied.sorted(by: { $0.count > $1.count }) {
            var current = folder
            while !current.isEmpty, rmdir(root + "/" + current) == 0 {
                current = (current as NSString).deletingLastPathComponent
            }
        }
    }

    /// Metadata under `.quill/`, which the engine never serves; not compressed, not cached.
    func writeMetadata(_ path: String, _ text: String) throws(SiteError) {
        try writeMetadata(path, bytes: Array(text.utf8))
    }

    func writeMetadata(_ path: String, bytes: [UInt8]) throws(SiteError) {
        try writeMetadata(path, chunks: [bytes[...]])
    }

    func writeMetadata(_ path: String, chunks: [ArraySlice<UInt8>]) throws(SiteError) {
        try writeMetadata(path, segments: chunks.map { .bytes($0) })
    }

    func writeMetadata(_ path: String, segments: [FileSystem.Segment]) throws(SiteError) {
        let target = root + "/.quill/" + path
        try FileSystem.makeDirectories(root + "/.quill")
        unlink(target)  // a recycled folder's old copy (never written in place: it may be linked)
        do {
            try FileSystem.writeNew(target, segments: segments)
        } catch {
            throw SiteError(file: target, line: 1, "cannot write: \(error)")
        }
    }

    /// Removes a metadata file the new build does not write (a recycled folder's old copy).
    func removeMetadata(_ path: String) {
        unlink(root + "/.quill/" + path)
    }

    func writeManifest() throws(SiteError) {
        let all = records.withLock { $0 }
        var bytes = Array("# quill build manifest: content-hash input-key path\n".utf8)
        bytes.reserveCapacity(all.count * 160)
        for path in all.keys.sorted() {
            let record = all[path]!
            bytes += record.hash.utf8
            bytes.append(32)
            bytes += record.key.utf8
            bytes.append(32)
            bytes += path.utf8
            bytes.append(10)
        }
        try writeMetadata("manifest", bytes: bytes)
    }

    /// Links a file and its siblings from the previous build; false (and nothing left behind)
    /// when the file is missing there, so the caller renders it afresh. Siblings are optional
    /// (small or incompressible files have none), so a missing one is skipped.
    private func linkFromPrevious(_ path: String) -> Bool {
        guard let previousRoot else { return false }
        do {
            try FileSystem.link(previousRoot + "/" + path, root + "/" + path)
        } catch {
            return false
        }
        if Compression.isCompressible(path) {
            for suffix in [".gz", ".br"] {
                try? FileSystem.link(previousRoot + "/" + path + suffix, root + "/" + path + suffix)
            }
        }
        return true
    }
}
