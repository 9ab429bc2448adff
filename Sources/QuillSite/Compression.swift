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

    /// Below this size a compressed sibling saves less than a packet's headers, and costs two
    /// more files per page to create; the engine then serves the file itself.
    static let minimumSize = 512

    /// A `.br` is made only when the `.gz` is at least this big. Brotli (q5) saves about a tenth
    /// of the gzip size on HTML: on a typical 9 KB page (2.7 KB gzipped) that is ~250 bytes, less
    /// than a packet, while the file costs a brotli run and one more inode per page, and creating
    /// files was a fifth of a full build. Feeds, the archive and other big pages keep their `.br`.
    static let brotliMinimumGzip = 4096

    /// The `.gz` and `.br` siblings worth writing for `bytes`: none for files of other types or
    /// under `minimumSize`, a `.br` only beside a `.gz` of `brotliMinimumGzip` or more that it
    /// beats, and each
    /// only when it is smaller than the file by a tenth or more. A function of the bytes alone,
    /// so identical files always have the same siblings.
    static func siblings(_ path: String, _ bytes: [UInt8]) -> [(suffix: String, bytes: [UInt8])] {
        guard bytes.count >= minimumSize, isCompressible(path) else { return [] }
        let limit = bytes.count - bytes.count / 10
        let gz = gzip(bytes)
        var out = [(suffix: ".gz", bytes: gz)]
        if gz.count >= brotliMinimumGzip {
            // Quality 5 can lose to gzip -9 (on text without repeats); the engine would prefer it.
            let br = brotli(bytes)
            if br.count < gz.count { out.append((".br", br)) }
        }
        return out.filter { $0.bytes.count <= limit }
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

    /// Brotli in text mode at quality 5. Measured on 200 generated 9 KB post pages (bytes of the
    /// original; CPU per page): q1 33.7% 104 us, q2 31.5% 177 us, q4 29.9% 339 us, q5 27.8% 478 us,
    /// q6 27.8% 452 us, q11 25.2% 22.5 ms; gzip -9 30.4% 271 us. Below q5 the .br is hardly smaller
    /// than the .gz (q4: 1.6%), so it would not be worth its file; q11 costs 47 times q5's time
    /// for 9% less.
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
