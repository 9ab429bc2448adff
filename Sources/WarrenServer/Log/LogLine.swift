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
        fields.map { "\($0.key)=\(LogLine.quote($0.value))" }.joined(separator: " ")
    }

    static func quote(_ value: String) -> String {
        let plain =
            !value.isEmpty
            && value.unicodeScalars.allSatisfy {
                $0.value > 0x20 && $0.value < 0x7f && $0 != "=" && $0 != "\""
            }
        if plain { return value }
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\x" + (hex.count == 1 ? "0" : "") + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

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
