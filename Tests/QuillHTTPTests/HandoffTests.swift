// The prespawned handoff (docs/engine-protocol.md) without warren: the built engine starts with
// one end of a SOCK_SEQPACKET pair on fd 3 and WARREN_HANDOFF_FD=3, and the test plays warren:
// it sends an accepted loopback TCP connection with SCM_RIGHTS and the UCSPI environment as data.
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A spawned engine waiting for its handoff: its pid, warren's end of the pair, its stderr.
private struct WaitingEngine {
    let pid: pid_t
    let warren: Int32
    let stderr: Int32

    /// Closes what the test still holds, reaps the engine; returns (exit code, stderr).
    func finish() -> (Int32, String) {
        if warren >= 0 { close(warren) }
        let text = String(decoding: readAll(stderr), as: UTF8.self)
        close(stderr)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (code, text)
    }
}

/// Starts the engine on `site` with fds 0/1 on /dev/null (or `stdio`), fd 2 a pipe and the pair on
/// fd 3. `handoffVariable` replaces "3" as WARREN_HANDOFF_FD's value; `pairOnFd3` false puts a pipe
/// there.
private func startWaiting(
    _ engine: String, site: String, handoffVariable: String = "3", pairOnFd3: Bool = true,
    stdio: Int32? = nil
) -> WaitingEngine {
    var pair: [Int32] = [0, 0]
    let seqpacket = Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
    precondition(socketpair(AF_UNIX, seqpacket, 0, &pair) == 0, "socketpair failed")
    var errPipe: [Int32] = [0, 0]
    precondition(pipe(&errPipe) == 0, "pipe failed")
    for fd in errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }  // (pipe2 is not in Glibc's module)
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    if let stdio {
        posix_spawn_file_actions_adddup2(&actions, stdio, 0)
        posix_spawn_file_actions_adddup2(&actions, stdio, 1)
    } else {
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    }
    posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
    // Without the pair, fd 3 is the stderr pipe's write end: open, but no socket.
    posix_spawn_file_actions_adddup2(&actions, pairOnFd3 ? pair[1] : errPipe[1], 3)
    let argv = [engine, "--site", site, "--idle-timeout", "5000"]
    var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
    var env: [UnsafeMutablePointer<CChar>?] = [strdup("WARREN_HANDOFF_FD=" + handoffVariable), nil]
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, engine, &actions, nil, &cArgs, &env)
    posix_spawn_file_actions_destroy(&actions)
    for p in cArgs + env { free(p) }
    close(pair[1])
    close(errPipe[1])
    precondition(rc == 0, "posix_spawn failed: \(rc)")
    return WaitingEngine(pid: pid, warren: pair[0], stderr: errPipe[0])
}

/// sendmsg of `data` with `fds` in one SCM_RIGHTS control message (none: data only).
private func sendHandoff(_ socket: Int32, data: [UInt8], fds: [Int32]) -> Int {
    // struct cmsghdr on x86_64: size_t cmsg_len, int cmsg_level, int cmsg_type, then the fds.
    let header = 16
    var control = [UInt8](repeating: 0, count: fds.isEmpty ? 0 : (header + 4 * fds.count + 7) & ~7)
    control.withUnsafeMutableBytes { raw in
        guard !fds.isEmpty else { return }
        raw.storeBytes(of: header + 4 * fds.count, toByteOffset: 0, as: Int.self)
        raw.storeBytes(of: Int32(SOL_SOCKET), toByteOffset: 8, as: Int32.self)
        raw.storeBytes(of: Int32(1), toByteOffset: 12, as: Int32.self)  // SCM_RIGHTS
        for (i, fd) in fds.enumerated() {
            raw.storeBytes(of: fd, toByteOffset: header + 4 * i, as: Int32.self)
        }
    }
    var data = data
    return data.withUnsafeMutableBytes { d in
        control.withUnsafeMutableBytes { c in
            var iov = iovec(iov_base: d.baseAddress, iov_len: d.count)
            return withUnsafeMutablePointer(to: &iov) { iovPointer in
                var message = msghdr()
                message.msg_iov = iovPointer
                message.msg_iovlen = 1
                message.msg_control = fds.isEmpty ? nil : c.baseAddress
                message.msg_controllen = fds.isEmpty ? 0 : c.count
                return sendmsg(socket, &message, 0)
            }
        }
    }
}

private func environment(_ entries: [String]) -> [UInt8] {
    entries.flatMap { Array($0.utf8) + [0] }
}

private let ucspi = environment([
    "PROTO=TCP", "TCPREMOTEIP=203.0.113.5", "TCPREMOTEPORT=4711", "TCPLOCALIP=127.0.0.1",
    "TCPLOCALPORT=8080",
])

private let canHandOff: Bool = haveEngine && loopbackWorks

@Suite struct HandoffTests {
    @Test(.enabled(if: canHandOff)) func servesTheConnectionItReceives() throws {
        let temp = TempSite()
        defer { temp.remove() }
        temp.write("index.html", "handed off\n")
        let engine = startWaiting(try #require(siblingEngine()), site: temp.root)
        let (client, server) = try #require(tcpPair())
        #expect(sendHandoff(engine.warren, data: ucspi, fds: [server]) == ucspi.count)
        close(server)
        let request = get("/") + get("/", "Connection: close\r\n")
        _ = Array(request.utf8).withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
        let raw = readAll(client)
        close(client)
        // Once the engine holds the connection it has let go of the pair: warren's end reads EOF.
        var byte: UInt8 = 0
        #expect(read(engine.warren, &byte, 1) == 0)
        let (code, log) = engine.finish()
        #expect(code == 0, "stderr: \(log)")
        #expect(parseResponses(raw, headIndexes: []).map(\.text) == ["handed off\n", "handed off\n"])
        // The access log names the remote address from the handed-off environment.
        let lines = log.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.allSatisfy { $0.hasPrefix("203.0.113.5 - - [") })
    }

