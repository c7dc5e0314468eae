/* mod_status's pages as pure functions of a snapshot of the scoreboard, so unit tests can
 * check every format without a server. */
#ifndef STATUS_FORMAT_H
#define STATUS_FORMAT_H

#include <apr_buckets.h>
#include <apr_time.h>

#include "kv_scoreboard.h"

/** One worker slot as copied from the scoreboard. */
typedef struct {
    pid_t pid;                  /* of its process, 0 if none or not yet recorded */
    int generation;             /* of its process */
    kv_sb_status_t status;      /* KV_SB_DEAD for an open slot */
    unsigned long access_count; /* requests it served */
    apr_off_t bytes_served;     /* body bytes it sent */
    const char *client;         /* client of its last request */
    const char *request;        /* its last request line */
} status_worker_t;

/** Everything a page shows. */
typedef struct {
    const char *host;                            /* server name */
    const char *version;                         /* "kiva/1.0 (Unix)" */
    const char *mpm;                             /* "prefork" */
    const char *built;                           /* build date */
    apr_time_t now;                              /* when the snapshot was taken */
    apr_time_t restart_time;                     /* when the running generation began */
    apr_time_t start_time;                       /* when the parent started */
    int generation;                              /* configuration generation, 1 for the first */
    unsigned long restarts[KV_SB_RESTART_KINDS]; /* by kind */
    const char *config_sha256;      /* the configuration's fingerprint, "" if unknown */
    unsigned long retired_accesses; /* requests of workers whose slots were reused */
    apr_off_t retired_bytes;        /* their body bytes */
    int extended;                   /* ExtendedStatus: totals and the per-worker table */
    int nworkers;
    const status_worker_t *workers;
    int async;                      /* the MPM holds waiting connections itself (event) */
    int conns_total;                /* async: open connections of all processes */
    int conns_keepalive;            /* async: of which waiting for their next request */
    int conns_writing;              /* async: of which waiting to write a response's end */
    int conns_closing;              /* async: of which in a lingering close */
} status_snapshot_t;

/** Sums over the workers. */
typedef struct {
    unsigned long accesses;
    apr_off_t bytes;
    int busy;                          /* serving a connection or finishing */
    int idle;                          /* ready for a connection */
    int by_status[KV_SB_GRACEFUL + 1]; /* workers in each state */
} status_totals_t;

/** Add up the workers of @a snap, retired ones included. */
void status_totals(const status_snapshot_t *snap, status_totals_t *t);

/** The scoreboard key character of a state ('_', 'S', 'R', ...; '.' for an open slot). */
char status_key_char(kv_sb_status_t status);

/** Seconds the running generation has served, never negative. */
long status_uptime(const status_snapshot_t *snap);

/** A page of @a snap into @a bb, scratch from @a p. */
typedef void (*status_formatter_t)(const status_snapshot_t *snap, apr_pool_t *p,
                                   apr_bucket_brigade *bb);

/** The HTML page, every value escaped; into @a bb. */
void status_format_html(const status_snapshot_t *snap, apr_pool_t *p, apr_bucket_brigade *bb);

/** httpd's `?auto` machine-readable lines. */
void status_format_auto(const status_snapshot_t *snap, apr_pool_t *p, apr_bucket_brigade *bb);

/** Prometheus text exposition format 0.0.4. */
void status_format_prometheus(const status_snapshot_t *snap, apr_pool_t *p, apr_bucket_brigade *bb);

#endif
