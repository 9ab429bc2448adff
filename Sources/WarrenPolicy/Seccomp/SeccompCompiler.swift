// Compiling seccomp rules to a BPF program with libseccomp, once per policy at load. The program
// is exported as raw `struct sock_filter` bytes; the spawn path loads it as the child's last step
// before execve.
import CSeccomp
import Glibc
import SystemPackage

/// Why libseccomp could not build the filter.
public struct SeccompError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

public enum SeccompCompiler {
    /// The kernel refuses longer programs (BPF_MAXINSNS).
    public static let maximumInstructions = 4096

    /// Builds the filter: `defaultAction` for every syscall without a rule, the rules as given, and
    /// an architecture check that kills any other ABI (i386 through int 0x80, x32 through syscall
    /// numbers with bit 30 set) with SIGSYS.
    public static func compile(
        defaultAction: SeccompAction, rules: [SeccompRule]
    ) throws(SeccompError) -> CompiledSeccomp {
        guard seccomp_arch_native() == SyscallNames.architecture else {
            throw SeccompError("seccomp filters are built for x86_64 only; this host is another architecture")
        }
        guard let context = seccomp_init(defaultAction.libseccompValue) else {
            throw SeccompError("seccomp_init failed")
        }
        defer { seccomp_release(context) }
        // A filter context starts with the native ABI only; anything else gets this action. For
        // x86_64, libseccomp also sends x32 numbers (>= 0x40000000) to it (checked by a test).
        try check(
            seccomp_attr_set(context, SCMP_FLTATR_ACT_BADARCH, SeccompAction.kill.libseccompValue),
            "setting the bad-architecture action")
        // A binary search over syscall numbers instead of libseccomp's default linear chain. The
        // kernel emulates the filter for every syscall number when it is loaded (its action cache,
        // built under the sighand lock in each child), and runs it on every syscall the cache cannot
        // decide (those with argument checks): both walk a tree in a few steps. Loading quill.toml's
        // filter went from ~110 to ~80 us per child here (bench/ANALYSIS.md, day four).
        try check(seccomp_attr_set(context, SCMP_FLTATR_CTL_OPTIMIZE, 2), "choosing the binary-tree layout")
        for rule in rules {
            let comparisons = rule.comparisons.map { comparison in
                comparison.mask == .max
                    ? scmp_arg_cmp(
                        arg: comparison.argument, op: SCMP_CMP_EQ, datum_a: comparison.value, datum_b: 0)
                    : scmp_arg_cmp(
                        arg: comparison.argument, op: SCMP_CMP_MASKED_EQ, datum_a: comparison.mask,
                        datum_b: comparison.value)
            }
            let result = comparisons.withUnsafeBufferPointer { buffer in
                seccomp_rule_add_array(
                    context, rule.action.libseccompValue, rule.number, UInt32(buffer.count),
                    buffer.baseAddress)
            }
            try check(result, "adding the rule for '\(rule.syscall)' (\(rule.action))")
        }
        let program = try export(context)
        guard !program.isEmpty, program.count % 8 == 0 else {
            throw SeccompError("libseccomp exported a malformed program (\(program.count) bytes)")
        }
        guard program.count / 8 <= maximumInstructions else {
            throw SeccompError(
                "the filter needs \(program.count / 8) BPF instructions; the kernel takes at most \(maximumInstructions)"
            )
        }
        return CompiledSeccomp(program: program, defaultAction: defaultAction, rules: rules)
    }

    private static func check(_ result: Int32, _ what: String) throws(SeccompError) {
        if result < 0 { throw SeccompError("libseccomp: \(what): \(Errno(rawValue: -result))") }
    }

    /// libseccomp 2.5.4 has no export to memory: write the program into a non-blocking pipe and read
    /// it back. 4,096 instructions (32 KiB) fit in a pipe's 64 KiB, and a larger program fails the
    /// write with EAGAIN instead of blocking. The export is complete before the first read, so an
    /// empty pipe is its end too: a process cloned meanwhile (a prepare helper, a test's child) may
    /// still hold a copy of the write end, and then no end of file comes.
    private static func export(_ context: scmp_filter_ctx) throws(SeccompError) -> [UInt8] {
        let (reader, writer): (FileDescriptor, FileDescriptor)
        do {
            (reader, writer) = try FileDescriptor.pipe(options: [.closeOnExec, .nonBlocking])
        } catch {
            throw SeccompError("creating a pipe to export the filter: \(error)")
        }
        defer { try? reader.close() }
        let result = seccomp_export_bpf(context, writer.rawValue)
        try? writer.close()
        try check(result, "exporting the BPF program")
        var program: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count: Int
            do {
                count = try chunk.withUnsafeMutableBytes { try reader.read(into: $0) }
            } catch let error as Errno where error == .wouldBlock {
                return program
            } catch {
                throw SeccompError("reading the exported filter back: \(error)")
            }
            if count == 0 { return program }
            program.append(contentsOf: chunk[..<count])
        }
    }
}
