import Foundation

/// One Ghost post or page, converted: the file to write and what the summary should say about it.
struct GhostConvertedPost {
    var id: String
    var slug: String
    var title: String
    var isPage: Bool
    var isDraft: Bool
    var date: Date
    var relativePath: String
    /// Where the site will serve it, and where Ghost did.
    var url: String
    var ghostURL: String
    var document: String
    var tags: [String]
    var authors: [String]
    /// Ghost's name and slug for each public tag and author: their Ghost archive URLs used the slug.
    var ghostTagSlugs: [(name: String, slug: String)]
    var ghostAuthorSlugs: [(name: String, slug: String)]
    var warnings: [String]
}

/// Turns a post record and its linked rows into a Markdown file with front matter.
struct GhostPostConverter {
    let export: GhostExport
    let permalink: String
    let siteTimeZone: TimeZone
    let ghostPermalink: GhostPermalink
    let ghostTimeZone: TimeZone

    enum Outcome {
        case converted(GhostConvertedPost)
        case skipped(String, reason: String)
    }

    func convert(_ post: GhostRecord) -> Outcome {
        let id = post.string("id") ?? post.string("uuid") ?? ""
        let label = post.string("slug") ?? post.string("title") ?? "post \(id)"
        guard !id.isEmpty else { return .skipped(label, reason: "no id") }
        guard let ghostSlug = post.string("slug") else { return .skipped(label, reason: "no slug") }
        let slug = Slug.make(ghostSlug)
        guard !slug.isEmpty else {
            return .skipped(label, reason: "slug \"\(ghostSlug)\" has no usable characters")
        }
        var warnings: [String] = []
        let isPage = post.string("type") == "page" || (post.bool("page") ?? false)

        // Only a published, public post is published; anything else stays a draft.
        let status = post.string("status") ?? "draft"
        var draft = status != "published"
        switch status {
        case "published", "draft": break
        case "scheduled": warnings.append("scheduled: imported as a draft dated at its scheduled time")
        case "sent": warnings.append("sent as email only: imported as a draft")
        default: warnings.append("status \"\(status)\": imported as a draft")
        }
        if let visibility = post.string("visibility"), visibility != "public" {
            if !draft { warnings.append("visible to \(visibility) only in Ghost: imported as a draft") }
            draft = true
        }
        let meta = export.postMeta[id]
        func field(_ key: String) -> String? {
            (meta?.string(key) ?? post.string(key)).map(GhostURLs.rewrite)
        }
        if field("codeinjection_head") != nil || field("codeinjection_foot") != nil {
            warnings.append("post code injection is not imported (copy it into the theme if needed)")
        }

        let published = post.raw("published_at").flatMap(GhostDate.parse)
        let created = post.raw("created_at").flatMap(GhostDate.parse)
        let updated = post.raw("updated_at").flatMap(GhostDate.parse)
        guard let date = published ?? created ?? updated else {
            return .skipped(label, reason: "no valid published_at, created_at or updated_at date")
        }

        let body: String
        switch content(post) {
        case .success(let converted):
            body = GhostURLs.rewrite(converted.markdown)
            warnings += converted.warnings
        case .failure(let failure):
            return .skipped(label, reason: failure.reason)
        }

        let tagRows = (export.postTags[id] ?? []).compactMap { export.tags[$0] }
        let isInternal = { (tag: GhostRecord) -> Bool in
            if let visibility = tag.string("visibility") { return visibility == "internal" }
            return tag.string("name")?.hasPrefix("#") ?? false
        }
        let publicTags = tagRows.filter { !isInternal($0) }
        let tags = publicTags.compactMap { $0.string("name") }
        let internalTags = tagRows.filter(isInternal).compactMap { $0.string("name") }
        var authorIDs = export.postAuthors[id] ?? []
        if authorIDs.isEmpty, let single = post.string("author_id") { authorIDs = [single] }
        let authorRows = authorIDs.compactMap { export.users[$0] }
        let authors = authorRows.compactMap { $0.string("name") }

        // The URL Ghost served it at, and the one Quill will: if they differ, an alias redirects.
        let oldURL =
            isPage
            ? "/\(ghostSlug)/"
            : ghostPermalink.path(
                .init(
                    slug: ghostSlug, date: published ?? date, timeZone: ghostTimeZone, id: id,
                    primaryAuthor: authorRows.first?.string("slug"),
                    primaryTag: publicTags.first?.string("slug")))
        let newURL =
            isPage
            ? "/\(slug)/"
            : Permalink.expand(permalink, slug: slug, date: date, zone: siteTimeZone)

        var matter = GhostFrontMatter()
        matter.set("title", post.string("title") ?? ghostSlug)
        matter.set("slug", slug)
        matter.set("date", date)
        if let updated, updated > date { matter.set("updated", updated) }
        if draft { matter.set("draft", true) }
        matter.set("tags", tags)
        matter.set("internal_tags", internalTags)
        if authors.count == 1 {
            matter.set("author", authors[0])
        } else {
            matter.set("author", authors)
        }
        matter.set("excerpt", field("custom_excerpt"))
        matter.set("image", field("feature_image") ?? field("image"))  // 0.x called it "image"
        matter.set("image_alt", field("feature_image_alt"))
        matter.set("image_caption", field("feature_image_caption"))
        for key in [
            "canonical_url", "meta_title", "meta_description", "og_title", "og_description", "og_image",
            "twitter_title", "twitter_description", "twitter_image",
        ] {
            matter.set(key, field(key))
        }
        matter.set("aliases", oldURL != newURL ? [oldURL] : [])
        matter.set(GhostFrontMatter.idKey, id)

        let fileDate = GhostDate.components(date, in: siteTimeZone)
        let relativePath =
            isPage
            ? "content/pages/\(slug).md"
            : "content/posts/\(fileDate.year)-\(fileDate.month)-\(fileDate.day)-\(slug).md"
        return .converted(
            GhostConvertedPost(
                id: id, slug: slug, title: post.string("title") ?? ghostSlug, isPage: isPage, isDraft: draft,
                date: date,
                relativePath: relativePath, url: newURL, ghostURL: oldURL,
                document: matter.document(body: body), tags: tags,
                authors: authors,
                ghostTagSlugs: publicTags.compactMap { tag in
                    tag.string("name").map { ($0, tag.string("slug") ?? "") }
                },
                ghostAuthorSlugs: authorRows.compactMap { user in
                    user.string("name").map { ($0, user.string("slug") ?? "") }
                },
                warnings: warnings))
    }

