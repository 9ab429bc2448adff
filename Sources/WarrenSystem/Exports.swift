// Warren's syscall layer: swift-system's `FileDescriptor` and `Errno`, plus thin typed wrappers
// (one file per concern) for what swift-system does not cover: epoll, signalfd, timerfd, pidfd,
// waitid, accept4. Every wrapper throws `Errno` and retries EINTR.
@_exported import SystemPackage
