// End to end over a socketpair, with the Connection driven in-process: keep-alive, pipelining,
// HEAD, validators, ranges, precompressed siblings, the 404 page, redirects and mapping.
import QuillHTTP
import Testing

private func makeSite() -> TempSite {
    let temp = TempSite()
    temp.write("index.html", "<h1>home</h1>\n")
    temp.write("a/index.html", "<h1>a</h1>\n")
    temp.write("about.html", "about page\n")
    temp.write("404.html", "<h1>missing</h1>\n")
    temp.write("feed.json", "{\"items\":[]}\n")
    temp.write("style.3f2a9c1b.css", "body{color:red}\n")
    temp.write("style.3f2a9c1b.css.br", "BROTLI")
    temp.write("style.3f2a9c1b.css.gz", "GZIPPED!")
    temp.write("digits.txt", "0123456789")
    temp.write("photo.png", [0x89, 0x50, 0x4E, 0x47])
    temp.write("photo.png.gz", "never served: png is not compressible")
    temp.write(
        ".quill/redirects",
        "# old URLs\n/old-post/ /a/ 301\n/moved /about 308\n/tmp https://example.org/x 302\n")
    return temp
}

@Suite struct ServingTests {
    @Test func keepAliveServesSeveralRequests() throws {
        let temp = makeSite()
        defer { temp.remove() }
        let result = exchange(try temp.open(), get("/") + get("/about") + get("/a/"))
        #expect(result.responses.map(\.status) == [200, 200, 200])
        #expect(result.responses.map(\.text) == ["<h1>home</h1>\n", "about page\n", "<h1>a</h1>\n"])
        #expect(result.responses.allSatisfy { $0.header("Connection") == nil })
        #expect(result.responses[0].header("Content-Type") == "text/html; charset=utf-8")
        #expect(result.responses[0].header("Cache-Control") == "no-cache")
        #expect(result.responses[0].header("X-Content-Type-Options") == "nosniff")
        #expect(result.responses[0].header("Content-Security-Policy") != nil)
        #expect(result.responses[0].header("Date")?.hasSuffix(" GMT") == true)
    }

    @Test func pipelinedRequestsInOneWriteAreAnsweredInOrder() throws {
        let temp = makeSite()
        defer { temp.remove() }
        let burst = (0..<20).map { $0 % 2 == 0 ? get("/digits.txt") : get("/about") }.joined()
        let result = exchange(try temp.open(), burst)
        #expect(result.responses.count == 20)
        for (i, response) in result.responses.enumerated() {
            #expect(response.text == (i % 2 == 0 ? "0123456789" : "about page\n"))
        }
    }

    @Test func headHasLengthButNoBody() throws {
        let temp = makeSite()
        defer { temp.remove() }
        let result = exchange(
            try temp.open(), get("/digits.txt", method: "HEAD") + get("/digits.txt"), headIndexes: [0])
        #expect(result.responses.count == 2)
        #expect(result.responses[0].header("Content-Length") == "10")
        #expect(result.responses[0].body.isEmpty)
        #expect(result.responses[1].text == "0123456789")
    }

    @Test func validatorsGiveNotModified() throws {
        let temp = makeSite()
        defer { temp.remove() }
        let site = try temp.open()
        let first = exchange(site, get("/about")).responses[0]
        let tag = try #require(first.header("ETag"))
        let modified = try #require(first.header("Last-Modified"))
        let result = exchange(
            site,
            get("/about", "If-None-Match: \"nope\", \(tag)\r\n")
                + get("/about", "If-None-Match: W/\(tag)\r\n")
                + get("/about", "If-Modified-Since: \(modified)\r\n")
                + get("/about", "If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT\r\n")
                + get("/about", "If-None-Match: \"other\"\r\nIf-Modified-Since: \(modified)\r\n"))
        #expect(result.responses.map(\.status) == [304, 304, 304, 200, 200])
        #expect(result.responses[0].header("ETag") == tag)
        #expect(result.responses[0].header("Content-Length") == nil)
    }

