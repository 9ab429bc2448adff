import Foundation
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Thin wrappers over the few syscalls publishing needs, in swift-system's style: each throws a
/// typed Errno and retries EINTR.
enum FileSystem {
    private static func retrying(_ call: () -> Int32) throws(Errno) {
        while true {
            if call() == 0 { return }
            let error = Errno(rawValue: errno)
            if error != .interrupted { throw error }
        }
    }

    static func link(_ existing: String, _ new: String) throws(Errno) {
        try retrying { Glibc.link(existing, new) }
    }

    static func symlink(target: String, at path: String) throws(Errno) {
        try retrying { Glibc.symlink(target, path) }
    }

    static func rename(_ from: String, _ to: String) throws(Errno) {
        try retrying { Glibc.rename(from, to) }
    }

    /// The target of a symbolic link, or nil when `path` is not one.
    static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Size, modification time (ns) and inode of a file, as a cache key that needs no read;
    /// nil when it cannot be stat'ed, or when it was modified within two seconds of `now`: file
    /// times move in clock ticks, so a second same-size edit in the same tick would look
    /// unchanged (git calls such entries racy). Those files are simply read again.
    static func stableIdentity(_ path: String, now: Date) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        guard Double(info.st_mtim.tv_sec) < now.timeIntervalSince1970 - 2 else { return nil }
        return "\(info.st_size)|\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)|\(info.st_ino)"
    }

    static func isSymlink(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Writes a new file (never into an existing one: a file may be hard-linked to an older build).
    static func writeNew(_ path: String, _ bytes: [UInt8]) throws(Errno) {
        do {
            let fd = try FileDescriptor.open(
                FilePath(path), .writeOnly, options: [.create, .exclusiveCreate],
                permissions: [.ownerReadWrite, .groupRead, .otherRead], retryOnInterrupt: true)
            try fd.closeAfter { _ = try fd.writeAll(bytes) }
        } catch let error as Errno {
            throw error
        } catch {
            throw Errno.ioError
        }
    }

    /// Writes a new file from chunks, one write each (a cache file is mostly runs of an older
    /// one's bytes, so it is never joined into one array first).
    static func writeNew(_ path: String, chunks: [ArraySlice<UInt8>]) throws(Errno) {
        do {
            let fd = try FileDescriptor.open(
                FilePath(path), .writeOnly, options: [.create, .exclusiveCreate],
                permissions: [.ownerReadWrite, .groupRead, .otherRead], retryOnInterrupt: true)
            try fd.closeAfter {
                for chunk in chunks { _ = try fd.writeAll(chunk) }
            }
        } catch let error as Errno {
            throw error
        } catch {
            throw Errno.ioError
        }
    }

    /// A whole file in one array, read straight into it (no Data, no second copy); nil when it
    /// cannot be opened or read.
    static func readAll(_ path: String) -> [UInt8]? {
        guard let fd = try? FileDescriptor.open(FilePath(path), .readOnly, retryOnInterrupt: true) else {
            return nil
        }
        defer { try? fd.close() }
        guard let size = try? fd.seek(offset: 0, from: .end), (try? fd.seek(offset: 0, from: .start)) != nil
        else { return nil }
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: Int(size)) { buffer, count in
            count = 0
            while count < buffer.count {
                guard
                    let read = try? fd.read(
                        into: UnsafeMutableRawBufferPointer(
                            UnsafeMutableBufferPointer(rebasing: buffer[count...])),
                        retryOnInterrupt: true)
                else {
                    failed = true
                    return
                }
                if read == 0 { break }
                count += read
            }
        }
        return failed ? nil : bytes
    }

    /// `mkdir -p` with mkdir(2): FileManager's version was 8% of a large build.
    static func makeDirectories(_ path: String) throws(SiteError) {
        if path.isEmpty || path == "/" { return }
        if mkdir(path, 0o755) == 0 || errno == EEXIST { return }
        guard errno == ENOENT else {
            throw SiteError(file: path, line: 1, "cannot create folder: \(Errno(rawValue: errno))")
        }
        try makeDirectories((path as NSString).deletingLastPathComponent)
        if mkdir(path, 0o755) != 0, errno != EEXIST {
            throw SiteError(file: path, line: 1, "cannot create folder: \(Errno(rawValue: errno))")
        }
    }
}
