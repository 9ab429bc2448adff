// The files one connection opened recently, kept open with their fstat result (or the fact that
// they are missing), so that a keep-alive client asking for the same file again costs no openat2,
// fstat and close (3 of the 8 syscalls per request). An entry is trusted for `validity`
// milliseconds (ConnectionOptions.fileCacheMilliseconds, 1 s by default), then opened afresh: a connection sees a changed file at most that late (the site
// root itself is pinned for the connection's life anyway, so a new build is the next
// connection's). Few entries: a page's html, css and a few assets; fds count against the
// policy's open_files.
import SystemPackage

struct FileCache {
    static let capacity = 4
    let validity: Int64

    struct Entry {
        /// The relative path tried, NUL-terminated, as passed to openat2.
        var key: [UInt8]
        var outcome: Result<(FileDescriptor, FileInfo), Errno>
        var openedAt: Int64
        var lastUse: UInt64
    }

    private var entries: [Entry] = []
    private var uses: UInt64 = 0

    init(validity: Int64) {
        self.validity = validity
    }

    /// Opens (or finds) `key` beneath `root`. Missing-file errors are cached like files; other
    /// errors (EMFILE, EIO...) are not. The descriptor stays owned by the cache (with validity 0
    /// too: it is closed when the entry is next replaced).
    mutating func open(
        _ key: UnsafeBufferPointer<UInt8>, beneath root: FileDescriptor, now: Int64, missing: [Errno]
    ) -> Result<(FileDescriptor, FileInfo), Errno> {
        uses &+= 1
        var slot = -1
        for i in entries.indices where entries[i].key.elementsEqual(key) {
            if now - entries[i].openedAt < validity && now >= entries[i].openedAt {
                entries[i].lastUse = uses
                return entries[i].outcome
            }
            slot = i
            break
        }
        let outcome = Self.openAndStat(key, beneath: root)
        if case .failure(let error) = outcome, !missing.contains(error) {
            if slot >= 0 { drop(slot) }
            return outcome
        }
        if slot < 0 {
            if entries.count < Self.capacity {
                entries.append(Entry(key: Array(key), outcome: outcome, openedAt: now, lastUse: uses))
                return outcome
            }
            slot = leastRecentlyUsed()
            entries[slot].key.removeAll(keepingCapacity: true)
            entries[slot].key.append(contentsOf: key)
        }
        close(entries[slot].outcome)
        entries[slot].outcome = outcome
        entries[slot].openedAt = now
        entries[slot].lastUse = uses
        return outcome
    }

    /// Closes every cached descriptor (a connection in a long-lived process, as in the tests).
    mutating func removeAll() {
        for entry in entries { close(entry.outcome) }
        entries.removeAll()
    }

    private mutating func drop(_ slot: Int) {
        close(entries[slot].outcome)
        entries.remove(at: slot)
    }

    private func leastRecentlyUsed() -> Int {
        var oldest = 0
        for i in entries.indices where entries[i].lastUse < entries[oldest].lastUse { oldest = i }
        return oldest
    }

    private func close(_ outcome: Result<(FileDescriptor, FileInfo), Errno>) {
        if case .success(let (fd, _)) = outcome { fd.closeQuietly() }
    }

    private static func openAndStat(
        _ key: UnsafeBufferPointer<UInt8>, beneath root: FileDescriptor
    ) -> Result<(FileDescriptor, FileInfo), Errno> {
        let opened = key.withMemoryRebound(to: CChar.self) { chars in
            Result { () throws(Errno) in try root.openBeneath(chars.baseAddress!) }
        }
        guard case .success(let fd) = opened else { return opened.map { ($0, FileInfo.none) } }
        do {
            return .success((fd, try fd.info()))
        } catch {
            fd.closeQuietly()
            return .failure(error)
        }
    }
}

extension FileInfo {
    static let none = FileInfo(kind: .other, size: 0, mtimeSeconds: 0, mtimeNanoseconds: 0)
}
