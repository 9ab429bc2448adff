import CCrypto

/// SHA-256 (FIPS 180-4), for asset fingerprints, the incremental cache's keys and the hashes of
/// every output. libcrypto's (Debian libssl-dev) over a plain context struct: its assembly
/// hashes a block ~2.5x faster than the Swift version it replaced (whose keys and output hashes
/// were 11% of a full build's CPU), and copying a hasher that has taken a prefix is a struct
/// copy, as page keys do.
struct SHA256 {
    private var context = SHA256_CTX()

    init() {
        SHA256_Init(&context)
    }

    mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        // Strings and arrays are hashed in place; only other sequences are copied first.
        if bytes.withContiguousStorageIfAvailable({ absorb($0) }) == nil {
            Array(bytes).withUnsafeBufferPointer { absorb($0) }
        }
    }

    /// Adds a string and a separator, so ("ab", "c") and ("a", "bc") hash differently.
    mutating func update(_ string: String) {
        var string = string
        string.withUTF8 { absorb($0) }
        var separator: UInt8 = 0
        SHA256_Update(&context, &separator, 1)
    }

    /// Adds a number's 8 bytes (no text formatting: `"\(double)"` was a visible cost of keys).
    mutating func update(number: UInt64) {
        withUnsafeBytes(of: number.littleEndian) { absorb($0.assumingMemoryBound(to: UInt8.self)) }
    }

    private mutating func absorb(_ input: UnsafeBufferPointer<UInt8>) {
        guard let base = input.baseAddress, !input.isEmpty else { return }
        SHA256_Update(&context, base, input.count)
    }

    /// The digest as 64 lowercase hex characters, written straight into the string.
    mutating func hexDigest() -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { digest in
            SHA256_Final(digest.baseAddress!, &context)
            return String(unsafeUninitializedCapacity: 64) { out in
                for index in 0..<32 {
                    let high = digest[index] >> 4
                    let low = digest[index] & 0xf
                    out[2 * index] = high < 10 ? 48 + high : 87 + high
                    out[2 * index + 1] = low < 10 ? 48 + low : 87 + low
                }
                return 64
            }
        }
    }

    static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.hexDigest()
    }
}