    /// The warm-up before the wait (WarmUp.swift) serves built-in requests with nothing written:
    /// fds 0 and 1, here a socket the test watches, stay unread, unwritten and blocking.
    @Test(.enabled(if: canHandOff)) func theWarmUpLeavesFdsZeroAndOneAlone() throws {
        let temp = TempSite()
        defer { temp.remove() }
        temp.write("index.html", "warm\n")
        temp.write("404.html", "missing\n")
        let (watched, stdio) = socketPair()
        let engine = startWaiting(try #require(siblingEngine()), site: temp.root, stdio: stdio)
        let (client, server) = try #require(tcpPair())
        #expect(sendHandoff(engine.warren, data: ucspi, fds: [server]) == ucspi.count)
        close(server)
        let request = get("/", "Connection: close\r\n")
        _ = Array(request.utf8).withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
        let raw = readAll(client)
        close(client)
        let (code, log) = engine.finish()
        #expect(code == 0)
        let responses = parseResponses(raw, headIndexes: [])
        #expect(responses.count == 1 && responses.first?.status == 200)
        #expect(String(decoding: responses.first?.body ?? [], as: UTF8.self) == "warm\n")
        // One access-log line: the client's request, none for the warm-up's.
        #expect(log.split(separator: "\n").count == 1)
        #expect(log.contains("203.0.113.5 - - ") && log.contains("\"GET / HTTP/1.1\" 200 5 "))
        #expect(fcntl(stdio, F_GETFL) & O_NONBLOCK == 0)
        close(stdio)
        #expect(readAll(watched).isEmpty)  // end of file, not a byte
        close(watched)
    }

    @Test(.enabled(if: haveEngine)) func endOfFileReleasesTheEngine() throws {
        let temp = TempSite()
        defer { temp.remove() }
        temp.write("index.html", "x\n")
        let engine = startWaiting(try #require(siblingEngine()), site: temp.root)
        let (code, log) = engine.finish()  // closes warren's end without sending anything
        #expect(code == 0)
        #expect(log.isEmpty)
    }

    @Test(.enabled(if: haveEngine)) func aMessageWithoutADescriptorReleasesTheEngine() throws {
        let temp = TempSite()
        defer { temp.remove() }
        temp.write("index.html", "x\n")
        let engine = startWaiting(try #require(siblingEngine()), site: temp.root)
        #expect(sendHandoff(engine.warren, data: ucspi, fds: []) == ucspi.count)
        // Warren's end stays open until the engine has exited: the message alone released it.
        var status: Int32 = 0
        waitpid(engine.pid, &status, 0)
        #expect((status & 0x7f) == 0 && (status >> 8) & 0xff == 0)
        close(engine.warren)
        #expect(readAll(engine.stderr).isEmpty)
        close(engine.stderr)
    }

    @Test(.enabled(if: canHandOff)) func protocolErrorsFailWithoutServing() throws {
        let temp = TempSite()
        defer { temp.remove() }
        temp.write("index.html", "x\n")
        let binary = try #require(siblingEngine())
        let cases: [(data: [UInt8], twoDescriptors: Bool, expected: String)] = [
            (ucspi, true, "2 descriptors, expected 1"),
            (environment(["PROTO=TCP", "TCPREMOTEIP"]), false, "environment entry 2 has no '='"),
            (environment(["=x"]), false, "environment entry 1 has an empty name"),
            (Array("PROTO=TCP".utf8), false, "does not end in a NUL byte"),
        ]
        for item in cases {
            let engine = startWaiting(binary, site: temp.root)
            let (client, server) = try #require(tcpPair())
            let fds = item.twoDescriptors ? [server, server] : [server]
            #expect(sendHandoff(engine.warren, data: item.data, fds: fds) == item.data.count)
            close(server)
            let (code, log) = engine.finish()
            // The refused connection is closed unanswered.
            #expect(readAll(client).isEmpty)
            close(client)
            #expect(code == 71)
            #expect(log.hasPrefix("quill-engine: handoff message on fd 3: "), "stderr: \(log)")
            #expect(log.contains(item.expected), "stderr: \(log)")
        }
    }

    @Test(.enabled(if: haveEngine)) func aBadHandoffDescriptorFails() throws {
        let temp = TempSite()
        defer { temp.remove() }
        temp.write("index.html", "x\n")
        let binary = try #require(siblingEngine())
        let notANumber = startWaiting(binary, site: temp.root, handoffVariable: "03")
        let (code, log) = notANumber.finish()
        #expect(code == 71)
        #expect(log.contains("WARREN_HANDOFF_FD=03: not a descriptor number"))
        let closed = startWaiting(binary, site: temp.root, handoffVariable: "999")
        let (code2, log2) = closed.finish()
        #expect(code2 == 71)
        #expect(log2.contains("WARREN_HANDOFF_FD: fd 999 is not open"))
        let notASocket = startWaiting(binary, site: temp.root, pairOnFd3: false)
        let (code3, log3) = notASocket.finish()
        #expect(code3 == 71)
        #expect(log3.contains("recvmsg on fd 3: "), "stderr: \(log3)")
    }
}
