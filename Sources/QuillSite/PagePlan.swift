import Foundation

/// Every file one build writes, as independent jobs that can run on any thread.
struct PagePlan: Sendable {
    typealias Job = @Sendable () throws -> Void

    var model: SiteModel
    var theme: Theme
    var context: TemplateContext
    var siteRoot: String
    var writer: OutputWriter
    /// Cache version, theme hash and site.toml hash: part of every page's key.
    var baseKey: String
    /// A hasher that has taken the base key, copied by every key.
    private let baseHasher: SHA256

    init(
        model: SiteModel, theme: Theme, context: TemplateContext, siteRoot: String, writer: OutputWriter,
        baseKey: String
    ) {
        self.model = model
        self.theme = theme
        self.context = context
        self.siteRoot = siteRoot
        self.writer = writer
        self.baseKey = baseKey
        var hasher = SHA256()
        hasher.update(baseKey)
        baseHasher = hasher
    }

    private var config: SiteConfig { model.config }

    /// `/a/b/` → `a/b/index.html`
    static func file(for url: String) -> String {
        String(url.dropFirst()) + "index.html"
    }

    /// An output's cache key: the hash of the base key and of exactly what the output renders.
    /// Keys are computed inside the jobs (in parallel), from a hasher that has taken the base key
    /// once.
    private func key(_ parts: [String]) -> String {
        var hasher = baseHasher
        for part in parts { hasher.update(part) }
        return hasher.hexDigest()
    }

    /// The content hashes of some posts: a card shows nothing that is not in its entry's hash.
    private static func postsKey(_ posts: some Sequence<Entry>) -> String {
        var hasher = SHA256()
        for post in posts { hasher.update(post.contentHash.utf8) }
        return hasher.hexDigest()
    }

