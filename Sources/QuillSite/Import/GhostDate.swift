import Foundation

/// Ghost dates: ISO 8601 strings (with or without fractional seconds), the SQL form
/// "YYYY-MM-DD HH:MM:SS" (UTC) that SQLite-backed exports carry, or epoch milliseconds (0.x).
enum GhostDate {
    static func parse(_ value: Any) -> Date? {
        if let number = value as? NSNumber {
            return Date(timeIntervalSince1970: number.doubleValue / 1000)
        }
        guard let text = value as? String else { return nil }
        if let millis = Double(text), text.allSatisfy({ $0.isNumber }) {
            return Date(timeIntervalSince1970: millis / 1000)
        }
        let isoText = text.contains("T") ? text : text.replacingOccurrences(of: " ", with: "T")
        let withZone = hasZone(isoText) ? isoText : isoText + "Z"
        for options: ISO8601DateFormatter.Options in [
            [.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime],
        ] {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = options
            if let date = formatter.date(from: withZone) { return date }
        }
        return nil
    }

    /// The front matter form: RFC 3339 in UTC, seconds precision.
    static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// Year, month and day in the blog's time zone, as Ghost computed them for dated permalinks.
    static func components(_ date: Date, in zone: TimeZone) -> (year: String, month: String, day: String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return (
            String(format: "%04d", parts.year ?? 1970), String(format: "%02d", parts.month ?? 1),
            String(format: "%02d", parts.day ?? 1)
        )
    }

    private static func hasZone(_ text: String) -> Bool {
        guard let timeStart = text.firstIndex(of: "T") else { return false }
        let time = text[timeStart...]
        return time.hasSuffix("Z") || time.contains("+") || time.dropFirst().contains("-")
    }
}
