/*
 * libFuzzer target for mod_socache_shmcb's store (modules/socache_shmcb/shmcb_store.c), which
 * holds the TLS session cache's records, and its argument's parser (shmcb_arg.c). An input
 * starting with 'A' is SSLSessionCache's text after "shmcb:"; any other is a program for a
 * small store: each op is a byte (store, retrieve, remove, or let time pass) and its operands.
 * Besides crashes and out-of-bounds accesses it aborts when a promise breaks: an object just
 * stored comes back byte for byte (replacing what its id had), one stored expired or removed
 * never does, and the store never holds more objects than fit.
 */
#include <string.h>

#include <apr_strings.h>

#include "fuzz_common.h"
#include "socache_shmcb/shmcb_store.h"

#define STORE_SIZE (3 * SHMCB_MIN_SIZE)
#define MAX_OBJECT 1200

/* The next input byte, or 0 at the end. */
static unsigned next(const uint8_t **data, size_t *size)
{
    unsigned b = 0;

    if (*size) {
        b = **data;
        (*data)++;
        (*size)--;
    }
    return b;
}

static void fuzz_arg(apr_pool_t *p, const uint8_t *data, size_t size)
{
    const char *arg = apr_pstrmemdup(p, (const char *)data, size), *path;
    apr_size_t bytes;

    if (!shmcb_parse_arg(p, arg, &path, &bytes)) {
        FUZZ_REQUIRE(bytes == 512 * 1024 || (bytes >= SHMCB_MIN_SIZE && bytes < SHMCB_MAX_SIZE));
        /* The path is what comes before the last "(", as httpd cuts it. */
        FUZZ_REQUIRE(!path || strncmp(arg, path, strlen(path)) == 0);
        FUZZ_REQUIRE(bytes == 512 * 1024 || arg[strlen(arg) - 1] == ')');
    }
}

static void fuzz_store(apr_pool_t *p, const uint8_t *data, size_t size)
{
    shmcb_t *c = shmcb_init(apr_palloc(p, STORE_SIZE), STORE_SIZE, 16, 100);
    unsigned char *object = apr_palloc(p, MAX_OBJECT), *back = apr_palloc(p, MAX_OBJECT);
    apr_time_t now = apr_time_from_sec(1000);

    FUZZ_REQUIRE(c != NULL);
    while (size) {
        unsigned op = next(&data, &size) % 4;
        /* Ids from a small set, so that stores replace and removes find. */
        unsigned char id[3] = {'k', (unsigned char)('0' + next(&data, &size) % 8), 's'};
        unsigned int idlen = 1 + next(&data, &size) % 3, len;
        apr_status_t rv, got;

        if (op == 0) {
            unsigned int datalen = (next(&data, &size) * 5) % MAX_OBJECT;
            apr_time_t expiry = now + apr_time_from_sec(next(&data, &size) % 16);

            for (unsigned int i = 0; i < datalen; i++) {
                object[i] = (unsigned char)(i * 31 + datalen);
            }
            rv = shmcb_store(c, id, idlen, object, datalen, expiry, now);
            FUZZ_REQUIRE(rv == APR_SUCCESS || rv == APR_ENOSPC);
            len = MAX_OBJECT;
            got = shmcb_retrieve(c, id, idlen, back, &len, now);
            /* A refused store leaves what the id had; a stored one replaces it. */
            if (rv == APR_SUCCESS && expiry > now) {
                FUZZ_REQUIRE(got == APR_SUCCESS && len == datalen &&
                             memcmp(back, object, len) == 0);
            } else if (rv == APR_SUCCESS) {
                FUZZ_REQUIRE(got == APR_NOTFOUND);
            }
        } else if (op == 1) {
            len = MAX_OBJECT;
            rv = shmcb_retrieve(c, id, idlen, back, &len, now);
            FUZZ_REQUIRE(rv == APR_SUCCESS || rv == APR_NOTFOUND);
            FUZZ_REQUIRE(rv != APR_SUCCESS || len < MAX_OBJECT);
        } else if (op == 2) {
            shmcb_remove(c, id, idlen);
            len = MAX_OBJECT;
            FUZZ_REQUIRE(shmcb_retrieve(c, id, idlen, back, &len, now) == APR_NOTFOUND);
        } else {
            now += apr_time_from_sec(next(&data, &size) % 8);
        }
        FUZZ_REQUIRE(shmcb_count(c) <= STORE_SIZE / 24);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_input_pool();

    if (size && data[0] == 'A') {
        fuzz_arg(p, data + 1, size - 1);
    } else {
        fuzz_store(p, data, size);
    }
    apr_pool_destroy(p);
    return 0;
}
