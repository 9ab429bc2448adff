import CWarrenSpawn
import Glibc

/// One service's engine stderr: a datagram socketpair whose sending end is every engine's fd 2, and
/// whose receiving end hands warren each datagram with the sender's pid (SO_PASSCRED: the kernel
/// fills in the real pid; an engine may only name a pid of its own pid namespace, and only with
/// CAP_SYS_ADMIN there). One fd per service instead of one pipe per engine.
public struct LogSocket: Sendable {
    public let receiver: FileDescriptor
    public let sender: FileDescriptor

    /// The sending end's buffer: what all engines of a service may have queued before warren reads
    /// it. Each datagram is charged its size plus ~0.5-1 KB of kernel overhead.
    public static let defaultSendBuffer = 4 << 20

    public static func open(sendBuffer: Int = defaultSendBuffer) throws(Errno) -> LogSocket {
        var fds: (Int32, Int32) = (-1, -1)
        _ = try retryOnInterrupt {
            withUnsafeMutableBytes(of: &fds) { raw in
                warren_log_socketpair(raw.baseAddress!.assumingMemoryBound(to: Int32.self), Int32(sendBuffer))
            }
        }
        return LogSocket(receiver: FileDescriptor(rawValue: fds.0), sender: FileDescriptor(rawValue: fds.1))
    }

    public func close() {
        try? receiver.close()
        try? sender.close()
    }
}

/// Reusable storage for bulk reads of a `LogSocket`: one recvmmsg takes up to a batch of datagrams.
public struct DatagramBatch {
    /// Bytes kept of one datagram; the rest of a longer one is dropped by the kernel.
    public let slot: Int
    private var buffer: [UInt8]
    private var received: [warren_datagram]
    public private(set) var count = 0
    /// Most datagrams one `receive` takes.
    public var capacity: Int { received.count }

    public struct Datagram {
        public var pid: Int32
        public var bytes: ArraySlice<UInt8>
        /// Longer than `slot`: its end was cut off.
        public var truncated: Bool
        /// Descriptors the sender tried to pass (SCM_RIGHTS); all were closed unread.
        public var passedDescriptors: Int
    }

    public init(slot: Int = 16 << 10) {
        self.slot = slot
        let capacity = Int(WARREN_DATAGRAM_BATCH)
        buffer = [UInt8](repeating: 0, count: slot * capacity)
        received = [warren_datagram](repeating: warren_datagram(), count: capacity)
    }

    public subscript(index: Int) -> Datagram {
        let entry = received[index]
        let start = Int(entry.offset)
        return Datagram(
            pid: entry.pid, bytes: buffer[start..<start + Int(entry.length)], truncated: entry.truncated != 0,
            passedDescriptors: Int(entry.fds))
    }

    /// Receives what is queued, up to one batch, without blocking; returns how many (0: none).
    public mutating func receive(from socket: FileDescriptor) throws(Errno) -> Int {
        let slot = self.slot
        count = 0
        let n = try retryOnInterrupt {
            buffer.withUnsafeMutableBufferPointer { bytes in
                received.withUnsafeMutableBufferPointer { out in
                    warren_recv_datagrams(
                        socket.rawValue, bytes.baseAddress, slot, out.baseAddress, UInt32(out.count))
                }
            }
        }
        count = Int(n)
        return count
    }
}
