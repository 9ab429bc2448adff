// The kernel's audit records, read-only: how warren learns which syscall seccomp killed an engine.
#ifndef WARREN_AUDIT_H
#define WARREN_AUDIT_H

/// Opens a netlink audit socket joined to the read-only log multicast group (needs
/// CAP_AUDIT_READ; does not make warren the audit daemon, does not change any audit setting).
/// Non-blocking, close-on-exec. Returns the fd, or -1 with errno.
int warren_audit_listen(void);

/// The audit message type of a seccomp record (AUDIT_SECCOMP).
#define WARREN_AUDIT_SECCOMP 1326

#endif
