/* The run settings kiva -S and -t -D DUMP_RUN_CFG show. Internal to the core. */
#ifndef KV_CONFIG_DUMP_H
#define KV_CONFIG_DUMP_H

#include <stdio.h>

#include "kv_config.h"

/** The lines of httpd's DUMP_RUN_CFG for the configured @a s. */
void kv_dump_run_config(FILE *out, apr_pool_t *p, kv_server_t *s);

#endif
