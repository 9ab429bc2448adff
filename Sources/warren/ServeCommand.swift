import ArgumentParser
import WarrenServer
import WarrenSystem

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve every service of a config in the foreground; logs go to stderr (logfmt).",
        discussion: """
            SIGTERM or SIGINT: stop accepting, let running engines finish (up to the config's \
            shutdown_grace), then exit 0. SIGHUP: reload the config and its policies; an invalid \
            new config is logged and the running one kept.
            """)

    @Option(name: .long, help: "The config file (TOML).")
    var config: String

    func run() throws {
        let server: Server
        do {
            // Signals are blocked inside Server.init, before anything else could start a thread.
            server = try Server(configPath: config, loader: ConfigLoader.serverLoader)
        } catch let errors as ConfigErrors {
            for message in errors.messages { printError(message) }
            throw ExitCode(1)
        }
        do {
            try OpenFileLimit.raiseToHardLimit()
        } catch {
            printError("warren: cannot raise the open-file limit: \(error)")
        }
        try server.run()
    }
}

func printError(_ message: String) {
    try? FileDescriptor.standardError.writeFully(Array((message + "\n").utf8))
}
