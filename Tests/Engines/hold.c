// Test engine: writes "started" at once, then holds its slot until the client closes (EOF on fd 0).
#include <unistd.h>

int main(void) {
    if (write(1, "started\n", 8) != 8) return 1;
    char buf[256];
    while (read(0, buf, sizeof buf) > 0) {
    }
    return 0;
}
