// From a request target to a file path beneath the site root: the path is percent-decoded once,
// and anything that could name a file outside the tree, or two names for one file, is refused.

public enum TargetPathError: Error, Sendable, Equatable {
    /// Malformed: bad escape, encoded slash, NUL or control byte, `.` or `..`, empty segment.
    case invalid
    /// A segment starting with "." (site metadata such as .quill/ is never served).
    case hidden
}

public struct TargetPath: Sendable {
    /// The path part of the target as sent (for Location headers), and its query (without "?").
    public var rawPath: Range<Int>
    public var rawQuery: Range<Int>?

    /// Splits an origin- or absolute-form target into path and query.
    public static func split(_ target: Range<Int>, in bytes: UnsafeRawBufferPointer) -> TargetPath {
        let view = ByteView(base: bytes, range: target)
        var start = 0
        if view[0] != ASCII.slash {
            // Absolute form: skip "scheme://authority".
            var i = view.hasPrefixLowercase("https://") ? 8 : 7
            while i < view.count, view[i] != ASCII.slash, view[i] != ASCII.question { i += 1 }
            start = i
        }
        var end = start
        while end < view.count, view[end] != ASCII.question { end += 1 }
        let lower = target.lowerBound
        let path = (lower + start)..<(lower + end)
        let query = end < view.count ? (lower + end + 1)..<target.upperBound : nil
        return TargetPath(rawPath: path, rawQuery: query)
    }

    /// Decodes the raw path into `out` (cleared first): "/a/b%20c" becomes "/a/b c". The result
    /// starts with "/"; an absolute target with an empty path decodes to "/".
    public static func decode(
        _ raw: Range<Int>, in bytes: UnsafeRawBufferPointer, into out: inout [UInt8]
    ) throws(TargetPathError) {
        out.removeAll(keepingCapacity: true)
        let view = ByteView(base: bytes, range: raw)
        if view.isEmpty {
            out.append(ASCII.slash)
            return
        }
        var i = 0
        while i < view.count {
            var c = view[i]
            if c == UInt8(ascii: "%") {
                guard i + 2 < view.count, let hi = ASCII.hexValue(view[i + 1]),
                    let lo = ASCII.hexValue(view[i + 2])
                else { throw .invalid }
                c = hi << 4 | lo
                // Encoded slashes would give one file two names; NUL and controls name none.
                if c == ASCII.slash || c < 0x20 || c == 0x7F { throw .invalid }
                i += 3
            } else {
                i += 1
            }
            if c == UInt8(ascii: "\\") { throw .invalid }
            out.append(c)
        }
        guard out.first == ASCII.slash else { throw .invalid }
        // Segments: none empty except after a trailing slash, none "." or "..", none hidden.
        var hidden = false
        var segmentStart = 1
        for k in 1...out.count where k == out.count || out[k] == ASCII.slash {
            let length = k - segmentStart
            if length == 0 {
                if k != out.count { throw .invalid }
            } else if out[segmentStart] == ASCII.dot {
                if length == 1 || (length == 2 && out[segmentStart + 1] == ASCII.dot) { throw .invalid }
                hidden = true
            }
            segmentStart = k + 1
        }
        if hidden { throw .hidden }
    }
}
