import ArgumentParser
import Foundation
import QuillSite

struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch", abstract: "Build, then rebuild incrementally whenever a source file changes.")

    @Argument(help: "The site folder.") var site = "."
    @Option(help: "The published path (default: SITE/public).") var out: String?
    @Flag(help: "Include drafts.") var drafts = false
    @Flag(help: "Include future posts.") var future = false

    func run() throws {
        var options = BuildOptions()
        options.output = out
        options.drafts = drafts
        options.future = future
        // runBuild prints a failed build's errors itself.
        try SiteWatcher(site: site, options: options).run(build: runBuild) { event in
            switch event {
            case .built(let summary):
                say(summary.line)
                say("watching \(site) for changes (Ctrl-C to stop)")
            case .failed:
                say("watching \(site) for changes (Ctrl-C to stop)")
            case .changed(let paths):
                say("changed: \(paths.prefix(3).joined(separator: ", "))\(paths.count > 3 ? ", …" : "")")
            case .idle:
                break
            }
            return true
        }
    }
}

/// Writes a line unbuffered, so each rebuild shows up at once even in a pipe or a log file.
private func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
