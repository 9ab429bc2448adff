#ifndef QUILL_CBROTLI_SHIM_H
#define QUILL_CBROTLI_SHIM_H
#include <brotli/encode.h>
#include <stddef.h>
#include <stdint.h>

static inline size_t quill_brotli_bound(size_t length) {
    size_t bound = BrotliEncoderMaxCompressedSize(length);
    return bound == 0 ? length + 1024 : bound;
}

// Whole-buffer Brotli in text mode at the given quality (0-11). Returns 0, or -1 on failure.
// The window is sized to the input: the default 4 MiB window makes the encoder allocate and zero
// megabytes of tables per call, which dominated build time for pages of a few kilobytes.
static inline int quill_brotli(const uint8_t *in, size_t in_len, uint8_t *out, size_t *out_len, int quality) {
    int lgwin = BROTLI_MIN_WINDOW_BITS;
    while (lgwin < BROTLI_DEFAULT_WINDOW && ((size_t)1 << lgwin) - 16 < in_len) lgwin++;
    return BrotliEncoderCompress(quality, lgwin, BROTLI_MODE_TEXT, in_len, in, out_len, out) ? 0 : -1;
}
#endif
