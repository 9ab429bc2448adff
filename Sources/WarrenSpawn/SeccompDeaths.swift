import CSeccomp
import Glibc

/// Names the syscall that made seccomp kill an engine.
///
/// What works on this kernel (6.18), measured: after waitid(WNOWAIT) the zombie's /proc/PID/syscall
/// reads "-1" (the task has left the syscall; nsjail's method finds nothing), and SECCOMP_RET_TRAP
/// would let the engine catch its own SIGSYS. The kernel does log every seccomp kill as an audit
/// record (type=1326, with the global pid, arch and syscall number) and, with no audit daemon,
/// prints it to the kernel log, so warren reads /dev/kmsg from where it stood at start.
///
/// Limits, said plainly: the record is printed asynchronously (it may arrive just after the pidfd
/// turns readable: ask again on a later loop turn), the kernel rate-limits these lines (a storm of
/// kills leaves some unnamed), and an audit daemon, if one runs, takes them instead. A nil answer
/// means "unknown", never a guess.
public final class SeccompDeathLog {
    private let fd: Int32
    /// Recent kills by global pid; bounded, oldest dropped first.
    private var kills: [pid_t: (arch: UInt32, number: Int32)] = [:]
    private var order: [pid_t] = []
    private static let capacity = 4096

    /// Opens the kernel log at its end; nil when it cannot be read here (no /dev/kmsg, no privilege).
    public init?() {
        fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        lseek(fd, 0, SEEK_END)
    }

    deinit { close(fd) }

    /// The name of the syscall seccomp killed `pid` for, if the kernel has logged it.
    public func syscallName(killed pid: pid_t) -> String? {
        drain()
        guard let kill = kills[pid] else { return nil }
        guard let name = seccomp_syscall_resolve_num_arch(kill.arch, kill.number) else {
            return "syscall \(kill.number)"
        }
        defer { free(name) }
        return String(cString: name)
    }

    /// Reads every record available now (one record per read; never blocks).
    private func drain() {
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                // EPIPE: records were overwritten before we read them; the next read resumes.
                if errno == EPIPE || errno == EINTR { continue }
                return
            }
            if n == 0 { return }
            parse(buffer[0..<n])
        }
    }

    private func parse(_ record: ArraySlice<UInt8>) {
        let text = String(decoding: record, as: UTF8.self)
        guard text.contains("type=1326") else { return }
        var pid: pid_t?
        var arch: UInt32?
        var number: Int32?
        for field in text.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
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
