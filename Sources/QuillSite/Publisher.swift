import Foundation

/// Atomic publishing: each build goes into a new sibling `DIR.<id>`; the symlink `DIR` is then
/// switched to it with one rename of a temporary symlink, so a reader sees the old site or the
/// new one, never a mix. The previous build is kept for rollback; the one before it is kept
/// hidden as a spare (`.DIR.spare-<id>`), which the next incremental build renames aside and
/// updates in place (creating a thousand folders and hard links costs far more than changing the
/// few files that differ); older ones are removed.
public struct Publisher: Sendable {
    /// The published path (a symlink once published), e.g. `site/public`.
    public var output: String

    public init(output: String) {
        var path = output
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        self.output = path
    }

    var parent: String {
        (output as NSString).deletingLastPathComponent.isEmpty
            ? "." : (output as NSString).deletingLastPathComponent
    }
    var base: String { (output as NSString).lastPathComponent }

    /// Build ids sort by time, to the nanosecond: `20261128T190501-0a3f1c2e-01f2a` (seconds,
    /// then nanoseconds and the process id in fixed-width hex, so names sort in build order).
    static func newID(now: Date = Date()) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let p = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: now)
        func two(_ n: Int?) -> String { String(format: "%02d", n ?? 0) }
        let fraction = now.timeIntervalSince1970 - now.timeIntervalSince1970.rounded(.down)
        let nanos = String(format: "%08x", Int(fraction * 1e9))
        let pid = String(format: "%05x", Int(getpid()) & 0xfffff)
        return
            "\(p.year!)\(two(p.month))\(two(p.day))T\(two(p.hour))\(two(p.minute))\(two(p.second))-\(nanos)-\(pid)"
    }

    static func isBuildID(_ text: Substring) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 3 && parts[0].count == 15 && parts[0].dropFirst(8).first == "T"
            && parts[0].allSatisfy { $0.isNumber || $0 == "T" }
            && parts.dropFirst().allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isHexDigit) }
    }

    /// The build folder `DIR` points at now, if any.
    public var current: String? {
        guard let target = FileSystem.readLink(output) else { return nil }
        return target.hasPrefix("/") ? target : parent + "/" + target
    }

    /// The hidden spare an incremental build may recycle, if there is one.
    var spare: String? { hidden("spare").first }

    /// A folder for a new build: `spare` renamed aside (`recycled`), else a fresh one.
    func makeStaging(spare: String? = nil) throws(SiteError) -> (path: String, recycled: Bool) {
        try FileSystem.makeDirectories(parent)
        let id = Self.newID()
        if let spare {
            let work = parent + "/." + base + ".work-" + id
            if (try? FileSystem.rename(spare, work)) != nil { return (work, true) }
        }
        return (try makeFresh(id), false)
    }

    /// Hidden folders beside DIR: `.DIR.KIND-…`, oldest first.
    private func hidden(_ kind: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []
        return names.filter { $0.hasPrefix("." + base + "." + kind + "-") }.sorted().map { parent + "/" + $0 }
    }

    private func makeFresh(_ id: String) throws(SiteError) -> String {
        let path = parent + "/" + base + "." + id
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        } catch {
            throw SiteError(
                file: path, line: 1, "cannot create the build folder: \(error.localizedDescription)")
        }
        return path
    }

    /// Points `DIR` at `staging` atomically, then removes builds older than the previous one.
    func publish(_ staging: String) throws(SiteError) {
        var staging = staging
        let workPrefix = "." + base + ".work-"
        let stagingName = (staging as NSString).lastPathComponent
        if stagingName.hasPrefix(workPrefix) {
            // A recycled spare gets its build name only now, complete.
            let named = parent + "/" + base + "." + stagingName.dropFirst(workPrefix.count)
            do { try FileSystem.rename(staging, named) } catch {
                throw SiteError(file: staging, line: 1, "cannot name the build folder: \(error)")
            }
            staging = named
        }
        var previous = current
        if FileSystem.exists(output), !FileSystem.isSymlink(output) {
            // A real folder from before Quill managed DIR: keep it as the "previous" build.
            let kept = parent + "/" + base + "." + Self.newID(now: Date(timeIntervalSince1970: 0))
            do { try FileSystem.rename(output, kept) } catch {
                throw SiteError(file: output, line: 1, "cannot move the existing folder aside: \(error)")
            }
            previous = kept
        }
        let name = (staging as NSString).lastPathComponent
        let temporary = parent + "/." + base + ".link-" + String(name.dropFirst(base.count + 1))
        do {
            try FileSystem.symlink(target: name, at: temporary)
            try FileSystem.rename(temporary, output)
        } catch {
            unlink(temporary)
            throw SiteError(file: output, line: 1, "cannot switch the published site: \(error)")
        }
        removeOld(keeping: [name, previous.map { ($0 as NSString).lastPathComponent } ?? ""])
    }

    /// Points `DIR` back at the build before the current one.
    public func rollback() throws(SiteError) -> String {
        let currentName = current.map { ($0 as NSString).lastPathComponent }
        guard let target = builds().last(where: { $0 != currentName }) else {
            throw SiteError(file: output, line: 1, "no previous build to roll back to")
        }
        let temporary = parent + "/." + base + ".link-rollback"
        unlink(temporary)
        do {
            try FileSystem.symlink(target: target, at: temporary)
            try FileSystem.rename(temporary, output)
        } catch {
            unlink(temporary)
            throw SiteError(file: output, line: 1, "cannot switch the published site: \(error)")
        }
        return parent + "/" + target
    }

    /// Build folders beside DIR, oldest first.
    func builds() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []
        return names.filter { name in
            name.hasPrefix(base + ".") && Self.isBuildID(name.dropFirst(base.count + 1))
        }.sorted()
    }

    /// Removes a failed build's folder.
    func discard(_ staging: String) {
        try? FileManager.default.removeItem(atPath: staging)
    }

    /// Old builds are renamed out of the way at once, then deleted by a background `rm -rf`:
    /// unlinking thousands of files is disk-bound (seconds on a busy machine) and needs not
    /// hold up the command. The newest of them with a manifest becomes the spare instead (an
    /// older spare goes). Trash and half-recycled folders left by an interrupted run are cleared
    /// the next time.
    private func removeOld(keeping: [String]) {
        let old = builds().filter { !keeping.contains($0) }
        let spare = old.last { FileSystem.exists(parent + "/" + $0 + "/" + OutputWriter.manifestPath) }
        var discarded = hidden("work")
        if let spare {
            discarded += hidden("spare")
            try? FileSystem.rename(parent + "/" + spare, parent + "/." + base + ".spare-" + spare)
        }
        for path in discarded {
            try? FileSystem.rename(
                path, parent + "/." + base + ".trash-" + (path as NSString).lastPathComponent)
        }
        for name in old where name != spare {
            let trash = parent + "/." + base + ".trash-" + name
            if (try? FileSystem.rename(parent + "/" + name, trash)) == nil {
                try? FileManager.default.removeItem(atPath: parent + "/" + name)
            }
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []
        let trash = names.filter { $0.hasPrefix("." + base + ".trash-") }.map { parent + "/" + $0 }
        guard !trash.isEmpty else { return }
        let remover = Process()
        remover.executableURL = URL(fileURLWithPath: "/bin/rm")
        remover.arguments = ["-rf", "--"] + trash
        remover.standardError = FileHandle.nullDevice
        do { try remover.run() } catch {
            for path in trash { try? FileManager.default.removeItem(atPath: path) }
        }
    }
}
