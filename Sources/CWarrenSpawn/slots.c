// A spawn thread's slot fds (child.h): reserved once, the lowest free numbers at the thread's start.
#define _GNU_SOURCE
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

int warren_slots_reserve(struct warren_slots *slots) {
    slots->limit = 0;
    for (int i = 0; i < WARREN_SLOT_COUNT; i++) slots->fds[i] = -1;
    slots->placeholder = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (slots->placeholder < 0) return -errno;
    for (int i = 0; i < WARREN_SLOT_COUNT; i++) {
        // F_DUPFD from 0: the lowest free number, so the child's private table stays small.
        int fd = fcntl(slots->placeholder, F_DUPFD_CLOEXEC, 0);
        if (fd < 0) {
            int err = errno;
            warren_slots_release(slots);
            return -err;
        }
        slots->fds[i] = fd;
        if ((unsigned int)fd + 1 > slots->limit) slots->limit = (unsigned int)fd + 1;
    }
    if ((unsigned int)slots->placeholder + 1 > slots->limit) slots->limit = (unsigned int)slots->placeholder + 1;
    return 0;
}

void warren_slots_release(struct warren_slots *slots) {
    for (int i = 0; i < WARREN_SLOT_COUNT; i++) {
        if (slots->fds[i] >= 0) close(slots->fds[i]);
        slots->fds[i] = -1;
    }
    if (slots->placeholder >= 0) close(slots->placeholder);
    slots->placeholder = -1;
    slots->limit = 0;
}
