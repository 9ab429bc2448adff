import Glibc

/// C memory a plan hands to the spawn path: strings and arrays allocated once at load, read by every
/// child, freed together when the plan goes (no child can read it then: spawn returns only after
/// clone, and a fork-like child has its own copy).
final class CArena: @unchecked Sendable {
    private var blocks: [UnsafeMutableRawPointer] = []

    /// A NUL-terminated copy of `string`.
    func string(_ string: String) -> UnsafePointer<CChar> {
        let copy = strdup(string)!
        blocks.append(UnsafeMutableRawPointer(copy))
        return UnsafePointer(copy)
    }

    /// A copy of `elements` in C memory; nil when empty.
    func array<T>(_ elements: [T]) -> UnsafePointer<T>? {
        guard !elements.isEmpty else { return nil }
        let raw = malloc(MemoryLayout<T>.stride * elements.count)!
        blocks.append(raw)
        let pointer = raw.bindMemory(to: T.self, capacity: elements.count)
        pointer.initialize(from: elements, count: elements.count)
        return UnsafePointer(pointer)
    }

    /// One value in C memory.
    func value<T>(_ value: T) -> UnsafePointer<T> {
        array([value])!
    }

    deinit {
        // Only trivial C types are stored (strings, structs of pointers and integers).
        for block in blocks { free(block) }
    }
}
