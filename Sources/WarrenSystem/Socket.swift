import CWarrenSpawn
import Glibc

/// A connection taken from a listening socket: the blocking, close-on-exec socket the engine gets
/// as fd 0 and 1, and both ends' addresses for the UCSPI environment.
public struct AcceptedConnection: Sendable {
    public var socket: FileDescriptor
    public var peer: SocketAddress
    public var local: SocketAddress
}

extension FileDescriptor {
    /// A non-blocking, close-on-exec TCP listener with SO_REUSEADDR (a restarted warren rebinds
    /// while old connections linger in TIME_WAIT); IPv6 listeners are IPv6-only, so "[::]:80" and
    /// "0.0.0.0:80" can both be configured.
    public static func listen(on address: SocketAddress, backlog: Int32 = SOMAXCONN) throws(Errno)
        -> FileDescriptor
    {
        let domain = address.family == .ipv4 ? AF_INET : AF_INET6
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = try retryOnInterrupt { Glibc.socket(domain, type, 0) }
        let socket = FileDescriptor(rawValue: fd)
        do throws(Errno) {
            var one: Int32 = 1
            let size = socklen_t(MemoryLayout<Int32>.size)
            _ = try retryOnInterrupt { setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, size) }
            if address.family == .ipv6 {
                _ = try retryOnInterrupt { setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, size) }
            }
            _ = try retryOnInterrupt { address.withSockaddr { bind(fd, $0, $1) } }
            _ = try retryOnInterrupt { Glibc.listen(fd, backlog) }
        } catch {
            try? socket.close()
            throw error
        }
        return socket
    }

    /// The address the kernel bound (for port 0, the port it chose).
    public func localAddress() throws(Errno) -> SocketAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = try retryOnInterrupt {
            withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(rawValue, $0, &length) }
            }
        }
        guard let address = SocketAddress(storage: storage) else { throw .addressFamilyNotSupported }
        return address
    }

    /// Accepts one connection; nil when none is waiting (EAGAIN). The accepted socket is blocking:
    /// engines read and write it with plain blocking calls.
    public func acceptConnection() throws(Errno) -> AcceptedConnection? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let fd: Int32
        do throws(Errno) {
            fd = try retryOnInterrupt {
                withUnsafeMutablePointer(to: &storage) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        warren_accept4(rawValue, $0, &length, Int32(SOCK_CLOEXEC.rawValue))
                    }
                }
            }
        } catch .wouldBlock {
            return nil
        }
        let socket = FileDescriptor(rawValue: fd)
        do throws(Errno) {
            guard let peer = SocketAddress(storage: storage) else { throw Errno.addressFamilyNotSupported }
            return AcceptedConnection(socket: socket, peer: peer, local: try socket.localAddress())
        } catch {
            try? socket.close()
            throw error
        }
    }
}
