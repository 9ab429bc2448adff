import ArgumentParser
import QuillSite

struct NewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new", abstract: "Create a post or a page with front matter and a slug.")

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case post, page
    }

    @Argument(help: "What to create: post or page.") var kind: Kind
    @Argument(help: "Its title.") var title: String
    @Option(help: "The site folder.") var site = "."

    func run() throws {
        do {
            let path = try NewContent.create(kind: kind == .post ? .post : .page, title: title, site: site)
            print(path)
        } catch {
            print(error.description)
            throw ExitCode(1)
        }
    }
}
