// The command line, as saved by CQuillSys before main: a static binary's CommandLine.arguments
// reads /proc/self/cmdline, which a sandbox without /proc does not have. Read one argument at a
// time: building an array of strings at start-up costs a runtime type lookup (measured with
// perf, ~8% of the engine's start).
import CQuillSys

#if canImport(Glibc)
    import Glibc
#endif

public enum ProcessArguments {
    public static var count: Int {
        Int(quill_argc())
    }

    /// Argument `index` (0 is the program), or nil past the end.
    public static func argument(_ index: Int) -> String? {
        guard index >= 0, index < count, let argv = quill_argv(), let p = argv[index] else { return nil }
        let length = strlen(p)
        return p.withMemoryRebound(to: UInt8.self, capacity: length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
    }
}
