import CWarrenSpawn
import Glibc
import WarrenSystem

/// warren's own capabilities.
public enum Privileges {
    /// What warren needs after binding its sockets: build sandboxes (mount, setns, unshare:
    /// SYS_ADMIN, SYS_CHROOT), set the engines' ids and lock their capabilities (SETUID, SETGID,
    /// SETPCAP), signal them (KILL), read engines, binds and policies owned by anyone
    /// (DAC_OVERRIDE, DAC_READ_SEARCH), bind new ports on reload (NET_BIND_SERVICE), read the kernel
    /// log or the audit multicast group for seccomp kills (SYSLOG, AUDIT_READ).
    public static let kept: [Int32] = [
        21,  // CAP_SYS_ADMIN
        18,  // CAP_SYS_CHROOT
        7,  // CAP_SETUID
        6,  // CAP_SETGID
        8,  // CAP_SETPCAP
        5,  // CAP_KILL
        1,  // CAP_DAC_OVERRIDE
        2,  // CAP_DAC_READ_SEARCH
        10,  // CAP_NET_BIND_SERVICE
        34,  // CAP_SYSLOG
        37,  // CAP_AUDIT_READ
    ]

    /// Drops every other capability from warren's bounding set. `warren serve` calls it first,
    /// before loading its config: every later helper and child inherits the smaller set, and plans
    /// built after it have less left to drop per child (binding needs only NET_BIND_SERVICE, kept).
    public static func dropBoundingSet() throws(Errno) {
        var keep: UInt64 = 0
        for cap in kept { keep |= UInt64(1) << UInt64(cap) }
        var failed: Int32 = -1
        guard warren_drop_bounding_set(keep, &failed) == 0 else { throw Errno(rawValue: errno) }
    }
}
