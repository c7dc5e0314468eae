/* What every libFuzzer target of tests/fuzz shares: a pool per input, a check that aborts
 * when the code under test breaks a promise, and a request to evaluate things against. */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include <apr_pools.h>

#include "kv_http.h"

/** libFuzzer's entry point, which each target defines. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/** Abort, naming the broken promise, unless @a cond holds. */
#define FUZZ_REQUIRE(cond) ((cond) ? (void)0 : fuzz_broken(#cond, __FILE__, __LINE__))

/** Report the promise @a what (at @a file:@a line) as broken, where the sanitizers report,
 * and abort so that libFuzzer keeps the input. */
_Noreturn void fuzz_broken(const char *what, const char *file, int line);

/** A new pool for one input; the caller destroys it before returning, so that nothing the
 * code under test allocates outlives the input. APR is initialised on the first call. */
apr_pool_t *fuzz_input_pool(void);

/** The pool that lives as long as the process (set-up done once). */
apr_pool_t *fuzz_process_pool(void);

/** Split the input at its first NUL byte into two strings, allocated from @a p; *second is
 * "" when there is no NUL. Bytes after a second NUL are part of *second's tail and ignored
 * by C string functions, as the server would see them. */
void fuzz_split(apr_pool_t *p, const uint8_t *data, size_t size, const char **first,
                const char **second);

/** A request on a connection from 192.0.2.7:52000 to 127.0.0.1:8080, allocated from @a p,
 * whose client-controlled fields (request line, path, query, user, Host, Cookie and other
 * request fields, notes, environment) all carry @a value, so that what is evaluated or logged
 * meets the input. @a value may be anything without a NUL. */
kv_request_t *fuzz_make_request(apr_pool_t *p, const char *value);

#endif
