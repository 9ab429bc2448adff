/// The slug Quill derives from a Ghost slug. Ghost's slugs are already lowercase words and hyphens,
/// so this changes only unusual ones; when it does, the post's old URL becomes an alias.
enum GhostSlug {
    static func quill(_ ghostSlug: String) -> String {
        var out = ""
        var pendingHyphen = false
        for character in ghostSlug.lowercased() {
            if character.isLetter || character.isNumber {
                if pendingHyphen, !out.isEmpty { out += "-" }
                pendingHyphen = false
                out.append(character)
            } else {
                pendingHyphen = true
            }
        }
        return out
    }
}
