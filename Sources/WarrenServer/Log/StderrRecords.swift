/// `event=stderr` records of one service, built straight into the sink's bytes. There is one per
/// line an engine writes - one per request for quill-engine's access log - so a line makes no
/// String, no field array and no timestamp of its own: a keep-alive profile showed the generic
/// LogLine path costing warren ~9 us per line, more than a tenth of the request.
/// The bytes are the same as `LogLine(event: "stderr")` with service, pid, line (and truncated).
struct StderrRecords {
    /// `service=NAME` as LogLine writes it.
    private let service: [UInt8]
    /// `time=... event=stderr service=NAME pid=` for the millisecond in `millisecond`.
    private var prefix: [UInt8] = []
    private var millisecond: UInt64 = .max

    init(service name: String) {
        var bytes = Array("service=".utf8)
        LogLine.appendQuoted(name, to: &bytes)
        service = bytes
    }

    /// Appends the record for one line of `pid`, stamped `time` (realtime nanoseconds).
    mutating func append(
        pid: Int32, line: ArraySlice<UInt8>, truncated: Bool, time: UInt64, to out: inout [UInt8]
    ) {
        if time / 1_000_000 != millisecond {
            millisecond = time / 1_000_000
            prefix.removeAll(keepingCapacity: true)
            prefix.append(contentsOf: "time=".utf8)
            prefix.append(contentsOf: LogLine.timestamp(time).utf8)
            prefix.append(contentsOf: " event=stderr ".utf8)
            prefix.append(contentsOf: service)
            prefix.append(contentsOf: " pid=".utf8)
        }
        out.append(contentsOf: prefix)
        Self.appendDecimal(pid, to: &out)
        out.append(contentsOf: " line=".utf8)
        if line.allSatisfy({ $0 < 0x80 }) {
            LogLine.appendQuoted(utf8: line, to: &out)
        } else {
            // Not ASCII: decoding replaces invalid UTF-8, exactly as a LogLine value would.
            LogLine.appendQuoted(String(decoding: line, as: UTF8.self), to: &out)
        }
        if truncated { out.append(contentsOf: " truncated=true".utf8) }
        out.append(UInt8(ascii: "\n"))
    }

    private static func appendDecimal(_ value: Int32, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { raw in
            repeat {
                raw[9 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            out.append(contentsOf: raw[(10 - count)...])
        }
    }
}
