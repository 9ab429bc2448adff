import Glibc
import Testing
import WarrenPolicy
import WarrenSystem

@testable import WarrenServer

/// The `prespawn` key, and the SCM_RIGHTS handoff wrappers it relies on.
@Suite struct PrespawnConfigTests {
    private func parse(_ extra: String) -> Result<ServerConfig, Diagnostics> {
        let text =
            "[[service]]\nname = \"web\"\nlisten = [\"127.0.0.1:8080\"]\nengine = \"/bin/true\"\n"
            + "policy = \"p.toml\"\n" + extra
        do throws(Diagnostics) {
            return .success(
                try ConfigLoader.read(TOMLDocument.parse(text, file: "warren.toml"), directory: "/etc/warren")
            )
        } catch {
            return .failure(error)
        }
    }

    private func errors(_ extra: String) -> [String] {
        if case .failure(let error) = parse(extra) { return error.items.map(\.description) }
        return []
    }

    @Test func prespawnDefaultsToZeroAndIsRead() throws {
        #expect(try parse("").get().services[0].prespawn == 0)
        #expect(try parse("prespawn = 4\n").get().services[0].prespawn == 4)
    }

    @Test func badPrespawnValuesAreErrorsWithTheirLine() {
        #expect(
            errors("prespawn = -1\n") == [
                "warren.toml:6: 'service.prespawn' must be between 0 and 256, not -1"
            ])
        #expect(errors("prespawn = \"4\"\n").count == 1)
        #expect(errors("prespawn = \"4\"\n").first?.hasPrefix("warren.toml:6: ") == true)
        #expect(
            errors("max_instances = 3\nprespawn = 4\n") == [
                "warren.toml:7: 'service.prespawn' (4) must not exceed max_instances (3): waiting engines "
                    + "count against it"
            ])
    }

    @Test func aDescriptorAndItsEnvironmentCrossTheHandoffSocket() throws {
        let pair = try Handoff.socketPair()
        defer { try? pair.engine.close() }
        var pipeFds: [Int32] = [-1, -1]
        try #require(pipe(&pipeFds) == 0)
        defer { close(pipeFds[1]) }
        let environment = ["PROTO=TCP", "TCPREMOTEIP=::1", "EMPTY="]
        try pair.warren.sendDescriptor(
            FileDescriptor(rawValue: pipeFds[0]), data: Handoff.encode(environment))
        close(pipeFds[0])
        let (data, received) = try pair.engine.receiveDescriptor()
        #expect(Handoff.decode(data) == environment)
        let fd = try #require(received)
        defer { try? fd.close() }
        // The received fd is the same pipe: what goes in one end comes out of it.
        #expect(write(pipeFds[1], "x", 1) == 1)
        var byte: UInt8 = 0
        #expect(read(fd.rawValue, &byte, 1) == 1 && byte == UInt8(ascii: "x"))
        #expect(fcntl(fd.rawValue, F_GETFD) & FD_CLOEXEC != 0)
        // Warren's end closed: the engine reads end of file, no descriptor.
        try pair.warren.close()
        let (eofData, none) = try pair.engine.receiveDescriptor()
        #expect(eofData.isEmpty && none == nil)
    }

    @Test func malformedEnvironmentDataIsRejected() {
        #expect(Handoff.decode(Array("A=1".utf8)) == nil)
        #expect(Handoff.decode(Array("=1\0".utf8)) == nil)
        #expect(Handoff.decode(Array("NOEQUALS\0".utf8)) == nil)
        #expect(Handoff.decode([]) == [])
    }

    @Test func oversizedDataIsNotSent() throws {
        let pair = try Handoff.socketPair()
        defer {
            try? pair.warren.close()
            try? pair.engine.close()
        }
        #expect(throws: Errno.messageTooLong) {
            try pair.warren.sendDescriptor(
                pair.warren, data: [UInt8](repeating: 65, count: Handoff.maxData + 1))
        }
    }
}
