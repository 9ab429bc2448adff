/// Splits one engine's stderr into lines. Bytes are buffered until a newline, so a line written in
/// several pieces is still forwarded whole; a line longer than `maxLength` is cut there and the rest
/// of it dropped, so one engine cannot make warren buffer without bound.
struct LineBuffer {
    let maxLength: Int
    private var pending: [UInt8] = []
    private var discarding = false

    init(maxLength: Int = 4096) {
        self.maxLength = maxLength
    }

    struct Line: Equatable {
        var text: String
        var truncated: Bool
    }

    /// Appends bytes; returns the lines they complete.
    mutating func append(_ bytes: some Collection<UInt8>) -> [Line] {
        var lines: [Line] = []
        forEachLine(in: ArraySlice(bytes)) { text, truncated in
            lines.append(Line(text: Self.decode(text), truncated: truncated))
        }
        return lines
    }

    /// Appends bytes and hands each line they complete to `body` as bytes (cut lines with
    /// `truncated` set). This runs for every line every engine writes: a whole line inside `bytes`
    /// is passed as a slice of them, neither copied nor decoded.
    mutating func forEachLine(
        in bytes: ArraySlice<UInt8>, _ body: (_ line: ArraySlice<UInt8>, _ truncated: Bool) -> Void
    ) {
        var start = bytes.startIndex
        while start < bytes.endIndex {
            let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n"))
            let piece = bytes[start..<(newline ?? bytes.endIndex)]
            if discarding {
                // The rest of a cut line: dropped up to its newline.
            } else if pending.isEmpty, newline != nil, piece.count < maxLength {
                body(piece, false)
            } else {
                let room = maxLength - pending.count
                if piece.count < room {
                    pending.append(contentsOf: piece)
                    if newline != nil {
                        body(pending[...], false)
                        pending.removeAll(keepingCapacity: true)
                    }
                } else {
                    pending.append(contentsOf: piece.prefix(room))
                    body(pending[...], true)
                    pending.removeAll(keepingCapacity: true)
                    discarding = true
                }
            }
            guard let newline else { return }
            discarding = false
            start = newline + 1
        }
    }

    /// The bytes that were to follow are lost (a datagram longer than warren reads): the line in
    /// progress, if any, is forwarded marked truncated and the rest of it, up to its newline, dropped.
    mutating func cut() -> Line? {
        defer { pending.removeAll(keepingCapacity: true) }
        guard !discarding else { return nil }
        discarding = true
        return Line(text: Self.decode(pending[...]), truncated: true)
    }

    /// Nothing buffered and no line being dropped: forgetting this buffer loses nothing.
    var isIdle: Bool { pending.isEmpty && !discarding }

    /// At end of file: the unterminated rest, if any.
    mutating func finish() -> Line? {
        defer {
            pending.removeAll()
            discarding = false
        }
        return pending.isEmpty ? nil : Line(text: Self.decode(pending[...]), truncated: false)
    }

    private static func decode(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}
