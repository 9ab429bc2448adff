// A refused body over real TCP (loopback): the 413 must reach the client and the connection must
// end cleanly (FIN) even though the body is never read. A plain close with unread data sends a
// reset instead, which on a real network can destroy the answer still in flight.
import QuillHTTP
import SystemPackage
import Testing

#if canImport(Glibc)
    import Glibc
#endif

let loopbackWorks: Bool = {
    guard let (a, b) = tcpPair() else {
        print("skip: no loopback TCP")
        return false
    }
    close(a)
    close(b)
    return true
}()

@Suite struct LingeringCloseTests {
    @Test(.enabled(if: loopbackWorks)) func refusedBodyStillGetsItsAnswer() throws {
        let temp = TempSite()
        defer { temp.remove() }
        temp.write("index.html", "home")
        let site = try temp.open()
        let (client, server) = try #require(tcpPair())
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: 200_000)
        let head = Array("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.count)\r\n\r\n".utf8)
        let all = head + body
        _ = all.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        // The client stops writing but keeps reading, as a browser would.
        shutdown(client, Int32(SHUT_WR))
        let connection = Connection(
            site: site, input: FileDescriptor(rawValue: server), output: FileDescriptor(rawValue: server),
            log: nil, remote: "127.0.0.1")
        connection.run()
        close(server)
        var raw: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var end = 0
        var endError: Int32 = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            if n <= 0 {
                end = n
                endError = n < 0 ? errno : 0
                break
            }
            raw += buffer[0..<n]
        }
        close(client)
        #expect(end == 0 && endError == 0, "the connection ended with errno \(endError), not a clean end")
        let responses = parseResponses(raw, headIndexes: [])
        #expect(responses.map(\.status) == [413])
        #expect(responses.first?.header("Connection") == "close")
    }
}
