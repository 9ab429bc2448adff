// Thin typed wrappers over the syscalls the engine makes, in swift-system's style: a non-owning
// FileDescriptor, a thrown Errno, EINTR retried. Nothing here allocates.
import CQuillSys
import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// What the engine needs to know about an open file: one fstat.
public struct FileInfo: Sendable, Equatable {
    public enum Kind: Sendable { case regular, directory, socket, other }
    public var kind: Kind
    public var size: Int64
    public var mtimeSeconds: Int64
    public var mtimeNanoseconds: Int64
}

@inline(__always)
private func retrying<T: FixedWidthInteger>(_ call: () -> T) throws(Errno) -> T {
    while true {
        let result = call()
        if result >= 0 { return result }
        let error = Errno(rawValue: errno)
        if error != .interrupted { throw error }
    }
}

extension FileDescriptor {
    /// Opens `path` (relative, NUL-terminated) beneath this directory: symlinks may be followed,
    /// but never out of the tree (openat2 RESOLVE_BENEATH). Read-only, close-on-exec.
    public func openBeneath(_ path: UnsafePointer<CChar>) throws(Errno) -> FileDescriptor {
        FileDescriptor(rawValue: try retrying { quill_open_beneath(rawValue, path) })
    }

    /// fstat, reduced to kind, size and modification time.
    public func info() throws(Errno) -> FileInfo {
        var st = quill_stat()
        _ = try retrying { quill_fstat(rawValue, &st) }
        let kind: FileInfo.Kind
        switch st.kind {
        case 1: kind = .regular
        case 2: kind = .directory
        case 3: kind = .socket
        default: kind = .other
        }
        return FileInfo(
            kind: kind, size: st.size, mtimeSeconds: st.mtime_sec, mtimeNanoseconds: st.mtime_nsec)
    }

    /// poll() for one event on this descriptor; false on timeout. A negative timeout waits forever.
    public func wait(for events: Int16, timeoutMilliseconds: Int32) throws(Errno) -> Bool {
        var entry = pollfd(fd: rawValue, events: events, revents: 0)
        let ready = try retrying { Int32(poll(&entry, 1, timeoutMilliseconds)) }
        return ready > 0
    }

    /// One write() attempt; returns the count written (may be short, or throw .wouldBlock).
    public func writeOnce(_ bytes: UnsafeRawBufferPointer) throws(Errno) -> Int {
        try retrying { Glibc.write(rawValue, bytes.baseAddress, bytes.count) }
    }

    /// One send(MSG_MORE) attempt: the kernel holds the bytes back for the sendfile that follows.
    public func sendMoreOnce(_ bytes: UnsafeRawBufferPointer) throws(Errno) -> Int {
        try retrying { quill_send_more(rawValue, bytes.baseAddress, bytes.count) }
    }

    /// One read() attempt into `buffer`; 0 means end of file.
    public func readOnce(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        try retrying { Glibc.read(rawValue, buffer.baseAddress, buffer.count) }
    }

    /// One sendfile() attempt from `file` at `offset` (advanced by the count sent).
    public func sendfileOnce(from file: FileDescriptor, offset: inout Int64, count: Int) throws(Errno)
        -> Int
    {
        try retrying { quill_sendfile(rawValue, file.rawValue, &offset, count) }
    }

    /// Sets O_NONBLOCK, so that a client that stops reading cannot hold a write forever.
    public func setNonBlocking() throws(Errno) {
        let flags = try retrying { fcntl(rawValue, F_GETFL) }
        // fd 1 is usually a copy of fd 0: the flag, set on their shared file, is already there.
        if flags & O_NONBLOCK != 0 { return }
        _ = try retrying { fcntl(rawValue, F_SETFL, flags | O_NONBLOCK) }
    }

    /// shutdown(SHUT_WR): the peer sees the end of the response stream. Errors (not a socket)
    /// are ignored: closing does the same job then.
    public func shutdownWriting() {
        _ = Glibc.shutdown(rawValue, Int32(SHUT_WR))
    }

    /// dup2() onto `target` (the handoff puts the connection on fds 0 and 1).
    public func duplicate(onto target: Int32) throws(Errno) {
        _ = try retrying { Glibc.dup2(rawValue, target) }
    }

    /// close(), errors ignored: the engine has nothing to do about them.
    public func closeQuietly() {
        _ = Glibc.close(rawValue)
    }
}

/// Clocks read through the vDSO (no syscall on x86_64).
public enum Clock {
    /// Monotonic milliseconds, for timeouts.
    public static func monotonicMilliseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// Monotonic microseconds, for request durations in the access log.
    public static func monotonicMicroseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000
    }

    /// Wall-clock seconds since the epoch, for Date and the access log.
    public static func realtimeSeconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec)
    }
}
