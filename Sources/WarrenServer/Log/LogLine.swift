import Glibc
import WarrenSystem

/// One logfmt record: `time=2026-11-28T19:05:00.123Z event=conn service=blog ...`, keys in the order
/// they were added. Values are quoted when they hold a space, `=`, a quote or anything non-printable,
/// and escaped, so that an engine's stderr can never forge a record or split one across lines.
public struct LogLine: Sendable {
    public private(set) var fields: [(key: String, value: String)] = []

    public init(event: String, time: UInt64 = Clock.realtimeNanoseconds()) {
        add("time", LogLine.timestamp(time))
        add("event", event)
    }

    public mutating func add(_ key: String, _ value: String) {
        fields.append((key, value))
    }

    public mutating func add(_ key: String, _ value: some BinaryInteger) {
        fields.append((key, String(value)))
    }

    public var text: String {
        var bytes: [UInt8] = []
        append(to: &bytes)
        bytes.removeLast()
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The record and its newline as UTF-8, appended to `out`: the sink builds no String per record.
    func append(to out: inout [UInt8]) {
        for (index, field) in fields.enumerated() {
            if index > 0 { out.append(UInt8(ascii: " ")) }
            out.append(contentsOf: field.key.utf8)
            out.append(UInt8(ascii: "="))
            LogLine.appendQuoted(field.value, to: &out)
        }
        out.append(UInt8(ascii: "\n"))
    }

    /// A value bare when it is printable ASCII without `=` or a quote; otherwise quoted, with quote,
    /// backslash and control characters escaped (other UTF-8 passes through as is).
    static func appendQuoted(_ value: String, to out: inout [UInt8]) {
        appendQuoted(utf8: value.utf8, to: &out)
    }

    /// The same for UTF-8 bytes known to be valid. Runs that need no escape are copied whole.
    static func appendQuoted<Bytes: Collection<UInt8>>(utf8: Bytes, to out: inout [UInt8]) {
        let plain =
            !utf8.isEmpty
            && utf8.allSatisfy {
                $0 > 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "=") && $0 != UInt8(ascii: "\"")
            }
        if plain {
            out.append(contentsOf: utf8)
            return
        }
        out.append(UInt8(ascii: "\""))
        var run = utf8.startIndex
        var index = run
        while index != utf8.endIndex {
            let byte = utf8[index]
            let next = utf8.index(after: index)
            guard byte < 0x20 || byte == 0x7f || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
            else {
                index = next
                continue
            }
            out.append(contentsOf: utf8[run..<index])
            out.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\n"): out.append(UInt8(ascii: "n"))
            case UInt8(ascii: "\r"): out.append(UInt8(ascii: "r"))
            case UInt8(ascii: "\t"): out.append(UInt8(ascii: "t"))
            case 0..<0x20, 0x7f:
                out.append(UInt8(ascii: "x"))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 15)])
            default: out.append(byte)  // quote, backslash
            }
            index = next
            run = next
        }
        out.append(contentsOf: utf8[run..<index])
        out.append(UInt8(ascii: "\""))
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// RFC 3339, UTC, milliseconds.
    static func timestamp(_ nanoseconds: UInt64) -> String {
        var seconds = time_t(nanoseconds / 1_000_000_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ v: Int32, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        let millis = Int32((nanoseconds / 1_000_000) % 1000)
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))"
            + "T\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(millis, 3))Z"
    }

    /// Seconds with millisecond precision: "0.012s".
    static func duration(_ nanoseconds: UInt64) -> String {
        let millis = nanoseconds / 1_000_000
        let fraction = String(millis % 1000)
        return "\(millis / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)s"
    }
}
