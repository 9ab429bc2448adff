// Engine stderr socketpair: creation and bulk receive with sender credentials.
#define _GNU_SOURCE
#include "warren_logsock.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int warren_log_socketpair(int fds[2], int send_buffer) {
    if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, fds) != 0) return -1;
    int one = 1;
    int ok = setsockopt(fds[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof one) == 0;
    // SO_SNDBUFFORCE needs CAP_NET_ADMIN; without it the kernel caps SO_SNDBUF at wmem_max.
    if (ok && setsockopt(fds[1], SOL_SOCKET, SO_SNDBUFFORCE, &send_buffer, sizeof send_buffer) != 0)
        ok = setsockopt(fds[1], SOL_SOCKET, SO_SNDBUF, &send_buffer, sizeof send_buffer) == 0;
    ok = ok && shutdown(fds[0], SHUT_WR) == 0 && shutdown(fds[1], SHUT_RD) == 0;
    int flags = ok ? fcntl(fds[0], F_GETFL) : -1;
    ok = ok && flags >= 0 && fcntl(fds[0], F_SETFL, flags | O_NONBLOCK) == 0;
    if (!ok) {
        int saved = errno;
        close(fds[0]);
        close(fds[1]);
        errno = saved;
        return -1;
    }
    return 0;
}

// Room for the credentials and a few passed fds: anything that does not fit is closed by the
// kernel (MSG_CTRUNC), what fits is closed below, so an engine can never plant fds in warren.
#define CONTROL_BYTES (CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(8 * sizeof(int)))

int warren_recv_datagrams(int fd, unsigned char *buffer, size_t slot, struct warren_datagram *out,
                          unsigned int count) {
    if (count > WARREN_DATAGRAM_BATCH) count = WARREN_DATAGRAM_BATCH;
    struct mmsghdr messages[WARREN_DATAGRAM_BATCH];
    struct iovec vectors[WARREN_DATAGRAM_BATCH];
    union {
        struct cmsghdr align;
        unsigned char bytes[CONTROL_BYTES];
    } control[WARREN_DATAGRAM_BATCH];
    memset(messages, 0, sizeof(struct mmsghdr) * count);
    for (unsigned int i = 0; i < count; i++) {
        vectors[i].iov_base = buffer + i * slot;
        vectors[i].iov_len = slot;
        messages[i].msg_hdr.msg_iov = &vectors[i];
        messages[i].msg_hdr.msg_iovlen = 1;
        messages[i].msg_hdr.msg_control = control[i].bytes;
        messages[i].msg_hdr.msg_controllen = sizeof control[i].bytes;
    }
    int n;
    do {
        n = recvmmsg(fd, messages, count, MSG_DONTWAIT | MSG_CMSG_CLOEXEC, NULL);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
    for (int i = 0; i < n; i++) {
        struct msghdr *header = &messages[i].msg_hdr;
        out[i].pid = 0;
        out[i].offset = (uint32_t)(i * slot);
        out[i].length = messages[i].msg_len > slot ? (uint32_t)slot : messages[i].msg_len;
        out[i].truncated = (header->msg_flags & MSG_TRUNC) != 0;
        out[i].fds = (header->msg_flags & MSG_CTRUNC) != 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(header); c != NULL; c = CMSG_NXTHDR(header, c)) {
            if (c->cmsg_level != SOL_SOCKET) continue;
            if (c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
                struct ucred credentials;
                memcpy(&credentials, CMSG_DATA(c), sizeof credentials);
                out[i].pid = credentials.pid;
            } else if (c->cmsg_type == SCM_RIGHTS) {
                size_t passed = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (size_t k = 0; k < passed; k++) {
                    int received;
                    memcpy(&received, CMSG_DATA(c) + k * sizeof(int), sizeof received);
                    close(received);
                }
                out[i].fds += (int32_t)passed;
            }
        }
    }
    return n;
}
