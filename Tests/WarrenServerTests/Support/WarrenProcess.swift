import Glibc
import Testing

/// One `warren serve` started by a test: its config and stderr log live in a private directory.
final class WarrenProcess {
    let directory: String
    let configPath: String
    let logPath: String
    let pid: pid_t
    private var exitStatus: Int32?

    /// Writes `config` and starts warren on it, with a marker variable in its environment that no
    /// engine may see. Waits until every service logged that it is listening.
    init(config: String) throws {
        directory = try TestPaths.temporaryDirectory()
        configPath = directory + "/warren.toml"
        logPath = directory + "/warren.log"
        try TestPaths.write(config, to: configPath)
        let warren = try TestPaths.warren()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, logPath, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0o644)
        let args = [warren, "serve", "--config", configPath]
        let env = ["PATH=/usr/bin:/bin", "WARREN_TEST_SECRET=must-not-leak"]
        var argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup($0) } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, warren, &actions, nil, &argv, &envp)
        try #require(rc == 0, "posix_spawn warren: \(rc)")
        pid = child
        let services = config.components(matching: "[[service]]")
        try waitForLog(count: services, of: "event=listening")
    }

    deinit {
        if exitStatus == nil {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        unlink(configPath)
        unlink(logPath)
        rmdir(directory)
    }

    var log: String { TestPaths.read(logPath) }

    var logLines: [Substring] { log.split(separator: "\n") }

    /// Waits (up to 30 s, polling) until the log holds `count` lines containing every one of `parts`;
    /// returns those lines. Records an issue with the log's tail when they never come.
    @discardableResult
    func waitForLog(count: Int = 1, of parts: String..., sourceLocation: SourceLocation = #_sourceLocation)
        throws -> [Substring]
    {
        for _ in 0..<1500 {
            let matching = logLines.filter { line in parts.allSatisfy { WarrenProcess.line(line, has: $0) } }
            if matching.count >= count { return matching }
            if let status = exitStatusIfExited() {
                Issue.record(
                    "warren exited (\(status)) while waiting for \(parts)", sourceLocation: sourceLocation)
                break
            }
            usleep(20_000)
        }
        let tail = logLines.suffix(15).joined(separator: "\n")
        try #require(
            Bool(false), "no \(count) log lines with \(parts); log tail:\n\(tail)",
            sourceLocation: sourceLocation)
        return []
    }

    func signal(_ signal: Int32) {
        kill(pid, signal)
    }

    /// Waits for warren to exit; returns its wait status.
    func waitForExit() -> Int32 {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        exitStatus = status
        return status
    }

    private func exitStatusIfExited() -> Int32? {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return nil }
        exitStatus = status
        return status
    }

    /// Replaces the config file (for SIGHUP tests).
    func rewriteConfig(_ config: String) throws {
        try TestPaths.write(config, to: configPath)
    }

    /// warren's open fds, from /proc.
    func openFileCount() -> Int {
        guard let dir = opendir("/proc/\(pid)/fd") else { return -1 }
        defer { closedir(dir) }
        var count = 0
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { count += 1 }
        }
        return count
    }

    /// How many of warren's open fds are namespaces (what each service's spawn plan holds for its
    /// policy: the template mount namespace and any shared ones), from /proc/PID/fd links.
    func namespaceFileCount() -> Int {
        guard let dir = opendir("/proc/\(pid)/fd") else { return -1 }
        defer { closedir(dir) }
        var count = 0
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            var buffer = [CChar](repeating: 0, count: 256)
            let n = readlink("/proc/\(pid)/fd/\(name)", &buffer, buffer.count - 1)
            guard n > 0 else { continue }
            let target = String(decoding: buffer.prefix(n).map(UInt8.init(bitPattern:)), as: UTF8.self)
            if ["mnt:", "net:", "ipc:", "uts:", "cgroup:", "user:"].contains(where: { target.hasPrefix($0) })
            {
                count += 1
            }
        }
        return count
    }

    /// warren's children as (pid, state letter), from /proc/N/stat; "Z" is a zombie.
    func children() -> [(pid: Int32, state: Character)] {
        guard let dir = opendir("/proc") else { return [] }
        defer { closedir(dir) }
        var result: [(Int32, Character)] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard let child = Int32(name) else { continue }
            let stat = TestPaths.read("/proc/\(child)/stat")
            // "pid (comm) S ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
            guard let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 1, let ppid = Int32(fields[1]), ppid == pid, let state = fields[0].first
            else {
                continue
            }
            result.append((child, state))
        }
        return result
    }

    /// Whether `line` holds `part`; an `event=` part must be the line's own event (an engine's
    /// forwarded stderr may contain the same text inside its quoted `line` value).
    static func line(_ line: Substring, has part: String) -> Bool {
        if part.hasPrefix("event=") { return field("event", in: line) == String(part.dropFirst(6)) }
        return line.contains(part)
    }

    /// The value of `key` in a logfmt line (unquoted values only).
    static func field(_ key: String, in line: Substring) -> String? {
        for part in line.split(separator: " ") where part.hasPrefix(key + "=") {
            return String(part.dropFirst(key.count + 1))
        }
        return nil
    }
}

extension String {
    /// How many times `needle` occurs.
    func components(matching needle: String) -> Int {
        var count = 0
        var rest = self[...]
        while let range = rest.firstRange(of: needle) {
            count += 1
            rest = rest[range.upperBound...]
        }
        return count
    }
}
