// IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT", RFC 9110 section 5.6.7) and the access log's
// "[06/Nov/1994:08:49:37 +0000]", computed from epoch seconds in UTC without the C library's
// time zone machinery (which would open files in the sandbox).

public struct CivilTime: Sendable, Equatable {
    public var year: Int64
    public var month: Int64  // 1...12
    public var day: Int64
    public var hour: Int64
    public var minute: Int64
    public var second: Int64
    public var weekday: Int64  // 0 = Sunday

    /// Howard Hinnant's civil-from-days algorithm.
    public init(epochSeconds: Int64) {
        let days = epochSeconds >= 0 ? epochSeconds / 86400 : (epochSeconds - 86399) / 86400
        let secs = epochSeconds - days * 86400
        hour = secs / 3600
        minute = secs % 3600 / 60
        second = secs % 60
        weekday = (days % 7 + 11) % 7  // 1970-01-01 was a Thursday
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// Days from civil, the inverse.
    static func epochSeconds(
        year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64, second: Int64
    ) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return days * 86400 + hour * 3600 + minute * 60 + second
    }
}

public enum HTTPDate {
    private static let weekdays: StaticString = "SunMonTueWedThuFriSat"
    private static let months: StaticString = "JanFebMarAprMayJunJulAugSepOctNovDec"

    /// Appends the IMF-fixdate for `seconds` (29 bytes).
    public static func append(_ seconds: Int64, to out: inout [UInt8]) {
        let t = CivilTime(epochSeconds: seconds)
        appendName(weekdays, Int(t.weekday), to: &out)
        out.append(", ")
        out.appendDecimal(t.day, width: 2)
        out.append(ASCII.space)
        appendName(months, Int(t.month - 1), to: &out)
        out.append(ASCII.space)
        out.appendDecimal(t.year, width: 4)
        out.append(ASCII.space)
        appendClock(t, to: &out)
        out.append(" GMT")
    }

    /// Appends "06/Nov/1994:08:49:37 +0000" (the common log format's time, in UTC).
    public static func appendLogTime(_ seconds: Int64, to out: inout [UInt8]) {
        let t = CivilTime(epochSeconds: seconds)
        out.appendDecimal(t.day, width: 2)
        out.append(ASCII.slash)
        appendName(months, Int(t.month - 1), to: &out)
        out.append(ASCII.slash)
        out.appendDecimal(t.year, width: 4)
        out.append(ASCII.colon)
        appendClock(t, to: &out)
        out.append(" +0000")
    }

    private static func appendClock(_ t: CivilTime, to out: inout [UInt8]) {
        out.appendDecimal(t.hour, width: 2)
        out.append(ASCII.colon)
        out.appendDecimal(t.minute, width: 2)
        out.append(ASCII.colon)
        out.appendDecimal(t.second, width: 2)
    }

    private static func appendName(_ names: StaticString, _ index: Int, to out: inout [UInt8]) {
        let p = names.utf8Start + index * 3
        out.append(contentsOf: UnsafeBufferPointer(start: p, count: 3))
    }

    /// Parses an IMF-fixdate; nil for anything else (an invalid date makes the condition ignored).
    static func parse(_ v: ByteView) -> Int64? {
        guard v.count == 29, v[3] == ASCII.comma, v[4] == ASCII.space, v[7] == ASCII.space,
            v[11] == ASCII.space, v[16] == ASCII.space, v[19] == ASCII.colon, v[22] == ASCII.colon,
            v[25] == ASCII.space, v.sub(26..<29).equals("GMT")
        else { return nil }
        guard let day = v.sub(5..<7).decimal(), let year = v.sub(12..<16).decimal(),
            let hour = v.sub(17..<19).decimal(), let minute = v.sub(20..<22).decimal(),
            let second = v.sub(23..<25).decimal()
        else { return nil }
        var month: Int64 = 0
        let p = months.utf8Start
        for m in 0..<12 where v[8] == p[m * 3] && v[9] == p[m * 3 + 1] && v[10] == p[m * 3 + 2] {
            month = Int64(m + 1)
        }
        guard month > 0, day >= 1, day <= 31, hour < 24, minute < 60, second < 61 else { return nil }
        return CivilTime.epochSeconds(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    }
}
