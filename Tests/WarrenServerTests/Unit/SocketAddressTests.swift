import Testing
import WarrenSystem

@Suite struct SocketAddressTests {
    @Test func ipv4AndIpv6ParseAndPrint() throws {
        let v4 = try #require(SocketAddress(parsing: "127.0.0.1:8080"))
        #expect(v4.family == .ipv4)
        #expect(v4.host == "127.0.0.1")
        #expect(v4.port == 8080)
        #expect(v4.description == "127.0.0.1:8080")
        let v6 = try #require(SocketAddress(parsing: "[0:0::1]:443"))
        #expect(v6.host == "::1")
        #expect(v6.description == "[::1]:443")
        #expect(v6 == SocketAddress(parsing: "[::1]:443"))
        #expect(v6.hostKey == SocketAddress(parsing: "[::1]:1")?.hostKey)
    }

    @Test func malformedAddressesAreRejected() {
        for text in [
            "", "127.0.0.1", "127.0.0.1:", "127.0.0.1:x", "::1:80", "[::1]80", "[::1]:", "host:80",
            "127.0.0.1:65536", "[127.0.0.1]:80", "1.2.3.4:+80",
        ] {
            #expect(SocketAddress(parsing: text) == nil, "\(text)")
        }
    }
}
