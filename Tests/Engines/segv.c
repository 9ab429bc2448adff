// Test engine: dies of SIGSEGV at once.
#include <signal.h>

int main(void) {
    raise(SIGSEGV);
    return 0;
}
