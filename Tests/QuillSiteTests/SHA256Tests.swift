import Testing

@testable import QuillSite

/// FIPS 180-4 test vectors, fed whole and in uneven pieces: the hasher keeps partial blocks
/// between updates and hashes whole ones straight from the input.
@Suite struct SHA256Tests {
    @Test func knownVectors() {
        #expect(SHA256.hex([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abc".utf8) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(
            SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func piecesHashLikeTheWhole() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        for step in [1, 3, 63, 64, 65, 200] {
            var hasher = SHA256()
            var start = 0
            while start < bytes.count {
                hasher.update(bytes[start..<min(start + step, bytes.count)])
                start += step
            }
            #expect(hasher.hexDigest() == SHA256.hex(bytes), "step \(step)")
        }
    }

    @Test func stringUpdateAddsASeparator() {
        var one = SHA256()
        one.update("ab")
        one.update("c")
        var two = SHA256()
        two.update("a")
        two.update("bc")
        #expect(one.hexDigest() != two.hexDigest())
        var three = SHA256()
        three.update("abc")
        #expect(three.hexDigest() == SHA256.hex("abc\u{0}".utf8))
    }
}
