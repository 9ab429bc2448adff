// clone3 with a caller-given stack, for CLONE_VM children. glibc 2.36 has no public clone3, and
// the raw syscall cannot be called from C when the child gets a new stack: the child returns
// from the syscall on that stack with no frame to return into. So this is the whole call in
// assembly, after glibc's own internal __clone3: the child calls fn(arg) on its stack and never
// returns (fn ends in execve or exit_group; exit 127 is a guard). clone3 and not clone(2):
// CLONE_INTO_CGROUP (a cgroup fd in the args) exists only in clone3.
#define _GNU_SOURCE
#include "child.h"

#include <sys/syscall.h>

#if defined(__x86_64__)
// Registers: rdi = args, rsi = size, rdx = fn, rcx = arg. The syscall clobbers rcx and r11 only,
// so arg moves to r8; rdx (fn) survives, and the child starts with the parent's registers.
__asm__(".text\n"
        ".globl warren_clone3_vm\n"
        ".hidden warren_clone3_vm\n"
        ".type warren_clone3_vm, @function\n"
        "warren_clone3_vm:\n"
        "    mov %rcx, %r8\n"
        "    mov $435, %eax\n"  // SYS_clone3
        "    syscall\n"
        "    test %rax, %rax\n"
        "    jz 1f\n"
        "    ret\n"  // parent: the pid, or -errno
        "1:  xor %ebp, %ebp\n"  // outermost frame
        "    and $-16, %rsp\n"
        "    mov %r8, %rdi\n"
        "    call *%rdx\n"
        "    mov $127, %edi\n"
        "    mov $231, %eax\n"  // SYS_exit_group
        "    syscall\n"
        "    hlt\n"
        ".size warren_clone3_vm, .-warren_clone3_vm\n");
_Static_assert(SYS_clone3 == 435 && SYS_exit_group == 231, "x86_64 syscall numbers");
#else
#error "warren_clone3_vm: only x86_64 has the clone3 trampoline (clone_vm.c)"
#endif
