// Loading a policy: read the file and every file it extends, merge them (base first), apply the
// defaults, check what only the merged policy can tell, and compile the seccomp filter. Every
// problem of every file is collected and thrown together, each as FILE:LINE: message.

public enum PolicyLoader {
    /// The uid and gid an engine runs as when the policy names none (nobody/nogroup).
    public static let defaultID: UInt32 = 65534

    /// Loads, validates and compiles the policy at `path`.
    public static func load(path: String) throws(Diagnostics) -> Policy {
        let log = DiagnosticLog()
        let file = HostPaths.absolute(path)
        var drafts: [PolicyDraft] = []
        var next: (path: String, from: Located<String>?)? = (file, nil)
        var complete = true
        while let (current, from) = next {
            next = nil
            if let from, drafts.contains(where: { $0.file == current }) {
                let chain = (drafts.map(\.file) + [current]).joined(separator: " -> ")
                log.error(from.file, from.line, "extends cycle: \(chain)")
                complete = false
                break
            }
            let document: TOMLDocument
            do {
                document = try TOMLDocument.load(path: current)
            } catch {
                if let from, error.items.count == 1, error.items[0].line == nil {
                    log.error(from.file, from.line, "extends '\(current)': \(error.items[0].message)")
                } else {
                    log.append(contentsOf: error)
                }
                complete = false
                break
            }
            let draft = PolicyFileReader(document: document, log: log).read()
            drafts.append(draft)
            if draft.extendsRefused { complete = false }
            if let extends = draft.extends { next = (extends.value, extends) }
        }
        // Checks across keys and files still run when some values were refused, so that one run
        // reports everything; refused values are simply absent from the drafts. A chain that could
        // not be read in full is not merged: its missing part would only cause false alarms.
        guard complete, let base = drafts.last else { throw Diagnostics(log.sorted) }
        // drafts[0] is the file asked for; the last one is the base.
        let merged = drafts.dropLast().reversed().reduce(base) { $0.merged(with: $1) }
        let policy = PolicyBuilder(draft: merged, log: log).build()
        try log.check()
        return policy!
    }
}
