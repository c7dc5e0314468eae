/* What the threaded MPMs (worker and event) share: their directives, httpd's defaults and
 * consistency rules, the parent that keeps whole children to hold the idle threads between
 * the spare bounds, and the signal mask of worker threads. Each MPM brings the serving side
 * of a child, in a descriptor that extends the frame's (frame.h). */
#ifndef KV_MPM_THREADED_H
#define KV_MPM_THREADED_H

#include <signal.h>

#include <apr_proc_mutex.h>

#include "frame.h"
#include "policy/threaded_limits.h"

/** The limits as configured and in force. A threaded MPM's server config starts with it. */
typedef struct {
    kv_mpm_conf_t head;
    worker_limits_t set; /**< as configured: KV_UNSET_INT where not given */
    worker_limits_t run; /**< in force: defaults applied and brought into range */
} threaded_conf_t;

/** What a child's serving side is given. */
typedef struct {
    kv_server_t *s;
    apr_pool_t *pconf;
    apr_proc_mutex_t *mutex; /**< serialises accept over several listeners, else NULL */
    int slot;                /**< process slot */
    int threads;             /**< ThreadsPerChild */
} threaded_child_t;

/** One threaded MPM. */
typedef struct {
    kv_mpm_t mpm; /**< first: the frame's descriptor (THREADED_MPM fills it) */
    int is_async; /**< answer to KV_MPMQ_IS_ASYNC */
    /** Serve as the child @a ch until told to stop; ends the process. */
    void (*child_main)(const threaded_child_t *ch) __attribute__((noreturn));
    /** -X: serve in the parent until a signal; returns the kv_mpm_result_t it asks for. */
    int (*serve_one_process)(apr_pool_t *pconf, kv_server_t *s, int threads);
} threaded_mpm_t;

/** The frame's part of threaded MPM NAME ("worker"), whose server config is CONF, created
 * by INIT (threaded_init_conf, or one that calls it). */
#define THREADED_MPM(NAME, CONF, INIT)                                                             \
    {                                                                                              \
        .name = (NAME), .conf_size = sizeof(CONF),                                                 \
        .server_limit_at = offsetof(threaded_conf_t, run.server_limit),                            \
        .thread_limit_at = offsetof(threaded_conf_t, run.thread_limit), .init_conf = (INIT),       \
        .apply_defaults = threaded_apply_defaults, .fix_limits = threaded_fix_limits,              \
        .caps = threaded_caps, .parent = threaded_parent, .one_process = threaded_one_process      \
    }

/** The directives every threaded MPM has, for its command table. */
#define THREADED_INT(name, field, help) KV_MPM_INT(name, threaded_conf_t, set.field, help)
#define THREADED_COMMANDS                                                                          \
    THREADED_INT("StartServers", start_servers, "StartServers N: children started at startup"),    \
        THREADED_INT("ServerLimit", server_limit,                                                  \
                     "ServerLimit N: most children for the life of the server"),                   \
        THREADED_INT("ThreadsPerChild", threads_per_child,                                         \
                     "ThreadsPerChild N: worker threads in each child"),                           \
        THREADED_INT("ThreadLimit", thread_limit,                                                  \
                     "ThreadLimit N: upper bound of ThreadsPerChild for the life of the server"),  \
        THREADED_INT("MaxRequestWorkers", max_workers,                                             \
                     "MaxRequestWorkers N: most threads serving at once"),                         \
        THREADED_INT("MaxClients", max_workers, "MaxClients N: old name of MaxRequestWorkers"),    \
        THREADED_INT("MinSpareThreads", min_spare,                                                 \
                     "MinSpareThreads N: fewest idle threads to keep"),                            \
        THREADED_INT("MaxSpareThreads", max_spare, "MaxSpareThreads N: most idle threads to keep")

/* The frame's functions of a threaded MPM, for THREADED_MPM. */
void threaded_init_conf(void *conf);
void threaded_apply_defaults(void *conf);
void threaded_fix_limits(void *conf, kv_server_t *s);
void threaded_caps(const void *conf, kv_mpm_caps_t *caps);
int threaded_parent(apr_pool_t *pconf, kv_server_t *s, void *conf);
int threaded_one_process(apr_pool_t *pconf, kv_server_t *s, void *conf);

/** Block in the calling thread every signal the process takes, so that they all go to the
 * thread that waits in accept or poll; *old gets the mask before. */
void threaded_block_signals(sigset_t *old);

/** Let the calling worker thread's timed waits end up to 10 ms late. Its waits (a
 * millisecond for a client's next bytes, a lingering close, Timeout) need no precision,
 * and with the default slack (50 us) each arms the hardware timer of its own: in a virtual
 * machine a trap to the hypervisor and back every time. With the slack, the kernel's tick
 * ends them. Measured: 13 % less CPU per 1 KiB keep-alive request under event. */
void threaded_coarse_timers(void);

#endif