    @Test func singleRangesAndUnsatisfiableRanges() throws {
        let temp = makeSite()
        defer { temp.remove() }
        let site = try temp.open()
        let tag = try #require(exchange(site, get("/digits.txt")).responses[0].header("ETag"))
        let result = exchange(
            site,
            get("/digits.txt", "Range: bytes=2-4\r\n") + get("/digits.txt", "Range: bytes=-3\r\n")
                + get("/digits.txt", "Range: bytes=7-\r\n") + get("/digits.txt", "Range: bytes=5-100\r\n")
                + get("/digits.txt", "Range: bytes=10-\r\n") + get("/digits.txt", "Range: bytes=0-1,4-5\r\n")
                + get("/digits.txt", "Range: bytes=1-2\r\nIf-Range: \(tag)\r\n")
                + get("/digits.txt", "Range: bytes=1-2\r\nIf-Range: \"stale\"\r\n")
                + get("/digits.txt", "Range: lines=1-2\r\n"))
        #expect(result.responses.map(\.status) == [206, 206, 206, 206, 416, 200, 206, 200, 200])
        #expect(
            result.responses.map(\.text) == [
                "234", "789", "789", "56789", "", "0123456789", "12", "0123456789", "0123456789",
            ])
        #expect(result.responses[0].header("Content-Range") == "bytes 2-4/10")
        #expect(result.responses[4].header("Content-Range") == "bytes */10")
        #expect(result.responses[0].header("Accept-Ranges") == "bytes")
    }

    @Test func precompressedSiblingsFollowAcceptEncoding() throws {
        let temp = makeSite()
        defer { temp.remove() }
        let path = "/style.3f2a9c1b.css"
        let result = exchange(
            try temp.open(),
            get(path, "Accept-Encoding: gzip, br\r\n") + get(path, "Accept-Encoding: gzip\r\n") + get(path)
                + get(path, "Accept-Encoding: br;q=0, gzip;q=0\r\n")
                + get("/photo.png", "Accept-Encoding: gzip\r\n"))
        let r = result.responses
        #expect(r.prefix(4).map(\.text) == ["BROTLI", "GZIPPED!", "body{color:red}\n", "body{color:red}\n"])
        #expect(r[4].body == [0x89, 0x50, 0x4E, 0x47])
        #expect(r.map { $0.header("Content-Encoding") } == ["br", "gzip", nil, nil, nil])
        #expect(r[0].header("Content-Length") == "6")
        #expect(r[1].header("Content-Length") == "8")
        #expect(r[0].header("Vary") == "Accept-Encoding")
        #expect(r[4].header("Vary") == nil)
        #expect(Set([r[0].header("ETag"), r[1].header("ETag"), r[2].header("ETag")]).count == 3)
        #expect(r[0].header("Cache-Control") == "public, max-age=31536000, immutable")
        #expect(r[0].header("Content-Type") == "text/css; charset=utf-8")
    }

    @Test func notFoundServesTheSitePage() throws {
        let temp = makeSite()
        defer { temp.remove() }
        let result = exchange(
            try temp.open(), get("/nothing/here") + get("/nothing/", method: "HEAD"), headIndexes: [1])
        #expect(result.responses.map(\.status) == [404, 404])
        #expect(result.responses[0].text == "<h1>missing</h1>\n")
        #expect(result.responses[1].body.isEmpty)
    }

    @Test func notFoundWithoutASitePageIsBuiltIn() throws {
        let temp = TempSite()
        defer { temp.remove() }
        temp.write("index.html", "x")
        let result = exchange(try temp.open(), get("/missing"))
        #expect(result.responses[0].status == 404)
        #expect(result.responses[0].text.contains("404 Not Found"))
    }

    @Test func mappingOfDirectoriesAndHtmlFiles() throws {
        let temp = makeSite()
        defer { temp.remove() }
        let result = exchange(
            try temp.open(),
            get("/a") + get("/a?x=1") + get("/about") + get("/about/") + get("/feed.json")
                + get("http://test/a/"))
        #expect(result.responses.map(\.status) == [301, 301, 200, 404, 200, 200])
        #expect(result.responses[0].header("Location") == "/a/")
        #expect(result.responses[1].header("Location") == "/a/?x=1")
        #expect(result.responses[4].header("Content-Type") == "application/json")
        #expect(result.responses[5].text == "<h1>a</h1>\n")
    }

    @Test func redirectsFromTheTable() throws {
        let temp = makeSite()
        defer { temp.remove() }
        let result = exchange(
            try temp.open(),
            get("/old-post/") + get("/old-post") + get("/moved") + get("/tmp") + get("/moved/x"))
        #expect(result.responses.map(\.status) == [301, 301, 308, 302, 404])
        #expect(
            result.responses.prefix(4).map { $0.header("Location") } == [
                "/a/", "/a/", "/about", "https://example.org/x",
            ])
    }

    @Test func methodsAndOptions() throws {
        let temp = makeSite()
        defer { temp.remove() }
        let result = exchange(
            try temp.open(), "PUT / HTTP/1.1\r\nHost: t\r\n\r\n" + "OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(result.responses.map(\.status) == [405, 204])
        #expect(result.responses[0].header("Allow") == "GET, HEAD, OPTIONS")
        #expect(result.responses[1].header("Allow") == "GET, HEAD, OPTIONS")
    }

    @Test func maximumRequestsPerConnection() throws {
        let temp = makeSite()
        defer { temp.remove() }
        var options = ConnectionOptions()
        options.maxRequests = 3
        let result = exchange(
            try temp.open(), String(repeating: get("/digits.txt"), count: 5), options: options)
        #expect(result.responses.count == 3)
        #expect(result.responses[2].header("Connection") == "close")
        #expect(result.responses[1].header("Connection") == nil)
    }
}
