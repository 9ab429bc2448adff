import Foundation

/// Date text for pages (in the site's time zone) and feeds (RFC 3339, RFC 822). Built from
/// calendar components, so it is the same on every machine and safe to call from any thread.
struct DateFormat: Sendable {
    var zone: TimeZone
    private static let months = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ]
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]

    private func parts(_ date: Date, zone: TimeZone) -> DateComponents {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
    }

    private func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// "28 November 2026"
    func display(_ date: Date) -> String {
        let p = parts(date, zone: zone)
        return "\(p.day!) \(Self.months[p.month! - 1]) \(p.year!)"
    }

    func year(_ date: Date) -> Int { parts(date, zone: zone).year! }

    /// "2026-11-28"
    func day(_ date: Date) -> String {
        let p = parts(date, zone: zone)
        return "\(p.year!)-\(two(p.month!))-\(two(p.day!))"
    }

    /// RFC 3339 with the site's offset: "2026-11-28T19:05:00+01:00"
    func rfc3339(_ date: Date) -> String {
        let p = parts(date, zone: zone)
        let offset = zone.secondsFromGMT(for: date)
        let sign = offset < 0 ? "-" : "+"
        let zoneText = offset == 0 ? "Z" : "\(sign)\(two(abs(offset) / 3600)):\(two(abs(offset) % 3600 / 60))"
        return
            "\(p.year!)-\(two(p.month!))-\(two(p.day!))T\(two(p.hour!)):\(two(p.minute!)):\(two(p.second!))"
            + zoneText
    }

    /// RFC 822 as RSS wants it, in UTC: "Sat, 28 Nov 2026 18:05:00 +0000"
    func rfc822(_ date: Date) -> String {
        let p = parts(date, zone: TimeZone(identifier: "UTC")!)
        let month = String(Self.months[p.month! - 1].prefix(3))
        return "\(Self.days[p.weekday! - 1]), \(two(p.day!)) \(month) \(p.year!) "
            + "\(two(p.hour!)):\(two(p.minute!)):\(two(p.second!)) +0000"
    }
}
