import ArgumentParser
import QuillSite

@main
struct Quill: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a blog in Markdown; build it.",
        subcommands: [
            BuildCommand.self, NewCommand.self, WatchCommand.self, RollbackCommand.self, ImportCommand.self,
        ])

    /// `quill build` with plain arguments (a folder, --out, the three flags) is read without
    /// ArgumentParser: its reflection over the command types scans the binary's protocol
    /// conformances, ~5 ms of a one-post rebuild that should take under 50. Anything else (help,
    /// every mistake, other commands) goes through ArgumentParser, which names the problem.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if let (site, options) = BuildOptions.plainBuild(arguments) {
            do { try BuildCommand.build(site: site, options: options) } catch { exit(withError: error) }
        }
        main(arguments)
    }
}
