// Test engine speaking the prespawn handoff protocol (docs/engine-protocol.md). With
// WARREN_HANDOFF_FD set it reports "waiting start=NS" on fd 2 (NS: CLOCK_MONOTONIC at its start,
// which a test compares with the moment it connected), waits for one connection, applies the
// environment it came with, and writes "start=NS handed=NS" and its environment, one entry a line,
// to the connection. End of file on the handoff socket: "handoff: eof" on fd 2, exit 0.
// Without the variable it serves fd 0/1 at once, the same way (the fallback spawn).
// argv[1] == "crash": fault while waiting (a waiter that always dies; plain spawns still serve).
// argv[1] == "close": close the handoff socket and wait for a signal (warren's send then fails).
// argv[1] == "hold": after the handoff, say "handoff: got connection" on fd 2 and read the
// connection to end of file before replying (a connection that stays open as long as the client
// wants).
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static unsigned long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
}

static void say(int fd, const char *text) {
    size_t len = strlen(text);
    if (write(fd, text, len) != (ssize_t)len) exit(1);
}

int main(int argc, char **argv) {
    unsigned long long start = now_ns(), handed = 0;
    const char *n = getenv("WARREN_HANDOFF_FD");
    char line[256];
    if (n) {
        int hfd = atoi(n);
        snprintf(line, sizeof line, "waiting start=%llu\n", start);
        say(2, line);
        if (argc > 1 && strcmp(argv[1], "crash") == 0) *(volatile int *)0 = 1;
        if (argc > 1 && strcmp(argv[1], "close") == 0) {
            close(hfd);
            say(2, "handoff: closed\n");
            pause();
        }
        static char data[4097];
        union {
            struct cmsghdr h;
            char b[CMSG_SPACE(sizeof(int))];
        } ctl;
        struct iovec iov = {data, sizeof data - 1};
        struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof ctl.b};
        ssize_t r;
        do r = recvmsg(hfd, &m, MSG_CMSG_CLOEXEC);
        while (r < 0 && errno == EINTR);
        if (r < 0) {
            say(2, "handoff: recvmsg failed\n");
            return 71;
        }
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        if (!c) {
            say(2, r == 0 ? "handoff: eof\n" : "handoff: no fd\n");
            return 0;
        }
        if ((m.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || c->cmsg_type != SCM_RIGHTS ||
            (r > 0 && data[r - 1] != 0)) {
            say(2, "handoff: malformed message\n");
            return 71;
        }
        handed = now_ns();
        int fd;
        memcpy(&fd, CMSG_DATA(c), sizeof fd);
        for (char *entry = data, *next; entry < data + r; entry = next) {
            next = entry + strlen(entry) + 1;
            char *eq = strchr(entry, '=');
            if (!eq || eq == entry) return 71;
            *eq = 0;
            setenv(entry, eq + 1, 1);
        }
        unsetenv("WARREN_HANDOFF_FD");
        close(hfd);
        if (dup2(fd, 0) < 0 || dup2(fd, 1) < 0) return 71;
        if (fd > 1) close(fd);
        if (argc > 1 && strcmp(argv[1], "hold") == 0) {
            say(2, "handoff: got connection\n");
            char buf[256];
            while (read(0, buf, sizeof buf) > 0) {
            }
        }
    }
    snprintf(line, sizeof line, "start=%llu handed=%llu\n", start, handed);
    say(1, line);
    for (char **e = environ; *e; e++) {
        say(1, *e);
        say(1, "\n");
    }
    return 0;
}
