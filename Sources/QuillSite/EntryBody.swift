import SystemPackage

/// An entry's rendered HTML, excerpt HTML and excerpt text. A freshly parsed entry holds them in
/// memory; an entry from the cache holds only where they are in the previous build's
/// `.quill/entries-html`, read with pread when a page that shows them renders. A one-post
/// rebuild then reads a few posts' HTML, not all of it: kept in the entry cache, every post's
/// HTML was read (5 MB, half of the decode's time in page faults) and written back per build.
final class EntryBody: Sendable {
    enum Field: Int, Sendable {
        case html = 0
        case excerptHTML, excerptText
    }

    private enum Storage: Sendable {
        case bytes([[UInt8]])
        case file(EntryBodyFile, offset: Int, lengths: [Int])
    }

    private let storage: Storage

    init(html: [UInt8], excerptHTML: [UInt8], excerptText: [UInt8]) {
        storage = .bytes([html, excerptHTML, excerptText])
    }

    /// The three fields stored one after another at `offset` in `file`.
    init(file: EntryBodyFile, offset: Int, lengths: [Int]) {
        storage = .file(file, offset: offset, lengths: lengths)
    }

    /// The byte counts of the three fields, as the cache records them.
    var lengths: [Int] {
        switch storage {
        case .bytes(let fields): return fields.map(\.count)
        case .file(_, _, let lengths): return lengths
        }
    }

    /// The cache file and range holding all three fields, when they are not in memory.
    var stored: (file: EntryBodyFile, range: Range<Int>)? {
        guard case .file(let file, let offset, let lengths) = storage else { return nil }
        return (file, offset..<(offset + lengths.reduce(0, +)))
    }

    func bytes(_ field: Field) -> [UInt8] {
        switch storage {
        case .bytes(let fields): return fields[field.rawValue]
        case .file(let file, let offset, let lengths):
            let start = offset + lengths[..<field.rawValue].reduce(0, +)
            return file.read(start..<(start + lengths[field.rawValue]))
        }
    }

    func text(_ field: Field) -> String { String(decoding: bytes(field), as: UTF8.self) }
}

/// The previous build's `.quill/entries-html`, open for the whole build: the build folder it is
/// in may be recycled meanwhile, but an open descriptor keeps its bytes. The loader checks its
/// size against the cache's lengths, so ranges are always inside it.
final class EntryBodyFile: Sendable {
    let path: String
    let descriptor: FileDescriptor
    let size: Int

    /// Nil when the file cannot be opened.
    init?(path: String) {
        guard let fd = try? FileDescriptor.open(FilePath(path), .readOnly, retryOnInterrupt: true) else {
            return nil
        }
        guard let end = try? fd.seek(offset: 0, from: .end) else {
            try? fd.close()
            return nil
        }
        self.path = path
        descriptor = fd
        size = Int(end)
    }

    deinit { try? descriptor.close() }

    func read(_ range: Range<Int>) -> [UInt8] {
        do {
            return try FileSystem.readExactly(descriptor, range)
        } catch {
            // The file was checked at load and is never written in place; a read error here is
            // the disk's, and rendering on without the post's text would publish a wrong page.
            fatalError("cannot read \(path) at \(range): \(error)")
        }
    }
}
