import Glibc

/// Runs a syscall wrapper that returns -1 and sets errno on failure, retrying EINTR.
@inline(__always)
func retryOnInterrupt<T: FixedWidthInteger>(_ call: () -> T) throws(Errno) -> T {
    while true {
        let result = call()
        if result != -1 { return result }
        let error = Errno(rawValue: errno)
        if error != .interrupted { throw error }
    }
}
