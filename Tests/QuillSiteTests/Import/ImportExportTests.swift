import Foundation
import Testing

@testable import QuillSite

@Suite("Ghost export reading")
struct ImportExportTests {
    @Test func wrappedAndBareFormsReadTheSame() throws {
        let data = #"{"posts":[{"id":"1","slug":"a"}],"settings":[{"key":"title","value":"T"}]}"#
        let wrapped = try GhostExport.parse(
            Data(#"{"db":[{"meta":{"version":"5.0.0"},"data":\#(data)}]}"#.utf8), file: "w.json")
        let bare = try GhostExport.parse(
            Data(#"{"meta":{"version":"1.0.0"},"data":\#(data)}"#.utf8), file: "b.json")
        #expect(wrapped.posts.map { $0.string("slug") } == ["a"])
        #expect(bare.posts.map { $0.string("slug") } == ["a"])
        #expect(wrapped.settings["title"] == "T" && bare.settings["title"] == "T")
        #expect(wrapped.version == "5.0.0")
    }

    @Test func invalidJSONNamesFileAndLine() {
        let text = "{\n  \"data\": {\n    \"posts\": [,]\n  }\n}"
        #expect(throws: GhostImportError.self) { try GhostExport.parse(Data(text.utf8), file: "bad.json") }
        do {
            _ = try GhostExport.parse(Data(text.utf8), file: "bad.json")
        } catch let error as GhostImportError {
            #expect(error.file == "bad.json")
            #expect(error.line == 3)
            #expect(error.description.hasPrefix("bad.json:3: not valid JSON"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func notAnExportIsRejected() {
        #expect(
            throws: GhostImportError(
                file: "x.json", line: nil, "no \"data\" object: this is not a Ghost export")
        ) {
            try GhostExport.parse(Data(#"{"hello":1}"#.utf8), file: "x.json")
        }
        #expect(throws: GhostImportError.self) {
            try GhostExport.parse(Data(#"{"data":{"posts":{"id":1}}}"#.utf8), file: "y.json")
        }
    }

    @Test func secretSettingsAndTablesAreNeverRead() throws {
        let text = #"""
            {"data":{"settings":[{"key":"title","value":"T"},{"key":"members_private_key","value":"SECRET"}],
             "members":[{"email":"m@x"}],"api_keys":[{"secret":"S"},{"secret":"S2"}]}}
            """#
        let export = try GhostExport.parse(Data(text.utf8), file: "s.json")
        #expect(export.settings == ["title": "T"])
        #expect(export.ignoredTables == ["members": 1, "api_keys": 2])
    }

    @Test func linksFollowSortOrder() throws {
        let text = #"""
            {"data":{"posts_tags":[{"post_id":"p","tag_id":"b","sort_order":1},{"post_id":"p","tag_id":"a","sort_order":0}]}}
            """#
        #expect(try GhostExport.parse(Data(text.utf8), file: "l.json").postTags["p"] == ["a", "b"])
    }

    @Test func datesInEveryGhostForm() {
        let expected = Date(timeIntervalSince1970: 1_499_860_800)
        #expect(GhostDate.parse(NSNumber(value: 1_499_860_800_000)) == expected)
        #expect(GhostDate.parse("2017-07-12T12:00:00.000Z") == expected)
        #expect(GhostDate.parse("2017-07-12T12:00:00Z") == expected)
        #expect(GhostDate.parse("2017-07-12 12:00:00") == expected)
        #expect(GhostDate.parse("1499860800000") == expected)
        #expect(GhostDate.parse("yesterday") == nil)
    }

    @Test func permalinksGiveGhostsURLs() {
        let values = GhostPermalink.Values(
            slug: "hello", date: Date(timeIntervalSince1970: 1_499_860_800),
            timeZone: TimeZone(identifier: "UTC")!,
            id: "42", primaryAuthor: "alice", primaryTag: nil)
        #expect(GhostPermalink(pattern: "/:year/:month/:day/:slug/").path(values) == "/2017/07/12/hello/")
        #expect(GhostPermalink(pattern: "/:primary_tag/:id/:slug/").path(values) == "/all/42/hello/")
        #expect(GhostPermalink(pattern: "/:year/:slug/").isQuillCompatible)
        #expect(!GhostPermalink(pattern: "/:id/:slug/").isQuillCompatible)
    }

    @Test func frontMatterHashNoticesEdits() {
        var matter = GhostFrontMatter()
        matter.set("title", "A \"quoted\"\ntitle")
        matter.set(GhostFrontMatter.idKey, "p1")
        let text = matter.document(body: "Body.")
        #expect(GhostFrontMatter.inspect(text).ghostID == "p1")
        #expect(GhostFrontMatter.inspect(text).isUnedited)
        #expect(!GhostFrontMatter.inspect(text.replacingOccurrences(of: "Body.", with: "Body!")).isUnedited)
    }
}
