// Dropping warren's own bounding set once, after its sockets are bound: children without a user
// namespace inherit the smaller set and have nothing left to drop per spawn (41 prctl calls, ~47 µs
// each time otherwise), and nothing warren or an engine does can bring the dropped ones back.
#define _GNU_SOURCE
#include "warren_privileges.h"

#include <errno.h>
#include <sys/prctl.h>

int warren_drop_bounding_set(uint64_t keep, int *failed_cap) {
    for (int cap = 0; cap < 64; cap++) {
        if (keep & (1ULL << cap)) continue;
        int in_set = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
        if (in_set < 0) break;  // EINVAL: past the kernel's last capability
        if (in_set == 0) continue;
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
            *failed_cap = cap;
            return -1;
        }
    }
    return 0;
}
