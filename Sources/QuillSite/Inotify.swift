import Foundation
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Watches folder trees with inotify, for `quill watch`. New subfolders are watched as they
/// appear. `wait` blocks until something changed, then until things are quiet for a moment
/// (an editor's save is several events), and returns the changed paths.
public final class Inotify {
    private let fd: FileDescriptor
    /// Each watched folder, and whether new subfolders in it are watched too.
    private var watches: [Int32: (path: String, recursive: Bool)] = [:]
    private static let mask: UInt32 = UInt32(
        IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_ATTRIB)

    public init() throws(Errno) {
        let raw = inotify_init1(Int32(IN_CLOEXEC))
        guard raw >= 0 else { throw Errno(rawValue: errno) }
        fd = FileDescriptor(rawValue: raw)
    }

    deinit { try? fd.close() }

    /// Watches `path` and, when `recursive`, every folder under it.
    public func watch(_ path: String, recursive: Bool) throws(Errno) {
        let wd = inotify_add_watch(fd.rawValue, path, Self.mask)
        guard wd >= 0 else { throw Errno(rawValue: errno) }
        watches[wd] = (path, recursive)
        guard recursive, let names = try? FileManager.default.contentsOfDirectory(atPath: path) else {
            return
        }
        for name in names where !name.hasPrefix(".") {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path + "/" + name, isDirectory: &isDirectory),
                isDirectory.boolValue
            {
                try watch(path + "/" + name, recursive: true)
            }
        }
    }

    /// Blocks for changes; returns the changed paths once `quiet` milliseconds pass without more.
    /// With `timeout` (ms, -1 for none), returns no paths if nothing changed by then.
    public func wait(quiet: Int32 = 150, timeout: Int32 = -1) throws(Errno) -> [String] {
        var changed: [String] = []
        guard try readEvents(into: &changed, timeout: timeout) else { return [] }
        while try readEvents(into: &changed, timeout: quiet) {}
        return changed
    }

    /// Reads one batch of events; false when `timeout` ms passed with none.
    private func readEvents(into changed: inout [String], timeout: Int32) throws(Errno) -> Bool {
        var poller = pollfd(fd: fd.rawValue, events: Int16(POLLIN), revents: 0)
        while true {
            let ready = poll(&poller, 1, timeout)
            if ready < 0 {
                if errno == EINTR { continue }
                throw Errno(rawValue: errno)
            }
            if ready == 0 { return false }
            break
        }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        let count: Int
        do {
            count = try buffer.withUnsafeMutableBytes { try fd.read(into: $0, retryOnInterrupt: true) }
        } catch {
            throw error as? Errno ?? .ioError
        }
        // Each record: struct inotify_event { int wd; uint32 mask, cookie, len; char name[len]; }.
        var offset = 0
        let header = MemoryLayout<inotify_event>.size
        while offset + header <= count {
            let (wd, mask, length) = buffer.withUnsafeBytes { raw in
                (
                    raw.load(fromByteOffset: offset, as: Int32.self),
                    raw.load(fromByteOffset: offset + 4, as: UInt32.self),
                    Int(raw.load(fromByteOffset: offset + 12, as: UInt32.self))
                )
            }
            let nameBytes = buffer[(offset + header)..<min(count, offset + header + length)].prefix {
                $0 != 0
            }
            let name = String(decoding: nameBytes, as: UTF8.self)
            if let (folder, recursive) = watches[wd] {
                let path = name.isEmpty ? folder : folder + "/" + name
                changed.append(path)
                // Only in a recursive tree: a folder made in the site folder itself is a build
                // folder, and watching it made every rebuild (which updates the recycled spare)
                // trigger the next one, forever.
                if recursive, mask & UInt32(IN_ISDIR) != 0, mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 {
                    try? watch(path, recursive: true)
                }
            }
            if mask & UInt32(IN_IGNORED) != 0 { watches[wd] = nil }
            offset += header + length
        }
        return true
    }
}
