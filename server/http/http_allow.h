/* The Allow field and the method check (http_allow.c). Internal to the core. */
#ifndef KV_HTTP_ALLOW_H
#define KV_HTTP_ALLOW_H

#include "kv_http.h"

/** 200 with an empty body: the answer to OPTIONS (its Allow, if any, set before). KV_DONE. */
int kv_send_options(kv_request_t *r);

/** Does TraceEnable let @a r's server answer TRACE? */
typedef int (*kv_trace_query_fn)(const kv_request_t *r);

/** How the Allow field asks TraceEnable, told by the HTTP module when it registers its hooks
 * (until then no Allow lists TRACE). A pointer, not a call, so that the handlers the HTTP
 * module registers (the default handler) do not link back to it. */
void kv_allow_trace_query(kv_trace_query_fn fn);

#endif
