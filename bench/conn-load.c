// A bounded loopback load client for bench/warren-*.sh: N connections to 127.0.0.1:PORT, C at a
// time, each sending a request head and reading the reply to EOF. Prints answered/failed counts
// and the rate. Usage: conn-load PORT N [C]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char request[] = "GET / HTTP/1.0\r\n\r\n";

static int one(int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return 0;
    struct timeval tv = {20, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    int ok = 0;
    if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        send(fd, request, sizeof request - 1, MSG_NOSIGNAL) == (ssize_t)(sizeof request - 1)) {
        char buf[4096];
        ssize_t n, total = 0;
        while ((n = recv(fd, buf, sizeof buf, 0)) > 0) total += n;
        ok = n == 0 && total > 0;
    }
    close(fd);
    return ok;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: conn-load PORT N [C]\n");
        return 2;
    }
    int port = atoi(argv[1]);
    long n = atol(argv[2]);
    int c = argc > 3 ? atoi(argv[3]) : 1;
    if (c < 1 || c > 512 || n < 1 || n > 1000000) return 2;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    long answered = 0;
    // C worker processes share the work; each reports its count through the exit status pipe.
    int fds[2];
    if (pipe(fds) != 0) return 1;
    for (int w = 0; w < c; w++) {
        if (fork() == 0) {
            long mine = 0;
            for (long i = w; i < n; i += c) mine += one(port);
            if (write(fds[1], &mine, sizeof mine) != sizeof mine) _exit(1);
            _exit(0);
        }
    }
    close(fds[1]);
    long part;
    while (read(fds[0], &part, sizeof part) == sizeof part) answered += part;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("connections=%ld concurrency=%d answered=%ld failed=%ld seconds=%.2f per_second=%.0f\n", n, c,
           answered, n - answered, s, (double)n / s);
    return answered == n ? 0 : 1;
}
