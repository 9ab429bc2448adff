// Deciding the answer to one parsed request: methods, path checks, redirects, then the file.
import SystemPackage

extension Connection {
    /// Answers `request`; returns whether the connection stays open for another request.
    func respond(to request: Request, input: UnsafeRawBufferPointer, served: Int) -> Bool {
        let started = Clock.monotonicMicroseconds()
        var keep = request.keepAlive && served < options.maxRequests
        var status: HTTPStatus
        var body: Int64 = 0
        let bodyAllowed = request.method != .head

        if request.hasBody {
            // Bodies are refused; closing is the only way to stay in step with the client.
            keep = false
            status = .contentTooLarge
            body = sendMessage(
                status, request: request, keepAlive: false, extra: nil, bodyAllowed: bodyAllowed)
        } else {
            switch request.method {
            case .other:
                status = .methodNotAllowed
                body = sendMessage(
                    status, request: request, keepAlive: keep, extra: .allow, bodyAllowed: true)
            case .options:
                status = .noContent
                head.start(status)
                head.header("Allow", "GET, HEAD, OPTIONS")
                head.finish(site: site.headers.block, keepAlive: keep, version: request.version)
                writeHead(moreFollows: false)
            case .get, .head:
                (status, body) = serve(request, input: input, keepAlive: keep)
            }
        }
        log.record(
            input: input, request: request, status: status, bodyBytes: body, now: Clock.realtimeSeconds(),
            durationMicroseconds: Clock.monotonicMicroseconds() - started)
        return keep
    }

    /// GET or HEAD of a path.
    private func serve(_ request: Request, input: UnsafeRawBufferPointer, keepAlive: Bool) -> (
        HTTPStatus, Int64
    ) {
        let target = TargetPath.split(request.target, in: input)
        do {
            try TargetPath.decode(target.rawPath, in: input, into: &path)
        } catch .hidden {
            return serveNotFound(request, input: input, keepAlive: keepAlive)
        } catch {
            let body = sendMessage(
                .badRequest, request: request, keepAlive: keepAlive, extra: nil, bodyAllowed: true)
            return (.badRequest, body)
        }

        if let redirect = site.redirects.lookup(path) {
            head.start(redirect.status)
            head.header("Location", redirect.to)
            head.header("Content-Length", "0")
            head.finish(site: site.headers.block, keepAlive: keepAlive, version: request.version)
            writeHead(moreFollows: false)
            return (redirect.status, 0)
        }

        // "/x/" is x/index.html; "/x" is the file x, or a 301 to "/x/" for a directory, or x.html.
        let slashEnded = path.last == ASCII.slash
        file.removeAll(keepingCapacity: true)
        file.append(contentsOf: path[1...])
        if slashEnded { file.append("index.html") }
        switch serveFile(request, input: input, status: .ok, keepAlive: keepAlive) {
        case .served(let status, let body):
            return (status, body)
        case .failed(let status):
            let body = sendMessage(
                status, request: request, keepAlive: keepAlive, extra: nil, bodyAllowed: true)
            return (status, body)
        case .directory:
            if slashEnded { break }
            head.start(.movedPermanently)
            var location = Array(UnsafeRawBufferPointer(rebasing: input[target.rawPath]))
            if location.isEmpty { location.append(ASCII.slash) }
            location.append(ASCII.slash)
            if let query = target.rawQuery {
                location.append(ASCII.question)
                location.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[query]))
            }
            head.header("Location", location)
            head.header("Content-Length", "0")
            head.finish(site: site.headers.block, keepAlive: keepAlive, version: request.version)
            writeHead(moreFollows: false)
            return (.movedPermanently, 0)
        case .notFound:
            if !slashEnded {
                file.append(".html")
                switch serveFile(request, input: input, status: .ok, keepAlive: keepAlive) {
                case .served(let status, let body):
                    return (status, body)
                case .failed(let status):
                    let body = sendMessage(
                        status, request: request, keepAlive: keepAlive, extra: nil, bodyAllowed: true)
                    return (status, body)
                case .directory, .notFound:
                    break
                }
            }
        }
        return serveNotFound(request, input: input, keepAlive: keepAlive)
    }

    /// The site's 404.html with status 404, or a built-in page when the site has none.
    private func serveNotFound(_ request: Request, input: UnsafeRawBufferPointer, keepAlive: Bool) -> (
        HTTPStatus, Int64
    ) {
        file.removeAll(keepingCapacity: true)
        file.append("404.html")
        if case .served(let status, let body) = serveFile(
            request, input: input, status: .notFound, keepAlive: keepAlive)
        {
            return (status, body)
        }
        let body = sendMessage(
            .notFound, request: request, keepAlive: keepAlive, extra: nil, bodyAllowed: true)
        return (.notFound, body)
    }
}
