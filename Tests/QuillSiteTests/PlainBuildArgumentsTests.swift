import Testing

@testable import QuillSite

/// `quill build`'s fast path (BuildOptions.plainBuild): what it reads, and everything it must leave
/// to ArgumentParser (nil), which then names the problem or prints the help.
@Suite struct PlainBuildArgumentsTests {
    @Test(
        arguments: [
            (["build"], ".", nil, false, false, false),
            (["build", "site"], "site", nil, false, false, false),
            (["build", "--out", "/srv/p", "site"], "site", "/srv/p", false, false, false),
            (["build", "site", "--out=/srv/p", "--drafts"], "site", "/srv/p", true, false, false),
            (["build", "--future", "--full", "~/blog"], "~/blog", nil, false, true, true),
            (["build", "--drafts", "--future", "--full", "--out", "o", "s"], "s", "o", true, true, true),
        ] as [([String], String, String?, Bool, Bool, Bool)])
    func plainArgumentsAreRead(
        arguments: [String], site: String, output: String?, drafts: Bool, future: Bool, full: Bool
    ) throws {
        let parsed = try #require(BuildOptions.plainBuild(arguments))
        #expect(parsed.site == site)
        #expect(parsed.options.output == output)
        #expect(parsed.options.drafts == drafts)
        #expect(parsed.options.future == future)
        #expect(parsed.options.full == full)
    }

    @Test(
        arguments: [
            [], ["new", "post", "x"], ["watch"], ["build", "--help"], ["build", "-h"], ["build", "a", "b"],
            ["build", "--out"], ["build", "--out="], ["build", "--out", "--drafts"],
            ["build", "--out", "a", "--out", "b"],
            ["build", "--drafts", "--drafts"], ["build", "--draft"], ["build", "--", "-site"], ["build", ""],
            ["build", "-x"], ["build", "--full=true"], ["Build"],
        ] as [[String]])
    func everythingElseIsLeftToArgumentParser(arguments: [String]) {
        #expect(BuildOptions.plainBuild(arguments) == nil, "\(arguments)")
    }
}
