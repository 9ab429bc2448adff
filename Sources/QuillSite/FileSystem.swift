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

    /// What a new file is made of: bytes in memory, or a range of an open file.
    enum Segment {
        case bytes(ArraySlice<UInt8>)
        case copy(FileDescriptor, Range<Int>)
    }

    /// Writes a new file from segments; ranges of other files are copied in the kernel
    /// (sendfile: no read into this process, no page faults here), or with pread and
    /// write where the file system cannot.
    static func writeNew(_ path: String, segments: [Segment]) throws(Errno) {
        do {
            let fd = try FileDescriptor.open(
                FilePath(path), .writeOnly, options: [.create, .exclusiveCreate],
                permissions: [.ownerReadWrite, .groupRead, .otherRead], retryOnInterrupt: true)
            try fd.closeAfter {
                for segment in segments {
                    switch segment {
                    case .bytes(let bytes): _ = try fd.writeAll(bytes)
                    case .copy(let source, let range): try copy(from: source, range, to: fd)
                    }
                }
            }
        } catch let error as Errno {
            throw error
        } catch {
            throw Errno.ioError
        }
    }

    /// Appends `range` of `source` at `target`'s position.
    private static func copy(from source: FileDescriptor, _ range: Range<Int>, to target: FileDescriptor)
        throws(Errno)
    {
        var offset = off_t(range.lowerBound)
        var left = range.count
        while left > 0 {
            // sendfile(2) (file to file since Linux 2.6.33): Glibc's module has no copy_file_range.
            let copied = sendfile(target.rawValue, source.rawValue, &offset, left)
            if copied > 0 {
                left -= copied
                continue
            }
            let error = copied == 0 ? Errno.ioError : Errno(rawValue: errno)
            if error == .interrupted { continue }
            guard [ENOSYS, EXDEV, EINVAL, EOPNOTSUPP].contains(error.rawValue) else {
                throw error
            }
            // Unsupported here: the rest through memory.
            let bytes = try readExactly(source, Int(offset)..<(Int(offset) + left))
            do { _ = try target.writeAll(bytes) } catch let failure as Errno { throw failure } catch {
                throw Errno.ioError
            }
            return
        }
    }

    /// Exactly `range` of an open file (pread); a short file is an error.
    static func readExactly(_ fd: FileDescriptor, _ range: Range<Int>) throws(Errno) -> [UInt8] {
        var failure: Errno? = nil
        let bytes = [UInt8](unsafeUninitializedCapacity: range.count) { buffer, count in
            count = 0
            while count < buffer.count {
                do {
                    let read = try fd.read(
                        fromAbsoluteOffset: Int64(range.lowerBound + count),
                        into: UnsafeMutableRawBufferPointer(
                            UnsafeMutableBufferPointer(rebasing: buffer[count...])),
                        retryOnInterrupt: true)
                    if read == 0 {
                        failure = .ioError
                        return
                    }
                    count += read
                } catch {
                    failure = error as? Errno ?? .ioError
                    return
                }
            }
        }
        if let failure { throw failure }
        return bytes
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
