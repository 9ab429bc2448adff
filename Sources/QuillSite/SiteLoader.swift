import Foundation
import Synchronization

/// Reads site.toml and every post and page (in parallel), applies the draft and future rules,
/// and checks that no two things claim one URL.
struct SiteLoader {
    var root: String
    var options: BuildOptions
    /// The previous build's `.quill/entries`, loading on another thread (nil: parse every file).
    var previousCache: PendingEntryCache? = nil

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
        let config: SiteConfig
        do { config = try SiteConfig.load(from: configPath, displayPath: "site.toml") } catch {
            _ = previousCache?.wait()
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
        // Used only if it was made with the same site.toml.
        let cache =
            previousCache.map { $0.wait() }.flatMap { $0.configHash == configHash ? $0 : nil } ?? EntryCache()
        // Sources go in runs, one per task, each collecting its results in a local array: a lock
        // per source (two, with the cache's) was a visible cost when nearly all are cached.
        typealias Loaded = (index: Int, result: Result<(Entry, [String]), SiteError>, item: EntryCache.Item?)
        let runs = min(sources.count, 32)
        let collected = Mutex<[Loaded]>([])
        let now = Date()
        let parsed = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: runs) { run in
            var local: [Loaded] = []
            local.reserveCapacity(sources.count / runs + 1)
            for index in stride(from: run, to: sources.count, by: runs) {
                let (path, kind) = sources[index]
                let identity = FileSystem.stableIdentity(root + "/" + path, now: now)
                if let identity, let item = cache.cached(path, identity: identity) {
                    // Kept whole, with its encoded bytes, so writing the cache copies them.
                    local.append((index, .success((item.entry, item.warnings)), item))
                    continue
                }
                parsed.add(1, ordering: .relaxed)
                let result: Result<(Entry, [String]), SiteError>
                do throws(SiteError) {
                    result = .success(try loader.load(relativePath: path, kind: kind))
                } catch {
                    result = .failure(error)
                }
                var item: EntryCache.Item? = nil
                if let identity, case .success(let (entry, warnings)) = result {
                    item = EntryCache.Item(identity: identity, entry: entry, warnings: warnings)
                }
                local.append((index, result, item))
            }
            collected.withLock { $0 += local }
        }
        var fresh = EntryCache(source: cache.source, bodies: cache.bodies)
        fresh.items.reserveCapacity(sources.count)
        var all = [Result<(Entry, [String]), SiteError>?](repeating: nil, count: sources.count)
        for loaded in collected.withLock({ $0 }) {
            all[loaded.index] = loaded.result
            if let item = loaded.item { fresh.items[sources[loaded.index].0] = item }
        }
        var errors: [SiteError] = []
        var warnings: [String] = []
        var posts: [Entry] = []
        var pages: [Entry] = []
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
        return (model, warnings, fresh, parsed.load(ordering: .relaxed))
    }

    private func checkURLs(_ entries: [Entry]) -> [SiteError] {
        var errors: [SiteError] = []
        var owners: [String: String] = ["/": "the home page"]
        // In source order, so the first of two claimants owns a URL; sorted once for both loops.
        let ordered = entries.sorted(by: { $0.sourcePath < $1.sourcePath })
        for entry in ordered {
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
        for entry in ordered {
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
