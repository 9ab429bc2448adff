/// SHA-256 (FIPS 180-4), for asset fingerprints and the incremental cache's keys. Foundation on
/// Linux has no digest API, and the package list has no crypto library.
struct SHA256 {
    private var state = SIMD8<UInt32>(
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab,
        0x5be0_cd19)
    /// Input short of a whole 64-byte block (the first `used` bytes), kept inline: a heap
    /// buffer cost an allocation for every copy of a hasher, and page keys copy one each. Whole
    /// blocks are hashed straight from the input.
    private var pending = SIMD64<UInt8>()
    private var used = 0
    private var length: UInt64 = 0

    private static let k: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4,
        0xab1c_5ed5, 0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe,
        0x9bdc_06a7, 0xc19b_f174, 0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f,
        0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da, 0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7,
        0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967, 0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc,
        0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85, 0xa2bf_e8a1, 0xa81a_664b,
        0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070, 0x19a4_c116,
        0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7,
        0xc671_78f2,
    ]

    init() {}

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
        absorbSeparator()
    }

    /// Adds a number's 8 bytes (no text formatting: `"\(double)"` was a visible cost of keys).
    mutating func update(number: UInt64) {
        withUnsafeBytes(of: number.littleEndian) { absorb($0.assumingMemoryBound(to: UInt8.self)) }
    }

    private mutating func absorbSeparator() {
        length += 1
        withUnsafeMutableBytes(of: &pending) { $0[used] = 0 }
        used += 1
        if used == 64 { flushPending() }
    }

    private mutating func flushPending() {
        let block = pending
        withUnsafeBytes(of: block) { Self.compress(&state, $0.assumingMemoryBound(to: UInt8.self), at: 0) }
        used = 0
    }

    private mutating func absorb(_ input: UnsafeBufferPointer<UInt8>) {
        guard !input.isEmpty else { return }
        length += UInt64(input.count)
        var index = 0
        if used > 0 {
            index = min(64 - used, input.count)
            let start = used
            withUnsafeMutableBytes(of: &pending) { pending in
                pending.baseAddress!.advanced(by: start).copyMemory(
                    from: input.baseAddress!, byteCount: index)
            }
            used += index
            guard used == 64 else { return }
            flushPending()
        }
        while input.count - index >= 64 {
            Self.compress(&state, input, at: index)
            index += 64
        }
        if index < input.count {
            let rest = input.count - index
            withUnsafeMutableBytes(of: &pending) { pending in
                pending.baseAddress!.copyMemory(from: input.baseAddress! + index, byteCount: rest)
            }
            used = rest
        }
    }

    /// One block. The 64-word message schedule lives in a stack allocation and the round
    /// constants are read through one buffer pointer: indexing a SIMD16 by a variable and a
    /// bounds-checked global array each round made a block cost microseconds, and keys of list
    /// pages hash thousands of blocks per build.
    private static func compress(
        _ state: inout SIMD8<UInt32>, _ block: UnsafeBufferPointer<UInt8>, at base: Int
    ) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
            for i in 0..<16 {
                let b0 = UInt32(block[base + 4 * i]) << 24
                let b1 = UInt32(block[base + 4 * i + 1]) << 16
                let b2 = UInt32(block[base + 4 * i + 2]) << 8
                w[i] = b0 | b1 | b2 | UInt32(block[base + 4 * i + 3])
            }
            for i in 16..<64 {
                let w15 = w[i - 15]
                let w2 = w[i - 2]
                let s0 = w15.rotr(7) ^ w15.rotr(18) ^ (w15 >> 3)
                let s1 = w2.rotr(17) ^ w2.rotr(19) ^ (w2 >> 10)
                w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
            }
            var a = state[0]
            var b = state[1]
            var c = state[2]
            var d = state[3]
            var e = state[4]
            var f = state[5]
            var g = state[6]
            var h = state[7]
            k.withUnsafeBufferPointer { k in
                for i in 0..<64 {
                    let s1 = e.rotr(6) ^ e.rotr(11) ^ e.rotr(25)
                    let ch = (e & f) ^ (~e & g)
                    let t1 = h &+ s1 &+ ch &+ k[i] &+ w[i]
                    let s0 = a.rotr(2) ^ a.rotr(13) ^ a.rotr(22)
                    let maj = (a & b) ^ (a & c) ^ (b & c)
                    let t2 = s0 &+ maj
                    h = g
                    g = f
                    f = e
                    e = d &+ t1
                    d = c
                    c = b
                    b = a
                    a = t1 &+ t2
                }
            }
            state &+= SIMD8(a, b, c, d, e, f, g, h)
        }
    }

    /// The digest as 64 lowercase hex characters, written straight into the string.
    mutating func hexDigest() -> String {
        let bits = length &* 8
        // 0x80, zeros up to 56 mod 64, then the bit length: at most 72 bytes.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 72) { tail in
            let count = used < 56 ? 64 - used : 128 - used
            for i in 0..<count { tail[i] = 0 }
            tail[0] = 0x80
            for i in 0..<8 { tail[count - 1 - i] = UInt8(truncatingIfNeeded: bits >> UInt64(8 * i)) }
            absorb(UnsafeBufferPointer(rebasing: tail[0..<count]))
        }
        let state = self.state
        return String(unsafeUninitializedCapacity: 64) { out in
            for i in 0..<8 {
                for nibble in 0..<8 {
                    let value = UInt8(truncatingIfNeeded: state[i] >> UInt32(28 - 4 * nibble)) & 0xf
                    out[8 * i + nibble] = value < 10 ? 48 + value : 87 + value
                }
            }
            return 64
        }
    }

    static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.hexDigest()
    }
}

extension UInt32 {
    fileprivate func rotr(_ n: UInt32) -> UInt32 { (self >> n) | (self << (32 - n)) }
}
