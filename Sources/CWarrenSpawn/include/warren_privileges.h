// warren's own privileges (not the child's): prctl is variadic, so Swift calls it through here.
#ifndef WARREN_PRIVILEGES_H
#define WARREN_PRIVILEGES_H

#include <stdint.h>

/// Drops from the calling process's bounding set every capability not in `keep` (bit N = cap N).
/// Returns 0, or -1 with errno (and `*failed_cap` set) on the first failure.
int warren_drop_bounding_set(uint64_t keep, int *failed_cap);

#endif
