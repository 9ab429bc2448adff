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

    /// Appends bytes; returns the lines they complete. Whole pieces between newlines are copied at
    /// once (this runs for every line every engine writes).
    mutating func append<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> [Line] {
        var lines: [Line] = []
        var start = bytes.startIndex
        while let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
            take(bytes[start..<newline], into: &lines)
            if !discarding { lines.append(Line(text: decode(pending), truncated: false)) }
            pending.removeAll(keepingCapacity: true)
            discarding = false
            start = bytes.index(after: newline)
        }
        take(bytes[start...], into: &lines)
        return lines
    }

    /// Buffers a piece without newlines, cutting the line once it reaches `maxLength`.
    private mutating func take<Piece: Collection<UInt8>>(_ piece: Piece, into lines: inout [Line]) {
        guard !discarding, !piece.isEmpty else { return }
        let room = maxLength - pending.count
        if piece.count < room {
            pending.append(contentsOf: piece)
            return
        }
        pending.append(contentsOf: piece.prefix(room))
        lines.append(Line(text: decode(pending), truncated: true))
        pending.removeAll(keepingCapacity: true)
        discarding = true
    }

    /// The bytes that were to follow are lost (a datagram longer than warren reads): the line in
    /// progress, if any, is forwarded marked truncated and the rest of it, up to its newline, dropped.
    mutating func cut() -> Line? {
        defer { pending.removeAll(keepingCapacity: true) }
        guard !discarding else { return nil }
        discarding = true
        return Line(text: decode(pending), truncated: true)
    }

    /// Nothing buffered and no line being dropped: forgetting this buffer loses nothing.
    var isIdle: Bool { pending.isEmpty && !discarding }

    /// At end of file: the unterminated rest, if any.
    mutating func finish() -> Line? {
        defer {
            pending.removeAll()
            discarding = false
        }
        return pending.isEmpty ? nil : Line(text: decode(pending), truncated: false)
    }

    private func decode(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}
