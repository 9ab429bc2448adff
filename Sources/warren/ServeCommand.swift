import ArgumentParser
import WarrenServer
import WarrenSpawn
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
        // First, before the config is read: nothing warren does later (binding, preparing each
        // policy's template in a helper, spawning) needs a capability outside `Privileges.kept`,
        // so the rest go now and every helper and child inherits the smaller set. Binding comes
        // after, which is safe because CAP_NET_BIND_SERVICE stays for reloads anyway, and plans
        // built after the drop have fewer bounding-set bits left to drop per child.
        do {
            try Privileges.dropBoundingSet()
        } catch {
            printError("warren: cannot drop capabilities from its bounding set: \(SymbolicName.errno(error))")
            throw ExitCode(1)
        }
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
