/// FNV-1a, 64 bits: enough to notice that a person changed a file the import wrote. It guards
/// against accidents, not adversaries, so a cryptographic hash would buy nothing here.
enum GhostContentHash {
    static func hex(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
