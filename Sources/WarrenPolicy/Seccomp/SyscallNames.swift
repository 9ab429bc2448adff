// Syscall names ↔ numbers for the one architecture warren filters for (x86_64), via libseccomp.
import CSeccomp
import Glibc

public enum SyscallNames {
    /// AUDIT_ARCH_X86_64: the only ABI a compiled filter lets through.
    static let architecture: UInt32 = 0xc000_003e

    /// The x86_64 number of `name`, or nil if x86_64 has no such syscall. libseccomp gives
    /// negative pseudo-numbers for syscalls of other architectures (e.g. "socketcall"); those
    /// count as unknown here.
    public static func number(of name: String) -> Int32? {
        let number = seccomp_syscall_resolve_name_arch(architecture, name)
        return number >= 0 ? number : nil
    }

    /// The name of x86_64 syscall `number` (e.g. 101 → "ptrace"), to name the syscall that made a
    /// child die of SIGSYS. Nil for numbers libseccomp does not know.
    public static func name(of number: Int32) -> String? {
        guard number >= 0, let name = seccomp_syscall_resolve_num_arch(architecture, number) else {
            return nil
        }
        defer { free(name) }
        return String(cString: name)
    }
}
