// Test engine: on its stderr socket, tries to pass itself off as another process (SCM_CREDENTIALS
// naming pid 2 of its pid namespace), sends a line with its own credentials, and one carrying a
// descriptor (SCM_RIGHTS); then reports each sendmsg's errno on fd 1: "forged=N own=N rights=N".
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int send_with(int type, const void *data, size_t size, const char *text) {
    union {
        struct cmsghdr align;
        char bytes[CMSG_SPACE(sizeof(struct ucred))];
    } control;
    memset(&control, 0, sizeof control);
    struct iovec vector = {.iov_base = (void *)text, .iov_len = strlen(text)};
    struct msghdr message = {
        .msg_iov = &vector, .msg_iovlen = 1, .msg_control = control.bytes,
        .msg_controllen = CMSG_SPACE(size)};
    struct cmsghdr *header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = type;
    header->cmsg_len = CMSG_LEN(size);
    memcpy(CMSG_DATA(header), data, size);
    return sendmsg(2, &message, 0) < 0 ? errno : 0;
}

int main(void) {
    // Root inside its user namespace (0 maps to the policy's uid outside), pid 1 in its own.
    struct ucred forged = {.pid = 2, .uid = 0, .gid = 0};
    struct ucred own = {.pid = 1, .uid = 0, .gid = 0};
    int socket_fd = 0;
    int e1 = send_with(SCM_CREDENTIALS, &forged, sizeof forged, "forged\n");
    int e2 = send_with(SCM_CREDENTIALS, &own, sizeof own, "own credentials\n");
    int e3 = send_with(SCM_RIGHTS, &socket_fd, sizeof socket_fd, "with a descriptor\n");
    char out[64];
    int n = snprintf(out, sizeof out, "forged=%d own=%d rights=%d\n", e1, e2, e3);
    return write(1, out, (size_t)n) == n ? 0 : 1;
}
