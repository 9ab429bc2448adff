// Test engine: dies of SIGSEGV at once, by a real fault (a write through a null pointer), so that
// no syscall is involved (raise() would need tgkill, which the test policy does not allow).
int main(void) {
    *(volatile int *)0 = 1;
    return 0;
}
