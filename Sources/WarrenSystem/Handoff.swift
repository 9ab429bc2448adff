import CWarrenSpawn
import Glibc

/// The prespawn handoff (docs/engine-protocol.md): an AF_UNIX SOCK_SEQPACKET pair, one end kept by
/// warren and one placed on a waiting engine's fd 3; one message hands over the accepted connection
/// (SCM_RIGHTS) with its UCSPI environment as data.
public enum Handoff {
    /// The largest environment a handoff message carries.
    public static let maxData = 4096
    /// The engine's fd for its end: fixed, so that a policy can restrict recvmsg to it.
    public static let engineDescriptor: Int32 = 3
    /// The variable that names it, as the engine finds it in its environment.
    public static let environmentEntry = "WARREN_HANDOFF_FD=3"

    /// A close-on-exec pair: (warren's end, the engine's end).
    public static func socketPair() throws(Errno) -> (warren: FileDescriptor, engine: FileDescriptor) {
        var fds: (Int32, Int32) = (-1, -1)
        _ = try retryOnInterrupt {
            withUnsafeMutableBytes(of: &fds) { raw in
                warren_seqpacket_pair(raw.baseAddress!.assumingMemoryBound(to: Int32.self))
            }
        }
        return (FileDescriptor(rawValue: fds.0), FileDescriptor(rawValue: fds.1))
    }

    /// `NAME=value` entries as the message's data: each followed by one NUL.
    public static func encode(_ environment: [String]) -> [UInt8] {
        var bytes: [UInt8] = []
        for entry in environment {
            bytes += entry.utf8
            bytes.append(0)
        }
        return bytes
    }

    /// The entries of a message's data (the inverse of `encode`); nil when it is not well-formed.
    public static func decode(_ bytes: [UInt8]) -> [String]? {
        guard !bytes.isEmpty else { return [] }
        guard bytes.last == 0 else { return nil }
        var entries: [String] = []
        for part in bytes.dropLast().split(separator: 0, omittingEmptySubsequences: false) {
            guard let equals = part.firstIndex(of: UInt8(ascii: "=")), equals != part.startIndex else {
                return nil
            }
            entries.append(String(decoding: part, as: UTF8.self))
        }
        return entries
    }
}

extension FileDescriptor {
    /// Sends `descriptor` in SCM_RIGHTS with `data`, in one message, without blocking
    /// (MSG_DONTWAIT) and without SIGPIPE when the engine is gone (EPIPE is thrown instead).
    public func sendDescriptor(_ descriptor: FileDescriptor, data: [UInt8]) throws(Errno) {
        guard data.count <= Handoff.maxData else { throw .messageTooLong }
        _ = try retryOnInterrupt {
            data.withUnsafeBytes {
                warren_send_fd(
                    rawValue, descriptor.rawValue, $0.baseAddress, $0.count,
                    Int32(MSG_DONTWAIT) | Int32(MSG_NOSIGNAL))
            }
        }
    }

    /// Receives one message (blocking): its data and the one fd it carried (nil: none; at end of
    /// file both are empty). A truncated message or one with several fds throws EPROTO.
    public func receiveDescriptor() throws(Errno) -> (data: [UInt8], descriptor: FileDescriptor?) {
        var buffer = [UInt8](repeating: 0, count: Handoff.maxData)
        var fd: Int32 = -1
        let count = buffer.withUnsafeMutableBytes {
            warren_recv_fd(rawValue, $0.baseAddress, $0.count, &fd)
        }
        if count == -2 { throw .protocolError }
        if count < 0 { throw Errno(rawValue: errno) }
        return (Array(buffer.prefix(count)), fd >= 0 ? FileDescriptor(rawValue: fd) : nil)
    }
}
