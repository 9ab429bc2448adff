import Glibc
import Testing
import WarrenPolicy

/// Parses `text` as "t.toml" and returns the document, or the diagnostics as strings.
private func parse(_ text: String) -> Result<TOMLDocument, Diagnostics> {
    Result { () throws(Diagnostics) in try TOMLDocument.parse(text, file: "t.toml") }
}

private func diagnostics(_ text: String) -> [String] {
    switch parse(text) {
    case .success: return []
    case .failure(let error): return error.items.map(\.description)
    }
}

/// Reads `text` with `read`, finishes the reader and returns every diagnostic.
private func read(_ text: String, _ body: (TableReader) -> Void) throws -> [String] {
    let document = try parse(text).get()
    let log = DiagnosticLog()
    let reader = TableReader(document, log: log)
    body(reader)
    reader.finish()
    return log.sorted.map(\.description)
}

@Test func diagnosticsPrintFileLineAndMessage() {
    #expect(Diagnostic(file: "a.toml", line: 3, message: "bad").description == "a.toml:3: bad")
    #expect(Diagnostic(file: "a.toml", line: nil, message: "bad").description == "a.toml: bad")
    let all = Diagnostics([
        Diagnostic(file: "a", line: 1, message: "x"), Diagnostic(file: "a", line: 2, message: "y"),
    ])
    #expect(all.description == "a:1: x\na:2: y")
}

@Test func everyKeyCarriesItsSourceLine() throws {
    let text = """
        # comment
        title = "x"
        long = \"\"\"
        line one
        line two\"\"\"
        point.x = 1
        point."y" = 2

        [server]
        port = 8080
        inner = { a = 1, b = { c = "}" } }
        list = [
          "one",   # a comment with ] and ,
          'two',
          [3, 4],
        ]
        tables = [
          { name = "a" },
          { name = "b", deep = 1 },
        ]


        [[service]]
        name = "first"
        [service.limits]
        cpu = 1

        [[service]]
        name = "second"
        date = 1979-05-27 07:32:00Z
        after = true
        """
    let root = try parse(text).get().root
    #expect(root["title"]?.line == 2)
    #expect(root["long"]?.line == 3)
    guard case .table(let point) = root["point"]?.value else { throw Failure("point is not a table") }
    #expect(root["point"]?.line == 6)
    #expect(point["x"]?.line == 6)
    #expect(point["y"]?.line == 7)
    guard case .table(let server) = root["server"]?.value else { throw Failure("server") }
    #expect(server.line == 9)
    #expect(server["port"]?.line == 10)
    guard case .table(let inner) = server["inner"]?.value else { throw Failure("inner") }
    #expect(inner["a"]?.line == 11)
    guard case .table(let b) = inner["b"]?.value else { throw Failure("b") }
    #expect(b["c"]?.value == .string("}"))
    guard case .array(let list) = server["list"]?.value else { throw Failure("list") }
    #expect(list.map(\.line) == [13, 14, 15])
    #expect(list[0].value == .string("one"))
    guard case .array(let tables) = server["tables"]?.value else { throw Failure("tables") }
    #expect(tables.map(\.line) == [18, 19])
    guard case .table(let second) = tables[1].value else { throw Failure("tables[1]") }
    #expect(second["deep"]?.line == 19)
    guard case .array(let services) = root["service"]?.value else { throw Failure("service") }
    #expect(services.map(\.line) == [23, 28])
    guard case .table(let first) = services[0].value, case .table(let last) = services[1].value else {
        throw Failure("service elements")
    }
    #expect(first["name"]?.line == 24)
    #expect(first["limits"]?.line == 25)
    #expect(last["name"]?.line == 29)
    #expect(last["after"]?.line == 31)
    #expect(last["after"]?.value == .boolean(true))
}

@Test(arguments: [
    (
        "a = ",
        "t.toml:1: error while parsing key-value pair: encountered end-of-file"
    ),
    (
        "a = 1\nb = \"unterminated\n",
        "t.toml:2: error while parsing string: unescaped control characters other than TAB (U+0009) are explicitly prohibited"
    ),
    (
        "a = 1\na = 2\n",
        "t.toml:2: error while parsing key-value pair: cannot redefine existing integer 'a'"
    ),
    (
        "[x]\n[x]\n",
        "t.toml:2: error while parsing table header: cannot redefine existing table 'x'"
    ),
    (
        "a = 99999999999999999999\n",
        "t.toml:1: error while parsing decimal integer: '99999999999999999999' is not representable in 64 bits"
    ),
    (
        "\n\n[bad\n",
        "t.toml:3: error while parsing table header: expected ']', saw '\\n'"
    ),
])
func syntaxErrorsNameFileAndLine(text: String, expected: String) {
    #expect(diagnostics(text) == [expected])
}

@Test func nulBytesAreRefusedWithTheirLine() {
    #expect(diagnostics("a = 1\nb = \"x\0y\"\n") == ["t.toml:2: NUL byte in file"])
}

@Test func unreadableFilesNameTheReason() throws {
    func loadError(_ path: String) -> [String] {
        do {
            _ = try TOMLDocument.load(path: path)
            return []
        } catch {
            return error.items.map(\.description)
        }
    }
    #expect(
        loadError("/nonexistent/warren.toml") == [
            "/nonexistent/warren.toml: cannot read: No such file or directory"
        ])
    #expect(loadError("/") == ["/: cannot read: Is a directory"])
}

