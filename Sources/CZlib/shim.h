#ifndef QUILL_CZLIB_SHIM_H
#define QUILL_CZLIB_SHIM_H
#include <stddef.h>
#include <zlib.h>

// Upper bound of quill_gzip's output: deflate's bound plus the gzip header and trailer.
static inline size_t quill_gzip_bound(size_t length) { return compressBound((uLong)length) + 32; }

// Whole-buffer gzip at the best level. deflateInit2 is a macro Swift cannot call; the header's
// mtime stays 0 so that the same input always gives the same bytes (reproducible builds).
// Returns 0, or a zlib error code.
static inline int quill_gzip(const unsigned char *in, size_t in_len, unsigned char *out, size_t *out_len) {
    z_stream s = {0};
    int rc = deflateInit2(&s, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY);
    if (rc != Z_OK) return rc;
    s.next_in = (unsigned char *)in;
    s.avail_in = (uInt)in_len;
    s.next_out = out;
    s.avail_out = (uInt)*out_len;
    rc = deflate(&s, Z_FINISH);
    *out_len = (size_t)s.total_out;
    deflateEnd(&s);
    if (rc == Z_STREAM_END) return 0;
    return rc == Z_OK ? Z_BUF_ERROR : rc;
}
#endif
