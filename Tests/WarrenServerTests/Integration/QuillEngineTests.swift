import Glibc
import Testing

/// quill-engine end to end: the static release engine, run by `warren serve` under a policy that
/// extends the shipped policies/quill.toml, over loopback. Besides each answer, every test checks
/// that no engine was killed (no `signal=SIGSYS`): the shipped allow list covers real traffic.
@Suite(.serialized) struct QuillEngineTests {
    static func skipReason() -> String? {
        getuid() == 0 ? nil : "quill-engine under warren needs root (namespaces, mounts)"
    }

    @Test func eachKindOfRequestGetsItsAnswer() throws {
        if let reason = Self.skipReason() {
            print("skipped: \(reason)")
            return
        }
        let site = try QuillSiteFixture()
        let index = Array(QuillSiteFixture.index.utf8)

        let get = try #require(site.single("/"))
        #expect(get.status == 200)
        #expect(get.text == QuillSiteFixture.index)
        #expect(get.header("content-type")?.hasPrefix("text/html") == true)
        let etag = try #require(get.header("etag"))

        let head = try #require(site.single("/", method: "HEAD"))
        #expect(head.status == 200)
        #expect(head.header("content-length") == "\(index.count)")
        #expect(head.body.isEmpty)

        let notModified = try #require(site.single("/", ["If-None-Match: \(etag)"]))
        #expect(notModified.status == 304)
        #expect(notModified.body.isEmpty)

        let post = try #require(site.single("/posts/hello/"))
        #expect(post.status == 200)
        #expect(post.text == QuillSiteFixture.post)
        let directory = try #require(site.single("/posts/hello"))
        #expect(directory.status == 301)
        #expect(directory.header("location") == "/posts/hello/")

        let css = Array(QuillSiteFixture.css.utf8)
        let partial = try #require(site.single("/style.css", ["Range: bytes=0-4"]))
        #expect(partial.status == 206)
        #expect(partial.header("content-range") == "bytes 0-4/\(css.count)")
        #expect(partial.body == Array(css[0...4]))
        let unsatisfiable = try #require(site.single("/style.css", ["Range: bytes=5000-"]))
        #expect(unsatisfiable.status == 416)
        #expect(unsatisfiable.header("content-range") == "bytes */\(css.count)")

        let gzipped = try #require(site.single("/style.css", ["Accept-Encoding: gzip"]))
        #expect(gzipped.status == 200)
        #expect(gzipped.header("content-encoding") == "gzip")
        #expect(gzipped.header("vary")?.contains("Accept-Encoding") == true)
        #expect(gzipped.body == QuillSiteFixture.cssGzip)
        let plain = try #require(site.single("/style.css"))
        #expect(plain.header("content-encoding") == nil)
        #expect(plain.body == css)

        let missing = try #require(site.single("/no/such/page"))
        #expect(missing.status == 404)
        #expect(missing.text == QuillSiteFixture.notFound)

        let moved = try #require(site.single("/old"))
        #expect(moved.status == 301)
        #expect(moved.header("location") == "/posts/hello/")
        // The last line of a ~160 KB redirect table: the large metadata file was read in full.
        let last = try #require(site.single("/r/\(QuillSiteFixture.extraRedirects - 1)"))
        #expect(last.status == 308)
        #expect(last.header("location") == "/posts/hello/")

        site.warren.signal(SIGTERM)
        #expect(site.warren.waitForExit() == 0)
        try site.expectCleanRecords(12)
    }

