// The built site: its root directory, opened once (following the `public` symlink to the
// current build), and its metadata from `.quill/`. Every file is opened beneath the root.
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

public struct SiteError: Error, CustomStringConvertible {
    public var description: String
}

public struct Site: Sendable {
    public let root: FileDescriptor
    public let redirects: RedirectTable
    public let headers: SiteHeaders

    /// Opens `path` as the site root and reads its metadata; bad metadata lines are reported
    /// through `diagnostics` and ignored.
    public init(path: String, hsts: Bool = false, diagnostics: inout Diagnostics) throws {
        let fd = path.withCString { open($0, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard fd >= 0 else {
            throw SiteError(description: "\(path): cannot open the site directory: \(Errno(rawValue: errno))")
        }
        root = FileDescriptor(rawValue: fd)
        let redirectsName = path + "/.quill/redirects"
        if let bytes = Self.readMetadata(root, ".quill/redirects", name: redirectsName, &diagnostics) {
            redirects = RedirectTable(parsing: bytes, file: redirectsName, diagnostics: &diagnostics)
        } else {
            redirects = RedirectTable()
        }
        var headers = SiteHeaders(hsts: hsts)
        let headersName = path + "/.quill/headers"
        if let bytes = Self.readMetadata(root, ".quill/headers", name: headersName, &diagnostics) {
            headers.apply(bytes, file: headersName, diagnostics: &diagnostics)
        }
        self.headers = headers
    }

    /// A metadata file's bytes, nil if absent; capped at 4 MB (a larger one is reported).
    private static func readMetadata(
        _ root: FileDescriptor, _ relative: String, name: String, _ diagnostics: inout Diagnostics
    ) -> [UInt8]? {
        let opened: Result<FileDescriptor, Errno> = relative.withCString { p in
            Result { () throws(Errno) in try root.openBeneath(p) }
        }
        let fd: FileDescriptor
        switch opened {
        case .success(let descriptor):
            fd = descriptor
        case .failure(let error):
            if error != .noSuchFileOrDirectory {
                diagnostics.report(file: name, line: 0, "cannot open: \(error)")
            }
            return nil
        }
        defer { fd.closeQuietly() }
        let limit = 4 << 20
        var bytes = [UInt8](repeating: 0, count: 4096)
        var count = 0
        while true {
            if count == bytes.count {
                if bytes.count >= limit {
                    diagnostics.report(file: name, line: 0, "larger than 4 MB; ignored")
                    return nil
                }
                bytes.append(contentsOf: repeatElement(0, count: bytes.count))
            }
            do {
                let n = try bytes.withUnsafeMutableBytes { raw in
                    try fd.readOnce(into: UnsafeMutableRawBufferPointer(rebasing: raw[count...]))
                }
                if n == 0 { break }
                count += n
            } catch {
                diagnostics.report(file: name, line: 0, "cannot read: \(error)")
                return nil
            }
        }
        return Array(bytes[0..<count])
    }
}
