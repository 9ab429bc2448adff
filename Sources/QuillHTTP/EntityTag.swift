// Validators and conditional requests (RFC 9110 section 13): a strong ETag from the served file's
// modification time and size (plus its coding, since each coding is its own representation).

public struct EntityTag: Sendable {
    /// The tag with its quotes, e.g. "\"6571a3c2-1f2e-4d2\"" (reused buffer).
    public private(set) var bytes: [UInt8] = []

    public init() {
        bytes.reserveCapacity(64)
    }

    public mutating func set(_ info: FileInfo, coding: StaticString?) {
        bytes.removeAll(keepingCapacity: true)
        bytes.append(ASCII.quote)
        bytes.appendHex(UInt64(bitPattern: info.mtimeSeconds))
        bytes.append(UInt8(ascii: "-"))
        bytes.appendHex(UInt64(bitPattern: info.mtimeNanoseconds))
        bytes.append(UInt8(ascii: "-"))
        bytes.appendHex(UInt64(bitPattern: info.size))
        if let coding {
            bytes.append(UInt8(ascii: "-"))
            bytes.append(coding)
        }
        bytes.append(ASCII.quote)
    }

    /// If-None-Match: weak comparison against each listed tag, or "*".
    func matchesAny(_ list: ByteView) -> Bool {
        if list.equals("*") { return true }
        var found = false
        list.forEachListElement { element in
            var tag = element
            if tag.count > 2, tag[0] == UInt8(ascii: "W"), tag[1] == ASCII.slash {
                tag = tag.sub(2..<tag.count)
            }
            if equalsOwn(tag) { found = true }
        }
        return found
    }

    /// If-Range: strong comparison with one tag (a weak tag never matches).
    func matchesStrongly(_ value: ByteView) -> Bool {
        equalsOwn(value)
    }

    private func equalsOwn(_ tag: ByteView) -> Bool {
        guard tag.count == bytes.count else { return false }
        for i in 0..<tag.count where tag[i] != bytes[i] { return false }
        return true
    }
}

enum Conditional {
    /// Whether a GET or HEAD should be answered 304 (If-None-Match wins over If-Modified-Since).
    static func notModified(
        _ request: Request, in bytes: UnsafeRawBufferPointer, tag: EntityTag, info: FileInfo
    ) -> Bool {
        if let inm = request.ifNoneMatch {
            return tag.matchesAny(ByteView(base: bytes, range: inm))
        }
        if let ims = request.ifModifiedSince, let date = HTTPDate.parse(ByteView(base: bytes, range: ims)) {
            return info.mtimeSeconds <= date
        }
        return false
    }

    /// Whether If-Range (if any) lets the Range header apply: the tag matches strongly, or the
    /// date equals Last-Modified exactly.
    static func rangeApplies(
        _ request: Request, in bytes: UnsafeRawBufferPointer, tag: EntityTag, info: FileInfo
    ) -> Bool {
        guard let ifRange = request.ifRange else { return true }
        let value = ByteView(base: bytes, range: ifRange)
        if value.count > 0, value[0] == ASCII.quote || value[0] == UInt8(ascii: "W") {
            return tag.matchesStrongly(value)
        }
        guard let date = HTTPDate.parse(value) else { return false }
        return date == info.mtimeSeconds
    }
}
