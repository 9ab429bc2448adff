import Foundation

/// `quill watch`: one build, then an incremental rebuild after each burst of changes to the
/// site's sources (content, static, theme, site.toml, redirects.toml). Builds land in the site
/// folder too, so changes there are ignored unless they are one of those two files.
public struct SiteWatcher {
    public enum Event {
        /// A build finished (the summary) or failed (the error; the published site is unchanged).
        case built(BuildSummary)
        case failed(any Error)
        /// Source files changed; a rebuild follows.
        case changed([String])
        /// Nothing changed within `idleTimeout`.
        case idle
    }

    public var site: String
    public var options: BuildOptions
    /// How long one wait for changes lasts before an `.idle` event (ms; -1: forever).
    public var idleTimeout: Int32 = -1
    /// How long events must pause before a rebuild starts (ms). An editor's save is a burst of a
    /// few events within a millisecond or two; a longer burst (a checkout) that outlasts it only
    /// costs one more rebuild, since events during a build start the next. It was 150 ms, most
    /// of an edit's way to the published site (a one-post rebuild is ~50 ms).
    public var quiet: Int32 = 20

    public init(site: String, options: BuildOptions) {
        self.site = site.count > 1 && site.hasSuffix("/") ? String(site.dropLast()) : site
        self.options = options
    }

    /// Watches until `onEvent` returns false. `build` runs one build (the CLI passes one that
    /// prints errors); by default SiteBuilder.build.
    public func run(
        build: (String, BuildOptions) throws -> BuildSummary = {
            try SiteBuilder.build(site: $0, options: $1)
        },
        onEvent: (Event) -> Bool
    ) throws {
        let inotify = try Inotify()
        for folder in ["content", "static", "theme"] where FileSystem.exists(site + "/" + folder) {
            try inotify.watch(site + "/" + folder, recursive: true)
        }
        try inotify.watch(site, recursive: false)  // for site.toml and redirects.toml
        var options = self.options
        while true {
            options.now = Date()
            let event: Event
            do { event = .built(try build(site, options)) } catch { event = .failed(error) }
            guard onEvent(event) else { return }
            var relevant: [String] = []
            while relevant.isEmpty {
                let changed = try inotify.wait(quiet: quiet, timeout: idleTimeout)
                if changed.isEmpty {
                    guard onEvent(.idle) else { return }
                    continue
                }
                relevant = changed.filter(isSource)
            }
            guard onEvent(.changed(relevant)) else { return }
        }
    }

    /// In the site folder itself only site.toml and redirects.toml are sources.
    func isSource(_ path: String) -> Bool {
        (path as NSString).deletingLastPathComponent != site || path.hasSuffix("/site.toml")
            || path.hasSuffix("/" + SiteRedirects.fileName)
    }
}
