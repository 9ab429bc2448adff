import CWarrenSpawn
import WarrenSystem

/// A failing step in a child, as read from its report pipe: the step's name and its errno.
public struct SpawnFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var step: String
    public var errno: Errno
    /// The index of the failing mount op or rlimit within its plan, -1 when none
    /// (`SpawnPlan.describe` turns it into words).
    public var detail: Int32

    public init(step: String, errno: Errno, detail: Int32 = -1) {
        self.step = step
        self.errno = errno
        self.detail = detail
    }

    /// Decodes one `struct warren_report`; nil when the bytes are not exactly one record.
    public init?(reportBytes bytes: [UInt8]) {
        guard bytes.count == MemoryLayout<warren_report>.size else { return nil }
        let report = bytes.withUnsafeBytes { $0.loadUnaligned(as: warren_report.self) }
        let name = withUnsafeBytes(of: report.step) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        self.init(step: name, errno: Errno(rawValue: report.err), detail: report.detail)
    }

    public var description: String { "\(step): \(errno)" }
}
