// The parser alone: outcomes for complete, partial and oversized heads, and the fields it keeps.
import Testing

@testable import QuillHTTP

private func parse(_ text: String, limits: ParserLimits = ParserLimits()) -> ParseOutcome {
    Array(text.utf8).withUnsafeBytes { RequestParser(limits: limits).parse($0) }
}

@Suite struct ParserTests {
    @Test func completeHeadGivesFields() throws {
        let text =
            "GET /a?b=1 HTTP/1.1\r\nHost: example.org\r\nIf-None-Match: \"x\"\r\nRange: bytes=0-1\r\n"
            + "Accept-Encoding: gzip;q=0.5, br\r\nUser-Agent: t/1\r\n\r\nNEXT"
        guard case .request(let request) = parse(text) else {
            Issue.record("expected a request")
            return
        }
        let bytes = Array(text.utf8)
        #expect(request.method == .get)
        #expect(String(decoding: bytes[request.target], as: UTF8.self) == "/a?b=1")
        #expect(request.headLength == text.utf8.count - 4)
        #expect(request.acceptsGzip && request.acceptsBrotli)
        #expect(request.ifNoneMatch.map { String(decoding: bytes[$0], as: UTF8.self) } == "\"x\"")
        #expect(request.range.map { String(decoding: bytes[$0], as: UTF8.self) } == "bytes=0-1")
        #expect(request.userAgent.map { String(decoding: bytes[$0], as: UTF8.self) } == "t/1")
        #expect(request.keepAlive)
    }

    @Test(arguments: [
        "", "G", "GET / HTTP/1.1", "GET / HTTP/1.1\r\n", "GET / HTTP/1.1\r\nHost: t\r\n",
        "GET / HTTP/1.1\r\nHost: t\r\n\r",
    ])
    func partialHeadsAreIncomplete(_ text: String) {
        if case .incomplete = parse(text) {
        } else {
            Issue.record("\(text.debugDescription) should be incomplete")
        }
    }

    @Test func oversizedPartialHeadsFailEarly() {
        var limits = ParserLimits()
        limits.maxRequestLine = 16
        limits.maxHeaderBytes = 32
        #expect(parse("GET /aaaaaaaaaaaaaaaaaaaaaaa", limits: limits) == .failure(.uriTooLong))
        #expect(
            parse("GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 40), limits: limits)
                == .failure(.headerFieldsTooLarge))
    }

    @Test func acceptEncodingQualities() {
        func flags(_ value: String) -> (Bool, Bool) {
            guard
                case .request(let r) = parse("GET / HTTP/1.1\r\nHost: t\r\nAccept-Encoding: \(value)\r\n\r\n")
            else { return (false, false) }
            return (r.acceptsGzip, r.acceptsBrotli)
        }
        #expect(flags("gzip") == (true, false))
        #expect(flags("br;q=0, gzip") == (true, false))
        #expect(flags("gzip;q=0.000, br;q=1") == (false, true))
        #expect(flags("*") == (true, true))
        #expect(flags("*, br;q=0") == (true, false))
        #expect(flags("identity") == (false, false))
        #expect(flags("gzip;q=0.001") == (true, false))
    }
}

@Suite struct SiteHeadersTests {
    @Test func siteFileReplacesAddsAndRemoves() {
        var headers = SiteHeaders(hsts: true)
        var diagnostics = Diagnostics(output: .init(rawValue: -1))
        let file = "referrer-policy: no-referrer\nX-Frame-Options: DENY\nstrict-transport-security:\n# c\n\n"
        headers.apply(Array(file.utf8), file: "h", diagnostics: &diagnostics)
        let text = String(decoding: headers.block, as: UTF8.self)
        #expect(diagnostics.messages.isEmpty)
        #expect(
            text == "X-Content-Type-Options: nosniff\r\n"
                + "Content-Security-Policy: default-src 'self'; img-src 'self' data: https:; "
                + "style-src 'self' 'unsafe-inline'; script-src 'self'; object-src 'none'; "
                + "base-uri 'self'; form-action 'self'; frame-ancestors 'none'\r\n"
                + "referrer-policy: no-referrer\r\nX-Frame-Options: DENY\r\n")
    }
}

@Suite struct HTTPDateTests {
    @Test(arguments: [
        "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
    ])
    func allThreeFormsParse(_ text: String) {
        let parsed = Array(text.utf8).withUnsafeBytes {
            HTTPDate.parse(ByteView(base: $0, range: 0..<$0.count))
        }
        #expect(parsed == 784_111_777)
    }

    @Test(arguments: [
        "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 32 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:49:37 GMT", "Sunday, 06-Nov-1994 08:49:37 GMT", "Sun Nov 06 08:49:37 94", "",
    ])
    func malformedDatesAreIgnored(_ text: String) {
        let parsed = Array(text.utf8).withUnsafeBytes {
            HTTPDate.parse(ByteView(base: $0, range: 0..<$0.count))
        }
        #expect(parsed == nil)
    }

    @Test func formatRoundTrips() {
        for seconds: Int64 in [0, 784_111_777, 951_782_400, 4_102_444_799] {
            var out: [UInt8] = []
            HTTPDate.append(seconds, to: &out)
            #expect(
                out.withUnsafeBytes { HTTPDate.parse(ByteView(base: $0, range: 0..<$0.count)) } == seconds)
        }
        var out: [UInt8] = []
        HTTPDate.append(784_111_777, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "Sun, 06 Nov 1994 08:49:37 GMT")
    }
}
