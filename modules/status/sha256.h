/* SHA-256 (FIPS 180-4): APR-util has SHA-1 and MD5 only, and the configuration's
 * fingerprint must be SHA-256 to match what `sha256sum` prints. */
#ifndef STATUS_SHA256_H
#define STATUS_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define STATUS_SHA256_LEN 32

typedef struct {
    uint32_t h[8];
    uint64_t length;         /* bytes fed so far */
    unsigned char block[64]; /* bytes waiting for a full block */
    size_t used;
} status_sha256_t;

void status_sha256_init(status_sha256_t *ctx);
void status_sha256_update(status_sha256_t *ctx, const void *data, size_t len);
void status_sha256_final(status_sha256_t *ctx, unsigned char out[STATUS_SHA256_LEN]);

/** The digest as 64 lower-case hex digits and a NUL into @a hex. */
void status_sha256_hex(const unsigned char digest[STATUS_SHA256_LEN], char hex[65]);

#endif
