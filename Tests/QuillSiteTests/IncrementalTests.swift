import Foundation
import Testing

@testable import QuillSite

@Suite struct IncrementalTests {
    private func contents(_ root: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let resolved = root + "/"
        for path in tree(root) {
            out[path] = try Data(contentsOf: URL(fileURLWithPath: resolved + path))
        }
        return out
    }

    @Test func unchangedPostsAreNotRenderedAndIncrementalEqualsFull() throws {
        var files: [String: String] = [:]
        for day in 1...6 {
            files["content/posts/2024-01-0\(day)-p\(day).md"] =
                "---\ntags: [x]\n---\n# P\(day)\n\nText \(day).\n"
        }
        files["static/a.txt"] = "static\n"
        let site = try TempSite(files)
        let first = try site.build()
        #expect(first.rendered == first.files)

        // Nothing changed: no page is rendered again.
        let second = try site.build()
        let posts = 6
        #expect(second.files - second.rendered >= posts)

        // One post's body changes: only that post (and list pages, feeds) are rendered.
        try site.write("content/posts/2024-01-03-p3.md", "---\ntags: [x]\n---\n# P3\n\nNew text.\n")
        let third = try site.build()
        #expect(third.files - third.rendered >= posts - 1)
        #expect(site.read("p3/index.html")?.contains("New text.") == true)

        // A full rebuild elsewhere gives byte-identical output, siblings included.
        let incremental = try contents(site.output)
        let fullOut = site.root + "/full/public"
        _ = try site.build(full: true, out: fullOut)
        let full = try contents(fullOut)
        #expect(Set(incremental.keys) == Set(full.keys))
        for (path, data) in incremental where full[path] != data {
            Issue.record("\(path) differs between the incremental and the full build")
        }
    }

    @Test func templateChangeRerendersEveryPost() throws {
        let site = try TempSite([
            "content/posts/2024-01-01-a.md": "# A\n", "content/posts/2024-01-02-b.md": "# B\n",
        ])
        _ = try site.build()
        try site.write(
            "theme/templates/post.mustache",
            "{{> head}}<h1 class=\"changed\">{{post.title}}</h1></body></html>\n")
        _ = try site.build()
        #expect(site.read("a/index.html")?.contains("class=\"changed\"") == true)
        #expect(site.read("b/index.html")?.contains("class=\"changed\"") == true)
    }
}
