import Foundation

/// Ghost's uploaded images: references to /content/images/… keep their path (so old image URLs
/// keep working) and the files go to the site's static/content/images/, which the build copies as is.
/// Ghost 5's video, audio and file uploads (/content/media/, /content/files/) are found and reported
/// the same way, but only images are copied (from --images).
enum GhostImages {
    static let prefix = "/content/images/"
    static let otherUploadPrefixes = ["/content/media/", "/content/files/"]

    /// Every upload path mentioned in `text` (Markdown, raw HTML, srcset lists, card data), without
    /// query or fragment.
    static func references(in text: String) -> Set<String> {
        var found: Set<String> = []
        for prefix in [prefix] + otherUploadPrefixes {
            var search = text.startIndex
            while let range = text.range(of: prefix, range: search..<text.endIndex) {
                var end = range.upperBound
                while end < text.endIndex, !" \t\n\"'()<>,?#\\]&".contains(text[end]) {
                    end = text.index(after: end)
                }
                let path = String(text[range.lowerBound..<end])
                if path.count > prefix.count { found.insert(path) }
                search = end
            }
        }
        return found
    }

    /// The file's place below an images folder, or nil for a path that tries to leave it.
    static func relativePath(_ reference: String) -> String? {
        let rest = String(reference.dropFirst(prefix.count))
        let decoded = rest.removingPercentEncoding ?? rest
        let parts = decoded.split(separator: "/")
        guard !parts.isEmpty, !parts.contains(where: { $0 == ".." || $0 == "." }) else { return nil }
        return parts.joined(separator: "/")
    }

    struct Outcome {
        var copied: [String] = []
        var missing: [String] = []
        var alreadyPresent: [String] = []
    }

    /// Copies each referenced image from `imagesDirectory` (Ghost's content/images) into the site.
    /// Without a folder, every image not already in the site is reported missing.
    static func copy(_ references: Set<String>, from imagesDirectory: String?, site: String) throws -> Outcome
    {
        let manager = FileManager.default
        var outcome = Outcome()
        for reference in references.sorted() {
            guard reference.hasPrefix(prefix) else {
                if manager.fileExists(atPath: site + "/static" + reference) {
                    outcome.alreadyPresent.append(reference)
                } else {
                    outcome.missing.append(
                        reference + " (copy Ghost's content/media or content/files by hand)")
                }
                continue
            }
            guard let relative = relativePath(reference) else {
                outcome.missing.append(reference + " (refused: path leaves the images folder)")
                continue
            }
            let target = site + "/static/content/images/" + relative
            if let imagesDirectory {
                let source = imagesDirectory + "/" + relative
                var isDirectory: ObjCBool = false
                guard manager.fileExists(atPath: source, isDirectory: &isDirectory), !isDirectory.boolValue
                else {
                    if manager.fileExists(atPath: target) {
                        outcome.alreadyPresent.append(reference)
                    } else {
                        outcome.missing.append(reference)
                    }
                    continue
                }
                if manager.contentsEqual(atPath: source, andPath: target) {
                    outcome.alreadyPresent.append(reference)
                    continue
                }
                try manager.createDirectory(
                    atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                if manager.fileExists(atPath: target) { try manager.removeItem(atPath: target) }
                try manager.copyItem(atPath: source, toPath: target)
                outcome.copied.append(reference)
            } else if manager.fileExists(atPath: target) {
                outcome.alreadyPresent.append(reference)
            } else {
                outcome.missing.append(reference)
            }
        }
        return outcome
    }
}
