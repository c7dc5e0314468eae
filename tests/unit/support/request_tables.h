/* The tables of a request that unit tests build by hand (no connection, no parser). */
#ifndef KVU_REQUEST_TABLES_H
#define KVU_REQUEST_TABLES_H

#include <apr_tables.h>

#include "kv_http.h"

/** Give @a r empty headers_in, headers_out, err_headers_out, subprocess_env and notes from
 * @a p, as a request read from a client has. */
static inline void kvu_request_tables(kv_request_t *r, apr_pool_t *p)
{
    r->headers_in = apr_table_make(p, 4);
    r->headers_out = apr_table_make(p, 4);
    r->err_headers_out = apr_table_make(p, 4);
    r->subprocess_env = apr_table_make(p, 4);
    r->notes = apr_table_make(p, 4);
}

#endif
