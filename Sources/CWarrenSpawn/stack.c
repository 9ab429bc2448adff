// Stacks for CLONE_VM children: each child runs on one of these, never on its caller's stack
// (which the caller still owns, asleep, until the child's execve).
#define _GNU_SOURCE
#include "child.h"

#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

// The child's path (warren_child) needs a few KB; 64 KB leaves a wide margin, and the guard page
// turns an overflow into a fault instead of silent damage to warren's memory.
#define CHILD_STACK_SIZE (64 * 1024)

int warren_stack_map(struct warren_stack *stack) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t mapped = CHILD_STACK_SIZE + page;
    void *base = mmap(NULL, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (base == MAP_FAILED) return -errno;
    if (mprotect(base, page, PROT_NONE) != 0) {
        int err = errno;
        munmap(base, mapped);
        return -err;
    }
    stack->base = base;
    stack->mapped = mapped;
    stack->low = (char *)base + page;
    stack->size = CHILD_STACK_SIZE;
    return 0;
}

void warren_stack_unmap(struct warren_stack *stack) {
    if (stack->base) munmap(stack->base, stack->mapped);
    stack->base = NULL;
}
