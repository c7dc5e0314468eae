/* The network filter at the end of every output chain, and write completion
 * (core_output_filter.c). Internal to the core. */
#ifndef KV_CORE_OUTPUT_FILTER_H
#define KV_CORE_OUTPUT_FILTER_H

#include "kv_http.h"

/** The network filter: writes brigades to the socket with writev and sendfile. */
apr_status_t kv_core_output_filter(kv_filter_t *f, apr_bucket_brigade *bb);

/** Write completion: write what waits in c->pending without blocking; APR_EAGAIN while some
 * is left, another error once the write failed (the connection is then aborted). */
apr_status_t kv_conn_write_pending(kv_conn_t *c);

#endif
