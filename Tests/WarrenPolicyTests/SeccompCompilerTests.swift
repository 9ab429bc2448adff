import Testing
import WarrenPolicy

/// One classic BPF instruction (struct sock_filter), decoded from the exported bytes.
private struct Instruction: Equatable {
    var code: UInt16
    var jt: UInt8
    var jf: UInt8
    var k: UInt32
}

private func decode(_ program: [UInt8]) -> [Instruction] {
    stride(from: 0, to: program.count, by: 8).map { i in
        let b = program[i..<i + 8].map { UInt32($0) }
        return Instruction(
            code: UInt16(b[0] | b[1] << 8), jt: UInt8(b[2]), jf: UInt8(b[3]),
            k: b[4] | b[5] << 8 | b[6] << 16 | b[7] << 24)
    }
}

private let ret: UInt16 = 0x06  // BPF_RET | BPF_K
private let killProcess: UInt32 = 0x8000_0000
private let auditArchX8664: UInt32 = 0xc000_003e

private func compile(_ rules: [(String, SeccompAction)], default action: SeccompAction = .kill) throws
    -> CompiledSeccomp
{
    let resolved = try rules.map { name, action in
        SeccompRule(syscall: name, number: try #require(SyscallNames.number(of: name)), action: action)
    }
    return try SeccompCompiler.compile(defaultAction: action, rules: resolved)
}

@Test func aCompiledFilterIsWholeInstructionsEndingInReturns() throws {
    let filter = try compile([("read", .allow), ("write", .allow), ("ptrace", .errno(1))])
    #expect(filter.program.count % 8 == 0)
    #expect(filter.instructionCount > 5)
    let instructions = decode(filter.program)
    #expect(instructions.last?.code == ret, "a BPF program ends in a return")
    #expect(instructions.contains(Instruction(code: ret, jt: 0, jf: 0, k: 0x7fff_0000)), "some path allows")
    #expect(instructions.contains(Instruction(code: ret, jt: 0, jf: 0, k: 0x0005_0001)), "ptrace gets EPERM")
    #expect(instructions.contains(Instruction(code: ret, jt: 0, jf: 0, k: killProcess)), "the default kills")
}

/// Runs a classic BPF program over a `struct seccomp_data` the way the kernel would, for the
/// opcodes libseccomp emits; returns the action, or nil on an opcode this interpreter lacks.
private func run(
    _ program: [Instruction], nr: Int32, arch: UInt32 = auditArchX8664, args: [UInt64] = []
) -> UInt32? {
    var data: [UInt32] = [UInt32(bitPattern: nr), arch, 0, 0]  // nr, arch, instruction_pointer
    for i in 0..<6 {
        let arg = i < args.count ? args[i] : 0
        data += [UInt32(truncatingIfNeeded: arg), UInt32(truncatingIfNeeded: arg >> 32)]
    }
    var (a, x, pc) = (UInt32(0), UInt32(0), 0)
    var memory = [UInt32](repeating: 0, count: 16)
    while pc < program.count {
        let op = program[pc]
        pc += 1
        switch op.code {
        case 0x20: a = data[Int(op.k) / 4]  // ld [k]
        case 0x00: a = op.k  // ld #k
        case 0x60: a = memory[Int(op.k)]  // ld M[k]
        case 0x61: x = memory[Int(op.k)]  // ldx M[k]
        case 0x02: memory[Int(op.k)] = a  // st M[k]
        case 0x03: memory[Int(op.k)] = x  // stx M[k]
        case 0x54: a &= op.k  // and #k
        case 0x05: pc += Int(op.k)  // ja
        case 0x15: pc += a == op.k ? Int(op.jt) : Int(op.jf)
        case 0x25: pc += a > op.k ? Int(op.jt) : Int(op.jf)
        case 0x35: pc += a >= op.k ? Int(op.jt) : Int(op.jf)
        case 0x45: pc += a & op.k != 0 ? Int(op.jt) : Int(op.jf)
        case 0x06: return op.k  // ret #k
        case 0x16: return a  // ret a
        default: return nil
        }
    }
    return nil
}

private let allow: UInt32 = 0x7fff_0000

@Test func foreignABIsAreKilled() throws {
    let program = decode(try compile([("read", .allow)]).program)
    #expect(run(program, nr: 0) == allow)
    #expect(run(program, nr: 1) == killProcess)
    // i386 (AUDIT_ARCH_I386) and any other architecture.
    #expect(run(program, nr: 0, arch: 0x4000_0003) == killProcess)
    #expect(run(program, nr: 0, arch: 0xc000_00b7) == killProcess)
    // x32 shares AUDIT_ARCH_X86_64 and sets bit 30 of the number: libseccomp kills those itself.
    #expect(run(program, nr: 0x4000_0000) == killProcess)
    #expect(run(program, nr: 0x4000_0000 | 1) == killProcess)
}

@Test func rulesDecideAsWritten() throws {
    let number = { (name: String) in SyscallNames.number(of: name)! }
    let rules = [
        SeccompRule(syscall: "read", number: number("read"), action: .allow),
        SeccompRule(syscall: "ptrace", number: number("ptrace"), action: .errno(1)),
        SeccompRule(
            syscall: "write", number: number("write"), action: .allow,
            comparisons: [SeccompComparison(argument: 0, value: 1)]),
        SeccompRule(
            syscall: "write", number: number("write"), action: .allow,
            comparisons: [SeccompComparison(argument: 0, value: 2)]),
        SeccompRule(
            syscall: "mmap", number: number("mmap"), action: .allow,
            comparisons: [SeccompComparison(argument: 2, mask: 4, value: 0)]),
    ]
    let program = decode(try SeccompCompiler.compile(defaultAction: .kill, rules: rules).program)
    #expect(run(program, nr: number("read")) == allow)
    #expect(run(program, nr: number("ptrace")) == 0x0005_0001)
    #expect(run(program, nr: number("write"), args: [1]) == allow)
    #expect(run(program, nr: number("write"), args: [2]) == allow)
    #expect(run(program, nr: number("write"), args: [3]) == killProcess)
    #expect(run(program, nr: number("write"), args: [1 | 1 << 32]) == killProcess, "all 64 bits compared")
    #expect(run(program, nr: number("mmap"), args: [0, 4096, 3]) == allow)
    #expect(run(program, nr: number("mmap"), args: [0, 4096, 7]) == killProcess, "PROT_EXEC refused")
    #expect(run(program, nr: number("openat")) == killProcess)
}

@Test func otherDefaultActionsAreEncoded() throws {
    let log = decode(try compile([("read", .allow)], default: .log).program)
    #expect(log.contains(Instruction(code: ret, jt: 0, jf: 0, k: 0x7ffc_0000)))
    let enosys = decode(try compile([("read", .allow)], default: .errno(38)).program)
    #expect(enosys.contains(Instruction(code: ret, jt: 0, jf: 0, k: 0x0005_0026)))
}

@Test func syscallNamesResolveBothWays() {
    #expect(SyscallNames.number(of: "read") == 0)
    #expect(SyscallNames.number(of: "ptrace") == 101)
    #expect(SyscallNames.number(of: "execve") == 59)
    #expect(SyscallNames.number(of: "frobnicate") == nil)
    // i386's multiplexer has no x86_64 number.
    #expect(SyscallNames.number(of: "socketcall") == nil)
    #expect(SyscallNames.name(of: 101) == "ptrace")
    #expect(SyscallNames.name(of: 231) == "exit_group")
    #expect(SyscallNames.name(of: -1) == nil)
    #expect(SyscallNames.name(of: 100_000) == nil)
}

@Test(arguments: [
    ("kill", SeccompAction.kill), ("log", .log), ("errno:EPERM", .errno(1)), ("errno:ENOSYS", .errno(38)),
])
func defaultActionsParse(text: String, action: SeccompAction) throws {
    #expect(try SeccompAction.parseDefault(text) == action)
    #expect(action.description == text)
}

@Test(arguments: ["allow", "errno:", "errno:1", "errno:eperm", "KILL", "trap", ""])
func badDefaultActionsAreRefused(text: String) {
    #expect(throws: ValueError.self) { try SeccompAction.parseDefault(text) }
}

/// The filter is a binary search over syscall numbers: every number must still reach its own rule.
/// Every third known syscall is allowed, a few more only with an argument; each number in x86_64's
/// whole range is run through the program and must get exactly its rule's action.
@Test func everySyscallNumberReachesItsOwnRule() throws {
    let known = (0..<512).filter { SyscallNames.name(of: Int32($0)) != nil }.map { Int32($0) }
    let allowed = Set(known.enumerated().filter { $0.offset % 3 == 0 }.map(\.element))
    let checked = Set(known.enumerated().filter { $0.offset % 7 == 1 }.map(\.element)).subtracting(allowed)
    var rules = allowed.sorted().map {
        SeccompRule(syscall: SyscallNames.name(of: $0)!, number: $0, action: .allow)
    }
    rules += checked.sorted().map {
        SeccompRule(
            syscall: SyscallNames.name(of: $0)!, number: $0, action: .allow,
            comparisons: [SeccompComparison(argument: 1, value: 7)])
    }
    let program = decode(try SeccompCompiler.compile(defaultAction: .errno(1), rules: rules).program)
    #expect(allowed.count > 100 && checked.count > 30)
    for nr in Int32(0)..<600 {
        if allowed.contains(nr) {
            #expect(run(program, nr: nr) == allow, "syscall \(nr) is allowed")
        } else if checked.contains(nr) {
            #expect(run(program, nr: nr, args: [0, 7]) == allow, "syscall \(nr) with arg1 = 7 is allowed")
            #expect(run(program, nr: nr, args: [0, 8]) == 0x0005_0001, "syscall \(nr) with arg1 = 8 is not")
        } else {
            #expect(run(program, nr: nr) == 0x0005_0001, "syscall \(nr) has no rule")
        }
    }
}
