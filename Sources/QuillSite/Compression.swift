import CBrotli
import CZlib

/// The `.gz` and `.br` siblings the engine serves to clients that accept them.
enum Compression {
    static let compressibleExtensions: Set<String> = [
        "html", "htm", "css", "js", "mjs", "json", "xml", "txt", "svg", "md", "map", "webmanifest", "ico",
        "csv", "rss", "atom",
    ]

    static func isCompressible(_ path: String) -> Bool {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return false }
        return compressibleExtensions.contains(path[path.index(after: dot)...].lowercased())
    }

    /// gzip at zlib's best level.
    static func gzip(_ input: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: quill_gzip_bound(input.count))
        var length = output.count
        let status = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                quill_gzip(source.baseAddress, source.count, target.baseAddress, &length)
            }
        }
        precondition(status == 0, "zlib deflate failed (\(status)) with a buffer of its own bound")
        output.removeSubrange(length...)
        return output
    }

    /// Brotli in text mode. Quality 11 is many times slower than 5 for a few percent on pages
    /// of a few kilobytes, and q5 already beats gzip -9; builds use 5.
    static func brotli(_ input: [UInt8], quality: Int32 = 5) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: quill_brotli_bound(input.count))
        var length = output.count
        let status = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                quill_brotli(source.baseAddress, source.count, target.baseAddress, &length, quality)
            }
        }
        precondition(status == 0, "brotli failed with a buffer of its own bound")
        output.removeSubrange(length...)
        return output
    }
}
