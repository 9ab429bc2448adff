import Testing

@testable import WarrenServer

/// The relay's byte-built `event=stderr` records must be exactly what LogLine writes.
@Suite struct StderrRecordsTests {
    func viaLogLine(_ service: String, _ pid: Int32, _ text: [UInt8], truncated: Bool, time: UInt64)
        -> [UInt8]
    {
        var line = LogLine(event: "stderr", time: time)
        line.add("service", service)
        line.add("pid", pid)
        line.add("line", String(decoding: text, as: UTF8.self))
        if truncated { line.add("truncated", "true") }
        var out: [UInt8] = []
        line.append(to: &out)
        return out
    }

    @Test(arguments: [
        "127.0.0.1 - - [29/Nov/2026:00:29:42 +0000] \"GET /a/ HTTP/1.1\" 200 6311 \"-\" \"curl\\8\" 92",
        "plain", "", "tab\there\r\u{1}\u{7f}=", "café \u{2603}",
    ])
    func sameBytesAsLogLine(text: String) {
        var records = StderrRecords(service: "blog")
        for (pid, truncated, time) in [
            (Int32(7), false, UInt64(1_764_356_703_045_000_000)),
            (4_194_304, true, 1_764_356_703_045_999_999),
            (0, false, 1_764_356_703_046_000_000),
        ] {
            var out: [UInt8] = []
            records.append(pid: pid, line: Array(text.utf8)[...], truncated: truncated, time: time, to: &out)
            #expect(out == viaLogLine("blog", pid, Array(text.utf8), truncated: truncated, time: time))
        }
    }

    @Test func invalidUTF8IsReplacedAsInALogLineAndServiceNamesAreQuoted() {
        var records = StderrRecords(service: "my blog")
        let bytes: [UInt8] = [0x61, 0xff, 0x62, 0xc3]
        var out: [UInt8] = []
        records.append(pid: 12, line: bytes[...], truncated: false, time: 0, to: &out)
        #expect(out == viaLogLine("my blog", 12, bytes, truncated: false, time: 0))
        #expect(
            String(decoding: out, as: UTF8.self).contains(
                "service=\"my blog\" pid=12 line=\"a\u{fffd}b\u{fffd}\""))
    }
}

@Suite struct LineBufferSliceTests {
    @Test func wholeLinesArePassedAsTheyAreAndPiecesJoined() {
        var buffer = LineBuffer(maxLength: 8)
        var seen: [(String, Bool)] = []
        let record = { (text: ArraySlice<UInt8>, truncated: Bool) in
            seen.append((String(decoding: text, as: UTF8.self), truncated))
        }
        buffer.forEachLine(in: Array("one\n\ntwo\nthr".utf8)[...], record)
        buffer.forEachLine(in: Array("ee\nabcdefghij\nlast".utf8)[...], record)
        #expect(seen.map(\.0) == ["one", "", "two", "three", "abcdefgh"])
        #expect(seen.map(\.1) == [false, false, false, false, true])
        #expect(buffer.finish() == .init(text: "last", truncated: false))
    }
}
