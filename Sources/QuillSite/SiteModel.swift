import Foundation

/// A tag or an author with the posts under it, newest first.
public struct Group: Sendable {
    public var name: String
    public var slug: String
    public var url: String
    public var posts: [Int]  // indexes into SiteModel.posts
}

/// Everything that gets published, after drafts and future posts are filtered out.
public struct SiteModel: Sendable {
    public var config: SiteConfig
    /// Published posts, newest first (ties broken by URL so every build orders them alike).
    public var posts: [Entry]
    public var pages: [Entry]
    public var tags: [Group]
    public var authors: [Group]

    init(config: SiteConfig, posts: [Entry], pages: [Entry]) {
        self.config = config
        self.posts = posts.sorted { ($0.date, $1.url) > ($1.date, $0.url) }
        self.pages = pages.sorted { $0.url < $1.url }
        var tags: [String: Group] = [:]
        var authors: [String: Group] = [:]
        for (index, post) in self.posts.enumerated() {
            for (name, slug) in zip(post.tags, post.tagSlugs) {
                guard !slug.isEmpty else { continue }
                tags[slug, default: Group(name: name, slug: slug, url: "/tag/\(slug)/", posts: [])].posts
                    .append(index)
            }
            for (name, slug) in zip(post.authors, post.authorSlugs) {
                guard !slug.isEmpty else { continue }
                authors[slug, default: Group(name: name, slug: slug, url: "/author/\(slug)/", posts: [])]
                    .posts
                    .append(index)
            }
        }
        self.tags = tags.values.sorted { $0.slug < $1.slug }
        self.authors = authors.values.sorted { $0.slug < $1.slug }
    }
}
