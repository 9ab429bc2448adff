// Range: bytes=... (RFC 9110 section 14). One range is served as 206; several ranges, or a unit
// or syntax the engine does not take, are ignored (a full 200 is always a valid answer).

public enum RangeDecision: Sendable, Equatable {
    case full
    case partial(first: Int64, last: Int64)
    case unsatisfiable
}

enum ByteRange {
    static func decide(_ value: ByteView, size: Int64) -> RangeDecision {
        guard value.hasPrefixLowercase("bytes=") else { return .full }
        let spec = value.sub(6..<value.count).trimmed()
        var dash = -1
        for i in 0..<spec.count {
            let c = spec[i]
            if c == ASCII.comma { return .full }
            if c == UInt8(ascii: "-") {
                if dash >= 0 { return .full }
                dash = i
            }
        }
        guard dash >= 0 else { return .full }
        let firstPart = spec.sub(0..<dash)
        let lastPart = spec.sub((dash + 1)..<spec.count)
        if firstPart.isEmpty {
            // Suffix range: the last N bytes.
            guard let n = lastPart.decimal() else { return .full }
            if n == 0 || size == 0 { return .unsatisfiable }
            return .partial(first: max(0, size - n), last: size - 1)
        }
        guard let first = firstPart.decimal() else { return .full }
        var last = size - 1
        if !lastPart.isEmpty {
            guard let l = lastPart.decimal() else { return .full }
            if l < first { return .full }
            last = min(l, size - 1)
        }
        if first >= size { return .unsatisfiable }
        return .partial(first: first, last: last)
    }
}