    /// What list cards of some posts show (Entry.cardHash).
    /// The digests are fixed-length hex, so they are joined without separators into one buffer
    /// and hashed in one pass (whole blocks straight from it).
    private static func cardsKey(_ posts: some Collection<Entry>) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64 * posts.count)
        for post in posts { bytes += post.cardHash.utf8 }
        return SHA256.hex(bytes)
    }

    /// What the sitemap shows of each entry: its URL and dates.
    private static func sitemapEntriesKey(_ entries: [Entry]) -> String {
        var hasher = SHA256()
        for entry in entries {
            hasher.update(entry.url)
            hasher.update(number: entry.date.timeIntervalSince1970.bitPattern)
            hasher.update(number: entry.hasDate ? 1 : 0)
            hasher.update(number: entry.updated.map { $0.timeIntervalSince1970.bitPattern } ?? UInt64.max)
        }
        return hasher.hexDigest()
    }

    private static func groupsKey(_ groups: [Group]) -> String {
        var hasher = SHA256()
        for group in groups {
            hasher.update(group.name)
            hasher.update(group.url)
            hasher.update(number: UInt64(group.posts.count))
        }
        return hasher.hexDigest()
    }

    /// A page job: its key is computed on the job's thread, then the writer decides whether
    /// `build` runs at all.
    private func html(
        _ path: String, key: @escaping @Sendable () -> String, _ build: @escaping @Sendable () -> String
    ) -> Job {
        let writer = self.writer
        return { () throws in try writer.write(path, key: key()) { Array(build().utf8) } }
    }

    func jobs() throws(SiteError) -> [Job] {
        var jobs: [Job] = []
        let context = self.context
        let theme = self.theme
        let posts = model.posts
        var staticPaths: Set<String> = []

        for (index, post) in posts.enumerated() {
            // Newest first: "previous" is the older post, "next" the newer one.
            let previous = index + 1 < posts.count ? posts[index + 1] : nil
            let next = index > 0 ? posts[index - 1] : nil
            jobs.append(
                html(
                    Self.file(for: post.url),
                    key: {
                        key([
                            "post", post.contentHash, previous?.url ?? "", previous?.title ?? "",
                            next?.url ?? "", next?.title ?? "",
                        ])
                    }
                ) {
                    theme.render(context.entryContext(post, previous: previous, next: next), template: "post")
                })
        }
        for page in model.pages {
            jobs.append(
                html(Self.file(for: page.url), key: { key(["page", page.contentHash]) }) {
                    theme.render(context.entryContext(page, previous: nil, next: nil), template: "page")
                })
        }
        jobs += listJobs(
            base: "/", title: nil, description: config.description, posts: Array(posts.indices),
            template: "index", extra: [:], extraKey: "")
        for tag in model.tags {
            let extra: [String: Any] = ["tag": ["name": tag.name, "url": tag.url, "count": tag.posts.count]]
            jobs += listJobs(
                base: tag.url, title: "Posts tagged “\(tag.name)”", description: "Posts tagged \(tag.name).",
                posts: tag.posts, template: "tag", extra: extra,
                extraKey: "tag|\(tag.name)|\(tag.url)|\(tag.posts.count)")
        }
        for author in model.authors {
            let extra: [String: Any] = [
                "author": ["name": author.name, "url": author.url, "count": author.posts.count]
            ]
            jobs += listJobs(
                base: author.url, title: "Posts by \(author.name)", description: "Posts by \(author.name).",
                posts: author.posts, template: "author", extra: extra,
                extraKey: "author|\(author.name)|\(author.url)|\(author.posts.count)")
        }
        let tags = model.tags
        jobs.append(
            html("archive/index.html", key: { key(["archive", Self.cardsKey(posts), Self.groupsKey(tags)]) })
            {
                theme.render(archiveContext(), template: "archive")
            })
        jobs.append(
            html("404.html", key: { key(["404", Self.cardsKey(posts.prefix(5))]) }) {
                var page = context.listContext(
                    title: "Page not found", description: "This page does not exist.", base: "/404.html",
                    page: 1,
                    pages: 1, posts: Array(posts.prefix(5)))
                page["is_home"] = false
                return theme.render(page, template: "404")
            })

        // Static files are copied as they are; they may replace robots.txt.
        let staticRoot = siteRoot + "/static"
        for relative in FileWalker.files(under: staticRoot) {
            staticPaths.insert(relative)
            let writer = self.writer
            // A static file is read and keyed by its bytes (a key from its modification time
            // would depend on when the build ran); an unchanged one is linked, not compressed.
            jobs.append { () throws in
                guard let data = FileManager.default.contents(atPath: staticRoot + "/" + relative) else {
                    throw SiteError(file: "static/" + relative, line: 1, "cannot read file")
                }
                let bytes = [UInt8](data)
                try writer.write(relative, key: "static|" + SHA256.hex(bytes)) { bytes }
            }
        }
        let feeds = Feeds(context: context)
        let feedPosts = feeds.posts
        let (pages, authors) = (model.pages, model.authors)
        let feedJobs: [(String, @Sendable () -> String, @Sendable () -> String)] = [
            ("rss.xml", { key(["rss", Self.postsKey(feedPosts)]) }, { feeds.rss() }),
            ("atom.xml", { key(["atom", Self.postsKey(feedPosts)]) }, { feeds.atom() }),
            ("feed.json", { key(["json", Self.postsKey(feedPosts)]) }, { feeds.jsonFeed() }),
            (
                "sitemap.xml",
                {
                    key([
                        "sitemap", Self.sitemapEntriesKey(posts), Self.sitemapEntriesKey(pages),
                        Self.groupsKey(tags), Self.groupsKey(authors),
                    ])
                }, { feeds.sitemap() }
            ),
            ("robots.txt", { key(["robots"]) }, { feeds.robots() }),
        ]
        for (path, key, build) in feedJobs where !staticPaths.contains(path) {
            jobs.append(html(path, key: key, build))
        }
        for (output, bytes) in theme.assets {
            let writer = self.writer
            // The theme's hash, in the base key, covers every asset's bytes.
            let key = key(["asset", output])
            jobs.append { () throws in try writer.write(output, key: key) { bytes } }
        }
        // A generated page that a static file would overwrite is a mistake worth naming.
        let pagePaths = Set(posts.map { Self.file(for: $0.url) } + model.pages.map { Self.file(for: $0.url) })
        if let clash = staticPaths.sorted().first(where: { pagePaths.contains($0) || $0 == "index.html" }) {
            throw SiteError(file: "static/" + clash, line: 1, "conflicts with a page Quill generates")
        }
        var generated = pagePaths.union(staticPaths).union(theme.assets.map(\.0))
        generated.formUnion(["archive/index.html", "404.html"] + feedJobs.map(\.0))
        for (base, count) in [("/", posts.count)]
            + (model.tags + model.authors).map({ ($0.url, $0.posts.count) })
        {
            for page in 1...Paginator.pageCount(count, perPage: config.postsPerPage) {
                generated.insert(Self.file(for: Paginator.path(base: base, page: page)))
            }
        }
        // The engine looks up redirects before files, so such a redirect would hide the page.
        for redirect in model.redirects {
            if let hidden = SiteRedirects.shadowedFiles(redirect.from).first(where: generated.contains) {
                throw SiteError(
                    file: SiteRedirects.fileName, line: redirect.line,
                    "redirect from \(redirect.from) would hide \(hidden), which this build generates")
            }
        }
        return jobs
    }

    private func listJobs(
        base: String, title: String?, description: String, posts indexes: [Int], template: String,
        extra: [String: Any], extraKey: String
    ) -> [Job] {
        let perPage = config.postsPerPage
        let pages = Paginator.pageCount(indexes.count, perPage: perPage)
        let context = self.context
        let theme = self.theme
        let all = model.posts
        nonisolated(unsafe) let extra = extra
        return (1...pages).map { page in
            let slice = indexes.dropFirst((page - 1) * perPage).prefix(perPage).map { all[$0] }
            let pageKey: @Sendable () -> String = {
                key([
                    "list", template, base, "\(page)", "\(pages)", title ?? "", description, extraKey,
                    Self.cardsKey(slice),
                ])
            }
            return html(Self.file(for: Paginator.path(base: base, page: page)), key: pageKey) {
                let list = context.listContext(
                    title: title, description: description, base: base, page: page, pages: pages,
                    posts: slice,
                    extra: extra)
                return theme.render(list, template: template)
            }
        }
    }

    private func archiveContext() -> [String: Any] {
        var years: [[String: Any]] = []
        var currentYear: Int?
        var yearPosts: [[String: Any]] = []
        func flush() {
            if let currentYear {
                years.append(["year": currentYear, "posts": yearPosts, "count": yearPosts.count])
            }
        }
        for post in model.posts {
            let year = context.format.year(post.date)
            if year != currentYear {
                flush()
                currentYear = year
                yearPosts = []
            }
            yearPosts.append(context.card(post))
        }
        flush()
        var page = context.listContext(
            title: "Archive", description: "Every post on \(config.title), by year.", base: "/archive/",
            page: 1,
            pages: 1, posts: [])
        page["years"] = years
        page["tags"] = model.tags.map {
            ["name": $0.name, "url": $0.url, "count": $0.posts.count] as [String: Any]
        }
        page["has_tags"] = !model.tags.isEmpty
        page["is_home"] = false
        return page
    }

    /// `.quill/redirects` from front matter aliases and redirects.toml, and `.quill/headers` from
    /// site.toml.
    func writeMetadata() throws(SiteError) {
        var redirects = "# FROM TO STATUS (from front matter aliases and redirects.toml)\n"
        var lines: [String] = []
        for entry in model.posts + model.pages {
            for alias in entry.aliases { lines.append("\(alias) \(entry.url) 301") }
        }
        for redirect in model.redirects { lines.append("\(redirect.from) \(redirect.to) \(redirect.status)") }
        redirects += lines.sorted().joined(separator: "\n") + (lines.isEmpty ? "" : "\n")
        try writer.writeMetadata("redirects", redirects)
        if !config.headers.isEmpty {
            try writer.writeMetadata("headers", config.headers.map { "\($0.0): \($0.1)\n" }.joined())
        } else {
            writer.removeMetadata("headers")
        }
    }
}
