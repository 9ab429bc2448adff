import Foundation
import Testing

@testable import QuillSite

/// Builds Fixtures/small and compares every file with Fixtures/small-expected (the .gz/.br
/// siblings, the cache manifest and the entry cache excepted). QUILL_UPDATE_GOLDEN=1 rewrites the expected files.
@Suite struct GoldenTests {
    static let fixtures = repositoryRoot + "/Tests/QuillSiteTests/Fixtures"

    @Test func smallSiteMatchesGoldenOutput() throws {
        let work = NSTemporaryDirectory() + "quill-golden-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: work) }
        try FileManager.default.copyItem(atPath: Self.fixtures + "/small", toPath: work)
        // The theme is the tests' minimal one, so that default-theme changes do not churn goldens.
        for (name, text) in TempSite.minimalTheme {
            let path = work + "/theme/templates/\(name).mustache"
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        }
        try FileManager.default.createDirectory(
            atPath: work + "/theme/assets", withIntermediateDirectories: true)
        try Data("body { color: #222; }\n".utf8).write(
            to: URL(fileURLWithPath: work + "/theme/assets/style.css"))
        var options = BuildOptions()
        options.now = Date(timeIntervalSince1970: 1_800_000_000)
        _ = try SiteBuilder.build(site: work, options: options)
        let output = work + "/public"
        let produced = tree(output).filter {
            !$0.hasSuffix(".gz") && !$0.hasSuffix(".br") && $0 != OutputWriter.manifestPath
                && $0 != ".quill/" + EntryCache.path && $0 != ".quill/" + EntryCache.bodiesPath
        }
        let expectedRoot = Self.fixtures + "/small-expected"
        if ProcessInfo.processInfo.environment["QUILL_UPDATE_GOLDEN"] == "1" {
            try? FileManager.default.removeItem(atPath: expectedRoot)
            for path in produced {
                let target = expectedRoot + "/" + path
                try FileManager.default.createDirectory(
                    atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try FileManager.default.copyItem(atPath: output + "/" + path, toPath: target)
            }
        }
        let expected =
            FileWalker.files(under: expectedRoot)
            + FileWalker.files(under: expectedRoot + "/.quill").map { ".quill/" + $0 }
        #expect(produced.sorted() == expected.sorted())
        for path in produced where expected.contains(path) {
            let got = try String(contentsOfFile: output + "/" + path, encoding: .utf8)
            let want = try String(contentsOfFile: expectedRoot + "/" + path, encoding: .utf8)
            #expect(got == want, "\(path) differs from the golden copy")
        }
    }
}
