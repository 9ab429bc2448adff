// Test engine: never answers and never exits on its own (warren's timeout must kill it).
#include <unistd.h>

int main(void) {
    for (;;) pause();
}
