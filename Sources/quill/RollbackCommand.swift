import ArgumentParser
import QuillSite

struct RollbackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback", abstract: "Publish the previous build again.")

    @Argument(help: "The site folder.") var site = "."
    @Option(help: "The published path (default: SITE/public).") var out: String?

    func run() throws {
        let publisher = Publisher(output: out ?? site + "/public")
        do {
            let target = try publisher.rollback()
            print("\(publisher.output) -> \(target)")
        } catch {
            print(error.description)
            throw ExitCode(1)
        }
    }
}
