// What a policy's [seccomp] section says, before compilation: a default action and per-syscall
// rules. Action values are libseccomp's, spelled out because its SCMP_ACT_ERRNO(x) and friends are
// function-like macros Swift cannot import.

/// What the filter does with a syscall.
public enum SeccompAction: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Let the syscall run (never a default action).
    case allow
    /// Kill the whole process with SIGSYS (SCMP_ACT_KILL_PROCESS).
    case kill
    /// Fail the syscall with this errno, without running it.
    case errno(Int32)
    /// Let it run and log it through the kernel's audit log (for writing a policy, not production).
    case log

    /// libseccomp's value (seccomp.h: SCMP_ACT_ALLOW, SCMP_ACT_KILL_PROCESS, SCMP_ACT_ERRNO(x),
    /// SCMP_ACT_LOG).
    var libseccompValue: UInt32 {
        switch self {
        case .allow: 0x7fff_0000
        case .kill: 0x8000_0000
        case .errno(let value): 0x0005_0000 | (UInt32(bitPattern: value) & 0xffff)
        case .log: 0x7ffc_0000
        }
    }

    /// As a policy file spells it: "allow", "kill", "errno:EPERM", "log".
    public var description: String {
        switch self {
        case .allow: "allow"
        case .kill: "kill"
        case .errno(let value): "errno:\(ErrnoNames.name(of: value) ?? String(value))"
        case .log: "log"
        }
    }

    /// Parses a default action: "kill", "log" or "errno:NAME" ("allow" is refused: it would turn
    /// the filter into a deny list, which fails open for every syscall nobody thought of).
    public static func parseDefault(_ text: String) throws(ValueError) -> SeccompAction {
        switch text {
        case "kill": return .kill
        case "log": return .log
        case "allow":
            throw ValueError(
                "'allow' as default action would let every unlisted syscall run; use kill, errno:NAME or log")
        default:
            guard text.hasPrefix("errno:") else {
                throw ValueError(
                    "unknown action '\(text)': expected kill, errno:NAME (e.g. errno:EPERM) or log")
            }
            return .errno(try errno(String(text.dropFirst("errno:".count))))
        }
    }

    /// An errno name such as "EPERM" (a number is refused: names say what they mean).
    public static func errno(_ name: String) throws(ValueError) -> Int32 {
        guard let value = ErrnoNames.values[name] else {
            throw ValueError("unknown errno name '\(name)' (expected a name such as EPERM or ENOSYS)")
        }
        return value
    }
}

/// One test on a syscall argument.
public struct SeccompComparison: Sendable, Equatable, Hashable {
    /// Argument index, 0...5.
    public var argument: UInt32
    /// Bits of the argument compared (all bits when `UInt64.max`).
    public var mask: UInt64
    /// The value the masked argument must equal.
    public var value: UInt64

    public init(argument: UInt32, mask: UInt64 = .max, value: UInt64) {
        self.argument = argument
        self.mask = mask
        self.value = value
    }
}

/// One libseccomp rule: `action` for `syscall` when every comparison holds. Several rules for the
/// same syscall are alternatives (any one may match).
public struct SeccompRule: Sendable, Equatable, Hashable {
    public var syscall: String
    public var number: Int32
    public var action: SeccompAction
    public var comparisons: [SeccompComparison]

    public init(syscall: String, number: Int32, action: SeccompAction, comparisons: [SeccompComparison] = [])
    {
        self.syscall = syscall
        self.number = number
        self.action = action
        self.comparisons = comparisons
    }
}
