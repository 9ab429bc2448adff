// The engine side of warren's prespawned handoff (docs/engine-protocol.md): with
// WARREN_HANDOFF_FD=N the engine starts up, then receives one message on fd N (a SOCK_SEQPACKET
// socket) carrying the client connection (SCM_RIGHTS) and its UCSPI environment (NAME=value\0...),
// and puts the connection on fds 0 and 1. The environment is parsed in place, without building
// strings or arrays: this runs in every engine.
import CQuillSys
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

public struct HandoffError: Error, CustomStringConvertible {
    public var description: String
}

public enum Handoff {
    /// The variable naming the handoff descriptor.
    public static let variable = "WARREN_HANDOFF_FD"
    /// The most data (environment bytes) a handoff message may carry.
    public static let maxData = 4096

    /// The descriptor named by WARREN_HANDOFF_FD, or nil when the variable is absent (a plain
    /// stdin/stdout engine). Also checks that fds 0 and 1 are open, so that nothing the engine
    /// opens at start-up can land on a descriptor the handoff later replaces.
    public static func descriptorFromEnvironment() throws(HandoffError) -> FileDescriptor? {
        guard let text = getenv(variable) else { return nil }
        var value: Int32 = 0
        var p = text
        // Decimal, no sign, no leading zero, at most 9 digits (fits an Int32 with room).
        var digits = 0
        while p.pointee != 0 {
            let c = UInt8(bitPattern: p.pointee)
            guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9"), digits < 9,
                !(digits == 1 && value == 0)
            else {
                throw HandoffError(
                    description: "\(variable)=\(String(cString: text)): not a descriptor number")
            }
            value = value * 10 + Int32(c - UInt8(ascii: "0"))
            digits += 1
            p += 1
        }
        guard digits > 0, value > 2 else {
            throw HandoffError(
                description: "\(variable)=\(String(cString: text)): not a descriptor number above 2")
        }
        func checkOpen(_ fd: Int32) throws(HandoffError) {
            if fcntl(fd, F_GETFL) < 0 {
                throw HandoffError(
                    description: "\(variable): fd \(fd) is not open: \(Errno(rawValue: errno))")
            }
        }
        try checkOpen(value)
        try checkOpen(0)
        try checkOpen(1)
        return FileDescriptor(rawValue: value)
    }

    /// Waits for the one message on `socket`. Returns false when warren releases the engine (end
    /// of file, or a message without a descriptor): exit 0 without serving. Returns true when the
    /// connection is on fds 0 and 1, its environment applied, and `socket` closed.
    public static func receiveConnection(on socket: FileDescriptor) throws(HandoffError) -> Bool {
        var data = [UInt8](unsafeUninitializedCapacity: maxData) { _, count in count = maxData }
        var got = quill_handoff()
        let rc = data.withUnsafeMutableBytes { raw in
            quill_receive_handoff(socket.rawValue, raw.baseAddress, raw.count, &got)
        }
        guard rc == 0 else {
            throw HandoffError(description: "recvmsg on fd \(socket.rawValue): \(Errno(rawValue: errno))")
        }
        if got.fd_count == 0 && got.truncated == 0 && got.other_control == 0 { return false }
        let connection = FileDescriptor(rawValue: got.fd)
        func refuse(_ why: String) -> HandoffError {
            if got.fd >= 0 { connection.closeQuietly() }
            return HandoffError(description: "handoff message on fd \(socket.rawValue): \(why)")
        }
        if got.truncated != 0 { throw refuse("truncated (over \(maxData) bytes or too many descriptors)") }
        if got.other_control != 0 { throw refuse("a control message other than SCM_RIGHTS") }
        if got.fd_count != 1 { throw refuse("\(got.fd_count) descriptors, expected 1") }
        let length = Int(got.length)
        let applied = data.withUnsafeMutableBytes { raw in
            Environment.apply(UnsafeMutableRawBufferPointer(rebasing: raw[0..<length]))
        }
        if let problem = applied { throw refuse(problem) }
        unsetenv(variable)

        socket.closeQuietly()
        do {
            if got.fd != 0 { try connection.duplicate(onto: 0) }
            if got.fd != 1 { try connection.duplicate(onto: 1) }
        } catch {
            throw refuse("dup2: \(error)")
        }
        if got.fd > 1 { connection.closeQuietly() }
        return true
    }

    /// The handoff's NAME=value\0 entries.
    enum Environment {
        /// Checks every entry, then sets each (overwriting); returns what is wrong, or nil.
        static func apply(_ bytes: UnsafeMutableRawBufferPointer) -> String? {
            if bytes.isEmpty { return nil }
            if bytes[bytes.count - 1] != 0 { return "environment does not end in a NUL byte" }
            var start = 0
            var index = 1
            while start < bytes.count {
                var end = start
                var equals = -1
                while bytes[end] != 0 {
                    if equals < 0 && bytes[end] == UInt8(ascii: "=") { equals = end }
                    end += 1
                }
                if equals < 0 { return "environment entry \(index) has no '='" }
                if equals == start { return "environment entry \(index) has an empty name" }
                start = end + 1
                index += 1
            }
            start = 0
            while start < bytes.count {
                var end = start
                while bytes[end] != 0 { end += 1 }
                var equals = start
                while bytes[equals] != UInt8(ascii: "=") { equals += 1 }
                bytes[equals] = 0  // split NAME and value in place
                let base = bytes.baseAddress!.assumingMemoryBound(to: CChar.self)
                setenv(base + start, base + equals + 1, 1)
                bytes[equals] = UInt8(ascii: "=")
                start = end + 1
            }
            return nil
        }
    }
}
