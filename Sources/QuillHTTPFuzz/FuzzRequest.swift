// Fuzz target for QuillHTTP's request handling. Built with libFuzzer by bench/fuzz-http.sh
// (-sanitize=fuzzer,address -DQUILL_FUZZ, which supplies main); a plain `swift build` makes a
// replay tool instead: `QuillHTTPFuzz FILE...` runs the same checks over saved inputs, so a
// finding stays a regression check.
//
// Each input is checked three ways: the parser alone (its invariants, and that no prefix of a head
// parses as complete), a whole Connection over a socketpair against a small site (no crash, no
// hang, every response well-formed at the status line), and the metadata parsers (.quill/).
import QuillHTTP
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

private let fixture = FuzzFixture()

func checkParser(_ input: UnsafeRawBufferPointer) {
    let parser = RequestParser()
    var offset = 0
    while offset < input.count {
        let rest = UnsafeRawBufferPointer(rebasing: input[offset...])
        let whole = parser.parse(rest)
        switch whole {
        case .request(let request):
            precondition(
                request.headLength > 0 && request.headLength <= rest.count, "head length out of range")
            for range in [request.target, request.methodRange] {
                precondition(
                    range.lowerBound >= 0 && range.upperBound <= request.headLength, "range outside head")
            }
            // The same head split anywhere must parse to the same request once complete.
            let cut = request.headLength / 2
            if case .request = parser.parse(UnsafeRawBufferPointer(rebasing: rest[..<cut])) {
                preconditionFailure("a prefix of a head parsed as a complete request")
            }
            offset += request.headLength
        case .failure, .incomplete:
            return
        }
    }
}

func checkConnection(_ input: UnsafeRawBufferPointer) {
    var fds: [Int32] = [0, 0]
    guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0 else { return }
    var sent = 0
    while sent < input.count {
        let n = write(fds[0], input.baseAddress! + sent, input.count - sent)
        if n <= 0 { break }
        sent += n
    }
    shutdown(fds[0], Int32(SHUT_WR))
    var options = ConnectionOptions()
    options.headerTimeoutMilliseconds = 50
    options.idleTimeoutMilliseconds = 50
    options.writeTimeoutMilliseconds = 50
    let connection = Connection(
        site: fixture.site, input: FileDescriptor(rawValue: fds[1]), output: FileDescriptor(rawValue: fds[1]),
        log: nil, remote: "fuzz", options: options)
    connection.run()
    close(fds[1])
    var out = [UInt8](repeating: 0, count: 65536)
    let n = out.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
    close(fds[0])
    if n > 0 {
        precondition(out.starts(with: Array("HTTP/1.1 ".utf8)), "response does not start with a status line")
    }
}

/// The same bytes read as `.quill/redirects` and `.quill/headers`: bad lines are reported, never
/// fatal; the table stays sorted and unique, the header block a list of CRLF-ended lines.
func checkMetadata(_ input: UnsafeRawBufferPointer) {
    let bytes = Array(input)
    var diagnostics = Diagnostics(output: FileDescriptor(rawValue: -1))
    let table = RedirectTable(parsing: bytes, file: "redirects", diagnostics: &diagnostics)
    for (a, b) in zip(table.entries, table.entries.dropFirst()) {
        precondition(a.from.lexicographicallyPrecedes(b.from), "redirect table not sorted and unique")
    }
    for entry in table.entries {
        precondition(table.lookup(entry.from) == entry, "a redirect cannot be found by its own path")
    }
    var headers = SiteHeaders()
    headers.apply(bytes, file: "headers", diagnostics: &diagnostics)
    precondition(headers.block.isEmpty || headers.block.suffix(2) == [13, 10], "header block not CRLF-ended")
    precondition(!headers.block.contains(0), "NUL in the header block")
}

func checkAll(_ input: UnsafeRawBufferPointer) {
    checkParser(input)
    checkConnection(input)
    checkMetadata(input)
}

/// A small site in a temporary directory: pages, a 404, compressed siblings, redirects, a symlink
/// out of the tree.
final class FuzzFixture: Sendable {
    let site: Site

    init() {
        var template = Array("/tmp/quill-fuzz.XXXXXX".utf8CString)
        _ = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        let root = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        func put(_ name: String, _ text: String) {
            let fd = open(root + "/" + name, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            _ = Array(text.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
        mkdir(root + "/a", 0o755)
        mkdir(root + "/.quill", 0o755)
        put("index.html", "<h1>home</h1>")
        put("index.html.gz", "gz")
        put("index.html.br", "br")
        put("a/index.html", "a")
        put("404.html", "missing")
        put("s.0123abcd.css", "body{}")
        put(".quill/redirects", "/old /a/ 301\n")
        symlink("/etc/passwd", root + "/out")
        var diagnostics = Diagnostics(output: FileDescriptor(rawValue: -1))
        site = try! Site(path: root, diagnostics: &diagnostics)
    }
}

#if QUILL_FUZZ
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        checkAll(UnsafeRawBufferPointer(start: data, count: size))
        return 0
    }

    @_silgen_name("LLVMFuzzerRunDriver")
    func runFuzzerDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    /// SwiftPM links an executable's main as an alias of `<module>_main`, which keeps libFuzzer's
    /// own main out; this entry point hands control to libFuzzer's driver instead.
    @_cdecl("QuillHTTPFuzz_main")
    public func fuzzMain(
        _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
    ) -> CInt {
        var count = argc
        var vector = argv
        return runFuzzerDriver(&count, &vector) { data, size in
            checkAll(UnsafeRawBufferPointer(start: data, count: size))
            return 0
        }
    }
#else
    @main
    enum Replay {
        static func main() {
            signal(SIGPIPE, SIG_IGN)
            var count = 0
            for path in CommandLine.arguments.dropFirst() {
                let fd = open(path, O_RDONLY)
                guard fd >= 0 else {
                    print("\(path): cannot open")
                    exit(1)
                }
                var bytes: [UInt8] = []
                var chunk = [UInt8](repeating: 0, count: 65536)
                while true {
                    let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                    if n <= 0 { break }
                    bytes += chunk[0..<n]
                }
                close(fd)
                bytes.withUnsafeBytes { checkAll($0) }
                count += 1
            }
            print("replayed \(count) inputs, no failure")
        }
    }
#endif
