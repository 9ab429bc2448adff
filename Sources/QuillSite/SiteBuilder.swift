import Foundation
import Synchronization

/// `quill build`: loads the site, renders every page in parallel into a new build folder, then
/// publishes it atomically. Any error leaves the published site as it was.
public enum SiteBuilder {
    /// Bumped when rendering changes, so old cache entries are not reused.
    static let cacheVersion = "quill-2"

    public static func build(site: String, options: BuildOptions = BuildOptions()) throws(BuildFailure)
        -> BuildSummary
    {
        let start = ContinuousClock.now
        var timings = BuildTimings()
        let root = site.hasSuffix("/") && site.count > 1 ? String(site.dropLast()) : site
        let publisher = Publisher(output: options.output ?? root + "/public")
        // --full parses and renders everything; it still reuses files whose bytes are identical.
        let previous = publisher.current
        let spare = previous != nil ? publisher.spare : nil
        let previousCache = options.full ? nil : previous.map { PendingEntryCache(buildRoot: $0) }
        // The theme (templates parsed, assets hashed) and the manifests of the previous build and
        // of the spare load on other threads meanwhile.
        let themeResult = Mutex<Result<Theme, BuildFailure>?>(nil)
        let manifests = Mutex<
            (previous: [String: OutputWriter.Record], spare: [String: OutputWriter.Record])
        >(
            ([:], [:]))
        let themeLoaded = DispatchGroup()
        DispatchQueue.global().async(group: themeLoaded) {
            let result: Result<Theme, BuildFailure>
            do throws(BuildFailure) { result = .success(try Theme.load(siteRoot: root)) } catch {
                result = .failure(error)
            }
            themeResult.withLock { $0 = result }
        }
        DispatchQueue.global().async(group: themeLoaded) {
            let records = previous.map(OutputWriter.readManifest) ?? [:]
            manifests.withLock { $0.previous = records }
        }
        DispatchQueue.global().async(group: themeLoaded) {
            let records = spare.map(OutputWriter.readManifest) ?? [:]
            manifests.withLock { $0.spare = records }
        }
        let loaded: Result<(SiteModel, [String], EntryCache, Int), BuildFailure>
        do throws(BuildFailure) {
            loaded = .success(
                try SiteLoader(root: root, options: options, previousCache: previousCache)
                    .load())
        } catch {
            loaded = .failure(error)
        }
        timings.mark("load")
        themeLoaded.wait()
        timings.mark("theme wait")
        let theme: Theme
        let (model, warnings, entries, parsed): (SiteModel, [String], EntryCache, Int)
        switch (loaded, themeResult.withLock { $0 }!) {
        case (.success(let site), .success(let loadedTheme)):
            (model, warnings, entries, parsed) = site
            theme = loadedTheme
        case (.failure(let a), .failure(let b)): throw BuildFailure(a.errors + b.errors)
        case (.failure(let failure), _), (_, .failure(let failure)): throw failure
        }
        let staging: String
        let recycled: Bool
        do { (staging, recycled) = try publisher.makeStaging(spare: spare) } catch {
            throw BuildFailure([error])
        }

        // A recycled folder's entry cache (its HTML 5 MB) and manifest are always replaced. Unlinking a
        // file whose pages are still being written back waits for that I/O (8-12 ms seen for
        // the cache a few seconds after the build that wrote it), so they go now, on another
        // thread, while the pages are planned; the cache's job waits for it before writing.
        let cleared = DispatchGroup()
        if recycled {
            DispatchQueue.global().async(group: cleared) {
                for path in [
                    ".quill/" + EntryCache.path, ".quill/" + EntryCache.bodiesPath, OutputWriter.manifestPath,
                ] {
                    unlink(staging + "/" + path)
                }
            }
        }
        let (previousManifest, spareManifest) = manifests.withLock { $0 }
        let writer = OutputWriter(
            root: staging, previousRoot: previous, previous: previousManifest,
            existing: recycled ? spareManifest : [:], useKeys: !options.full)
        let plan = PagePlan(
            model: model, theme: theme,
            context: TemplateContext(
                model: model, assetURLs: theme.assetURLs, format: DateFormat(zone: model.config.timeZone)),
            siteRoot: root, writer: writer,
            baseKey: [cacheVersion, theme.hash, SHA256.hex(model.config.source.utf8)].joined(separator: "|"))
        timings.mark("staging")
        let pageJobs: [PagePlan.Job]
        do { pageJobs = try plan.jobs() } catch {
            publisher.discard(staging)
            throw BuildFailure([error])
        }
        // The entry cache is written beside the pages (it needs nothing they produce).
        let configHash = SHA256.hex(model.config.source.utf8)
        let jobs =
            pageJobs + [
                { () throws in
                    let (chunks, bodies) = entries.encoded(configHash: configHash)
                    cleared.wait()
                    // The bodies first: an entries file is only ever beside its whole bodies.
                    try writer.writeMetadata(EntryCache.bodiesPath, segments: bodies)
                    try writer.writeMetadata(EntryCache.path, chunks: chunks)
                }
            ]

        timings.mark("plan")
        let errors = Mutex<[SiteError]>([])
        let done = Atomic<Int>(0)
        let progress = jobs.count >= 500 ? options.progress : nil
        DispatchQueue.concurrentPerform(iterations: jobs.count) { index in
            do {
                try jobs[index]()
            } catch {
                let failure = error as? SiteError ?? SiteError(file: "<build>", line: 1, "\(error)")
                errors.withLock { $0.append(failure) }
            }
            let count = done.add(1, ordering: .relaxed).newValue
            if let progress, count % 100 == 0 || count == jobs.count { progress(count, jobs.count) }
        }
        timings.mark("jobs")
        var failures = errors.withLock { $0 }
        if failures.isEmpty {
            do {
                if recycled { writer.removeLeftovers() }
                try plan.writeMetadata()
                cleared.wait()
                try writer.writeManifest()
            } catch { failures.append(error) }
        }
        if !failures.isEmpty {
            publisher.discard(staging)
            throw BuildFailure(failures)
        }
        do { try publisher.publish(staging) } catch {
            publisher.discard(staging)
            throw BuildFailure([error])
        }
        timings.mark("metadata and publish")
        timings.report()
        let elapsed = ContinuousClock.now - start
        return BuildSummary(
            posts: model.posts.count, pages: model.pages.count, files: jobs.count - 1,
            rendered: writer.renderedCount, parsed: parsed,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
            output: publisher.output, buildFolder: staging, warnings: warnings,
            retained: [model, entries, theme, writer, plan, jobs, previousManifest, spareManifest])
    }
}
