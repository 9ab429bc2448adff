// One client connection: read request heads from the input descriptor, answer each in order on
// the output descriptor, until the client is done, a limit or timeout is reached, or a request
// is unusable. poll() on the input gives the idle and header timeouts; nothing here blocks
// without a deadline.
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

public final class Connection {
    let site: Site
    let input: FileDescriptor
    let output: FileDescriptor
    let options: ConnectionOptions
    let parser: RequestParser
    /// send(MSG_MORE) for a head followed by sendfile only works on a socket.
    let outputIsSocket: Bool

    var inbuf: [UInt8]
    var head = ResponseHead()
    /// The decoded request path, then the relative file path tried beneath the root (NUL-ended).
    var path: [UInt8] = []
    var file: [UInt8] = []
    var tag = EntityTag()
    /// Files opened by earlier requests on this connection (keep-alive clients repeat them).
    var files: FileCache
    var log: AccessLog
    /// Set when a write fails or times out: nothing more can be said to this client.
    var broken = false
    /// A warm-up connection (WarmUp.swift): answers are built in full and then dropped; it touches
    /// no descriptor but the site's files.
    let discarding: Bool

    public convenience init(
        site: Site, input: FileDescriptor, output: FileDescriptor, log: FileDescriptor?,
        remote: String, options: ConnectionOptions = ConnectionOptions()
    ) {
        self.init(
            site: site, input: input, output: output, log: log, remote: remote, options: options,
            discarding: false)
    }

    init(
        site: Site, input: FileDescriptor, output: FileDescriptor, log: FileDescriptor?,
        remote: String, options: ConnectionOptions, discarding: Bool
    ) {
        self.site = site
        self.input = input
        self.output = output
        self.options = options
        self.discarding = discarding
        self.parser = RequestParser(limits: options.limits)
        self.outputIsSocket = !discarding && (try? output.info().kind) == .socket
        self.log = AccessLog(output: log, remote: remote, discarding: discarding)
        self.files = FileCache(validity: options.fileCacheMilliseconds)
        // Room for the largest head allowed plus pipelined bytes behind it.
        // Not zero-filled: untouched pages stay out of the engine's memory until a read lands there.
        inbuf = [UInt8](unsafeUninitializedCapacity: options.limits.maxHead + 4096) { _, count in
            count = options.limits.maxHead + 4096
        }
        // Typical paths fit; a long one grows the array once. Reserving the 8 KB maximum here cost
        // an idle engine two dirty pages per buffer (malloc headers between big chunks).
        path.reserveCapacity(256)
        file.reserveCapacity(256)
        if discarding { return }
        try? input.setNonBlocking()
        if output != input { try? output.setNonBlocking() }
    }

    deinit {
        files.removeAll()
    }

    /// Serves the connection to its end. Returns the number of requests answered.
    @discardableResult
    public func run() -> Int {
        var count = 0
        var scanned = 0
        var served = 0
        var lastActivity = Clock.monotonicMilliseconds()
        var headStarted = lastActivity
        // The first request is usually waiting already (the connection was just accepted):
        // read before polling. Later ones follow our answer, so poll first.
        var readFirst = true
        defer { log.flush() }

        while !broken {
            if count > 0 {
                let outcome = inbuf.withUnsafeBytes { raw in
                    parser.parse(UnsafeRawBufferPointer(rebasing: raw[0..<count]), from: scanned)
                }
                switch outcome {
                case .request(let request):
                    served += 1
                    let keep = inbuf.withUnsafeBytes { raw in
                        respond(
                            to: request, input: UnsafeRawBufferPointer(rebasing: raw[0..<count]),
                            served: served)
                    }
                    if !keep || broken {
                        // Unread bytes (a refused body, requests behind a close) would make the
                        // kernel reset the connection and lose the answer: linger instead.
                        if request.hasBody || count > request.headLength { linger() }
                        return served
                    }
                    let used = request.headLength
                    inbuf.withUnsafeMutableBytes { raw in
                        raw.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[used..<count]))
                    }
                    count -= used
                    scanned = 0
                    lastActivity = Clock.monotonicMilliseconds()
                    headStarted = lastActivity
                    continue
                case .failure(let status):
                    fail(status, startedAt: Clock.monotonicMicroseconds())
                    linger()
                    return served
                case .incomplete(let position):
                    scanned = position
                    if count == inbuf.count {
                        fail(.headerFieldsTooLarge, startedAt: Clock.monotonicMicroseconds())
                        linger()
                        return served
                    }
                }
            }

            // Wait for more input, within the idle or header deadline.
            let now = Clock.monotonicMilliseconds()
            let remaining =
                count == 0
                ? options.idleTimeoutMilliseconds - (now - lastActivity)
                : options.headerTimeoutMilliseconds - (now - headStarted)
            if remaining <= 0 {
                if count > 0 { fail(.requestTimeout, startedAt: Clock.monotonicMicroseconds()) }
                return served
            }
            if readFirst {
                readFirst = false
            } else {
                // Batched log lines must not wait longer than their delay for the next request.
                let flushIn = log.pendingSince != 0 ? log.pendingSince + AccessLog.delay - now : remaining
                guard
                    let ready = try? input.wait(
                        for: Int16(POLLIN),
                        timeoutMilliseconds: Int32(clamping: max(0, min(remaining, flushIn))))
                else { return served }
                if !ready {
                    if log.pendingSince != 0, flushIn <= remaining { log.flush() }
                    continue
                }
            }
            let n: Int
            do {
                n = try inbuf.withUnsafeMutableBytes { raw in
                    try input.readOnce(into: UnsafeMutableRawBufferPointer(rebasing: raw[count...]))
                }
            } catch .wouldBlock {
                continue
            } catch {
                return served
            }
            if n == 0 { return served }
            if count == 0 { headStarted = Clock.monotonicMilliseconds() }
            count += n
        }
        return served
    }

    /// After a final answer, while the client may still be sending: end our side (FIN after the
    /// response) and discard input for a short, bounded while, so the client reads the answer
    /// before the connection goes (nginx calls this lingering close).
    private func linger() {
        guard !broken else { return }
        output.shutdownWriting()
        let deadline = Clock.monotonicMilliseconds() + 1000
        var discarded = 0
        while discarded < 1 << 20 {
            let remaining = deadline - Clock.monotonicMilliseconds()
            guard remaining > 0,
                (try? input.wait(for: Int16(POLLIN), timeoutMilliseconds: Int32(remaining))) == true
            else { return }
            let n: Int
            do {
                n = try inbuf.withUnsafeMutableBytes { raw throws(Errno) in try input.readOnce(into: raw) }
            } catch .wouldBlock {
                continue
            } catch {
                return
            }
            if n == 0 { return }
            discarded += n
        }
    }

    /// Answers an unparseable request (or a timeout) and marks the connection for closing.
    private func fail(_ status: HTTPStatus, startedAt: Int64) {
        let body = sendMessage(status, request: nil, keepAlive: false, extra: nil, bodyAllowed: true)
        log.record(
            input: UnsafeRawBufferPointer(start: nil, count: 0), request: nil, status: status,
            bodyBytes: body,
            now: Clock.realtimeSeconds(), durationMicroseconds: Clock.monotonicMicroseconds() - startedAt)
    }
}
