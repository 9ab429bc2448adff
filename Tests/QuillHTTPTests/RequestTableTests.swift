// Valid and malformed requests, each with the status it must get and whether the connection must
// close after it. Every row is followed by a valid request: a kept connection answers it too.
import QuillHTTP
import Testing

struct Row: CustomStringConvertible, Sendable {
    var name: String
    var raw: String
    var status: Int
    var closes: Bool
    var description: String { name }
}

let followUp = "GET / HTTP/1.1\r\nHost: t\r\n\r\n"

let requestTable: [Row] = [
    Row(name: "plain GET", raw: "GET / HTTP/1.1\r\nHost: t\r\n\r\n", status: 200, closes: false),
    Row(name: "HTTP/1.0 closes", raw: "GET / HTTP/1.0\r\n\r\n", status: 200, closes: true),
    Row(
        name: "HTTP/1.0 keep-alive", raw: "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", status: 200,
        closes: false),
    Row(
        name: "Connection: close", raw: "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", status: 200,
        closes: true),
    Row(
        name: "Connection list", raw: "GET / HTTP/1.1\r\nHost: t\r\nConnection: foo, Close\r\n\r\n",
        status: 200, closes: true),
    Row(name: "leading empty line", raw: "\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n", status: 200, closes: false),
    Row(name: "absolute form", raw: "GET http://t/ HTTP/1.1\r\nHost: t\r\n\r\n", status: 200, closes: false),
    Row(
        name: "Content-Length 0", raw: "GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n", status: 200,
        closes: false),
    Row(
        name: "header without space", raw: "GET / HTTP/1.1\r\nHost:t\r\nX-A:b\r\n\r\n", status: 200,
        closes: false),
    Row(
        name: "obs-text in value", raw: "GET / HTTP/1.1\r\nHost: t\r\nX-A: caf\u{e9}\r\n\r\n", status: 200,
        closes: false),
    Row(name: "missing Host", raw: "GET / HTTP/1.1\r\n\r\n", status: 400, closes: true),
    Row(
        name: "repeated Host", raw: "GET / HTTP/1.1\r\nHost: t\r\nHost: t\r\n\r\n", status: 400, closes: true),
    Row(
        name: "repeated Host in 1.0", raw: "GET / HTTP/1.0\r\nHost: t\r\nHost: u\r\n\r\n", status: 400,
        closes: true),
    Row(name: "bad Host chars", raw: "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", status: 400, closes: true),
    Row(
        name: "obs-fold", raw: "GET / HTTP/1.1\r\nHost: t\r\nX-A: a\r\n b\r\n\r\n", status: 400, closes: true),
    Row(
        name: "leading space on first field", raw: "GET / HTTP/1.1\r\n Host: t\r\n\r\n", status: 400,
        closes: true),
    Row(name: "space before colon", raw: "GET / HTTP/1.1\r\nHost : t\r\n\r\n", status: 400, closes: true),
    Row(name: "bare LF line ends", raw: "GET / HTTP/1.1\nHost: t\n\n", status: 400, closes: true),
    Row(
        name: "bare LF in headers", raw: "GET / HTTP/1.1\r\nHost: t\nX: y\r\n\r\n", status: 400, closes: true),
    Row(
        name: "bare CR in value", raw: "GET / HTTP/1.1\r\nHost: t\r\nX: a\rb\r\n\r\n", status: 400,
        closes: true),
    Row(
        name: "NUL in value", raw: "GET / HTTP/1.1\r\nHost: t\r\nX: a\u{0}b\r\n\r\n", status: 400,
        closes: true),
    Row(
        name: "control char in value", raw: "GET / HTTP/1.1\r\nHost: t\r\nX: a\u{1}b\r\n\r\n", status: 400,
        closes: true),
    Row(
        name: "invalid token in name", raw: "GET / HTTP/1.1\r\nHost: t\r\nX(a): b\r\n\r\n", status: 400,
        closes: true),
    Row(name: "empty name", raw: "GET / HTTP/1.1\r\nHost: t\r\n: b\r\n\r\n", status: 400, closes: true),
    Row(name: "no colon", raw: "GET / HTTP/1.1\r\nHost: t\r\nJunk\r\n\r\n", status: 400, closes: true),
    Row(
        name: "two spaces in request line", raw: "GET  / HTTP/1.1\r\nHost: t\r\n\r\n", status: 400,
        closes: true),
    Row(name: "tab in request line", raw: "GET\t/ HTTP/1.1\r\nHost: t\r\n\r\n", status: 400, closes: true),
    Row(name: "lowercase version", raw: "GET / http/1.1\r\nHost: t\r\n\r\n", status: 400, closes: true),
    Row(name: "HTTP/2.0", raw: "GET / HTTP/2.0\r\nHost: t\r\n\r\n", status: 505, closes: true),
    Row(name: "HTTP/0.9 style", raw: "GET /\r\n\r\n", status: 400, closes: true),
    Row(name: "fragment in target", raw: "GET /#x HTTP/1.1\r\nHost: t\r\n\r\n", status: 400, closes: true),
    Row(name: "authority form", raw: "GET t:80 HTTP/1.1\r\nHost: t\r\n\r\n", status: 400, closes: true),
    Row(name: "asterisk with GET", raw: "GET * HTTP/1.1\r\nHost: t\r\n\r\n", status: 400, closes: true),
    Row(
        name: "non-ASCII target", raw: "GET /caf\u{e9} HTTP/1.1\r\nHost: t\r\n\r\n", status: 400, closes: true
    ),
    Row(name: "POST without body", raw: "POST / HTTP/1.1\r\nHost: t\r\n\r\n", status: 405, closes: false),
    Row(name: "DELETE", raw: "DELETE / HTTP/1.1\r\nHost: t\r\n\r\n", status: 405, closes: false),
    Row(name: "lowercase method", raw: "get / HTTP/1.1\r\nHost: t\r\n\r\n", status: 405, closes: false),
    Row(name: "OPTIONS *", raw: "OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n", status: 204, closes: false),
    Row(name: "OPTIONS path", raw: "OPTIONS / HTTP/1.1\r\nHost: t\r\n\r\n", status: 204, closes: false),
    Row(
        name: "POST with body", raw: "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello",
        status: 413, closes: true),
    Row(
        name: "GET with body", raw: "GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc", status: 413,
        closes: true),
    Row(
        name: "chunked body",
        raw: "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", status: 413,
        closes: true),
    Row(
        name: "CL and TE",
        raw: "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
        status: 400, closes: true),
    Row(
        name: "TE then CL",
        raw: "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
        status: 400, closes: true),
    Row(
        name: "conflicting CL",
        raw: "GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nContent-Length: 5\r\n\r\n", status: 400,
        closes: true),
    Row(
        name: "CL list", raw: "GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 0, 0\r\n\r\n", status: 400,
        closes: true),
    Row(
        name: "CL sign", raw: "GET / HTTP/1.1\r\nHost: t\r\nContent-Length: +0\r\n\r\n", status: 400,
        closes: true),
    Row(
        name: "unknown TE", raw: "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: xchunked\r\n\r\n",
        status: 400, closes: true),
    Row(
        name: "TE not ending chunked",
        raw: "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", status: 400,
        closes: true),
    Row(
        name: "repeated TE",
        raw: "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
        status: 400, closes: true),
    Row(
        name: "TE in HTTP/1.0", raw: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", status: 400,
        closes: true),
    Row(name: "dot-dot", raw: "GET /../etc/passwd HTTP/1.1\r\nHost: t\r\n\r\n", status: 400, closes: false),
    Row(
        name: "encoded dot-dot", raw: "GET /%2e%2e/etc/passwd HTTP/1.1\r\nHost: t\r\n\r\n", status: 400,
        closes: false),
    Row(name: "encoded slash", raw: "GET /a%2fb HTTP/1.1\r\nHost: t\r\n\r\n", status: 400, closes: false),
    Row(
        name: "encoded NUL", raw: "GET /index.html%00.txt HTTP/1.1\r\nHost: t\r\n\r\n", status: 400,
        closes: false),
    Row(name: "bad escape", raw: "GET /%zz HTTP/1.1\r\nHost: t\r\n\r\n", status: 400, closes: false),
    Row(
        name: "double slash", raw: "GET //etc/passwd HTTP/1.1\r\nHost: t\r\n\r\n", status: 400, closes: false),
    Row(name: "backslash", raw: "GET /a\\..\\b HTTP/1.1\r\nHost: t\r\n\r\n", status: 400, closes: false),
    Row(
        name: "hidden metadata", raw: "GET /.quill/redirects HTTP/1.1\r\nHost: t\r\n\r\n", status: 404,
        closes: false),
    Row(
        name: "encoded hidden", raw: "GET /%2equill/headers HTTP/1.1\r\nHost: t\r\n\r\n", status: 404,
        closes: false),
    Row(
        name: "request line too long",
        raw: "GET /" + String(repeating: "a", count: 8200) + " HTTP/1.1\r\nHost: t\r\n\r\n", status: 414,
        closes: true),
    Row(
        name: "too many fields",
        raw: "GET / HTTP/1.1\r\nHost: t\r\n" + String(repeating: "X-A: b\r\n", count: 101) + "\r\n",
        status: 431, closes: true),
    Row(
        name: "headers too large",
        raw: "GET / HTTP/1.1\r\nHost: t\r\nX-A: " + String(repeating: "b", count: 33000) + "\r\n\r\n",
        status: 431, closes: true),
]

@Suite struct RequestTableTests {
    @Test(arguments: requestTable)
    func statusAndClose(_ row: Row) throws {
        let temp = TempSite()
        defer { temp.remove() }
        temp.write("index.html", "home\n")
        let site = try temp.open()
        let result = exchange(site, row.raw + followUp)
        try #require(result.responses.count >= 1, "no response at all")
        #expect(result.responses[0].status == row.status)
        if row.closes {
            #expect(result.responses.count == 1, "the connection should have closed")
            #expect(result.responses[0].header("Connection") == "close")
        } else {
            #expect(result.responses.count == 2, "the connection should have stayed open")
            #expect(result.responses.last?.status == 200)
        }
    }
}
