import Foundation
import Testing

@testable import QuillSite

@Suite struct PublishTests {
    private func builds(_ site: TempSite) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: site.root).filter { $0.hasPrefix("public.") }
            .sorted()
    }

    @Test func publishSwitchesARelativeSymlinkAndKeepsOnePreviousBuild() throws {
        let site = try TempSite(["content/posts/2024-01-01-a.md": "# A\n"])
        let first = try site.build()
        let firstTarget = try FileManager.default.destinationOfSymbolicLink(atPath: site.output)
        #expect(firstTarget == (first.buildFolder as NSString).lastPathComponent)
        #expect(!firstTarget.contains("/"))
        try site.write("content/posts/2024-01-02-b.md", "# B\n")
        _ = try site.build()
        try site.write("content/posts/2024-01-03-c.md", "# C\n")
        let third = try site.build()
        let current = try FileManager.default.destinationOfSymbolicLink(atPath: site.output)
        #expect(current == (third.buildFolder as NSString).lastPathComponent)
        let kept = try builds(site)
        #expect(kept.count == 2, "kept \(kept)")
        #expect(!kept.contains(firstTarget))
        #expect(site.read("c/index.html") != nil)

        let previous = try Publisher(output: site.output).rollback()
        #expect(site.read("c/index.html") == nil)
        #expect(site.read("b/index.html") != nil)
        #expect(previous.hasSuffix(kept.first { $0 != current }!))
    }

    @Test func buildIDsSortInBuildOrder() {
        let earlier = Publisher.newID(now: Date(timeIntervalSince1970: 1_800_000_000.25))
        let later = Publisher.newID(now: Date(timeIntervalSince1970: 1_800_000_000.75))
        #expect(earlier < later)
        #expect(Publisher.isBuildID(earlier[...]))
        #expect(!Publisher.isBuildID("backup"))
    }

    @Test func anExistingRealFolderIsMovedAsideNotDeleted() throws {
        let site = try TempSite(["content/posts/2024-01-01-a.md": "# A\n"])
        try site.write("public/old.html", "old site")
        _ = try site.build()
        #expect(FileSystem.isSymlink(site.output))
        let kept = try builds(site)
        #expect(kept.count == 2)
        #expect(kept.contains { FileManager.default.fileExists(atPath: site.root + "/" + $0 + "/old.html") })
    }

    @Test func customOutPathIsHonoured() throws {
        let site = try TempSite(["content/posts/2024-01-01-a.md": "# A\n"])
        let out = site.root + "/out/site/public"
        _ = try site.build(out: out)
        #expect(FileSystem.isSymlink(out))
        #expect(FileManager.default.fileExists(atPath: out + "/a/index.html"))
    }
}
