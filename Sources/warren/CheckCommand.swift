import ArgumentParser
import WarrenServer
import WarrenSpawn
import WarrenSystem

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a config and every policy it names; print each error as FILE:LINE: message.",
        discussion: "Exits 0 only when everything is valid.")

    @Option(name: .long, help: "The config file (TOML).")
    var config: String

    func run() throws {
        let loaded: LoadedConfig
        do {
            loaded = try ConfigLoader.serverLoader(path: config)
        } catch {
            for message in error.messages { printError(message) }
            throw ExitCode(1)
        }
        let host = HostFeatures.detect()
        var out = "\(config): ok\n"
        for warning in loaded.warnings { out += warning + "\n" }
        for service in loaded.config.services {
            let addresses = service.listen.map(\.description).joined(separator: " ")
            out += "service \(service.name): \(addresses) -> \(service.engine)"
            out += " (policy \(service.policy))"
            out += "\n"
            if let policy = loaded.plans[service.name]?.policy {
                for line in policy.summary(limitLines: host.limitSummary(for: policy)) {
                    out += "  " + line + "\n"
                }
            }
        }
        try FileDescriptor.standardOutput.writeFully(Array(out.utf8))
    }
}
