// Engine stderr over one AF_UNIX datagram socketpair per service: receiving in bulk with each
// datagram's sender pid (SCM_CREDENTIALS). The cmsg macros are not callable from Swift.
#ifndef WARREN_LOGSOCK_H
#define WARREN_LOGSOCK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Most datagrams one warren_recv_datagrams call takes.
#define WARREN_DATAGRAM_BATCH 64

/// One received datagram: its bytes are buffer[offset ..< offset + length].
struct warren_datagram {
    int32_t pid;        // the sender's pid in the receiver's pid namespace; 0 if the kernel gave none
    uint32_t offset;
    uint32_t length;
    int32_t truncated;  // longer than its slot: the rest was discarded by the kernel
    int32_t fds;        // descriptors the sender passed (SCM_RIGHTS) that were closed unread
};

/// socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC) set up for one service's engines: fds[0] receives
/// (non-blocking, SO_PASSCRED, shut for writing), fds[1] is every engine's fd 2 (shut for reading,
/// send buffer `send_buffer` bytes, forced past wmem_max when warren may).
int warren_log_socketpair(int fds[2], int send_buffer);

/// recvmmsg(MSG_DONTWAIT) of at most `count` (<= WARREN_DATAGRAM_BATCH) datagrams, each into its
/// own `slot` bytes of `buffer`. Returns how many were received, 0 when none is queued, -1 on error.
int warren_recv_datagrams(int fd, unsigned char *buffer, size_t slot, struct warren_datagram *out,
                          unsigned int count);

#ifdef __cplusplus
}
#endif

#endif
