// libcrypto's SHA-256 (Debian libssl-dev): its assembly (AVX2 here, SHA-NI where the CPU has it)
// hashes a block ~2.5x faster than Swift code. The one-shot SHA256_* calls on a plain context
// struct are deprecated in OpenSSL 3 in favour of EVP, whose per-digest context allocation and
// method fetch would cost more than hashing a page key.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/sha.h>
