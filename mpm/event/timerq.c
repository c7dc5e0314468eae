/* Timeout lists of the event listener (see timerq.h). */
#include "timerq.h"

struct timerq_list {
    apr_interval_time_t timeout;
    timerq_entry_t *head, *tail;
};

timerq_t *timerq_create(apr_pool_t *p)
{
    timerq_t *q = apr_pcalloc(p, sizeof(*q));

    q->lists = apr_array_make(p, 4, sizeof(timerq_list_t *));
    return q;
}

static timerq_list_t *list_for(timerq_t *q, apr_interval_time_t timeout)
{
    timerq_list_t *l;

    for (int i = 0; i < q->lists->nelts; i++) {
        l = APR_ARRAY_IDX(q->lists, i, timerq_list_t *);
        if (l->timeout == timeout) {
            return l;
        }
    }
    l = apr_pcalloc(q->lists->pool, sizeof(*l));
    l->timeout = timeout;
    APR_ARRAY_PUSH(q->lists, timerq_list_t *) = l;
    return l;
}

void timerq_add(timerq_t *q, timerq_entry_t *e, apr_interval_time_t timeout, apr_time_t now)
{
    timerq_list_t *l = list_for(q, timeout);

    e->list = l;
    e->when = now + timeout;
    e->next = NULL;
    e->prev = l->tail;
    if (l->tail) {
        l->tail->next = e;
    } else {
        l->head = e;
    }
    l->tail = e;
    q->count++;
}

void timerq_remove(timerq_t *q, timerq_entry_t *e)
{
    timerq_list_t *l = e->list;

    if (!l) {
        return;
    }
    if (e->prev) {
        e->prev->next = e->next;
    } else {
        l->head = e->next;
    }
    if (e->next) {
        e->next->prev = e->prev;
    } else {
        l->tail = e->prev;
    }
    e->prev = e->next = NULL;
    e->list = NULL;
    q->count--;
}

apr_time_t timerq_next(const timerq_t *q)
{
    apr_time_t next = 0;

    for (int i = 0; i < q->lists->nelts; i++) {
        const timerq_list_t *l = APR_ARRAY_IDX(q->lists, i, timerq_list_t *);

        if (l->head && (next == 0 || l->head->when < next)) {
            next = l->head->when;
        }
    }
    return next;
}

timerq_entry_t *timerq_pop_expired(timerq_t *q, apr_time_t now)
{
    timerq_entry_t *first = NULL;

    for (int i = 0; i < q->lists->nelts; i++) {
        timerq_list_t *l = APR_ARRAY_IDX(q->lists, i, timerq_list_t *);

        if (l->head && l->head->when <= now && (!first || l->head->when < first->when)) {
            first = l->head;
        }
    }
    if (first) {
        timerq_remove(q, first);
    }
    return first;
}
