/*
 * libFuzzer target for the CGI response-head parser of mod_cgi (modules/cgi/cgi_headers.c).
 * The input is what a script writes to its stdout. It is fed whole, and again in pieces cut
 * where the input says, as a pipe may deliver it. Besides crashes it aborts when a result
 * breaks a promise: the pieces give the same state, the same fields and the same end of the
 * head as the whole; the head ends after an empty line; no field has a line end in it; and
 * the interpretation of a complete head gives a real status and keeps the framing and the
 * fields it consumes out of the headers for the client.
 */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "cgi/cgi_headers.h"
#include "fuzz_common.h"

/* Feed @a data in pieces of the sizes @a cuts gives (cycled; 0 means the rest); the offset
 * of the first body byte goes to *body_at when the head is complete. */
static cgi_head_state_t feed(cgi_head_t *h, const uint8_t *data, size_t size, const uint8_t *cuts,
                             size_t ncuts, size_t *body_at)
{
    size_t pos = 0, i = 0;

    *body_at = 0;
    while (pos < size && h->state == CGI_HEAD_MORE) {
        size_t n = ncuts ? cuts[i++ % ncuts] : 0;
        apr_size_t used = 0;
        if (n == 0 || n > size - pos) {
            n = size - pos;
        }
        if (cgi_head_feed(h, (const char *)data + pos, n, &used) == CGI_HEAD_MORE) {
            FUZZ_REQUIRE(used == n);
        }
        FUZZ_REQUIRE(used <= n);
        pos += used;
        *body_at = pos;
    }
    return h->state;
}

static void check_fields(const apr_table_t *fields)
{
    const apr_array_header_t *arr = apr_table_elts(fields);

    FUZZ_REQUIRE(arr->nelts <= CGI_HEAD_MAX_FIELDS);
    for (int i = 0; i < arr->nelts; i++) {
        const apr_table_entry_t *e = &APR_ARRAY_IDX(arr, i, apr_table_entry_t);
        FUZZ_REQUIRE(*e->key != '\0' && strpbrk(e->key, ": \t\r\n") == NULL);
        FUZZ_REQUIRE(strchr(e->val, '\n') == NULL);
    }
}

static int same_fields(const apr_table_t *a, const apr_table_t *b)
{
    const apr_array_header_t *x = apr_table_elts(a), *y = apr_table_elts(b);

    if (x->nelts != y->nelts) {
        return 0;
    }
    for (int i = 0; i < x->nelts; i++) {
        const apr_table_entry_t *e = &APR_ARRAY_IDX(x, i, apr_table_entry_t);
        const apr_table_entry_t *f = &APR_ARRAY_IDX(y, i, apr_table_entry_t);
        if (strcmp(e->key, f->key) != 0 || strcmp(e->val, f->val) != 0) {
            return 0;
        }
    }
    return 1;
}

static void check_interpretation(apr_pool_t *p, const apr_table_t *fields)
{
    static const char *const consumed[] = {"Status",         "Location",   "Content-Type",
                                           "Content-Length", "Connection", "Transfer-Encoding",
                                           "Keep-Alive"};
    cgi_response_t resp;

    if (cgi_head_interpret(p, fields, &resp) != NULL) {
        FUZZ_REQUIRE(apr_table_get(fields, "Status") != NULL);
        return;
    }
    FUZZ_REQUIRE(resp.status == 0 || (resp.status >= 100 && resp.status <= 999));
    FUZZ_REQUIRE(!resp.local_redirect || (resp.location && resp.location[0] == '/'));
    if (resp.location && resp.status == 0) {
        FUZZ_REQUIRE(resp.local_redirect);
    }
    for (size_t i = 0; i < sizeof(consumed) / sizeof(consumed[0]); i++) {
        FUZZ_REQUIRE(apr_table_get(resp.headers, consumed[i]) == NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_input_pool();
    cgi_head_t whole, pieces;
    size_t whole_at, pieces_at;
    cgi_head_state_t st;

    cgi_head_init(&whole, p);
    cgi_head_init(&pieces, p);
    st = feed(&whole, data, size, NULL, 0, &whole_at);
    /* The first bytes, read as piece sizes, cut the second feeding. */
    FUZZ_REQUIRE(feed(&pieces, data, size, data, size < 16 ? size : 16, &pieces_at) == st);
    FUZZ_REQUIRE(same_fields(whole.fields, pieces.fields));
    check_fields(whole.fields);
    switch (st) {
    case CGI_HEAD_DONE:
        FUZZ_REQUIRE(whole_at == pieces_at && whole_at >= 1 && data[whole_at - 1] == '\n');
        check_interpretation(p, whole.fields);
        break;
    case CGI_HEAD_BAD:
        FUZZ_REQUIRE(whole.error != NULL && pieces.error != NULL &&
                     strcmp(whole.error, pieces.error) == 0);
        break;
    case CGI_HEAD_MORE:
        FUZZ_REQUIRE(whole_at == size && pieces_at == size);
        break;
    }
    apr_pool_destroy(p);
    return 0;
}
