import Foundation

/// The Ghost URLs that no Quill page has: Ghost's feeds (`/rss/`, `/tag/x/rss/`, `/author/x/rss/`)
/// and tag and author archives whose Ghost slug differs from the slug Quill makes of the name
/// (with their `/page/N/` pages), and the posts' AMP copies (`/slug/amp/`). The import keeps them in a marked block of the site's
/// redirects.toml, which it rewrites on every run; entries outside the block are a person's and
/// are never changed.
struct GhostRedirects {
    static let begin =
        "# BEGIN quill import ghost: rewritten by every import; move an entry out of this block to keep it"
    static let end = "# END quill import ghost"
    static let source = "ghost-import"

    /// A Ghost archive (tag or author) as Ghost and Quill name it, and its published posts.
    struct Archive {
        var kind: String
        var ghostSlug: String
        var quillSlug: String
        var publishedPosts: Int
    }

    var archives: [Archive]
    var postsPerPage: Int
    /// Published posts' Ghost URL and Quill URL, when Ghost served AMP copies.
    var ampPosts: [(ghostURL: String, url: String)] = []

    /// FROM → TO, in a stable order so a second import writes the same bytes.
    func entries() -> (entries: [(from: String, to: String)], notes: [String]) {
        var result: [(String, String)] = [("/rss/", "/rss.xml")]
        var notes: [String] = []
        let quillSlugs = Set(archives.map { "\($0.kind)/\($0.quillSlug)" })
        for archive in archives.sorted(by: { ($0.kind, $0.ghostSlug) < ($1.kind, $1.ghostSlug) }) {
            let old = "/\(archive.kind)/\(Self.encode(archive.ghostSlug))/"
            let new = "/\(archive.kind)/\(Self.encode(archive.quillSlug))/"
            result.append((old + "rss/", "/rss.xml"))
            // No published post: Quill has no archive page to send the old URL to.
            guard archive.ghostSlug != archive.quillSlug, archive.publishedPosts > 0 else { continue }
            // Another name's Quill archive lives at the old URL: a redirect there would hide it.
            if quillSlugs.contains("\(archive.kind)/\(archive.ghostSlug)") {
                notes.append(
                    "\(archive.kind) \(old) is now another \(archive.kind)'s archive; its posts are at \(new)"
                )
                continue
            }
            result.append((old, new))
            let pages = Paginator.pageCount(archive.publishedPosts, perPage: postsPerPage)
            if pages > 1 {
                for page in 2...pages { result.append((old + "page/\(page)/", new + "page/\(page)/")) }
            }
        }
        for post in ampPosts.sorted(by: { $0.ghostURL < $1.ghostURL }) {
            result.append((Self.encodePath(post.ghostURL) + "amp/", Self.encodePath(post.url)))
        }
        return (result, notes)
    }

    /// Writes the block into SITE/redirects.toml; says in the summary what it did.
    func write(site: String, into summary: inout GhostImportSummary) throws {
        let path = site + "/" + SiteRedirects.fileName
        let existing = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let kept = Self.removingBlock(existing)
        let personal: [SiteRedirect]
        do { personal = try SiteRedirects.parse(kept, file: path) } catch {
            throw GhostImportError(
                file: error.file, line: error.line, "\(error.message) (fix it, then import again)")
        }
        let taken = Set(personal.map { SiteRedirects.normalized($0.from) })
        let (entries, notes) = entries()
        summary.notes += notes
        var block = [Self.begin]
        for (from, to) in entries {
            if taken.contains(SiteRedirects.normalized(from)) {
                summary.notes.append(
                    "\(SiteRedirects.fileName) already redirects \(from); the import leaves it")
                continue
            }
            block += [
                "[[redirect]]", "from = \(Self.quote(from))", "to = \(Self.quote(to))",
                "source = \(Self.quote(Self.source))",
            ]
        }
        block.append(Self.end)
        var text = kept
        if !text.isEmpty, !text.hasSuffix("\n") { text += "\n" }
        if !text.isEmpty, !text.hasSuffix("\n\n") { text += "\n" }
        text += block.joined(separator: "\n") + "\n"
        if text == existing {
            summary.unchanged.append(SiteRedirects.fileName)
            return
        }
        try GhostFiles.write(text, to: path)
        if existing.isEmpty {
            summary.created.append(SiteRedirects.fileName)
        } else {
            summary.updated.append(SiteRedirects.fileName)
        }
    }

    /// The file without the import's block (and the blank line before it).
    static func removingBlock(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(where: { $0.hasPrefix(begin) }) else { return text }
        let stop = lines[start...].firstIndex(where: { $0.hasPrefix(end) }) ?? lines.count - 1
        lines.removeSubrange(start...stop)
        var result = lines.joined(separator: "\n")
        while result.hasSuffix("\n\n") { result.removeLast() }
        return result == "\n" ? "" : result
    }

    /// Slugs are usually ASCII, but the engine and redirects.toml want visible ASCII only.
    static func encode(_ slug: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(
            CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        allowed.insert(charactersIn: "-._~")
        return slug.addingPercentEncoding(withAllowedCharacters: allowed) ?? slug
    }

    /// A path with each segment encoded like a slug.
    static func encodePath(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { encode(String($0)) }
            .joined(separator: "/") + (path.hasSuffix("/") ? "" : "/")
    }

    static func quote(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            + "\""
    }
}
