import CWarrenSpawn
import Glibc

extension FileDescriptor {
    /// A pipe for one engine's stderr: both ends close-on-exec (the spawn path dup2s the write end
    /// onto fd 2, which clears the flag for that child only), the read end non-blocking for the loop.
    public static func openLogPipe() throws(Errno) -> (readEnd: FileDescriptor, writeEnd: FileDescriptor) {
        var fds: (Int32, Int32) = (-1, -1)
        _ = try retryOnInterrupt {
            withUnsafeMutableBytes(of: &fds) { raw in
                warren_pipe2(raw.baseAddress!.assumingMemoryBound(to: Int32.self), O_CLOEXEC)
            }
        }
        let flags = fcntl(fds.0, F_GETFL)
        guard flags >= 0, fcntl(fds.0, F_SETFL, flags | O_NONBLOCK) == 0 else {
            let error = Errno(rawValue: errno)
            _ = Glibc.close(fds.0)
            _ = Glibc.close(fds.1)
            throw error
        }
        return (FileDescriptor(rawValue: fds.0), FileDescriptor(rawValue: fds.1))
    }

    /// Reads what is available without blocking: nil when nothing is (EAGAIN), [] at end of file.
    public func readAvailable(upTo count: Int = 4096) throws(Errno) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        do {
            let n = try retryOnInterrupt {
                buffer.withUnsafeMutableBytes { Glibc.read(rawValue, $0.baseAddress, count) }
            }
            return Array(buffer.prefix(n))
        } catch .wouldBlock {
            return nil
        }
    }

    /// Writes all of `bytes`, retrying partial writes (stderr records must not be cut).
    public func writeFully(_ bytes: [UInt8]) throws(Errno) {
        var offset = 0
        while offset < bytes.count {
            let n = try retryOnInterrupt {
                bytes.withUnsafeBytes {
                    Glibc.write(rawValue, $0.baseAddress! + offset, bytes.count - offset)
                }
            }
            offset += n
        }
    }
}
