import Glibc

/// The capability sets of the calling process, as far as the plan needs them.
enum HostCapabilities {
    /// CAP_LAST_CAP of the running kernel.
    static func lastCap() -> Int {
        guard let text = readSmallFile("/proc/sys/kernel/cap_last_cap"),
            let value = Int(text.trimmingWhitespace())
        else { return 40 }
        return min(value, 63)
    }

    /// Every capability the kernel knows.
    static func all() -> UInt64 {
        let last = lastCap()
        return last >= 63 ? ~0 : (UInt64(1) << UInt64(last + 1)) - 1
    }

    /// This process's bounding set (CapBnd in /proc/self/status); all when unreadable.
    static func boundingSet() -> UInt64 {
        guard let status = readSmallFile("/proc/self/status") else { return all() }
        for line in status.split(separator: "\n") where line.hasPrefix("CapBnd:") {
            if let value = UInt64(line.dropFirst("CapBnd:".count).trimmingWhitespace(), radix: 16) {
                return value
            }
        }
        return all()
    }
}

/// Reads a small text file (procfs, sysfs, cgroupfs) whole; nil when it cannot be read.
func readSmallFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n < 0 { return nil }
        if n == 0 { break }
        bytes += buffer[0..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars.drop(while: { $0 == " " || $0 == "\t" || $0 == "\n" })
        var text = String(String.UnicodeScalarView(scalars))
        while let last = text.last, last == " " || last == "\t" || last == "\n" { text.removeLast() }
        return text
    }
}
