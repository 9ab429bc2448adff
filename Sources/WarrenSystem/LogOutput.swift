import CWarrenSpawn  // MSG_DONTWAIT, MSG_NOSIGNAL: Glibc alone does not export <sys/socket.h> to every file
import Glibc

/// Where warren writes its own records, written without ever blocking the event loop when the
/// reader is a pipe, a terminal or a socket. O_NONBLOCK is never set on the inherited descriptor
/// itself (its open file description is shared with the shell or supervisor that started warren):
/// a pipe or character device is reopened through /proc/self/fd, a socket is written with
/// MSG_DONTWAIT. A regular file is written as is (it never waits for a reader).
public struct LogOutput: Sendable {
    enum Mode: Sendable {
        case write
        case send
    }

    public let descriptor: FileDescriptor
    let mode: Mode
    /// False when only blocking writes were possible (a regular file, or reopening failed).
    public let nonBlocking: Bool
    /// True when `descriptor` is a reopened copy this value owns.
    public let reopened: Bool

    public init(_ inherited: FileDescriptor) {
        var info = stat()
        let kind = fstat(inherited.rawValue, &info) == 0 ? info.st_mode & 0o170000 : 0
        switch kind {
        case 0o140000:  // socket
            self.init(descriptor: inherited, mode: .send, nonBlocking: true, reopened: false)
        case 0o010000, 0o020000:  // FIFO, character device
            let flags = O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY
            let fd = Glibc.open("/proc/self/fd/\(inherited.rawValue)", flags)
            if fd >= 0 {
                self.init(
                    descriptor: FileDescriptor(rawValue: fd), mode: .write, nonBlocking: true, reopened: true)
            } else {
                self.init(descriptor: inherited, mode: .write, nonBlocking: false, reopened: false)
            }
        default:
            self.init(descriptor: inherited, mode: .write, nonBlocking: false, reopened: false)
        }
    }

    init(descriptor: FileDescriptor, mode: Mode, nonBlocking: Bool, reopened: Bool) {
        self.descriptor = descriptor
        self.mode = mode
        self.nonBlocking = nonBlocking
        self.reopened = reopened
    }

    /// Writes as much of `bytes` as the reader takes now: the count written, 0 when it would block.
    public func writeSome(_ bytes: ArraySlice<UInt8>) throws(Errno) -> Int {
        guard !bytes.isEmpty else { return 0 }
        do {
            return try retryOnInterrupt {
                bytes.withUnsafeBytes { raw in
                    switch mode {
                    case .write: Glibc.write(descriptor.rawValue, raw.baseAddress, raw.count)
                    case .send:
                        Glibc.send(
                            descriptor.rawValue, raw.baseAddress, raw.count,
                            Int32(MSG_DONTWAIT) | Int32(MSG_NOSIGNAL))
                    }
                }
            }
        } catch .wouldBlock {
            return 0
        }
    }

    /// Waits until the reader would take bytes or `milliseconds` pass; true when writable.
    public func waitWritable(milliseconds: Int32) -> Bool {
        var entry = pollfd(fd: descriptor.rawValue, events: Int16(POLLOUT), revents: 0)
        return poll(&entry, 1, milliseconds) == 1
    }
}
