// Test engine: writes "begin", waits argv[1] milliseconds (default 1500), then writes "end": an
// in-flight response for the shutdown drain test.
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    long ms = argc > 1 ? atol(argv[1]) : 1500;
    if (write(1, "begin\n", 6) != 6) return 1;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
    return write(1, "end\n", 4) == 4 ? 0 : 1;
}
