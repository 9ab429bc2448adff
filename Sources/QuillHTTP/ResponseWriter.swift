// Putting bytes on the output: the head in one write (send with MSG_MORE when a sendfile body
// follows on a socket), bodies by sendfile. The output is non-blocking; a write that cannot
// progress within the write timeout breaks the connection.
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

enum ExtraHeader {
    case allow
}

extension Connection {
    /// A status with a small built-in HTML body; returns the body bytes sent.
    func sendMessage(
        _ status: HTTPStatus, request: Request?, keepAlive: Bool, extra: ExtraHeader?, bodyAllowed: Bool
    ) -> Int64 {
        head.start(status)
        if extra == .allow { head.header("Allow", "GET, HEAD, OPTIONS") }
        head.header("Content-Type", "text/html; charset=utf-8")
        // "<!doctype html><title>404 Not Found</title><h1>404 Not Found</h1>\n"
        let reasonLength = status.reason.utf8CodeUnitCount + 4
        let length = Int64(15 + 7 + reasonLength + 8 + 4 + reasonLength + 5 + 1)
        head.header("Content-Length", decimal: length)
        head.header("Cache-Control", "no-cache")
        head.finish(site: site.headers.block, keepAlive: keepAlive, version: request?.version ?? .http11)
        let withBody = bodyAllowed && request?.method != .head
        if withBody {
            head.bytes.append("<!doctype html><title>")
            appendStatusText(status)
            head.bytes.append("</title><h1>")
            appendStatusText(status)
            head.bytes.append("</h1>\n")
        }
        writeHead(moreFollows: false)
        return withBody ? length : 0
    }

    private func appendStatusText(_ status: HTTPStatus) {
        head.bytes.appendDecimal(Int64(status.rawValue))
        head.bytes.append(ASCII.space)
        head.bytes.append(status.reason)
    }

    /// Writes the head; with `moreFollows` on a socket the kernel holds it for the body.
    func writeHead(moreFollows: Bool) {
        var offset = 0
        let total = head.bytes.count
        if discarding { return }
        while offset < total, !broken {
            let result: Result<Int, Errno> = head.bytes.withUnsafeBytes { raw in
                let rest = UnsafeRawBufferPointer(rebasing: raw[offset...])
                return Result { () throws(Errno) in
                    moreFollows && outputIsSocket ? try output.sendMoreOnce(rest) : try output.writeOnce(rest)
                }
            }
            switch result {
            case .success(let n): offset += n
            case .failure(.wouldBlock): waitWritable()
            case .failure: broken = true
            }
        }
    }

    /// Sends `count` bytes of `fd` from `offset`; returns the count sent.
    func sendBody(_ fd: FileDescriptor, offset: Int64, count: Int64) -> Int64 {
        var position = offset
        let end = offset + count
        if discarding { return count }
        while position < end, !broken {
            do {
                let n = try output.sendfileOnce(
                    from: fd, offset: &position, count: Int(min(end - position, 1 << 30)))
                if n == 0 { break }  // the file shrank under us; the client sees a short body
            } catch .wouldBlock {
                waitWritable()
            } catch {
                broken = true
            }
        }
        if position < end { broken = true }
        return position - offset
    }

    private func waitWritable() {
        let ready = try? output.wait(
            for: Int16(POLLOUT), timeoutMilliseconds: Int32(clamping: options.writeTimeoutMilliseconds))
        if ready != true { broken = true }
    }
}
