import CWarrenSpawn

/// Symbolic names for log records: "SIGSEGV", "ENOENT".
public enum SymbolicName {
    public static func signal(_ number: Int32) -> String {
        guard let abbrev = warren_signal_abbrev(number) else { return "SIG\(number)" }
        return "SIG" + String(cString: abbrev)
    }

    public static func errno(_ error: Errno) -> String {
        guard let name = warren_errno_name(error.rawValue) else { return "E\(error.rawValue)" }
        return String(cString: name)
    }
}
