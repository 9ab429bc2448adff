import CWarrenSpawn
import Glibc

/// Signals delivered as readable events. The signals must stay blocked in every thread, so warren
/// blocks them first thing, before anything could start a thread.
public struct SignalFD: Sendable {
    public let descriptor: FileDescriptor

    /// Blocks `signals` in the calling thread and opens a non-blocking signalfd for them.
    public static func blockAndOpen(_ signals: [Int32]) throws(Errno) -> SignalFD {
        _ = try retryOnInterrupt { warren_block_signals(signals, Int32(signals.count)) }
        let fd = try retryOnInterrupt { warren_signalfd(signals, Int32(signals.count)) }
        return SignalFD(descriptor: FileDescriptor(rawValue: fd))
    }

    /// The next pending signal, or nil when none is pending.
    public func next() throws(Errno) -> Int32? {
        let signal = try retryOnInterrupt { warren_signalfd_read(descriptor.rawValue) }
        return signal == 0 ? nil : signal
    }

    /// Sets SIGPIPE (or another signal) to ignored. Engines get default dispositions back in the
    /// spawn path before execve.
    public static func ignore(_ signal: Int32) throws(Errno) {
        _ = try retryOnInterrupt { warren_ignore_signal(signal) }
    }
}
