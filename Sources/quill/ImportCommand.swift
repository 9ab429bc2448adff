import ArgumentParser
import Foundation
import QuillSite

/// `quill import`: bring a blog over from another system.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import a blog from another system.", subcommands: [Ghost.self])

    struct Ghost: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a Ghost JSON export (Ghost 0.x to 5.x) into a Quill site.",
            discussion: """
                Posts and pages become Markdown files under content/, site settings become site.toml \
                (if the site has none), and every post keeps its old URL (or redirects from it). \
                Ghost's feeds and tag or author archive URLs that Quill names differently are \
                redirected from a marked block of redirects.toml. \
                Running it again updates what it wrote; files edited since are kept unless --force.
                """)

        @Argument(help: "The export file (Ghost Admin → Settings → Labs → Export).")
        var export: String

        @Option(help: "The site folder to write into.")
        var site = "."

        @Option(help: "Ghost's content/images folder, to copy the images posts use.")
        var images: String?

        @Option(
            name: .customLong("base-url"),
            help: "The site's address, for a new site.toml (e.g. https://blog.example.com).")
        var baseURL: String?

        @Flag(help: "Overwrite files edited since the last import, and files not written by it.")
        var force = false

        func run() throws {
            let importer = GhostImporter(
                exportPath: export, site: site, imagesDirectory: images, baseURL: baseURL, force: force)
            do {
                let summary = try importer.run()
                print(summary.text)
            } catch let error as GhostImportError {
                FileHandle.standardError.write(Data("quill import ghost: \(error)\n".utf8))
                throw ExitCode.failure
            }
        }
    }
}
