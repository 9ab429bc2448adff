// The files one connection opened recently, kept open with their fstat result (or the fact that
// they are missing), so that a keep-alive client asking for the same file again costs no openat2,
// fstat and close (3 of the 8 syscalls per request). An entry is trusted for `validity`
// milliseconds (ConnectionOptions.fileCacheMilliseconds, 1 s by default), then opened afresh: a connection sees a changed file at most that late (the site
// root itself is pinned for the connection's life anyway, so a new build is the next
// connection's). Few entries: a page's html, css and a few assets; fds count against the
// policy's open_files.
import SystemPackage

/// One cache lookup's result: the open file and its fstat, or why it could not be opened.
enum OpenedFile {
    case file(FileDescriptor, FileInfo)
    case failed(Errno)
}

// Four fixed slots, not an array of entries, and a non-generic result type: every distinct
// generic type costs the engine a runtime lookup by mangled name (demangling, ~8 KB of stack)
// the first time it is used, in every connection's process.
struct FileCache {
    let validity: Int64

    struct Entry {
        /// The relative path tried, NUL-terminated, as passed to openat2; empty when unused.
        var key: [UInt8] = []
        var opened = OpenedFile.failed(.noSuchFileOrDirectory)
        var openedAt: Int64 = 0
        var lastUse: UInt64 = 0

        mutating func close() {
            if case .file(let fd, _) = opened { fd.closeQuietly() }
            opened = .failed(.noSuchFileOrDirectory)
            key.removeAll(keepingCapacity: true)
        }
    }

    private var e0 = Entry()
    private var e1 = Entry()
    private var e2 = Entry()
    private var e3 = Entry()
    private var uses: UInt64 = 0

    init(validity: Int64) {
        self.validity = validity
    }

    private func entry(_ i: Int) -> Entry {
        switch i {
        case 0: e0
        case 1: e1
        case 2: e2
        default: e3
        }
    }

    /// Moves slot `i`'s entry out (leaving it empty), so that its key is uniquely owned.
    private mutating func take(_ i: Int) -> Entry {
        var out = Entry()
        switch i {
        case 0: swap(&out, &e0)
        case 1: swap(&out, &e1)
        case 2: swap(&out, &e2)
        default: swap(&out, &e3)
        }
        return out
    }

    private mutating func put(_ i: Int, _ e: Entry) {
        switch i {
        case 0: e0 = e
        case 1: e1 = e
        case 2: e2 = e
        default: e3 = e
        }
    }

    /// Opens (or finds) `key` (NUL-terminated) beneath `root`. Missing-file errors are cached like
    /// files; other errors (EMFILE, EIO...) are not. The descriptor stays owned by the cache (with
    /// validity 0 too: it is closed when its slot is next reused).
    mutating func open(
        _ key: UnsafeBufferPointer<UInt8>, beneath root: FileDescriptor, now: Int64
    ) -> OpenedFile {
        uses &+= 1
        // The slot holding `key` (fresh: its result; stale: reopen there), else the least
        // recently used one (unused slots have lastUse 0).
        var slot = -1
        var victim = 0
        var victimUse = UInt64.max
        for i in 0..<4 {
            let e = entry(i)
            if !e.key.isEmpty && e.key.elementsEqual(key) {
                slot = i
                if now - e.openedAt < validity && now >= e.openedAt {
                    var hit = take(i)
                    hit.lastUse = uses
                    put(i, hit)
                    return hit.opened
                }
                break
            }
            if e.lastUse < victimUse {
                victim = i
                victimUse = e.lastUse
            }
        }
        let opened = Self.openAndStat(key, beneath: root)
        var e = take(slot >= 0 ? slot : victim)
        e.close()
        if case .failed(let error) = opened, !Connection.isMissing(error) {
            return opened
        }
        e.key.append(contentsOf: key)
        e.opened = opened
        e.openedAt = now
        e.lastUse = uses
        put(slot >= 0 ? slot : victim, e)
        return opened
    }

    /// Closes every cached descriptor (a connection in a long-lived process, as in the tests).
    mutating func removeAll() {
        for i in 0..<4 {
            var e = take(i)
            e.close()
        }
    }

    private static func openAndStat(_ key: UnsafeBufferPointer<UInt8>, beneath root: FileDescriptor)
        -> OpenedFile
    {
        let fd: FileDescriptor
        do {
            fd = try key.withMemoryRebound(to: CChar.self) { chars throws(Errno) in
                try root.openBeneath(chars.baseAddress!)
            }
        } catch {
            return .failed(error)
        }
        do {
            return .file(fd, try fd.info())
        } catch {
            fd.closeQuietly()
            return .failed(error)
        }
    }
}
