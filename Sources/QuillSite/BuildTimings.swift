import Foundation

/// Phase times of one build on stderr when QUILL_TIMINGS is set (bench/build.sh and profiling
/// use it to see where a rebuild's milliseconds go; nothing is printed otherwise).
struct BuildTimings {
    private let enabled = ProcessInfo.processInfo.environment["QUILL_TIMINGS"] != nil
    private var last = ContinuousClock.now
    private var parts: [String] = []

    mutating func mark(_ phase: String) {
        guard enabled else { return }
        let now = ContinuousClock.now
        let elapsed = now - last
        let ms = Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) / 1e15
        parts.append(phase + " " + String(format: "%.1f", ms))
        last = now
    }

    func report() {
        guard enabled else { return }
        FileHandle.standardError.write(Data(("timings (ms): " + parts.joined(separator: ", ") + "\n").utf8))
    }
}
