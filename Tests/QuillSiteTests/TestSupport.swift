import Foundation
import Testing

@testable import QuillSite

/// A site folder in a fresh temporary directory, removed when the test is done with it.
final class TempSite {
    let root: String

    init(_ files: [String: String] = [:], theme: Bool = true) throws {
        root = NSTemporaryDirectory() + "quill-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        var all = files
        if all["site.toml"] == nil {
            all["site.toml"] = """
                title = "Test Site"
                base_url = "https://example.org"
                author = "Ada"
                timezone = "UTC"
                posts_per_page = 2
                """
        }
        if theme {
            for (name, text) in TempSite.minimalTheme where all["theme/templates/\(name).mustache"] == nil {
                all["theme/templates/\(name).mustache"] = text
            }
            if all["theme/assets/style.css"] == nil {
                all["theme/assets/style.css"] = "body { color: #222; }\n"
            }
        }
        for (path, text) in all { try write(path, text) }
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    func write(_ path: String, _ text: String) throws {
        try write(path, bytes: Array(text.utf8))
    }

    func write(_ path: String, bytes: [UInt8]) throws {
        let full = root + "/" + path
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: full))
    }

    var output: String { root + "/public" }

    func read(_ path: String) -> String? {
        try? String(contentsOfFile: output + "/" + path, encoding: .utf8)
    }

    func build(drafts: Bool = false, future: Bool = false, full: Bool = false, out: String? = nil) throws
        -> BuildSummary
    {
        var options = BuildOptions()
        options.drafts = drafts
        options.future = future
        options.full = full
        options.output = out
        options.now = Date(timeIntervalSince1970: 1_800_000_000)  // 2027-01-15
        return try SiteBuilder.build(site: root, options: options)
    }

    /// Builds and expects failure; returns the errors as `FILE:LINE: message` lines.
    func failingBuild() -> [String] {
        do {
            _ = try build()
            Issue.record("the build succeeded but should have failed")
            return []
        } catch {
            guard let failure = error as? BuildFailure else {
                Issue.record("unexpected error \(error)")
                return []
            }
            return failure.errors.map(\.description)
        }
    }

    /// A small theme that shows every variable tests look at, in a stable shape.
    static let minimalTheme: [String: String] = [
        "head": """
        <!doctype html><html lang="{{site.language}}"><head><title>{{page.title}}</title>
        <meta name="description" content="{{page.description}}">
        <link rel="canonical" href="{{page.canonical}}">
        <meta property="og:title" content="{{page.og_title}}">
        {{#page.og_image}}<meta property="og:image" content="{{page.og_image}}">{{/page.og_image}}
        <link rel="stylesheet" href="{{site.assets.style_css}}">
        {{#page.json_ld}}<script type="application/ld+json">{{{page.json_ld}}}</script>{{/page.json_ld}}
        </head><body>
        """,
        "list": """
        {{#posts}}<article><a href="{{url}}">{{title}}</a> <time>{{date_display}}</time> {{reading_time}} min
        {{#tags}}<a href="{{url}}">{{name}}</a> {{/tags}}<div>{{{excerpt_html}}}</div></article>
        {{/posts}}{{#pagination.prev_url}}<a href="{{pagination.prev_url}}">newer</a>{{/pagination.prev_url}}
        {{#pagination.next_url}}<a href="{{pagination.next_url}}">older</a>{{/pagination.next_url}}
        """,
        "index": "{{> head}}<main><h1>{{site.title}}</h1>{{> list}}</main></body></html>\n",
        "tag": "{{> head}}<main><h1>{{tag.name}}</h1>{{> list}}</main></body></html>\n",
        "author": "{{> head}}<main><h1>{{author.name}}</h1>{{> list}}</main></body></html>\n",
        "post": """
        {{> head}}<main><article><h1>{{post.title}}</h1><time datetime="{{post.date_iso}}">{{post.date_display}}</time>
        {{post.reading_time}} min {{#post.authors}}<a href="{{url}}">{{name}}</a>{{/post.authors}}
        {{#post.tags}}<a href="{{url}}">{{name}}</a>{{/post.tags}}{{#post.mood}}<p>mood: {{post.mood}}</p>{{/post.mood}}
        {{{post.content}}}</article>
        {{#post.previous}}<a rel="prev" href="{{url}}">{{title}}</a>{{/post.previous}}
        {{#post.next}}<a rel="next" href="{{url}}">{{title}}</a>{{/post.next}}</main></body></html>

        """,
        "page": "{{> head}}<main><h1>{{post.title}}</h1>{{{post.content}}}</main></body></html>\n",
        "archive": """
        {{> head}}<main>{{#years}}<h2>{{year}}</h2>{{#posts}}<a href="{{url}}">{{title}}</a>
        {{/posts}}{{/years}}</main></body></html>

        """,
        "404": "{{> head}}<main><h1>Not found</h1></main></body></html>\n",
    ]
}

/// Every file under a folder (following the published symlink), relative to it.
func tree(_ root: String) -> [String] {
    let resolved =
        (try? FileManager.default.destinationOfSymbolicLink(atPath: root))
        .map { $0.hasPrefix("/") ? $0 : (root as NSString).deletingLastPathComponent + "/" + $0 } ?? root
    return FileWalker.files(under: resolved)
        + FileWalker.files(under: resolved + "/.quill").map { ".quill/" + $0 }
}

/// The repository root, found from this file's path.
let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()