    @Test func traversalAttemptsNeverReachAFileOutsideTheSite() throws {
        if let reason = Self.skipReason() {
            print("skipped: \(reason)")
            return
        }
        let site = try QuillSiteFixture()
        for target in [
            "/../secret.txt", "/%2e%2e/secret.txt", "/posts/..%2fsecret.txt",
            "/posts/%2e%2e/%2e%2e/secret.txt",
        ] {
            let answer = try #require(site.single(target), "no answer to \(target)")
            #expect(answer.status == 400, "\(target): \(answer.status)")
            #expect(!answer.text.contains("secret"), "\(target)")
        }
        // A symlink inside the site that leads out of it (to DIR/secret.txt, bound in the sandbox
        // but beside the site root): openat2 RESOLVE_BENEATH refuses it, and the 404 page answers.
        let escape = try #require(site.single("/escape"))
        #expect(escape.status == 404)
        #expect(escape.text == QuillSiteFixture.notFound)
        // Metadata is never served.
        let metadata = try #require(site.single("/.quill/redirects"))
        #expect(metadata.status == 404)
        #expect(!metadata.text.contains("/old"))
        site.warren.signal(SIGTERM)
        #expect(site.warren.waitForExit() == 0)
        try site.expectCleanRecords(6)
    }

    @Test func keepAliveServesSeveralRequestsOnOneConnectionInTurn() throws {
        if let reason = Self.skipReason() {
            print("skipped: \(reason)")
            return
        }
        let site = try QuillSiteFixture()
        let fd = TestClient.connect(port: site.port)
        try #require(fd >= 0)
        defer { close(fd) }
        let reader = HTTPReader(fd: fd)
        // Each answer is read before the next request is written: the engine must keep the
        // connection open between them.
        let targets = ["/", "/posts/hello/", "/style.css", "/no/such/page"]
        var statuses: [Int] = []
        for target in targets {
            TestClient.send(fd, QuillSiteFixture.request("GET", target))
            let response = try #require(reader.next(), "no answer to \(target)")
            statuses.append(response.status)
            #expect(response.header("connection") != "close")
        }
        #expect(statuses == [200, 200, 200, 404])
        TestClient.send(fd, QuillSiteFixture.request("GET", "/", ["Connection: close"]))
        let last = try #require(reader.next())
        #expect(last.status == 200)
        #expect(last.header("connection") == "close")
        #expect(reader.atEnd())
        try site.expectCleanRecords(1)
        let pid = try #require(
            WarrenProcess.field("pid", in: try site.warren.waitForLog(of: "event=conn", "service=blog")[0]))
        // The engine's access log, forwarded by warren: one line per request, all from one process.
        let accessLines = site.warren.logLines.filter { $0.contains("event=stderr service=blog pid=\(pid) ") }
        #expect(accessLines.count == 5, "\(accessLines)")
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        if let reason = Self.skipReason() {
            print("skipped: \(reason)")
            return
        }
        let site = try QuillSiteFixture()
        let fd = TestClient.connect(port: site.port)
        try #require(fd >= 0)
        defer { close(fd) }
        // All five in one write, before any answer is read.
        let requests = [
            QuillSiteFixture.request("GET", "/"),
            QuillSiteFixture.request("HEAD", "/posts/hello/"),
            QuillSiteFixture.request("GET", "/missing"),
            QuillSiteFixture.request("GET", "/style.css", ["Range: bytes=5-9"]),
            QuillSiteFixture.request("GET", "/old", ["Connection: close"]),
        ]
        TestClient.send(fd, requests.joined())
        let reader = HTTPReader(fd: fd)
        let methods = ["GET", "HEAD", "GET", "GET", "GET"]
        var responses: [HTTPResponse] = []
        for method in methods {
            responses.append(try #require(reader.next(head: method == "HEAD")))
        }
        #expect(responses.map(\.status) == [200, 200, 404, 206, 301])
        #expect(responses[0].text == QuillSiteFixture.index)
        #expect(responses[1].body.isEmpty)
        #expect(responses[1].header("content-length") == "\(QuillSiteFixture.post.utf8.count)")
        #expect(responses[2].text == QuillSiteFixture.notFound)
        #expect(responses[3].body == Array(Array(QuillSiteFixture.css.utf8)[5...9]))
        #expect(responses[4].header("location") == "/posts/hello/")
        #expect(reader.atEnd())
        try site.expectCleanRecords(1)
    }
}
