// Test engine: writes stderr lines in awkward pieces (a line split over two writes, a line over
// warren's length cap, a forged-looking record, an unterminated last line), then "logged" on fd 1.
#include <string.h>
#include <unistd.h>

static int put(int fd, const char *s) { return write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : 1; }

int main(void) {
    int bad = 0;
    bad |= put(2, "first line\n");
    bad |= put(2, "split ");
    usleep(20000);
    bad |= put(2, "across writes\n");
    char big[10001];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    bad |= put(2, big);
    bad |= put(2, "\n");
    bad |= put(2, "time=forged event=conn exit=0\n");
    bad |= put(2, "no newline at end");
    bad |= put(1, "logged\n");
    return bad;
}
