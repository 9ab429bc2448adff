import WarrenSystem

/// Where records go: warren's stderr, through a bounded buffer written once per loop iteration
/// without blocking (`flush`). A stalled reader never stalls the loop: once `capacity` bytes wait,
/// further records are dropped and counted, and the count is reported in an `event=log_dropped`
/// record as soon as the reader takes bytes again. Records are never cut in the buffer, so each
/// reaches the reader whole or not at all.
public final class LogSink {
    let output: LogOutput
    public let capacity: Int
    private var pending: [UInt8] = []
    /// Bytes of `pending` already written.
    private var written = 0
    /// Records dropped since the last `log_dropped` record.
    public private(set) var dropped = 0
    /// Records dropped since start.
    public private(set) var droppedTotal = 0

    public init(descriptor: FileDescriptor = .standardError, capacity: Int = 4 << 20) {
        output = LogOutput(descriptor)
        self.capacity = capacity
        pending.reserveCapacity(64 << 10)
    }

    deinit {
        if output.reopened { try? output.descriptor.close() }
    }

    /// Bytes waiting for the reader.
    public var pendingBytes: Int { pending.count - written }

    public func write(_ line: LogLine) {
        write { line.append(to: &$0) }
    }

    /// A record appended by `build` (whole records only, newline included).
    func write(_ build: (inout [UInt8]) -> Void) {
        let end = pending.count
        build(&pending)
        if pendingBytes > capacity {
            pending.removeSubrange(end...)
            dropped += 1
            droppedTotal += 1
        }
    }

    /// One write of everything pending, as far as the reader takes it now.
    public func flush() {
        guard pendingBytes > 0 else { return }
        do {
            written += try output.writeSome(pending[written...])
        } catch {
            // A stderr that fails (EPIPE, EIO) cannot be reported anywhere: drop what waits.
            written = pending.count
        }
        if written == pending.count {
            pending.removeAll(keepingCapacity: true)
            written = 0
        } else if written > capacity / 2 {
            pending.removeSubrange(0..<written)
            written = 0
        }
        reportDropped()
    }

    /// At exit: writes what is pending, waiting for the reader up to `milliseconds` in all.
    public func finish(waitingUpTo milliseconds: UInt64 = 1000) {
        let deadline = Clock.monotonicNanoseconds() + milliseconds * 1_000_000
        reportDropped()
        while pendingBytes > 0 {
            flush()
            let now = Clock.monotonicNanoseconds()
            guard pendingBytes > 0, now < deadline else { break }
            _ = output.waitWritable(milliseconds: Int32(min(100, (deadline - now) / 1_000_000 + 1)))
        }
    }

    /// Once there is room again, one record says how many were lost.
    private func reportDropped() {
        guard dropped > 0 else { return }
        var line = LogLine(event: "log_dropped")
        line.add("records", dropped)
        line.add("total", droppedTotal)
        line.add("msg", "the stderr reader stalled; records were dropped")
        let end = pending.count
        line.append(to: &pending)
        guard pendingBytes <= capacity else {
            pending.removeSubrange(end...)
            return
        }
        dropped = 0
    }
}
