import Glibc

// Plain reads and writes the loop and the CLI share.

extension FileDescriptor {
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
