import Foundation
import Synchronization

/// Reads site.toml and every post and page (in parallel), applies the draft and future rules,
/// and checks that no two things claim one URL.
struct SiteLoader {
    var root: String
    var options: BuildOptions
    /// The build whose `.quill/entries` may be reused (nil: parse every file).
    var previousBuild: String? = nil

    static let markdownExtensions: Set<String> = ["md", "markdown", "mdown", "mkd"]
    /// URL prefixes Quill generates itself; a post or page there would be overwritten.
    static let reservedPaths = ["/tag/", "/author/", "/page/", "/archive/", "/assets/"]

    /// By the name's last extension, scanning its bytes from the end (NSString.pathExtension and
    /// then split(separator:) were visible costs per file).
    static func isMarkdown(_ path: String) -> Bool {
        let bytes = path.utf8
        guard let dot = bytes.lastIndex(of: UInt8(ascii: ".")) else { return false }
        if let slash = bytes.lastIndex(of: UInt8(ascii: "/")), slash >= dot { return false }
        // A leading dot names a hidden file, not an extension.
        if dot == bytes.startIndex || bytes[bytes.index(before: dot)] == UInt8(ascii: "/") { return false }
        return markdownExtensions.contains(String(path[bytes.index(after: dot)...]).lowercased())
    }

    func load() throws(BuildFailure) -> (SiteModel, warnings: [String], cache: EntryCache, parsed: Int) {
        let configPath = root + "/site.toml"
        guard FileSystem.exists(configPath) else {
            throw BuildFailure([
                SiteError(file: "site.toml", line: 1, "missing: a site folder needs site.toml")
            ])
        }
        // The previous build's entry cache is read and decoded while site.toml is parsed and the
        // folders are walked; it is used only if it was made with the same site.toml.
        let previousCache = Mutex<EntryCache?>(nil)
        let cacheLoaded = DispatchGroup()
        if let previousBuild {
            DispatchQueue.global().async(group: cacheLoaded) {
                let loaded = EntryCache.load(buildRoot: previousBuild)
                previousCache.withLock { $0 = loaded }
            }
        }
        let config: SiteConfig
        do { config = try SiteConfig.load(from: configPath, displayPath: "site.toml") } catch {
            cacheLoaded.wait()
            throw BuildFailure([error])
        }
        var found: [(String, Entry.Kind)] = []
        for (folder, kind) in [("content/posts", Entry.Kind.post), ("content/pages", .page)] {
            for relative in FileWalker.files(under: root + "/" + folder) {
                if Self.isMarkdown(relative) { found.append((folder + "/" + relative, kind)) }
            }
        }
        let loader = EntryLoader(config: config, siteRoot: root)
        let sources = found
        let configHash = SHA256.hex(config.source.utf8)
        cacheLoaded.wait()
        let cache =
            previousCache.withLock { $0 }.flatMap { $0.configHash == configHash ? $0 : nil } ?? EntryCache()
        let fresh = Mutex(EntryCache(source: cache.source))
        let results = Mutex<[Int: Result<(Entry, [String]), SiteError>]>([:])
        let now = Date()
        let parsed = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: sources.count) { index in
            let (path, kind) = sources[index]
            let identity = FileSystem.stableIdentity(root + "/" + path, now: now)
            let result: Result<(Entry, [String]), SiteError>
            if let identity, let item = cache.cached(path, identity: identity) {
                result = .success((item.entry, item.warnings))
                // Kept whole, with its encoded bytes, so writing the cache copies them.
                fresh.withLock { $0.items[path] = item }
                results.withLock { $0[index] = result }
                return
            } else {
                parsed.add(1, ordering: .relaxed)
                do throws(SiteError) {
                    result = .success(try loader.load(relativePath: path, kind: kind))
                } catch {
                    result = .failure(error)
                }
            }
            if let identity, case .success(let (entry, warnings)) = result {
                let item = EntryCache.Item(identity: identity, entry: entry, warnings: warnings)
                fresh.withLock { $0.items[path] = item }
            }
            results.withLock { $0[index] = result }
        }
        var errors: [SiteError] = []
        var warnings: [String] = []
        var posts: [Entry] = []
        var pages: [Entry] = []
        let all = results.withLock { $0 }
        for index in sources.indices {
            switch all[index]! {
            case .failure(let error): errors.append(error)
            case .success(let (entry, entryWarnings)):
                warnings += entryWarnings
                if entry.draft, !options.drafts { continue }
                if entry.kind == .post, entry.date > options.now, !options.future { continue }
                if entry.kind == .post { posts.append(entry) } else { pages.append(entry) }
            }
        }
        errors += checkURLs(posts + pages)
        var redirects: [SiteRedirect] = []
        do throws(SiteError) { redirects = try SiteRedirects.load(siteRoot: root) } catch {
            errors.append(error)
        }
        errors += checkRedirects(redirects, against: posts + pages)
        guard errors.isEmpty else { throw BuildFailure(errors) }
        var model = SiteModel(config: config, posts: posts, pages: pages)
        model.redirects = redirects
        return (model, warnings, fresh.withLock { $0 }, parsed.load(ordering: .relaxed))
    }

    private func checkURLs(_ entries: [Entry]) -> [SiteError] {
        var errors: [SiteError] = []
        var owners: [String: String] = ["/": "the home page"]
        for entry in entries.sorted(by: { $0.sourcePath < $1.sourcePath }) {
            if let reserved = Self.reservedPaths.first(where: { entry.url.hasPrefix($0) }) {
                errors.append(
                    SiteError(
                        file: entry.sourcePath, line: 1,
                        "URL \(entry.url) is under \(reserved), which Quill generates; choose another slug"))
            } else if let owner = owners[entry.url] {
                errors.append(
                    SiteError(
                        file: entry.sourcePath, line: 1,
                        "duplicate slug: URL \(entry.url) is also used by \(owner)"))
            } else {
                owners[entry.url] = entry.sourcePath
            }
        }
        for entry in entries.sorted(by: { $0.sourcePath < $1.sourcePath }) {
            for alias in entry.aliases {
                let normalized = alias.hasSuffix("/") || alias.contains(".") ? alias : alias + "/"
                if let owner = owners[normalized] ?? owners[alias], owner != entry.sourcePath {
                    errors.append(
                        SiteError(
                            file: entry.sourcePath, line: 1, "alias \(alias) is already the URL of \(owner)"))
                } else {
                    owners[alias] = "an alias in " + entry.sourcePath
                }
            }
        }
        return errors
    }

    /// An explicit redirect and an alias for the same path would be two answers to one request.
    private func checkRedirects(_ redirects: [SiteRedirect], against entries: [Entry]) -> [SiteError] {
        var aliases: [String: String] = [:]
        for entry in entries {
            for alias in entry.aliases { aliases[SiteRedirects.normalized(alias)] = entry.sourcePath }
        }
        return redirects.compactMap { redirect in
            guard let owner = aliases[SiteRedirects.normalized(redirect.from)] else { return nil }
            return SiteError(
                file: SiteRedirects.fileName, line: redirect.line,
                "redirect from \(redirect.from) is also an alias in \(owner); keep one of them")
        }
    }
}
