// Traversal, symlink escapes, hidden metadata, timeouts and the access log.
import QuillHTTP
import SystemPackage
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct SafetyTests {
    @Test func symlinksCannotLeaveTheSiteRoot() throws {
        let temp = TempSite()
        defer { temp.remove() }
        temp.write("index.html", "home")
        temp.write("docs/page.html", "inside")
        temp.writeOutside("secret.txt", "SECRET")
        temp.symlink("abs.txt", to: temp.path + "/secret.txt")
        temp.symlink("rel.txt", to: "../secret.txt")
        temp.symlink("up", to: "..")
        temp.symlink("inside.html", to: "docs/page.html")
        let result = exchange(
            try temp.open(), get("/abs.txt") + get("/rel.txt") + get("/up/secret.txt") + get("/inside.html"))
        #expect(result.responses.map(\.status) == [404, 404, 404, 200])
        #expect(!result.raw.contains(subsequence: Array("SECRET".utf8)))
        #expect(result.responses[3].text == "inside")
    }

    @Test func traversalAttemptsAreRefused() throws {
        let temp = TempSite()
        defer { temp.remove() }
        temp.write("index.html", "home")
        temp.writeOutside("secret.txt", "SECRET")
        let attempts = [
            "/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt", "/a/..%2f..%2fsecret.txt",
            "/./index.html", "/%2e/index.html", "/index.html%00", "/..%5csecret.txt",
            "http://t/../secret.txt",
        ]
        let result = exchange(try temp.open(), attempts.map { get($0) }.joined())
        #expect(result.responses.count == attempts.count)
        #expect(result.responses.allSatisfy { $0.status == 400 })
        #expect(!result.raw.contains(subsequence: Array("SECRET".utf8)))
    }

    @Test func headerTimeoutAnswers408AndCloses() throws {
        let temp = TempSite()
        defer { temp.remove() }
        temp.write("index.html", "home")
        var options = ConnectionOptions()
        options.headerTimeoutMilliseconds = 150
        options.idleTimeoutMilliseconds = 60_000
        // A slowloris head that never ends; the client keeps its side open.
        let result = exchange(
            try temp.open(), get("/") + "GET / HTTP/1.1\r\nHost: t\r\nX-Slow: 1\r\n", options: options,
            closeClientWrite: false)
        #expect(result.responses.map(\.status) == [200, 408])
        #expect(result.responses[1].header("Connection") == "close")
    }

    @Test func idleTimeoutClosesSilently() throws {
        let temp = TempSite()
        defer { temp.remove() }
        temp.write("index.html", "home")
        var options = ConnectionOptions()
        options.idleTimeoutMilliseconds = 100
        let result = exchange(try temp.open(), get("/"), options: options, closeClientWrite: false)
        #expect(result.responses.map(\.status) == [200])
        #expect(result.raw.count == result.responses[0].body.count + headLength(result.raw))
    }

    @Test func accessLogHasOneCombinedLinePerRequest() throws {
        let temp = TempSite()
        defer { temp.remove() }
        temp.write("index.html", "home")
        let result = exchange(
            try temp.open(),
            get("/", "User-Agent: test \"agent\"\r\nReferer: http://r/\r\n") + get("/missing")
                + "BROKEN\r\n\r\n")
        let lines = result.log.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("192.0.2.7 - - ["))
        #expect(lines[0].contains("] \"GET / HTTP/1.1\" 200 4 \"http://r/\" \"test \\x22agent\\x22\" "))
        #expect(lines[1].contains("\"GET /missing HTTP/1.1\" 404 "))
        #expect(lines[2].contains("\"-\" 400 "))
        #expect(lines.allSatisfy { $0.utf8.count < 1024 })
    }

    @Test func siteMetadataErrorsNameFileAndLine() throws {
        let temp = TempSite()
        defer { temp.remove() }
        temp.write("index.html", "home")
        temp.write(
            ".quill/redirects", "/ok /index.html 301\n/two fields\n/x /y 303\nrelative /y 301\n/ok /z 302\n")
        temp.write(
            ".quill/headers",
            "Content-Security-Policy: default-src 'none'\nBad Name: x\nContent-Length: 3\nPermissions-Policy: camera=()\nReferrer-Policy:\n"
        )
        var pipeFds: [Int32] = [0, 0]
        _ = pipe(&pipeFds)
        var diagnostics = Diagnostics(output: FileDescriptor(rawValue: pipeFds[1]))
        let site = try Site(path: temp.root, diagnostics: &diagnostics)
        close(pipeFds[1])
        let stderr = String(decoding: readAll(pipeFds[0]), as: UTF8.self)
        close(pipeFds[0])
        let redirects = temp.root + "/.quill/redirects"
        let headers = temp.root + "/.quill/headers"
        #expect(
            diagnostics.messages.map { String($0.prefix(while: { $0 != " " })) } == [
                "\(redirects):2:", "\(redirects):3:", "\(redirects):4:", "\(redirects):5:", "\(headers):2:",
                "\(headers):3:",
            ])
        #expect(stderr.contains("\(redirects):3: STATUS must be 301, 302, 307 or 308"))
        // The good lines still apply, and the engine still serves.
        let result = exchange(site, get("/ok"))
        #expect(result.responses[0].status == 301)
        #expect(result.responses[0].header("Content-Security-Policy") == "default-src 'none'")
        #expect(result.responses[0].header("Permissions-Policy") == "camera=()")
        #expect(result.responses[0].header("Referrer-Policy") == nil)
    }
}

private func headLength(_ raw: [UInt8]) -> Int {
    for i in 0..<(raw.count - 3)
    where raw[i] == 13 && raw[i + 1] == 10 && raw[i + 2] == 13 && raw[i + 3] == 10 {
        return i + 4
    }
    return raw.count
}

extension Array where Element == UInt8 {
    func contains(subsequence needle: [UInt8]) -> Bool {
        guard needle.count <= count else { return false }
        for i in 0...(count - needle.count) where Array(self[i..<(i + needle.count)]) == needle {
            return true
        }
        return false
    }
}
