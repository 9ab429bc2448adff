import Testing

@testable import WarrenSpawn

@Test func reportDecodesStepAndErrno() {
    var bytes = [UInt8](repeating: 0, count: 32)
    bytes[0] = 13  // EACCES, little-endian int32
    for (i, c) in "pivot_root".utf8.enumerated() { bytes[4 + i] = c }
    let failure = SpawnFailure(reportBytes: bytes)
    #expect(failure?.step == "pivot_root")
    #expect(failure?.errno == .permissionDenied)
    #expect(SpawnFailure(reportBytes: [1, 2, 3]) == nil)
}
