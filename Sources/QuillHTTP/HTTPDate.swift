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

    /// Parses an HTTP-date in any of its three forms (RFC 9110 section 5.6.7: recipients must
    /// accept all of them); nil for anything else, which makes the condition ignored.
    ///   IMF-fixdate  "Sun, 06 Nov 1994 08:49:37 GMT"
    ///   RFC 850      "Sunday, 06-Nov-94 08:49:37 GMT" (two-digit year: 70-99 -> 19xx, else 20xx)
    ///   asctime      "Sun Nov  6 08:49:37 1994"
    static func parse(_ v: ByteView) -> Int64? {
        if v.count == 29, v[3] == ASCII.comma, v[4] == ASCII.space, v[7] == ASCII.space, v[11] == ASCII.space,
            v[16] == ASCII.space, v.sub(25..<29).equals(" GMT")
        {
            return civil(v, day: 5..<7, month: 8, year: 12..<16, clock: 17)
        }
        if v.count == 24, v[3] == ASCII.space, v[7] == ASCII.space, v[10] == ASCII.space, v[19] == ASCII.space
        {
            // asctime pads a one-digit day with a space.
            let day = v[8] == ASCII.space ? 9..<10 : 8..<10
            return civil(v, day: day, month: 4, year: 20..<24, clock: 11)
        }
        var comma = 0
        while comma < v.count, v[comma] != ASCII.comma { comma += 1 }
        let rest = comma + 2
        if comma >= 6, comma <= 9, v.count == rest + 22, v[comma + 1] == ASCII.space,
            v[rest + 2] == UInt8(ascii: "-"), v[rest + 6] == UInt8(ascii: "-"), v[rest + 9] == ASCII.space,
            v.sub((rest + 18)..<(rest + 22)).equals(" GMT"), let yy = v.sub((rest + 7)..<(rest + 9)).decimal()
        {
            let century: Int64 = yy >= 70 ? 1900 : 2000
            guard let time = civil(v, day: rest..<(rest + 2), month: rest + 3, year: nil, clock: rest + 10)
            else { return nil }
            return time + yearShift(from: 1970, to: century + yy, timeOfYear: time)
        }
        return nil
    }

    /// Seconds for the fields at the given offsets ("08:49:37" at `clock`); with no year range the
    /// result is in 1970, for the caller to move.
    private static func civil(_ v: ByteView, day: Range<Int>, month: Int, year: Range<Int>?, clock: Int)
        -> Int64?
    {
        guard v[clock + 2] == ASCII.colon, v[clock + 5] == ASCII.colon,
            let d = v.sub(day).decimal(), let hour = v.sub(clock..<(clock + 2)).decimal(),
            let minute = v.sub((clock + 3)..<(clock + 5)).decimal(),
            let second = v.sub((clock + 6)..<(clock + 8)).decimal()
        else { return nil }
        let y: Int64
        if let year {
            guard let parsed = v.sub(year).decimal() else { return nil }
            y = parsed
        } else {
            y = 1970
        }
        var m: Int64 = 0
        let p = months.utf8Start
        for k in 0..<12
        where v[month] == p[k * 3] && v[month + 1] == p[k * 3 + 1] && v[month + 2] == p[k * 3 + 2] {
            m = Int64(k + 1)
        }
        guard m > 0, d >= 1, d <= 31, hour < 24, minute < 60, second < 61 else { return nil }
        return CivilTime.epochSeconds(year: y, month: m, day: d, hour: hour, minute: minute, second: second)
    }

    /// The seconds between a time in year `from` and the same month, day and clock in year `to`.
    private static func yearShift(from: Int64, to: Int64, timeOfYear seconds: Int64) -> Int64 {
        let t = CivilTime(epochSeconds: seconds)
        return CivilTime.epochSeconds(
            year: to, month: t.month, day: t.day, hour: t.hour, minute: t.minute, second: t.second) - seconds
    }
}
