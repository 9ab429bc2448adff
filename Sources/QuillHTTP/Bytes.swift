// Byte helpers shared by the parser and the writers: ASCII classes and appends that do not
// allocate once the destination has capacity.

enum ASCII {
    static let cr: UInt8 = 13
    static let lf: UInt8 = 10
    static let space: UInt8 = 32
    static let tab: UInt8 = 9
    static let colon: UInt8 = 58
    static let slash: UInt8 = 47
    static let dot: UInt8 = 46
    static let comma: UInt8 = 44
    static let quote: UInt8 = 34
    static let question: UInt8 = 63

    /// tchar (RFC 9110 section 5.6.2).
    static func isTokenChar(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"),
            UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
            UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// field-vchar, SP or HTAB: what a field value may hold (obs-text included).
    static func isFieldValueChar(_ c: UInt8) -> Bool {
        c == tab || c == space || (c >= 0x21 && c != 0x7F)
    }

    static func lower(_ c: UInt8) -> UInt8 {
        c >= 65 && c <= 90 ? c | 0x20 : c
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - 48
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - 87
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - 55
        default: nil
        }
    }
}

/// A view of some bytes, compared and scanned without copying.
struct ByteView {
    let base: UnsafeRawBufferPointer
    let range: Range<Int>

    var count: Int { range.count }
    var isEmpty: Bool { range.isEmpty }
    subscript(_ i: Int) -> UInt8 { base[range.lowerBound + i] }

    /// Case-insensitive ASCII equality with a lowercase literal.
    func equalsLowercase(_ literal: StaticString) -> Bool {
        guard literal.utf8CodeUnitCount == count else { return false }
        let p = literal.utf8Start
        for i in 0..<count where ASCII.lower(self[i]) != p[i] { return false }
        return true
    }

    func equals(_ literal: StaticString) -> Bool {
        guard literal.utf8CodeUnitCount == count else { return false }
        let p = literal.utf8Start
        for i in 0..<count where self[i] != p[i] { return false }
        return true
    }

    func hasPrefixLowercase(_ literal: StaticString) -> Bool {
        guard literal.utf8CodeUnitCount <= count else { return false }
        let p = literal.utf8Start
        for i in 0..<literal.utf8CodeUnitCount where ASCII.lower(self[i]) != p[i] { return false }
        return true
    }

    func sub(_ r: Range<Int>) -> ByteView {
        ByteView(base: base, range: (range.lowerBound + r.lowerBound)..<(range.lowerBound + r.upperBound))
    }

    /// Without leading and trailing SP/HTAB.
    func trimmed() -> ByteView {
        var lo = 0
        var hi = count
        while lo < hi, self[lo] == ASCII.space || self[lo] == ASCII.tab { lo += 1 }
        while hi > lo, self[hi - 1] == ASCII.space || self[hi - 1] == ASCII.tab { hi -= 1 }
        return sub(lo..<hi)
    }

    /// Calls `body` with each comma-separated, trimmed, non-empty element.
    func forEachListElement(_ body: (ByteView) -> Void) {
        var start = 0
        for i in 0...count where i == count || self[i] == ASCII.comma {
            let element = sub(start..<i).trimmed()
            if !element.isEmpty { body(element) }
            start = i + 1
        }
    }

    /// A non-negative decimal made only of digits, or nil (also on overflow past 18 digits).
    func decimal() -> Int64? {
        guard count > 0, count <= 18 else { return nil }
        var value: Int64 = 0
        for i in 0..<count {
            let c = self[i]
            guard c >= 48, c <= 57 else { return nil }
            value = value * 10 + Int64(c - 48)
        }
        return value
    }
}

extension Array where Element == UInt8 {
    mutating func append(_ literal: StaticString) {
        append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    mutating func append(_ view: ByteView) {
        append(contentsOf: UnsafeRawBufferPointer(rebasing: view.base[view.range]))
    }

    mutating func appendDecimal(_ value: Int64) {
        if value < 0 {
            append(UInt8(ascii: "-"))
            appendDecimal(-value)
            return
        }
        if value >= 10 { appendDecimal(value / 10) }
        append(UInt8(48 + value % 10))
    }

    /// Exactly `width` digits, zero-padded (for dates).
    mutating func appendDecimal(_ value: Int64, width: Int) {
        var divisor: Int64 = 1
        for _ in 1..<width { divisor *= 10 }
        var v = value
        while divisor > 0 {
            append(UInt8(48 + (v / divisor) % 10))
            v %= divisor
            divisor /= 10
        }
    }

    mutating func appendHex(_ value: UInt64) {
        if value >= 16 { appendHex(value / 16) }
        let d = UInt8(value % 16)
        append(d < 10 ? 48 + d : 87 + d)
    }
}
