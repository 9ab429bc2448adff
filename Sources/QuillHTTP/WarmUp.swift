// A prespawned engine (docs/engine-protocol.md) answers a few built-in requests before it waits
// for its connection, writing nothing anywhere: the real first request then finds the Swift
// runtime's metadata and lazy globals, the allocator's chunks and the request path's code
// already set up, instead of paying for them between the handoff and its first byte (traced at
// 170-200 us from recvmsg to the first sendto). Only the site's files are opened (openat2,
// fstat, close: the policy's serving syscalls); fds 0 and 1 are not touched (before the handoff
// they may be copies of the handoff socket), and the warm-up connection is gone before the wait.
// (Also mapping the whole binary's code into the page tables before the wait took the last 4-6
// page faults off that path but cost each engine ~330 us more CPU at start-up for no gain the
// trace could show: not done.)
import SystemPackage

extension Connection {
    /// What a benchmark client, a browser and a mistyped link send.
    static let warmUpRequests: [StaticString] = [
        "GET / HTTP/1.1\r\nHost: quill\r\nUser-Agent: quill-engine/warm-up\r\nAccept: */*\r\n\r\n",
        """
        GET / HTTP/1.1\r\nHost: quill\r\nAccept-Encoding: gzip, deflate, br\r\nConnection: keep-alive\r\n\
        If-None-Match: "warm-up"\r\nReferer: http://quill/\r\n\r\n
        """,
        "HEAD /warm-up/missing HTTP/1.0\r\nHost: quill\r\n\r\n",
    ]

    /// Serves the built-in requests on a discarding connection; returns how many were answered.
    @discardableResult
    public static func warmUp(site: Site, options: ConnectionOptions) -> Int {
        let none = FileDescriptor(rawValue: -1)
        let connection = Connection(
            site: site, input: none, output: none, log: nil, remote: "", options: options, discarding: true)
        var answered = 0
        for request in warmUpRequests where connection.answer(builtIn: request) { answered += 1 }
        return answered
    }

    /// Parses and answers one request held in `text`, as `run` would after reading it.
    private func answer(builtIn text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard count <= inbuf.count else { return false }
        inbuf.withUnsafeMutableBytes { raw in
            raw.copyMemory(from: UnsafeRawBufferPointer(start: text.utf8Start, count: count))
        }
        let outcome = inbuf.withUnsafeBytes { raw in
            parser.parse(UnsafeRawBufferPointer(rebasing: raw[0..<count]), from: 0)
        }
        guard case .request(let request) = outcome else { return false }
        _ = inbuf.withUnsafeBytes { raw in
            respond(to: request, input: UnsafeRawBufferPointer(rebasing: raw[0..<count]), served: 1)
        }
        return true
    }
}
