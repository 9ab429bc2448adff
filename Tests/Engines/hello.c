// Test engine: reads an HTTP request head (or until EOF) from fd 0, answers "hello NAME" on fd 1.
// NAME is argv[1] (default "world"), so a test can tell services apart.
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    char buf[8192];
    size_t used = 0;
    while (used < sizeof buf - 1) {
        ssize_t n = read(0, buf + used, sizeof buf - 1 - used);
        if (n <= 0) break;
        used += (size_t)n;
        buf[used] = 0;
        if (strstr(buf, "\r\n\r\n") || strstr(buf, "\n\n")) break;
    }
    const char *name = argc > 1 ? argv[1] : "world";
    char reply[512];
    size_t len = 0;
    const char *parts[] = {"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nhello ",
                           name, "\n"};
    for (size_t i = 0; i < 3; i++) {
        size_t l = strlen(parts[i]);
        if (len + l >= sizeof reply) return 2;
        memcpy(reply + len, parts[i], l);
        len += l;
    }
    return write(1, reply, len) == (ssize_t)len ? 0 : 1;
}
