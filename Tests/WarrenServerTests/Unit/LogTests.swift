import Glibc
import Testing
import WarrenSystem

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

    @Test func nonASCIIIsQuotedAndPassedThroughAndDeleteIsEscaped() {
        var line = LogLine(event: "stderr", time: 0)
        line.add("line", "café\u{7f}\t")
        #expect(line.text == "time=1970-01-01T00:00:00.000Z event=stderr line=\"café\\x7f\\t\"")
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

@Suite struct LineBufferCutTests {
    @Test func aCutMarksTheLineInProgressAndDropsItsRest() {
        var buffer = LineBuffer()
        #expect(buffer.append(Array("whole\npart".utf8)) == [.init(text: "whole", truncated: false)])
        #expect(buffer.cut() == .init(text: "part", truncated: true))
        #expect(buffer.append(Array("lost rest\nnext\n".utf8)) == [.init(text: "next", truncated: false)])
    }
}

@Suite struct LogSocketTests {
    @Test func eachDatagramArrivesWithItsSendersPid() throws {
        let socket = try LogSocket.open()
        defer { socket.close() }
        try socket.sender.writeFully(Array("from the parent\n".utf8))
        let child = fork()
        if child == 0 {
            _ = try? socket.sender.writeFully(Array("from the child\n".utf8))
            _exit(0)
        }
        var status: Int32 = 0
        waitpid(child, &status, 0)
        var batch = DatagramBatch()
        #expect(try batch.receive(from: socket.receiver) == 2)
        #expect(batch[0].pid == getpid())
        #expect(String(decoding: batch[0].bytes, as: UTF8.self) == "from the parent\n")
        #expect(batch[1].pid == child)
        #expect(String(decoding: batch[1].bytes, as: UTF8.self) == "from the child\n")
        #expect(try batch.receive(from: socket.receiver) == 0)
    }

    @Test func aDatagramLongerThanTheSlotIsMarkedTruncated() throws {
        let socket = try LogSocket.open()
        defer { socket.close() }
        try socket.sender.writeFully([UInt8](repeating: UInt8(ascii: "x"), count: 100))
        var batch = DatagramBatch(slot: 64)
        #expect(try batch.receive(from: socket.receiver) == 1)
        #expect(batch[0].bytes.count == 64)
        #expect(batch[0].truncated)
    }
}

@Suite struct LogSinkTests {
    @Test func aStalledReaderMakesTheSinkDropAndCountRecordsNotBlock() throws {
        var fds: [Int32] = [0, 0]
        try #require(pipe(&fds) == 0)
        defer {
            close(fds[0])
            close(fds[1])
        }
        let sink = LogSink(descriptor: FileDescriptor(rawValue: fds[1]), capacity: 4096)
        #expect(sink.output.nonBlocking)
        // Nobody reads the pipe: its 64 KiB fill, then the sink's 4 KiB, then records are dropped.
        for index in 0..<2000 {
            var line = LogLine(event: "test", time: 0)
            line.add("index", index)
            line.add("padding", String(repeating: "p", count: 60))
            sink.write(line)
            sink.flush()
        }
        #expect(sink.pendingBytes <= 4096)
        let dropped = sink.droppedTotal
        #expect(dropped > 0)
        // The reader catches up: everything kept arrives whole, then one record with the count.
        let flags = fcntl(fds[0], F_GETFL)
        _ = fcntl(fds[0], F_SETFL, flags | O_NONBLOCK)
        var text: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        for _ in 0..<100 {
            let n = read(fds[0], &buffer, buffer.count)
            if n > 0 { text += buffer.prefix(n) }
            sink.flush()
            if n <= 0 && sink.pendingBytes == 0 { break }
        }
        let lines = String(decoding: text, as: UTF8.self).split(
            separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.last == "")
        let records = lines.dropLast()
        #expect(records.allSatisfy { $0.hasPrefix("time=") })
        #expect(records.filter { $0.contains("event=test") }.count == 2000 - dropped)
        // Reported as soon as one fits (possibly more than once while the reader stalled), all
        // counted; the last record, after the last drop, gives the total.
        let reports = records.filter { $0.contains("event=log_dropped") }
        let reported = reports.compactMap { $0.split(separator: " ").first { $0.hasPrefix("records=") } }
        #expect(reported.compactMap { Int($0.dropFirst(8)) }.reduce(0, +) == dropped)
        #expect(records.last?.contains("event=log_dropped") == true)
        #expect(records.last?.contains(" total=\(dropped) ") == true)
        #expect(sink.dropped == 0)
    }
}
