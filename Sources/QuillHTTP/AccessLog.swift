// One access-log line per request on stderr, in the combined log format plus the request's
// duration in microseconds:
//   203.0.113.9 - - [28/Nov/2026:19:30:00 +0000] "GET /a/ HTTP/1.1" 200 5120 "-" "curl/8.0" 412
// A line is at most 1,024 bytes. Lines are batched: they go out together in one write() of at most
// 4,096 bytes (PIPE_BUF, so lines from many engines sharing a pipe never interleave) when the batch
// is full, when the connection ends, or when the oldest has waited `delay` ms (the connection
// polls with that deadline) - one write per ~25 keep-alive requests instead of one each, and for
// warren one wake-up instead of 25. Bytes outside printable ASCII, '"' and '\' are written as
// \xHH; long fields are cut and end in "...".
import SystemPackage

public struct AccessLog {
    public var output: FileDescriptor?
    private let remote: [UInt8]
    /// Lines not yet written; each is appended here directly (no separate line buffer: one
    /// allocation, one page touched).
    private var batch: [UInt8] = []
    /// Monotonic milliseconds when the oldest unwritten line was recorded; 0 with none (not an
    /// optional: see FileCache on generic types at start-up).
    public private(set) var pendingSince: Int64 = 0
    private static let maxLine = 1024
    private static let maxBatch = 4096
    /// The longest a line waits for its batch.
    public static let delay: Int64 = 1000
    /// Lines are built but never written (a warm-up connection's).
    private let discarding: Bool

    public init(output: FileDescriptor?, remote: String, discarding: Bool = false) {
        self.output = discarding ? nil : output
        self.discarding = discarding
        self.remote = remote.isEmpty ? Array("-".utf8) : Array(remote.utf8.prefix(64))
        // Small at first: an idle keep-alive connection (one request, then waiting) should not
        // hold a page for a batch it never fills; the array grows as lines arrive.
        batch.reserveCapacity(256)
    }

    /// Logs one exchange. `requestLine` may be nil when the request could not be parsed.
    public mutating func record(
        input: UnsafeRawBufferPointer, request: Request?, status: HTTPStatus, bodyBytes: Int64,
        now: Int64, durationMicroseconds: Int64
    ) {
        guard output != nil || discarding else { return }
        // The fields' limits keep a line under maxLine, so the batch never passes maxBatch.
        if batch.count > Self.maxBatch - Self.maxLine { flush() }
        if batch.isEmpty { pendingSince = Clock.monotonicMilliseconds() }
        appendEscaped(remote[...], limit: 64)
        batch.append(" - - [")
        HTTPDate.appendLogTime(now, to: &batch)
        batch.append("] \"")
        if let request {
            appendEscaped(input, request.methodRange, limit: 16)
            batch.append(ASCII.space)
            appendEscaped(input, request.target, limit: 560)
            batch.append(request.version == .http11 ? " HTTP/1.1" : " HTTP/1.0")
        } else {
            batch.append("-")
        }
        batch.append("\" ")
        batch.appendDecimal(Int64(status.rawValue))
        batch.append(ASCII.space)
        batch.appendDecimal(bodyBytes)
        batch.append(" \"")
        appendEscaped(input, request?.referer, limit: 120)
        batch.append("\" \"")
        appendEscaped(input, request?.userAgent, limit: 120)
        batch.append("\" ")
        batch.appendDecimal(durationMicroseconds)
        batch.append(ASCII.lf)
    }

    /// Writes the batched lines (one write; a pipe's PIPE_BUF keeps them whole).
    public mutating func flush() {
        defer {
            batch.removeAll(keepingCapacity: true)
            pendingSince = 0
        }
        guard let output, !batch.isEmpty else { return }
        _ = batch.withUnsafeBytes { try? output.writeOnce($0) }
    }

    private mutating func appendEscaped(_ input: UnsafeRawBufferPointer, _ range: Range<Int>?, limit: Int) {
        guard let range, !range.isEmpty else {
            batch.append("-")
            return
        }
        appendEscaped(UnsafeRawBufferPointer(rebasing: input[range]), limit: limit)
    }

    private mutating func appendEscaped<C: Collection>(_ bytes: C, limit: Int) where C.Element == UInt8 {
        var written = 0
        for c in bytes {
            if written >= limit {
                batch.append("...")
                return
            }
            if c < 0x20 || c >= 0x7F || c == ASCII.quote || c == UInt8(ascii: "\\") {
                batch.append("\\x")
                let hex: StaticString = "0123456789abcdef"
                batch.append(hex.utf8Start[Int(c >> 4)])
                batch.append(hex.utf8Start[Int(c & 15)])
                written += 4
            } else {
                batch.append(c)
                written += 1
            }
        }
    }
}
