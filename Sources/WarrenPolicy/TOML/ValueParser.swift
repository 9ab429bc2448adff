// Values written as strings in config and policy files: sizes ("256M") and durations ("120s").
// Strict on purpose: a typo must be an error, never a silently different limit.

/// Why a value could not be parsed; the caller adds file and line.
public struct ValueError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

public enum ValueParser {
    /// A size in bytes: digits with an optional binary suffix K, M, G or T (either case), e.g.
    /// "512K", "4M", "1G"; plain digits are bytes. Overflow and anything else are errors.
    public static func size(_ text: String) throws(ValueError) -> UInt64 {
        let invalid = ValueError(
            "invalid size '\(text)': expected bytes as digits with an optional K, M, G or T suffix")
        var digits = Substring(text)
        var multiplier: UInt64 = 1
        if let last = text.last, !last.isASCII || !last.isNumber {
            switch last {
            case "K", "k": multiplier = 1 << 10
            case "M", "m": multiplier = 1 << 20
            case "G", "g": multiplier = 1 << 30
            case "T", "t": multiplier = 1 << 40
            default: throw invalid
            }
            digits = digits.dropLast()
        }
        let number = try decimal(digits, invalid: invalid, tooLarge: "size '\(text)' is too large")
        let (bytes, overflow) = number.multipliedReportingOverflow(by: multiplier)
        if overflow { throw ValueError("size '\(text)' is too large") }
        return bytes
    }

    /// A duration: digits and one unit, "us", "ms", "s", "m" or "h" ("500ms", "120s", "2m", "1h").
    /// A bare number is an error: the unit is never guessed.
    public static func duration(_ text: String) throws(ValueError) -> Duration {
        let invalid = ValueError(
            "invalid duration '\(text)': expected digits and a unit: us, ms, s, m or h")
        let units: [(suffix: String, nanoseconds: UInt64)] = [
            ("us", 1_000), ("ms", 1_000_000), ("s", 1_000_000_000), ("m", 60_000_000_000),
            ("h", 3_600_000_000_000),
        ]
        // Two-letter units first: "5ms" also ends in "s".
        guard
            let unit = units.first(where: { $0.suffix.count == 2 && text.hasSuffix($0.suffix) })
                ?? units.first(where: { $0.suffix.count == 1 && text.hasSuffix($0.suffix) })
        else { throw invalid }
        let digits = Substring(text).dropLast(unit.suffix.count)
        let tooLarge = "duration '\(text)' is too large"
        let number = try decimal(digits, invalid: invalid, tooLarge: tooLarge)
        let (nanoseconds, overflow) = number.multipliedReportingOverflow(by: unit.nanoseconds)
        if overflow || nanoseconds > UInt64(Int64.max) { throw ValueError(tooLarge) }
        return .nanoseconds(Int64(nanoseconds))
    }

    /// Non-empty ASCII digits as UInt64.
    private static func decimal(
        _ digits: Substring, invalid: ValueError, tooLarge: String
    ) throws(ValueError) -> UInt64 {
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { throw invalid }
        guard let number = UInt64(digits) else { throw ValueError(tooLarge) }
        return number
    }
}
