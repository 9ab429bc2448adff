// [seccomp]: the default action and per-syscall rules. Each syscall may be named once per file, in
// one of allow, kill, errno or allow_if; unknown names are errors with their line.
//
//   default_action = "kill"                  # kill | errno:NAME | log
//   allow = ["read", "write"]                # always allowed
//   kill = ["ptrace"]                        # killed even when the default is errno or log
//   errno = { ptrace = "EPERM" }             # fail with that errno
//   [seccomp.allow_if]                       # allowed only when the arguments match
//   write = { arg0 = [1, 2] }                # arg0 is 1 or 2
//   mmap = { arg2 = { mask = 4, value = 0 } }  # (arg2 & 4) == 0: no PROT_EXEC

extension PolicyFileReader {
    /// Alternatives per syscall after expanding argument lists; libseccomp adds one rule each.
    static let maximumAlternatives = 64

    func readSeccomp(_ table: TableReader, into draft: inout PolicyDraft) {
        if let text = table.string("default_action") {
            do throws(ValueError) {
                draft.defaultAction = located(try SeccompAction.parseDefault(text), table, "default_action")
            } catch {
                table.error("default_action", "'seccomp.default_action': \(error.message)")
            }
        }
        var seen: [String: String] = [:]
        func add(_ name: String, line: Int, from list: String, rules: (Int32) -> [SeccompRule]) {
            if let earlier = seen[name] {
                table.error(
                    line: line, "syscall '\(name)' is named twice in [seccomp] (\(earlier) and \(list))")
                return
            }
            seen[name] = list
            guard let number = SyscallNames.number(of: name) else {
                table.error(line: line, "unknown syscall '\(name)' in seccomp.\(list)")
                return
            }
            draft.syscalls[name] = SyscallRules(name: name, rules: rules(number), file: file, line: line)
        }
        for entry in table.stringArrayWithLines("allow") ?? [] {
            add(entry.value, line: entry.line, from: "allow") {
                [SeccompRule(syscall: entry.value, number: $0, action: .allow)]
            }
        }
        for entry in table.stringArrayWithLines("kill") ?? [] {
            add(entry.value, line: entry.line, from: "kill") {
                [SeccompRule(syscall: entry.value, number: $0, action: .kill)]
            }
        }
        if let errnos = table.table("errno") {
            for name in errnos.keys {
                guard let text = errnos.string(name) else { continue }
                let line = errnos.line(of: name)
                do throws(ValueError) {
                    let value = try SeccompAction.errno(text)
                    add(name, line: line, from: "errno") {
                        [SeccompRule(syscall: name, number: $0, action: .errno(value))]
                    }
                } catch {
                    errnos.error(name, "'seccomp.errno.\(name)': \(error.message)")
                }
            }
        }
        if let conditional = table.table("allow_if") {
            for name in conditional.keys {
                guard let conditions = conditional.table(name) else { continue }
                guard let alternatives = readConditions(conditions) else { continue }
                add(name, line: conditional.line(of: name), from: "allow_if") { number in
                    alternatives.map {
                        SeccompRule(syscall: name, number: number, action: .allow, comparisons: $0)
                    }
                }
            }
        }
    }

    /// `{ arg0 = [1, 2], arg2 = { mask = 4, value = 0 } }` → the alternatives (each a conjunction
    /// of comparisons), or nil after recording what is wrong.
    private func readConditions(_ table: TableReader) -> [[SeccompComparison]]? {
        var perArgument: [[SeccompComparison]] = []
        var valid = true
        if table.keys.isEmpty {
            table.error(nil, "'\(table.name)' needs at least one condition such as arg0 = [1, 2]")
            return nil
        }
        for key in table.keys {
            guard key.hasPrefix("arg"), let index = UInt32(key.dropFirst(3)), index <= 5, key.count == 4
            else {
                _ = table.node(key)
                table.error(key, "'\(table.path(key))': arguments are named arg0 to arg5")
                valid = false
                continue
            }
            guard let node = table.node(key) else { continue }
            let elements: [TOMLNode]
            if case .array(let list) = node.value { elements = list } else { elements = [node] }
            if elements.isEmpty {
                table.error(key, "'\(table.path(key))' needs at least one value")
                valid = false
            }
            var comparisons: [SeccompComparison] = []
            for element in elements {
                if let comparison = comparison(element, argument: index, table: table, key: key) {
                    comparisons.append(comparison)
                } else {
                    valid = false
                }
            }
            perArgument.append(comparisons)
        }
        guard valid else { return nil }
        var alternatives: [[SeccompComparison]] = [[]]
        for options in perArgument {
            alternatives = alternatives.flatMap { prefix in options.map { prefix + [$0] } }
        }
        guard alternatives.count <= Self.maximumAlternatives else {
            table.error(
                nil,
                "'\(table.name)' expands to \(alternatives.count) rules; at most \(Self.maximumAlternatives) are allowed"
            )
            return nil
        }
        return alternatives
    }

    /// An integer (negative ones are taken as their 64-bit two's complement, as a sign-extended
    /// C int would be) or `{ mask = M, value = V }`.
    private func comparison(
        _ node: TOMLNode, argument: UInt32, table: TableReader, key: String
    ) -> SeccompComparison? {
        switch node.value {
        case .integer(let value):
            return SeccompComparison(argument: argument, value: UInt64(bitPattern: value))
        case .table(let masked):
            let reader = TableReader(table: masked, name: table.path(key), file: file, log: log)
            let mask = reader.integer("mask", required: true)
            let value = reader.integer("value", required: true)
            reader.finish()
            guard let mask, let value else { return nil }
            let (m, v) = (UInt64(bitPattern: mask), UInt64(bitPattern: value))
            if v & ~m != 0 {
                reader.error(
                    "value", "'\(table.path(key)).value' has bits outside its mask: it can never match")
                return nil
            }
            return SeccompComparison(argument: argument, mask: m, value: v)
        default:
            log.error(
                file, node.line,
                "'\(table.path(key))' must be an integer, { mask = M, value = V }, or an array of them, not \(node.typeName)"
            )
            return nil
        }
    }
}
