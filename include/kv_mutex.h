/**
 * @file kv_mutex.h
 * @brief Cross-process mutexes as the Mutex directive configures them, and
 * DefaultRuntimeDir, where their lock files go by default (as httpd's util_mutex).
 */
#ifndef KV_MUTEX_H
#define KV_MUTEX_H

#include <stdio.h>

#include <apr_pools.h>
#include <apr_proc_mutex.h>

#include "kv_module.h"

/** The name of the MPMs' accept mutex, as httpd names it. */
#define KV_MUTEX_ACCEPT "mpm-accept"

/** @a file made absolute against DefaultRuntimeDir (by default ServerRoot's logs/). */
KV_DECLARE(const char *) kv_runtime_dir_relative(apr_pool_t *p, const char *file);

/** Create the mutex @a type (e.g. KV_MUTEX_ACCEPT) with the mechanism and lock file
 * directory the Mutex directives chose for it (or for "default"). *mutex is NULL when it
 * is configured as none. */
KV_DECLARE(apr_status_t) kv_proc_mutex_create(apr_proc_mutex_t **mutex, const char *type,
                                              apr_pool_t *p);

/** The "Mutex NAME: dir=... mechanism=..." lines of httpd -S, for every known mutex. */
KV_DECLARE(void) kv_mutex_print(FILE *out, apr_pool_t *p);

#endif
