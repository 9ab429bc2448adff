import Foundation

/// Parses the date forms authors write: `2024-05-01`, `2024-05-01 10:30`, `2024-05-01T10:30:00`,
/// each optionally followed by `Z` or `±HH:MM`. Without a zone, the site's time zone applies.
enum DateParser {
    static func parse(_ text: String, zone: TimeZone) -> Date? {
        let chars = Array(text.trimmingCharacters(in: .whitespaces).utf8)
        var index = 0
        func number(_ digits: Int) -> Int? {
            guard index + digits <= chars.count else { return nil }
            var value = 0
            for offset in 0..<digits {
                let c = chars[index + offset]
                guard c >= 48, c <= 57 else { return nil }
                value = value * 10 + Int(c - 48)
            }
            index += digits
            return value
        }
        func expect(_ c: UInt8) -> Bool {
            guard index < chars.count, chars[index] == c else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect(45), let month = number(2), expect(45), let day = number(2) else {
            return nil
        }
        var components = DateComponents(year: year, month: month, day: day, hour: 0, minute: 0, second: 0)
        var offset: Int?
        if index < chars.count, chars[index] == 84 || chars[index] == 32 {  // 'T' or ' '
            index += 1
            guard let hour = number(2), expect(58), let minute = number(2) else { return nil }
            components.hour = hour
            components.minute = minute
            if expect(58) {
                guard let second = number(2) else { return nil }
                components.second = second
                if expect(46) {
                    while index < chars.count, chars[index] >= 48, chars[index] <= 57 { index += 1 }
                }
            }
            while index < chars.count, chars[index] == 32 { index += 1 }
            if expect(90) {  // 'Z'
                offset = 0
            } else if index < chars.count, chars[index] == 43 || chars[index] == 45 {
                let sign = chars[index] == 45 ? -1 : 1
                index += 1
                guard let hours = number(2) else { return nil }
                _ = expect(58)
                guard let minutes = number(2) else { return nil }
                offset = sign * (hours * 3600 + minutes * 60)
            }
        }
        guard index == chars.count, (1...12).contains(month), (1...31).contains(day),
            (0...23).contains(components.hour!), (0...59).contains(components.minute!),
            (0...60).contains(components.second!)
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = offset.flatMap { TimeZone(secondsFromGMT: $0) } ?? zone
        guard let date = calendar.date(from: components),
            calendar.component(.day, from: date) == day
        else { return nil }
        return date
    }
}
