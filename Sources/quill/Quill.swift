import ArgumentParser

@main
struct Quill: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a blog in Markdown; build it.",
        subcommands: [
            BuildCommand.self, NewCommand.self, WatchCommand.self, RollbackCommand.self, ImportCommand.self,
        ])
}
