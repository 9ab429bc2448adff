// Baseline for bench/engine-start.sh: a static C program that reads one request and answers it.
#include <string.h>
#include <unistd.h>

int main(void) {
    char buf[4096];
    if (read(0, buf, sizeof buf) <= 0) return 1;
    const char *r = "HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nhello\n";
    write(1, r, strlen(r));
    return 0;
}
