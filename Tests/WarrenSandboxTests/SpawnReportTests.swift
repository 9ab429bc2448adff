import CWarrenSpawn
import Testing

@testable import WarrenSpawn

@Test func reportDecodesStepErrnoAndDetail() {
    var bytes = [UInt8](repeating: 0, count: MemoryLayout<warren_report>.size)
    bytes[0] = 13  // EACCES, little-endian int32
    for (i, c) in "pivot_root".utf8.enumerated() { bytes[4 + i] = c }
    bytes[32] = 7  // detail: op 7
    let failure = SpawnFailure(reportBytes: bytes)
    #expect(failure?.step == "pivot_root")
    #expect(failure?.errno == .permissionDenied)
    #expect(failure?.detail == 7)
    #expect(SpawnFailure(reportBytes: [1, 2, 3]) == nil)
}
