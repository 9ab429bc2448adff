// Serving one file beneath the site root: the precompressed sibling the client accepts, one
// fstat, validators and conditionals, a single range, then writev-free head + sendfile body.
import SystemPackage

enum FileOutcome {
    case served(HTTPStatus, Int64)
    case failed(HTTPStatus)
    case directory
    case notFound
}

extension Connection {
    /// Open errors meaning "no such file here", including RESOLVE_BENEATH refusals (EXDEV, ELOOP).
    /// A switch, not an array: an [Errno] costs a runtime type lookup at first use.
    static func isMissing(_ error: Errno) -> Bool {
        switch error {
        case .noSuchFileOrDirectory, .notDirectory, .tooManySymbolicLinkLevels, .improperLink,
            .permissionDenied,
            .fileNameTooLong:
            true
        default: false
        }
    }

    /// Serves `file` (a relative path, no NUL) with `status` (.ok, or .notFound for the 404 page,
    /// which skips conditionals and ranges).
    func serveFile(
        _ request: Request, input: UnsafeRawBufferPointer, status: HTTPStatus, keepAlive: Bool
    ) -> FileOutcome {
        let mime = MIMETypes.forPath(file)
        var opened: (FileDescriptor, FileInfo)? = nil
        var coding: StaticString? = nil
        var tagSuffix: StaticString? = nil
        if mime.compressible {
            if request.acceptsBrotli, let hit = openRegular(suffix: ".br") {
                opened = hit
                coding = "br"
                tagSuffix = "br"
            } else if request.acceptsGzip, let hit = openRegular(suffix: ".gz") {
                opened = hit
                coding = "gzip"
                tagSuffix = "gz"
            }
        }
        if opened == nil {
            switch openFile(suffix: nil) {
            case .file(let fd, let info):
                switch info.kind {
                case .regular: opened = (fd, info)
                case .directory: return .directory
                default: return .notFound
                }
            case .failed(let error):
                // Absent, or refused by RESOLVE_BENEATH (EXDEV, ELOOP): all are "not found".
                return Self.isMissing(error) ? .notFound : .failed(.internalServerError)
            }
        }
        // The descriptor belongs to the connection's file cache, which closes it.
        guard let (fd, info) = opened else { return .notFound }

        tag.set(info, coding: tagSuffix)
        var responseStatus = status
        var first: Int64 = 0
        var last = info.size - 1
        if status == .ok {
            let raw = input
            if request.ifNoneMatch != nil || request.ifModifiedSince != nil,
                Conditional.notModified(request, in: raw, tag: tag, info: info)
            {
                responseStatus = .notModified
            } else if let range = request.range,
                Conditional.rangeApplies(request, in: raw, tag: tag, info: info)
            {
                switch ByteRange.decide(ByteView(base: raw, range: range), size: info.size) {
                case .full:
                    break
                case .partial(let a, let b):
                    responseStatus = .partialContent
                    first = a
                    last = b
                case .unsatisfiable:
                    responseStatus = .rangeNotSatisfiable
                }
            }
        }

        head.start(responseStatus)
        if responseStatus != .notModified {
            head.header("Content-Type", mime.value)
        }
        let length = last - first + 1
        switch responseStatus {
        case .notModified:
            break
        case .rangeNotSatisfiable:
            head.unsatisfiedRange(size: info.size)
            head.header("Content-Length", "0")
        case .partialContent:
            head.contentRange(first: first, last: last, size: info.size)
            head.header("Content-Length", decimal: length)
        default:
            head.header("Content-Length", decimal: info.size)
        }
        if let coding, responseStatus != .notModified { head.header("Content-Encoding", coding) }
        if mime.compressible { head.header("Vary", "Accept-Encoding") }
        if status == .ok {
            head.header("ETag", tag.bytes)
            head.lastModified(info.mtimeSeconds)
            head.header("Accept-Ranges", "bytes")
        }
        if status == .ok && MIMETypes.isFingerprinted(file) {
            head.header("Cache-Control", "public, max-age=31536000, immutable")
        } else {
            head.header("Cache-Control", "no-cache")
        }
        head.finish(site: site.headers.block, keepAlive: keepAlive, version: request.version)

        let withBody =
            request.method == .get && responseStatus != .notModified && responseStatus != .rangeNotSatisfiable
            && length > 0
        writeHead(moreFollows: withBody)
        guard withBody else { return .served(responseStatus, 0) }
        let sent = sendBody(fd, offset: first, count: length)
        return .served(responseStatus, sent)
    }

    private func openRegular(suffix: StaticString) -> (FileDescriptor, FileInfo)? {
        guard case .file(let fd, let info) = openFile(suffix: suffix), info.kind == .regular else {
            return nil
        }
        return (fd, info)
    }

    /// Opens `file` + `suffix` beneath the root, through the connection's file cache.
    private func openFile(suffix: StaticString?) -> OpenedFile {
        let base = file.count
        if let suffix { file.append(suffix) }
        file.append(0)
        defer { file.removeSubrange(base...) }
        let now = Clock.monotonicMilliseconds()
        return file.withUnsafeBufferPointer { key in
            files.open(key, beneath: site.root, now: now)
        }
    }
}
