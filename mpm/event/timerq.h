/* The timeouts an event listener keeps for the connections it waits on (KeepAliveTimeout,
 * Timeout, the lingering close): one FIFO list per distinct timeout length. Entries of one
 * list are added in time order, so its head expires first; adding and removing are O(1)
 * and finding the next expiry is a look at the heads of the few lists. Not locked: the
 * caller serialises. */
#ifndef KV_EVENT_TIMERQ_H
#define KV_EVENT_TIMERQ_H

#include <apr_pools.h>
#include <apr_tables.h>
#include <apr_time.h>

typedef struct timerq_list timerq_list_t;

/** A queued timeout; embed it in what it times. Zeroed means not queued. */
typedef struct timerq_entry {
    struct timerq_entry *prev, *next;
    timerq_list_t *list; /**< NULL when not queued */
    apr_time_t when;     /**< when it expires */
} timerq_entry_t;

/** The queue: its lists live in the pool it is created in. */
typedef struct {
    apr_array_header_t *lists; /**< of timerq_list_t * */
    int count;                 /**< entries queued */
} timerq_t;

/** Create an empty queue in @a p. */
timerq_t *timerq_create(apr_pool_t *p);

/** Queue @a e to expire @a timeout after @a now. @a e must not be queued. */
void timerq_add(timerq_t *q, timerq_entry_t *e, apr_interval_time_t timeout, apr_time_t now);

/** Take @a e off its queue; nothing if it is not queued. */
void timerq_remove(timerq_t *q, timerq_entry_t *e);

/** The earliest expiry, or 0 if nothing is queued. */
apr_time_t timerq_next(const timerq_t *q);

/** Take off and return the earliest entry expired at @a now, or NULL if none is. */
timerq_entry_t *timerq_pop_expired(timerq_t *q, apr_time_t now);

#endif
