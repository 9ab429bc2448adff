import Foundation

public struct BuildOptions: Sendable {
    /// The published path; default `SITE/public`.
    public var output: String?
    public var drafts = false
    public var future = false
    /// Parse and render everything again, ignoring cached entries and input keys; a file whose
    /// rendered bytes equal the previous build's is still linked (or kept in a recycled spare)
    /// rather than written and compressed again.
    public var full = false
    /// "Now", for deciding which posts are in the future.
    public var now = Date()
    /// Called now and then with (files done, files in all) on builds of many files.
    public var progress: (@Sendable (Int, Int) -> Void)?

    public init() {}
}

extension BuildOptions {
    /// The site and options of `build [SITE] [--out DIR | --out=DIR] [--drafts] [--future]
    /// [--full]`, each at most once, in any order: what `quill build` reads without
    /// ArgumentParser, whose reflection over the command types cost ~5 ms of a one-post rebuild.
    /// nil for anything else (help, a mistake, `--`, a value starting with "-"), which the CLI
    /// leaves to ArgumentParser: it parses exactly what this accepts the same way, and names
    /// every problem.
    public static func plainBuild(_ arguments: [String]) -> (site: String, options: BuildOptions)? {
        guard arguments.first == "build" else { return nil }
        var site: String?
        var options = BuildOptions()
        var seen: Set<String> = []
        var rest = arguments.dropFirst()
        while let argument = rest.popFirst() {
            if argument == "--out" || argument.hasPrefix("--out=") {
                let value = argument == "--out" ? rest.popFirst() : String(argument.dropFirst("--out=".count))
                guard seen.insert("--out").inserted, let value, !value.isEmpty, !value.hasPrefix("-") else {
                    return nil
                }
                options.output = value
            } else if ["--drafts", "--future", "--full"].contains(argument) {
                guard seen.insert(argument).inserted else { return nil }
                switch argument {
                case "--drafts": options.drafts = true
                case "--future": options.future = true
                default: options.full = true
                }
            } else {
                guard site == nil, !argument.isEmpty, !argument.hasPrefix("-") else { return nil }
                site = argument
            }
        }
        return (site ?? ".", options)
    }
}

public struct BuildSummary: Sendable {
    public var posts: Int
    public var pages: Int
    /// Files written (not counting .gz/.br siblings), and of those how many were rendered anew.
    public var files: Int
    public var rendered: Int
    /// Source files read and parsed anew (the others came from the previous build's cache).
    public var parsed = 0
    public var seconds: Double
    /// The published path and the build folder it now points at.
    public var output: String
    public var buildFolder: String
    public var warnings: [String]
    /// The build's large values (model, entry cache, manifests, jobs), handed over rather than
    /// freed on return: a one-shot command exits without freeing them piece by piece, which was
    /// 8 ms of a 90 ms one-post rebuild. A long-running caller frees them with the summary.
    public var retained: [any Sendable] = []

    public var line: String {
        let time = String(format: "%.2f", seconds)
        return "built \(posts) posts and \(pages) pages (\(parsed) parsed): \(files) files "
            + "(\(rendered) rendered, \(files - rendered) reused) in \(time) s -> \(output)"
    }
}
