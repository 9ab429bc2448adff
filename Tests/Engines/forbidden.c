// Test engine: writes "before", then makes a syscall no policy of the tests allows (ptrace), so
// seccomp kills it with SIGSYS.
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
    if (write(1, "before\n", 7) != 7) return 1;
    syscall(SYS_ptrace, 0, 0, 0, 0);
    return write(1, "after\n", 6) == 6 ? 0 : 1;
}
