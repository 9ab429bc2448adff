import ArgumentParser
import Foundation
import QuillSite

struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build", abstract: "Render the site and publish it atomically.")

    @Argument(help: "The site folder (with site.toml).") var site = "."
    @Option(help: "The published path, a symlink to the newest build (default: SITE/public).") var out:
        String?
    @Flag(help: "Include posts and pages marked draft.") var drafts = false
    @Flag(help: "Include posts dated in the future.") var future = false
    @Flag(help: "Parse and render everything again (files with identical bytes are still reused).")
    var full = false

    func run() throws {
        var options = BuildOptions()
        options.output = out
        options.drafts = drafts
        options.future = future
        options.full = full
        try Self.build(site: site, options: options)
    }

    static func build(site: String, options: BuildOptions) throws -> Never {
        let summary = try runBuild(site: site, options: options)
        print(summary.line)
        // Exit with the build's values still held (summary.retained): freeing them one by one
        // would only delay the exit.
        withExtendedLifetime(summary) { Foundation.exit(0) }
    }
}

/// Runs one build, printing warnings, a progress line on a terminal, and errors as FILE:LINE.
func runBuild(site: String, options: BuildOptions) throws -> BuildSummary {
    var options = options
    if isatty(2) == 1 {
        options.progress = { done, total in
            FileHandle.standardError.write(
                Data("\rrendering \(done)/\(total)\(done == total ? "\r\u{1B}[K" : "")".utf8))
        }
    }
    do {
        let summary = try SiteBuilder.build(site: site, options: options)
        for warning in summary.warnings { FileHandle.standardError.write(Data((warning + "\n").utf8)) }
        return summary
    } catch {
        // Paths in errors are relative to the site folder; prefix it so an editor can open them.
        let prefix = site == "." ? "" : (site.hasSuffix("/") ? site : site + "/")
        for item in error.errors {
            let file = item.file.hasPrefix("/") ? item.file : prefix + item.file
            FileHandle.standardError.write(Data("\(file):\(item.line): \(item.message)\n".utf8))
        }
        FileHandle.standardError.write(Data("build failed; the published site is unchanged\n".utf8))
        throw ExitCode(1)
    }
}
