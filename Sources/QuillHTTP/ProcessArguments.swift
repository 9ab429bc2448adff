// The command line, as saved by CQuillSys before main: a static binary's CommandLine.arguments
// reads /proc/self/cmdline, which a sandbox without /proc does not have.
import CQuillSys

#if canImport(Glibc)
    import Glibc
#endif

public enum ProcessArguments {
    public static var all: [String] {
        let argc = Int(quill_argc())
        guard argc > 0, let argv = quill_argv() else { return CommandLine.arguments }
        return (0..<argc).map { i in
            guard let p = argv[i] else { return "" }
            let length = strlen(p)
            return p.withMemoryRebound(to: UInt8.self, capacity: length) {
                String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
            }
        }
    }
}