    /// The post's text, best source first: Markdown as written (0.x `markdown`, or a mobiledoc of
    /// Markdown cards), then mobiledoc, then Lexical, then the rendered HTML.
    private func content(_ post: GhostRecord) -> Result<
        (markdown: String, warnings: [String]), GhostMobiledoc.Failure
    > {
        if let markdown = post.string("markdown") {
            return .success((markdown.trimmingCharacters(in: .newlines), []))
        }
        var warnings: [String] = []
        if let mobiledoc = post.string("mobiledoc") {
            do {
                return .success(try GhostMobiledoc.convert(mobiledoc))
            } catch let failure as GhostMobiledoc.Failure {
                warnings.append(failure.reason + "; used the next source")
            } catch {
                warnings.append("mobiledoc unreadable; used the next source")
            }
        }
        if let lexical = post.string("lexical") {
            do {
                let converted = try GhostLexical.convert(lexical)
                return .success((converted.markdown, warnings + converted.warnings))
            } catch let failure as GhostMobiledoc.Failure {
                warnings.append(failure.reason + "; used the next source")
            } catch {
                warnings.append("lexical unreadable; used the next source")
            }
        }
        if let html = post.string("html") {
            return .success((HTMLToMarkdown.convert(html), warnings))
        }
        if !warnings.isEmpty {
            return .failure(GhostMobiledoc.Failure(reason: warnings.joined(separator: "; ") + " (none left)"))
        }
        return .success(("", []))
    }
}
