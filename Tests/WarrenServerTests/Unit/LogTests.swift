import Testing

@testable import WarrenServer

@Suite struct LogLineTests {
    @Test func plainValuesStayBareAndOthersAreQuotedAndEscaped() {
        var line = LogLine(event: "conn", time: 1_764_356_703_045_000_000)
        line.add("service", "blog")
        line.add("pid", 42)
        line.add("line", "a \"b\"\\c=d\ne\u{1}")
        line.add("empty", "")
        #expect(
            line.text
                == "time=2025-11-28T19:05:03.045Z event=conn service=blog pid=42 line=\"a \\\"b\\\"\\\\c=d\\ne\\x01\" empty=\"\""
        )
    }

    @Test func durationsHaveMillisecondPrecision() {
        #expect(LogLine.duration(0) == "0.000s")
        #expect(LogLine.duration(12_345_678) == "0.012s")
        #expect(LogLine.duration(120_000_000_000) == "120.000s")
    }
}

@Suite struct LineBufferTests {
    @Test func linesSplitAcrossAppendsAreJoined() {
        var buffer = LineBuffer()
        #expect(buffer.append(Array("one\ntw".utf8)) == [.init(text: "one", truncated: false)])
        #expect(buffer.append(Array("o\nthree".utf8)) == [.init(text: "two", truncated: false)])
        #expect(buffer.finish() == .init(text: "three", truncated: false))
        #expect(buffer.finish() == nil)
    }

    @Test func longLinesAreCutAtTheCapAndTheirRestDropped() {
        var buffer = LineBuffer(maxLength: 4)
        #expect(buffer.append(Array("abcdefgh".utf8)) == [.init(text: "abcd", truncated: true)])
        #expect(buffer.append(Array("ij\nok\n".utf8)) == [.init(text: "ok", truncated: false)])
    }
}

@Suite struct TimerHeapTests {
    @Test func dueEntriesComeOutEarliestFirst() {
        var heap = TimerHeap<Int>()
        for (deadline, token) in [(50, 5), (10, 1), (30, 3), (20, 2), (40, 4), (10, 0)] {
            heap.push(UInt64(deadline), token)
        }
        #expect(heap.earliest == 10)
        #expect(Set(heap.popDue(10)) == [0, 1])
        #expect(heap.popDue(35) == [2, 3])
        #expect(heap.earliest == 40)
        #expect(heap.popDue(1000) == [4, 5])
        #expect(heap.earliest == nil)
    }

    @Test func compactionDropsStaleEntriesAndKeepsOrder() {
        var heap = TimerHeap<Int>()
        for token in (0..<100).reversed() { heap.push(UInt64(token), token) }
        heap.compact { $0 % 2 == 1 }
        #expect(heap.count == 50)
        #expect(heap.popDue(1000) == Array(stride(from: 0, to: 100, by: 2)))
    }
}
