/* RequestReadTimeout's arguments and what they make of a read deadline: pure, so that the
 * unit test links it without the module. */
#ifndef REQTIMEOUT_CONF_H
#define REQTIMEOUT_CONF_H

#include <apr_pools.h>
#include <apr_time.h>

#include "kv_http.h"

/** One stage of reading: timeout seconds, raised by MinRate up to max_timeout. */
typedef struct {
    int timeout;     /**< seconds; 0 disables the stage; KV_UNSET_INT: not configured */
    int max_timeout; /**< seconds the rate may raise it to; 0: no maximum */
    int min_rate;    /**< bytes per second that raise the timeout; 0: none */
} reqtimeout_stage_t;

/** A server's RequestReadTimeout. */
typedef struct {
    reqtimeout_stage_t handshake; /**< the TLS handshake (kiva has no TLS yet) */
    reqtimeout_stage_t header;    /**< reading a request head */
    reqtimeout_stage_t body;      /**< reading a request body */
} reqtimeout_conf_t;

/** httpd 2.4's defaults, in force when the module is loaded. */
extern const reqtimeout_conf_t reqtimeout_defaults;

/** Every stage not configured. */
void reqtimeout_conf_init(reqtimeout_conf_t *conf);

/** Each stage of @a add, else of @a base, into @a out. */
void reqtimeout_conf_merge(const reqtimeout_conf_t *base, const reqtimeout_conf_t *add,
                           reqtimeout_conf_t *out);

/** @a stage as configured, else httpd's default @a def. */
const reqtimeout_stage_t *reqtimeout_stage(const reqtimeout_stage_t *stage,
                                           const reqtimeout_stage_t *def);

/**
 * Parse one argument of RequestReadTimeout, with httpd's syntax: `stage=timeout`,
 * `stage=timeout,MinRate=rate` or `stage=timeout-maxtimeout,MinRate=rate`, the stage being
 * handshake, header or body (case-insensitive, as MinRate). A stage given again is replaced.
 * @return NULL, or the reason it is refused (prefixed "RequestReadTimeout: stage=value: "
 *         as httpd words it where the stage is known)
 */
const char *reqtimeout_parse_arg(apr_pool_t *p, const char *arg, reqtimeout_conf_t *conf);

/** The read deadline of @a stage when reading begins at @a now: clear when the stage is
 * disabled. */
void reqtimeout_deadline(const reqtimeout_stage_t *stage, const char *name, apr_time_t now,
                         kv_read_deadline_t *d);

#endif
