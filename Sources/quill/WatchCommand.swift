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
        let inotify = try Inotify()
        for folder in ["content", "static", "theme"]
        where FileManager.default.fileExists(atPath: site + "/" + folder) {
            try inotify.watch(site + "/" + folder, recursive: true)
        }
        try inotify.watch(site, recursive: false)  // for site.toml
        while true {
            options.now = Date()
            if let summary = try? runBuild(site: site, options: options) { say(summary.line) }
            say("watching \(site) for changes (Ctrl-C to stop)")
            var relevant: [String] = []
            while relevant.isEmpty {
                let changed = try inotify.wait()
                // In the site folder itself only site.toml matters (builds land there too).
                relevant = changed.filter { path in
                    (path as NSString).deletingLastPathComponent != site || path.hasSuffix("/site.toml")
                }
            }
            say("changed: \(relevant.prefix(3).joined(separator: ", "))\(relevant.count > 3 ? ", …" : "")")
        }
    }
}

/// Writes a line unbuffered, so each rebuild shows up at once even in a pipe or a log file.
private func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
