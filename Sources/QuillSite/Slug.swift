import Foundation

/// URL slugs: lowercase ASCII letters, digits and single hyphens. Accented letters lose their
/// accents ("Café" → "cafe"); other characters become hyphens.
enum Slug {
    static func make(_ text: String) -> String {
        let folded = text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil)
        var out = ""
        var pendingHyphen = false
        for scalar in folded.unicodeScalars {
            let isWordScalar = scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
            if scalar.isASCII, isWordScalar {
                if pendingHyphen, !out.isEmpty { out += "-" }
                pendingHyphen = false
                out.unicodeScalars.append(scalar)
            } else if !scalar.isASCII, isWordScalar {
                // Non-Latin scripts keep their letters (valid in URLs once percent-encoded).
                if pendingHyphen, !out.isEmpty { out += "-" }
                pendingHyphen = false
                out.unicodeScalars.append(scalar)
            } else if scalar != "'" && scalar != "\u{2019}" {
                pendingHyphen = true
            }
        }
        return out.lowercased()
    }

    /// A date and slug from a path's name forms `YYYY/MM/DD/slug.md` and `YYYY-MM-DD-slug.md`.
    static func fromPath(_ relativePath: String) -> (date: (Int, Int, Int)?, slug: String) {
        var components = relativePath.split(separator: "/").map(String.init)
        var name = components.removeLast()
        if let dot = name.lastIndex(of: ".") { name = String(name[..<dot]) }
        if components.count >= 3 {
            let last3 = components.suffix(3)
            let numbers = last3.compactMap { Int($0) }
            if numbers.count == 3, last3.first!.count == 4 {
                return ((numbers[0], numbers[1], numbers[2]), make(name))
            }
        }
        let parts = name.split(separator: "-", maxSplits: 3, omittingEmptySubsequences: false)
        if parts.count == 4, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        {
            return ((year, month, day), make(String(parts[3])))
        }
        if name == "index", let folder = components.last { return (nil, make(folder)) }
        return (nil, make(name))
    }
}
