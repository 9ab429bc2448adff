import Foundation
import Mustache

/// The theme: Mustache templates in `theme/templates/` (partials are any other template there,
/// used as `{{> name}}`) and assets in `theme/assets/`, published under fingerprinted names.
struct Theme: Sendable {
    static let required = ["index", "post", "page", "tag", "author", "archive", "404"]

    var library: MustacheLibrary
    /// Asset path relative to theme/assets → its fingerprinted URL path.
    var assetURLs: [String: String]
    /// Asset path → (fingerprinted output path, bytes).
    var assets: [(output: String, bytes: [UInt8])]
    /// A hash of every template and asset: any change re-renders every page.
    var hash: String

    static func load(siteRoot: String) throws(BuildFailure) -> Theme {
        let templatesDir = "theme/templates"
        var errors: [SiteError] = []
        var templates: [String: MustacheTemplate] = [:]
        var hasher = SHA256()
        _ = TemplateEscaper.registered
        let names =
            (try? FileManager.default.contentsOfDirectory(atPath: siteRoot + "/" + templatesDir)) ?? []
        for name in names.sorted() where name.hasSuffix(".mustache") {
            let path = templatesDir + "/" + name
            do {
                let file = try TextFile.read(siteRoot + "/" + path, displayPath: path)
                hasher.update(path)
                hasher.update(file.bytes)
                templates[String(name.dropLast(".mustache".count))] = try MustacheTemplate(
                    string: TemplateEscaper.pragma + file.text)
            } catch let error as SiteError {
                errors.append(error)
            } catch let error as MustacheTemplate.ParserError {
                // Less the pragma line.
                let line = max(1, error.context.lineNumber - 1)
                errors.append(SiteError(file: path, line: line, "template error: \(error.error)"))
            } catch {
                errors.append(SiteError(file: path, line: 1, "template error: \(error)"))
            }
        }
        for name in required where templates[name] == nil && !names.contains(name + ".mustache") {
            errors.append(
                SiteError(
                    file: "\(templatesDir)/\(name).mustache", line: 1,
                    "missing template: the theme must provide '\(name)'"))
        }

        var assetURLs: [String: String] = [:]
        var assets: [(String, [UInt8])] = []
        let assetRoot = siteRoot + "/theme/assets"
        for relative in FileWalker.files(under: assetRoot) {
            let display = "theme/assets/" + relative
            guard let data = FileManager.default.contents(atPath: assetRoot + "/" + relative) else {
                errors.append(SiteError(file: display, line: 1, "cannot read file"))
                continue
            }
            let bytes = [UInt8](data)
            let digest = SHA256.hex(bytes)
            hasher.update(display)
            hasher.update(digest)
            let fingerprint = String(digest.prefix(10))
            var name = relative
            if let dot = relative.lastIndex(of: "."), !relative[dot...].contains("/") {
                name = relative[..<dot] + "." + fingerprint + relative[dot...]
            } else {
                name = relative + "." + fingerprint
            }
            assetURLs[relative] = "/assets/" + name
            assets.append(("assets/" + name, bytes))
        }
        guard errors.isEmpty else { throw BuildFailure(errors) }
        return Theme(
            library: MustacheLibrary(templates: templates), assetURLs: assetURLs, assets: assets,
            hash: hasher.hexDigest())
    }

    func render(_ context: [String: Any], template: String) -> String {
        library.render(context, withTemplate: template) ?? ""
    }
}
