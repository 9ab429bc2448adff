import Glibc
import Testing

/// A small built site (written directly, no `quill build`) published as `DIR/public -> public.1`,
/// a policy extending policies/quill.toml that binds DIR at /site, and a warren serving it with the
/// static quill-engine.
final class QuillSiteFixture {
    let directory: String
    let port: UInt16
    let warren: WarrenProcess

    static let index = "<!doctype html><title>Home</title><h1>Quill test site</h1>\n"
    static let post = "<!doctype html><title>Hello</title><p>The first post.</p>\n"
    static let notFound = "<!doctype html><title>Not found</title><p>No such page here.</p>\n"
    static let css = "body { font-family: serif; color: #222; background: #fdfdfd; }\n"
    /// Stands in for gzip output: the engine serves the sibling's bytes as they are.
    static let cssGzip: [UInt8] =
        [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03] + Array("not inflated".utf8)
    /// In DIR, beside public.1: bound into the sandbox (DIR is /site) but outside the site root.
    static let secret = "secret outside the site root\n"
    /// Redirect lines after the first: enough to make `.quill/redirects` ~160 KB, so that the
    /// engine reads it into an allocation glibc serves with mmap (the policy must allow that path).
    static let extraRedirects = 5000

    /// The static engine `make engine` builds; records an issue naming the fix when it is missing.
    static func engine() throws -> String {
        let path = TestPaths.root + "/.build-static/release/quill-engine"
        try #require(
            access(path, X_OK) == 0,
            "\(path) is missing: run `make engine` (the static quill-engine) before these tests")
        return path
    }

    /// `extra`: more lines for the service (e.g. `prespawn = 2`).
    init(extra: [String] = []) throws {
        let engine = try Self.engine()
        directory = try TestPaths.temporaryDirectory()
        // mkdtemp makes it 0700; the engine runs as 65534 outside its user namespace and must
        // traverse it (it is /site inside).
        chmod(directory, 0o755)
        let site = directory + "/public.1"
        for dir in [site, site + "/posts", site + "/posts/hello", site + "/.quill"] {
            try #require(mkdir(dir, 0o755) == 0, "mkdir \(dir)")
        }
        try TestPaths.write(Self.index, to: site + "/index.html")
        try TestPaths.write(Self.post, to: site + "/posts/hello/index.html")
        try TestPaths.write(Self.notFound, to: site + "/404.html")
        try TestPaths.write(Self.css, to: site + "/style.css")
        try Self.write(Self.cssGzip, to: site + "/style.css.gz")
        try TestPaths.write(Self.secret, to: directory + "/secret.txt")
        var redirects = "# moved pages\n/old /posts/hello/ 301\n"
        for n in 0..<Self.extraRedirects { redirects += "/r/\(n) /posts/hello/ 308\n" }
        try TestPaths.write(redirects, to: site + "/.quill/redirects")
        try #require(symlink("../secret.txt", site + "/escape") == 0, "symlink escape")
        try #require(symlink("public.1", directory + "/public") == 0, "symlink public")
        let policy = directory + "/quill-test.toml"
        try TestPaths.write(
            """
            # policies/quill.toml as shipped, with this test's site bound at /site instead of out/site.
            extends = "\(TestPaths.root)/policies/quill.toml"

            [rootfs]
            skeleton = "\(TestPaths.root)/rootfs"
            bind = [{ source = "\(directory)", target = "/site" }]
            """, to: policy)
        port = try TestClient.freePort()
        warren = try WarrenProcess(
            config: testConfig([
                TestService(name: "blog", port: port, engine: engine, policy: policy, extra: extra)
            ]))
    }

    deinit {
        Self.removeTree(directory)
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        try #require(fd >= 0, "cannot create \(path)")
        defer { close(fd) }
        try #require(bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) } == bytes.count)
    }

    /// Removes a directory made by `TestPaths.temporaryDirectory`, subdirectories included.
    static func removeTree(_ path: String) {
        guard path.hasPrefix("/tmp/warren-test-") else { return }
        if let dir = opendir(path) {
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) {
                    String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
                let child = path + "/" + name
                if entry.pointee.d_type == UInt8(DT_DIR) {
                    removeTree(child)
                } else {
                    unlink(child)
                }
            }
            closedir(dir)
        }
        rmdir(path)
    }

    /// One request on its own connection (sent, then half-closed), and its response.
    func single(_ target: String, _ headers: [String] = [], method: String = "GET") -> HTTPResponse? {
        let fd = TestClient.connect(port: port)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        TestClient.send(fd, Self.request(method, target, headers + ["Connection: close"]))
        shutdown(fd, Int32(SHUT_WR))
        return HTTPReader(fd: fd).next(head: method == "HEAD")
    }

    static func request(_ method: String, _ target: String, _ headers: [String] = []) -> String {
        "\(method) \(target) HTTP/1.1\r\nHost: blog.test\r\n"
            + headers.map { $0 + "\r\n" }.joined() + "\r\n"
    }

    /// Waits for `count` connection records; every one must be a clean exit, and none a seccomp
    /// kill: the shipped policy's allow list must cover real traffic.
    func expectCleanRecords(_ count: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let records = try warren.waitForLog(
            count: count, of: "event=conn", "service=blog", sourceLocation: sourceLocation)
        #expect(records.count == count, sourceLocation: sourceLocation)
        for record in records {
            #expect(record.contains(" exit=0"), "\(record)", sourceLocation: sourceLocation)
        }
        #expect(!warren.log.contains("signal=SIGSYS"), "\(warren.log)", sourceLocation: sourceLocation)
    }
}
