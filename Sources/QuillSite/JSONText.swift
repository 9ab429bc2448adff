/// A small JSON writer with sorted keys, for JSON-LD in every post's head (JSONSerialization
/// was a tenth of a build's time). `<` is written as \u003c so the text is safe in a <script>.
enum JSONText {
    static func encode(_ value: Any) -> String {
        var out: [UInt8] = []
        write(value, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static func write(_ value: Any, into out: inout [UInt8]) {
        switch value {
        case let string as String: writeString(string, into: &out)
        case let bool as Bool: out += (bool ? "true" : "false").utf8
        case let int as Int: out += String(int).utf8
        case let list as [Any]:
            out.append(91)
            for (index, item) in list.enumerated() {
                if index > 0 { out.append(44) }
                write(item, into: &out)
            }
            out.append(93)
        case let map as [String: Any]:
            out.append(123)
            for (index, key) in map.keys.sorted().enumerated() {
                if index > 0 { out.append(44) }
                writeString(key, into: &out)
                out.append(58)
                write(map[key]!, into: &out)
            }
            out.append(125)
        default: writeString("\(value)", into: &out)
        }
    }

    private static func writeString(_ string: String, into out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(34)
        for byte in string.utf8 {
            switch byte {
            case 34: out += "\\\"".utf8
            case 92: out += "\\\\".utf8
            case 10: out += "\\n".utf8
            case 13: out += "\\r".utf8
            case 9: out += "\\t".utf8
            case 60: out += "\\u003c".utf8
            case 0..<32: out += "\\u00".utf8 + [hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            default: out.append(byte)
            }
        }
        out.append(34)
    }
}
