// Test engine: writes its whole environment to fd 1, one NAME=value per line.
#include <string.h>
#include <unistd.h>

extern char **environ;

int main(void) {
    for (char **e = environ; *e; e++) {
        if (write(1, *e, strlen(*e)) < 0 || write(1, "\n", 1) < 0) return 1;
    }
    return 0;
}
