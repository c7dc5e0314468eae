/* What the MPM modules share in the parent: the loop that waits, reaps and keeps the
 * children once a second, and the ending of a generation by signal. Compiled into each MPM
 * module. */
#ifndef KV_MPM_PARENT_H
#define KV_MPM_PARENT_H

#include "kv_http.h"
#include "kv_mpm_common.h"

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
