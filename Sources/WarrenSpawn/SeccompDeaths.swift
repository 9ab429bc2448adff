import CSeccomp
import CWarrenSpawn
import Glibc
import WarrenSystem

/// Names the syscall that made seccomp kill an engine.
///
/// What works on this kernel (6.18), measured: after waitid(WNOWAIT) the zombie's /proc/PID/syscall
/// reads "-1" (the task has left the syscall; nsjail's method finds nothing), and SECCOMP_RET_TRAP
/// would let the engine catch its own SIGSYS. The kernel does emit an audit record for every
/// seccomp kill (type 1326: global pid, arch, syscall number). warren joins the audit log's
/// read-only multicast group (netlink, CAP_AUDIT_READ), which gets every record; where that is
/// refused it falls back to /dev/kmsg, where the kernel prints the records when no audit daemon
/// runs — rate-limited to 10 per 5 s, so a burst of kills leaves some unnamed there.
///
/// Records arrive asynchronously (possibly just after the pidfd turns readable): the server may
/// put `fileDescriptor` in its epoll set and call `drain()` when it is readable, and look a name
/// up when it logs the death. A nil answer means "unknown", never a guess.
public final class SeccompDeathLog {
    /// Readable when records are waiting.
    public let fileDescriptor: FileDescriptor
    /// Where the records come from: "audit multicast" or "/dev/kmsg".
    public let source: String
    private let isNetlink: Bool
    /// Recent kills by global pid; bounded, oldest dropped first.
    private var kills: [pid_t: (arch: UInt32, number: Int32)] = [:]
    private var order: [pid_t] = []
    private static let capacity = 4096

    /// Opens the audit multicast group, else the kernel log at its end; nil when neither is readable.
    public init?() {
        let audit = warren_audit_listen()
        if audit >= 0 {
            fileDescriptor = FileDescriptor(rawValue: audit)
            source = "audit multicast"
            isNetlink = true
            return
        }
        let kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard kmsg >= 0 else { return nil }
        lseek(kmsg, 0, SEEK_END)
        fileDescriptor = FileDescriptor(rawValue: kmsg)
        source = "/dev/kmsg"
        isNetlink = false
    }

    deinit { try? fileDescriptor.close() }

    /// The name of the syscall seccomp killed `pid` for, if the kernel has reported it.
    public func syscallName(killed pid: pid_t) -> String? {
        drain()
        guard let kill = kills[pid] else { return nil }
        guard let name = seccomp_syscall_resolve_num_arch(kill.arch, kill.number) else {
            return "syscall \(kill.number)"
        }
        defer { free(name) }
        return String(cString: name)
    }

    /// Reads every record available now (never blocks).
    public func drain() {
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fileDescriptor.rawValue, $0.baseAddress, $0.count) }
            if n < 0 {
                // EPIPE (kmsg: records overwritten) and ENOBUFS (netlink: the buffer overflowed):
                // some records are lost; the next read goes on with newer ones.
                if errno == EPIPE || errno == ENOBUFS || errno == EINTR { continue }
                return
            }
            if n == 0 { return }
            if isNetlink {
                parseNetlink(buffer[0..<n])
            } else {
                let text = String(decoding: buffer[0..<n], as: UTF8.self)
                if text.contains("type=1326") { parse(text) }
            }
        }
    }

    /// One datagram may hold several netlink messages: 16-byte header (length, type, ...), text.
    private func parseNetlink(_ bytes: ArraySlice<UInt8>) {
        var offset = bytes.startIndex
        while offset + 16 <= bytes.endIndex {
            let length = bytes[offset..<offset + 4].reversed().reduce(0) { $0 << 8 | Int($1) }
            let type = Int(bytes[offset + 4]) | Int(bytes[offset + 5]) << 8
            guard length >= 16, offset + length <= bytes.endIndex else { return }
            if type == WARREN_AUDIT_SECCOMP {
                parse(String(decoding: bytes[(offset + 16)..<(offset + length)], as: UTF8.self))
            }
            offset += (length + 3) & ~3
        }
    }

    private func parse(_ text: String) {
        var pid: pid_t?
        var arch: UInt32?
        var number: Int32?
        for field in text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\0" }) {
            if field.hasPrefix("pid=") { pid = pid_t(field.dropFirst(4)) }
            if field.hasPrefix("arch=") { arch = UInt32(field.dropFirst(5), radix: 16) }
            if field.hasPrefix("syscall=") { number = Int32(field.dropFirst(8)) }
        }
        guard let pid, let arch, let number else { return }
        if kills[pid] == nil { order.append(pid) }
        kills[pid] = (arch, number)
        if order.count > Self.capacity {
            kills[order.removeFirst()] = nil
        }
    }
}
