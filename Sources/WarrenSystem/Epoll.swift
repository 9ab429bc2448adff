import CWarrenSpawn
import Glibc

/// An epoll set whose entries carry their own fd number, so that one event tells the loop which
/// source is ready. Level-triggered: a source not fully drained is reported again.
public struct Epoll: Sendable {
    public let descriptor: FileDescriptor

    /// One ready source.
    public struct Event: Sendable {
        public var fd: FileDescriptor
        public var events: UInt32

        /// Readable, or at end of file (a hang-up is reported as readable data of length 0).
        public var isReadable: Bool {
            events & (EPOLLIN.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0
        }
    }

    public static func create() throws(Errno) -> Epoll {
        let fd = try retryOnInterrupt { epoll_create1(Int32(EPOLL_CLOEXEC)) }
        return Epoll(descriptor: FileDescriptor(rawValue: fd))
    }

    /// Watches `fd` for readability.
    public func add(_ fd: FileDescriptor) throws(Errno) {
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.fd = fd.rawValue
        _ = try retryOnInterrupt { epoll_ctl(descriptor.rawValue, EPOLL_CTL_ADD, fd.rawValue, &event) }
    }

    /// Stops watching `fd`. Closing an fd removes it as well; this is for fds that stay open.
    public func remove(_ fd: FileDescriptor) throws(Errno) {
        _ = try retryOnInterrupt { epoll_ctl(descriptor.rawValue, EPOLL_CTL_DEL, fd.rawValue, nil) }
    }

    /// Waits for at least one event (forever when `timeoutMilliseconds` is -1).
    public func wait(maxEvents: Int = 64, timeoutMilliseconds: Int32 = -1) throws(Errno) -> [Event] {
        var raw = [epoll_event](repeating: epoll_event(), count: maxEvents)
        let count = try retryOnInterrupt {
            raw.withUnsafeMutableBufferPointer {
                epoll_wait(descriptor.rawValue, $0.baseAddress, Int32(maxEvents), timeoutMilliseconds)
            }
        }
        return raw.prefix(Int(count)).map {
            Event(fd: FileDescriptor(rawValue: $0.data.fd), events: $0.events)
        }
    }
}
