/* What the MPM modules share in the parent: the loop that waits, reaps and keeps the
 * children once a second, and the ending of a generation by signal. Compiled into each MPM
 * module. */
#ifndef KV_MPM_PARENT_H
#define KV_MPM_PARENT_H

#include <apr_proc_mutex.h>

#include "kv_http.h"
#include "kv_mpm_common.h"

/** How long a parent starts no child after one could not start at all or fork failed. */
#define KV_MPM_HOLDOFF apr_time_from_sec(10)

/** What a parent knows to decide whether to replace a child that died. */
typedef struct {
    int generation;           /**< the running generation */
    int respawned;            /**< children replaced since the last maintenance */
    apr_time_t holdoff_until; /**< start no child before this */
} kv_mpm_respawn_t;

/** Start no child for KV_MPM_HOLDOFF. */
void kv_mpm_hold_off(kv_mpm_respawn_t *r);

/** Non-zero while no child is to be started. */
int kv_mpm_holding_off(const kv_mpm_respawn_t *r);

/** Forking a child failed with @a rv: log it and start no child for KV_MPM_HOLDOFF. */
void kv_mpm_fork_failed(kv_server_t *s, apr_status_t rv, kv_mpm_respawn_t *r);

/** One warning an MPM logs when it brings a limit into range, as httpd does: the fix bit
 * it stands for and the message, with up to four int arguments (unused ones ignored). */
typedef struct {
    unsigned bit;
    const char *fmt;
    int a, b, c, d;
} kv_mpm_fix_warning_t;

/** Log, as module @a module, every warning of @a w[0..n) whose bit is in @a fixed. */
void kv_mpm_warn_fixes(const char *module, kv_server_t *s, const kv_mpm_fix_warning_t *w,
                       size_t n, unsigned fixed);

/** A child ended (as kv_mpm_reaped_fn tells): replace the one in @a slot now? Only a child
 * of the running generation that ended without being asked (it crashed, or served
 * MaxConnectionsPerChild connections), in a slot below @a slot_limit, at most @a max_rate
 * a second, so that a child that dies at once cannot make the parent spin; counted in
 * r->respawned. One that could not start at all holds starting off instead. */
int kv_mpm_respawn_wanted(kv_mpm_respawn_t *r, int slot, const kv_sb_process_t *was,
                          apr_exit_why_e why, int code, int slot_limit, int max_rate);

/** The scoreboard holds this many times ServerLimit process slots: the extra ones take the
 * children of old generations that still finish connections after a graceful restart, so
 * that they never keep the new generation from starting its children. */
#define KV_MPM_DRAIN_HEADROOM 2

/** How many more children generation @a generation may start: @a max_children less those
 * it has (old ones still draining do not count), and no more than the free process slots
 * of the whole scoreboard. */
int kv_mpm_room_for_children(int generation, int max_children);

/** Create the scoreboard of MPM @a mpm (or keep the one an earlier generation of it made):
 * *server_limit processes, times KV_MPM_DRAIN_HEADROOM for draining children, of
 * *thread_limit workers each. Its limits stay the first generation's for the life of the
 * parent: a restart that asks for others gets httpd's warnings, the kept values in
 * *server_limit and *thread_limit, and *kept set to 1, so that the MPM brings its other
 * limits into range again. Logs and returns the error of creating it. */
apr_status_t kv_mpm_setup_scoreboard(kv_server_t *s, const char *mpm, int *server_limit,
                                     int *thread_limit, int *kept);

/** Log once (the first time, then *reported is set) httpd's error that MaxRequestWorkers
 * held a connection back. */
void kv_mpm_report_max_workers(kv_server_t *s, int *reported);

/** What an MPM answers to the capability queries of kv_mpm_query. */
typedef struct {
    int threaded, forked, async;
    int max_daemons, max_threads, max_workers;
} kv_mpm_caps_t;

/** Answer @a query from @a caps, as an mpm_query hook returns. */
int kv_mpm_answer_query(const kv_mpm_caps_t *caps, int query, int *result);

/** Before a generation's parent serves: there must be listeners, and it takes the
 * parent's signals. Logs and returns an error if it cannot serve. */
apr_status_t kv_mpm_parent_prepare(kv_server_t *s);

/** The mutex that serialises accept across children when there are several listeners
 * (*mutex NULL for one), in @a pconf. Logs and returns the error of creating it. */
apr_status_t kv_mpm_create_accept_mutex(kv_server_t *s, apr_pool_t *pconf,
                                        apr_proc_mutex_t **mutex);

/** Called once a second to keep the right number of children. */
typedef void (*kv_mpm_maintain_fn)(void *baton);

/** Serve as a parent until a signal ends the generation: wait for events, reap children
 * (calling @a reaped), run @a maintain once a second. Returns what the signal asks for, a
 * kv_mpm_result_t, once kv_mpm_end_generation has acted on it. */
int kv_mpm_parent_loop(kv_server_t *s, kv_mpm_maintain_fn maintain, kv_mpm_reaped_fn reaped,
                       void *baton);

/** Act on the signal that ends this generation as httpd does (stop or restart: children
 * stopped at once; graceful restart: told to finish; graceful stop: listeners closed and
 * children waited for up to GracefulShutdownTimeout). Returns @a result. */
int kv_mpm_end_generation(kv_server_t *s, int result);

#endif
