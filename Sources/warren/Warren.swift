import ArgumentParser

@main
struct Warren: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A superserver that runs every connection in a fresh sandboxed process.",
        subcommands: [ServeCommand.self, CheckCommand.self, RunCommand.self])
}
