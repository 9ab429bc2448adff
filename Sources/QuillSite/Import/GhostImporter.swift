import Foundation

/// `quill import ghost`: reads a Ghost export and writes the posts, pages, site settings and images
/// into a Quill site folder. Running it again updates what it wrote before and never duplicates; a
/// file a person has edited since is left alone unless `force`.
public struct GhostImporter {
    public var exportPath: String
    public var site: String
    public var imagesDirectory: String?
    public var baseURL: String?
    public var force: Bool

    public init(
        exportPath: String, site: String, imagesDirectory: String? = nil, baseURL: String? = nil,
        force: Bool = false
    ) {
        self.exportPath = exportPath
        self.site = site
        self.imagesDirectory = imagesDirectory
        self.baseURL = baseURL
        self.force = force
    }

    public func run() throws -> GhostImportSummary {
        if let baseURL {
            guard let url = URL(string: baseURL), ["http", "https"].contains(url.scheme ?? ""),
                url.host != nil
            else {
                throw GhostImportError(
                    file: "--base-url", "must be an http(s) URL such as https://blog.example.com")
            }
        }
        let export = try GhostExport.load(path: exportPath)
        if let imagesDirectory {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: imagesDirectory, isDirectory: &isDirectory),
                isDirectory.boolValue
            else {
                throw GhostImportError(
                    file: imagesDirectory, "--images must be a folder (Ghost's content/images)")
            }
        }
        try FileManager.default.createDirectory(atPath: site, withIntermediateDirectories: true)
        let settings = try GhostSiteSettings.prepare(site: site, export: export, baseURL: baseURL)
        var summary = GhostImportSummary()
        summary.notes = settings.notes
        summary.imagesDirectoryGiven = imagesDirectory != nil
        summary.ignoredTables = export.ignoredTables.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        if settings.wrote { summary.created.append("site.toml") }

        let ghostZone =
            TimeZone(identifier: export.timeZoneName)
            ?? TimeZone(identifier: "UTC")!
        let converter = GhostPostConverter(
            export: export, permalink: settings.permalink, siteTimeZone: settings.timeZone,
            ghostPermalink: export.permalink,
            ghostTimeZone: ghostZone)

        // Files an earlier import wrote, by Ghost id.
        var existingByID: [String: String] = [:]
        for path in GhostFiles.markdownFiles(in: "content/posts", site: site)
            + GhostFiles.markdownFiles(in: "content/pages", site: site)
        {
            guard let text = try? String(contentsOfFile: site + "/" + path, encoding: .utf8) else { continue }
            if let id = GhostFrontMatter.inspect(text).ghostID { existingByID[id] = path }
        }

        var written: [String: String] = [:]  // relative path or URL → the slug that claimed it
        var archiveSlugs: [String: (kind: String, slug: String)] = [:]
        var publishedCounts: [String: Int] = [:]  // posts the build will list under a tag or author
        var publishedPosts: [(ghostURL: String, url: String)] = []
        let now = Date()
        var imageReferences: Set<String> = []
        for record in export.posts {
            switch converter.convert(record) {
            case .skipped(let item, let reason):
                summary.skipped.append((item, "\(reason) (\(export.location(of: record)))"))
            case .converted(let post):
                if let other = written[post.relativePath] ?? written[post.url] {
                    summary.skipped.append(
                        (post.slug, "same file or URL as \"\(other)\" (\(post.relativePath), \(post.url))"))
                    continue
                }
                guard try write(post, previous: existingByID[post.id], into: &summary) else { continue }
                written[post.relativePath] = post.slug
                written[post.url] = post.slug
                imageReferences.formUnion(GhostImages.references(in: post.document))
                if post.isPage { summary.pages += 1 } else { summary.posts += 1 }
                if post.isDraft { summary.drafts += 1 }
                summary.tags.formUnion(post.tags)
                summary.authors.formUnion(post.authors)
                for warning in post.warnings { summary.warnings.append((post.slug, warning)) }
                let published = !post.isPage && !post.isDraft && post.date <= now
                if published { publishedPosts.append((post.ghostURL, post.url)) }
                for (kind, pairs) in [("tag", post.ghostTagSlugs), ("author", post.ghostAuthorSlugs)] {
                    for (name, slug) in pairs {
                        archiveSlugs["\(kind) \(name)"] = (kind, slug)
                        if published { publishedCounts["\(kind) \(name)", default: 0] += 1 }
                    }
                }
            }
        }

        // Quill names tag and author pages after the name; Ghost used its own slug. Ghost's feeds
        // and archive URLs that Quill lacks become redirects in redirects.toml.
        let perPage =
            (try? SiteConfig.load(from: site + "/site.toml", displayPath: "site.toml"))?.postsPerPage ?? 10
        let redirects = GhostRedirects(
            archives: archiveSlugs.compactMap { key, value in
                let name = String(key.dropFirst(value.kind.count + 1))
                let quillSlug = Slug.make(name)
                guard !value.slug.isEmpty, !quillSlug.isEmpty else { return nil }
                return GhostRedirects.Archive(
                    kind: value.kind, ghostSlug: value.slug, quillSlug: quillSlug,
                    publishedPosts: publishedCounts[key, default: 0])
            }, postsPerPage: perPage,
            // Ghost 1–4 served every post's AMP copy at URL/amp/ while the `amp` setting was on.
            ampPosts: export.settings["amp"] == "true" ? publishedPosts : [])
        try redirects.write(site: site, into: &summary)

        if !FileManager.default.fileExists(atPath: site + "/theme/templates") {
            summary.notes.append(
                "the site has no theme/ yet: copy one in (for example examples/blog/theme) before `quill build`"
            )
        }

        let images = try GhostImages.copy(imageReferences, from: imagesDirectory, site: site)
        summary.imagesCopied = images.copied
        summary.imagesMissing = images.missing
        return summary
    }

    /// Writes one file unless that would overwrite a person's work; says why not in the summary.
    private func write(_ post: GhostConvertedPost, previous: String?, into summary: inout GhostImportSummary)
        throws -> Bool
    {
        let target = site + "/" + post.relativePath
        let manager = FileManager.default
        if let previous {
            let previousText = (try? String(contentsOfFile: site + "/" + previous, encoding: .utf8)) ?? ""
            if previous == post.relativePath, previousText == post.document {
                summary.unchanged.append(post.relativePath)
                return true
            }
            if !GhostFrontMatter.inspect(previousText).isUnedited, !force {
                summary.skipped.append(
                    (post.slug, "\(previous) was edited after the last import (--force overwrites it)"))
                return false
            }
            if previous != post.relativePath {
                if manager.fileExists(atPath: target), !force {
                    summary.skipped.append(
                        (
                            post.slug,
                            "\(post.relativePath) already exists and was not written by this import (--force overwrites it)"
                        ))
                    return false
                }
                try? manager.removeItem(atPath: site + "/" + previous)
            }
            try GhostFiles.write(post.document, to: target)
            summary.updated.append(post.relativePath)
            return true
        }
        if manager.fileExists(atPath: target) {
            let existing = (try? String(contentsOfFile: target, encoding: .utf8)) ?? ""
            if existing == post.document {
                summary.unchanged.append(post.relativePath)
                return true
            }
            if !force {
                summary.skipped.append(
                    (
                        post.slug,
                        "\(post.relativePath) already exists and was not written by this import (--force overwrites it)"
                    ))
                return false
            }
            try GhostFiles.write(post.document, to: target)
            summary.updated.append(post.relativePath)
            return true
        }
        try GhostFiles.write(post.document, to: target)
        summary.created.append(post.relativePath)
        return true
    }
}