@Test func loadReadsAFileFromDisk() throws {
    var template = Array("/tmp/warren-toml-XXXXXX".utf8CString)
    let fd = mkstemp(&template)
    try #require(fd >= 0)
    let path = String(
        decoding: template.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    defer { unlink(path) }
    let text = "[a]\nb = 'c'\n"
    #expect(write(fd, text, text.utf8.count) == text.utf8.count)
    close(fd)
    let document = try TOMLDocument.load(path: path)
    #expect(document.file == path)
    guard case .table(let a) = document.root["a"]?.value else { throw Failure("a") }
    #expect(a["b"] == TOMLNode(.string("c"), line: 2))
}

@Test func readerCollectsEveryErrorOfAFile() throws {
    let text = """
        name = 5
        port = "80"
        enabled = "yes"
        extra = 1
        [limits]
        open_files = -1
        typo = 2
        list = ["a", 2, "c"]
        [[service]]
        engine = "/bin/true"
        [[service]]
        nmae = "b"
        """
    let found = try read(text) { root in
        _ = root.string("name")
        _ = root.integer("port")
        _ = root.bool("enabled")
        _ = root.string("missing", required: true)
        if let limits = root.table("limits") {
            _ = limits.integer("open_files", range: 0...Int64.max)
            _ = limits.stringArray("list")
            _ = limits.integer("absent", required: true)
        }
        for service in root.tableArray("service") ?? [] {
            _ = service.string("engine")
            _ = service.string("name", required: true)
        }
    }
    #expect(
        found == [
            "t.toml: missing key 'missing'",
            "t.toml:1: 'name' must be a string, not an integer",
            "t.toml:2: 'port' must be an integer, not a string",
            "t.toml:3: 'enabled' must be a boolean (true or false), not a string",
            "t.toml:4: unknown key 'extra'",
            "t.toml:5: missing key 'limits.absent'",
            "t.toml:6: 'limits.open_files' must be at least 0, not -1",
            "t.toml:7: unknown key 'limits.typo'",
            "t.toml:8: 'limits.list' must hold strings, not an integer",
            "t.toml:9: missing key 'service.name'",
            "t.toml:11: missing key 'service.name'",
            "t.toml:12: unknown key 'service.nmae'",
        ])
}

@Test func readerAcceptsGoodValuesSilently() throws {
    var values: [String] = []
    let found = try read(
        """
        name = "blog"
        count = 3
        on = true
        listen = ["127.0.0.1:80", "[::1]:80"]
        size = "4M"
        bytes = 512
        timeout = "2m"
        bind = [{ source = "/a", target = "/b" }]
        """
    ) { root in
        values.append(root.string("name", required: true) ?? "-")
        values.append("\(root.integer("count", range: 1...10) ?? -1)")
        values.append("\(root.bool("on") ?? false)")
        values.append((root.stringArray("listen") ?? []).joined(separator: ","))
        values.append("\(root.size("size") ?? 0)")
        values.append("\(root.size("bytes") ?? 0)")
        values.append("\(root.duration("timeout") ?? .zero)")
        for bind in root.tableArray("bind") ?? [] {
            values.append((bind.string("source") ?? "-") + ">" + (bind.string("target") ?? "-"))
        }
        #expect(root.string("absent") == nil)
    }
    #expect(found == [])
    #expect(
        values == [
            "blog", "3", "true", "127.0.0.1:80,[::1]:80", "4194304", "512", "120.0 seconds", "/a>/b",
        ])
}

@Test func badSizesAndDurationsAreReportedAtTheirLine() throws {
    let found = try read("a = \"4X\"\nb = -3\nc = \"10\"\nd = 10\n") { root in
        _ = root.size("a")
        _ = root.size("b")
        _ = root.duration("c")
        _ = root.duration("d")
    }
    #expect(
        found == [
            "t.toml:1: 'a': invalid size '4X': expected bytes as digits with an optional K, M, G or T suffix",
            "t.toml:2: 'b' must not be negative, not -3",
            "t.toml:3: 'c': invalid duration '10': expected digits and a unit: us, ms, s, m or h",
            "t.toml:4: 'd' must be a duration (a string such as \"120s\"), not an integer",
        ])
}

@Test(
    arguments: [
        ("0", 0), ("512", 512), ("512K", 524_288), ("512k", 524_288), ("4M", 4_194_304),
        ("256M", 268_435_456), ("1G", 1_073_741_824), ("2T", 2_199_023_255_552),
        ("16777215T", 18_446_742_974_197_923_840),
    ] as [(String, UInt64)])
func sizesParse(text: String, bytes: UInt64) throws {
    #expect(try ValueParser.size(text) == bytes)
}

@Test(arguments: [
    "", "M", "4MB", "4 M", " 4M", "-1", "+4", "4.5M", "0x10", "4X", "16777216T",
    "18446744073709551616", "４M",
])
func badSizesAreRejected(text: String) {
    #expect(throws: ValueError.self) { try ValueParser.size(text) }
}

@Test(arguments: [
    ("500ms", Duration.milliseconds(500)), ("120s", .seconds(120)), ("2m", .seconds(120)),
    ("1h", .seconds(3600)), ("250us", .microseconds(250)), ("0s", .zero),
])
func durationsParse(text: String, duration: Duration) throws {
    #expect(try ValueParser.duration(text) == duration)
}

@Test(arguments: ["", "10", "s", "1.5s", "-1s", "5 s", "5sec", "3d", "99999999999h", "1ms2"])
func badDurationsAreRejected(text: String) {
    #expect(throws: ValueError.self) { try ValueParser.duration(text) }
}

@Test func sizeErrorsSayWhy() {
    #expect(throws: ValueError("size '16777216T' is too large")) { try ValueParser.size("16777216T") }
    #expect(throws: ValueError("duration '99999999999h' is too large")) {
        try ValueParser.duration("99999999999h")
    }
}

/// A test failure with a message, for `guard … else { throw }`.
struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
