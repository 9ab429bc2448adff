// quill-engine: serves one HTTP/1.1 client connection on fd 0 (requests) and fd 1 (responses),
// from a built site, logging one line per request on fd 2; exits when the client is done.
// With WARREN_HANDOFF_FD set (warren's prespawned pool, docs/engine-protocol.md) it starts up
// first and then receives the connection over that descriptor.
//
//   quill-engine [--site DIR] [--idle-timeout MS] [--header-timeout MS] [--write-timeout MS]
//                [--max-requests N] [--file-cache-ms MS] [--hsts]
import QuillHTTP
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

let usage = """
    usage: quill-engine [--site DIR] [--idle-timeout MS] [--header-timeout MS] [--write-timeout MS]
                        [--max-requests N] [--file-cache-ms MS] [--hsts]

    """

func fail(_ message: String, status: Int32) -> Never {
    let bytes = Array("quill-engine: \(message)\n".utf8)
    _ = bytes.withUnsafeBytes { try? FileDescriptor.standardError.writeOnce($0) }
    exit(status)
}

var sitePath = "/site"
var options = ConnectionOptions()
var hsts = false
/// Walks the saved command line one argument at a time.
struct ArgumentCursor {
    var index = 1
    mutating func next() -> String? {
        defer { index += 1 }
        return ProcessArguments.argument(index)
    }
}

var arguments = ArgumentCursor()
while let argument = arguments.next() {
    func value() -> String {
        guard let v = arguments.next() else { fail("\(argument) needs a value\n\(usage)", status: 64) }
        return v
    }
    func number() -> Int64 {
        let text = value()
        guard let n = Int64(text), n > 0 else {
            fail("\(argument): expected a positive number, got \"\(text)\"", status: 64)
        }
        return n
    }
    switch argument {
    case "--site": sitePath = value()
    case "--idle-timeout": options.idleTimeoutMilliseconds = number()
    case "--header-timeout": options.headerTimeoutMilliseconds = number()
    case "--write-timeout": options.writeTimeoutMilliseconds = number()
    case "--max-requests": options.maxRequests = Int(number())
    case "--file-cache-ms":
        let text = value()
        guard let n = Int64(text), n >= 0 else {
            fail("\(argument): expected a number of milliseconds, got \"\(text)\"", status: 64)
        }
        options.fileCacheMilliseconds = n
    case "--hsts": hsts = true
    case "-h", "--help":
        _ = Array(usage.utf8).withUnsafeBytes { try? FileDescriptor.standardOutput.writeOnce($0) }
        exit(0)
    default: fail("unknown argument \"\(argument)\"\n\(usage)", status: 64)
    }
}

// A client that goes away mid-response must not kill the engine with SIGPIPE.
signal(SIGPIPE, SIG_IGN)

/// Exit status for every handoff failure (EX_OSERR), as docs/engine-protocol.md says.
let handoffFailure: Int32 = 71
let handoff: FileDescriptor?
do {
    handoff = try Handoff.descriptorFromEnvironment()
} catch {
    fail("\(error)", status: handoffFailure)
}

var diagnostics = Diagnostics(output: .standardError)
let site: Site
do {
    site = try Site(path: sitePath, hsts: hsts, diagnostics: &diagnostics)
} catch {
    fail("\(error)", status: 1)
}

// Start-up is done: in a prespawned engine, warm the request path (WarmUp.swift; ~70 us of CPU
// before the wait, off the connection's path) and wait here for the connection.
if let handoff {
    Connection.warmUp(site: site, options: options)
    do {
        if try !Handoff.receiveConnection(on: handoff) { exit(0) }
    } catch {
        fail("\(error)", status: handoffFailure)
    }
}
let remote = getenv("TCPREMOTEIP").map { String(cString: $0) } ?? ""
let connection = Connection(
    site: site, input: .standardInput, output: .standardOutput, log: .standardError, remote: remote,
    options: options)
connection.run()
// Closing the connection now sends the client its end of file at once; left to exit, it would
// come only after the kernel has torn down the process's memory (exit_mm runs before exit_files).
FileDescriptor.standardInput.closeQuietly()
FileDescriptor.standardOutput.closeQuietly()
exit(0)
