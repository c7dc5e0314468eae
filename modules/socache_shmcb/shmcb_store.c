/* mod_socache_shmcb's store (shmcb_store.h). Everything in the block is an offset or a count,
 * never a pointer, so that it means the same in every process that maps it. */
#include <stdint.h>
#include <string.h>

#include "shmcb_store.h"

#define SHMCB_MAGIC 0x6b76736dU /* "kvsm" */
#define MAX_SUBCACHES 32
/* Fewer subcaches rather than fewer than this many objects in each. */
#define MIN_OBJECTS_PER_SUB 8

struct shmcb_header {
    uint32_t magic;
    uint32_t nsub;
    uint32_t idx_per_sub;  /* index entries of each subcache */
    uint32_t data_per_sub; /* data bytes of each subcache */
    uint64_t sub_stride;   /* bytes from one subcache to the next */
};

typedef struct {
    uint32_t idx_first; /* the oldest entry */
    uint32_t idx_used;
    uint32_t data_first; /* where the oldest entry's bytes start */
    uint32_t data_used;
} sub_t;

/* One object: its id's bytes then its own, from pos in the data ring (wrapping). */
typedef struct {
    int64_t expiry;
    uint32_t pos;
    uint32_t idlen;
    uint32_t datalen;
    uint32_t removed;
} entry_t;

#define ALIGN8(n) (((n) + 7) & ~(apr_size_t)7)

static sub_t *sub_at(shmcb_t *c, uint32_t i)
{
    return (sub_t *)((char *)c + ALIGN8(sizeof(*c)) + (apr_size_t)i * c->sub_stride);
}

static entry_t *entries(shmcb_t *c, sub_t *sub)
{
    (void)c;
    return (entry_t *)((char *)sub + ALIGN8(sizeof(*sub)));
}

static unsigned char *ring(shmcb_t *c, sub_t *sub)
{
    return (unsigned char *)(entries(c, sub) + c->idx_per_sub);
}

shmcb_t *shmcb_init(void *base, apr_size_t size, apr_size_t avg_id, apr_size_t avg_obj)
{
    shmcb_t *c = base;
    apr_size_t avail, per_obj = avg_id + avg_obj + sizeof(entry_t), rest;
    uint32_t nsub = MAX_SUBCACHES;

    if (size < ALIGN8(sizeof(*c)) + ALIGN8(sizeof(sub_t)) + per_obj || size > SHMCB_MAX_SIZE) {
        return NULL;
    }
    avail = size - ALIGN8(sizeof(*c));
    while (nsub > 1 && avail / nsub / per_obj < MIN_OBJECTS_PER_SUB) {
        nsub /= 2;
    }
    c->magic = SHMCB_MAGIC;
    c->nsub = nsub;
    c->sub_stride = (avail / nsub) & ~(uint64_t)7;
    rest = c->sub_stride - ALIGN8(sizeof(sub_t));
    c->idx_per_sub = (uint32_t)(rest / per_obj);
    if (c->idx_per_sub == 0) {
        return NULL;
    }
    c->data_per_sub = (uint32_t)(rest - c->idx_per_sub * sizeof(entry_t));
    for (uint32_t i = 0; i < nsub; i++) {
        memset(sub_at(c, i), 0, sizeof(sub_t));
    }
    return c;
}

/* FNV-1a: ids are random (session ids) or close to it; this only spreads them. */
static sub_t *sub_for(shmcb_t *c, const unsigned char *id, unsigned int idlen)
{
    uint32_t h = 2166136261U;

    for (unsigned int i = 0; i < idlen; i++) {
        h = (h ^ id[i]) * 16777619U;
    }
    return sub_at(c, h % c->nsub);
}

static void ring_write(shmcb_t *c, sub_t *sub, uint32_t pos, const unsigned char *src, uint32_t n)
{
    uint32_t first = c->data_per_sub - pos < n ? c->data_per_sub - pos : n;

    memcpy(ring(c, sub) + pos, src, first);
    memcpy(ring(c, sub), src + first, n - first);
}

static void ring_read(shmcb_t *c, sub_t *sub, uint32_t pos, unsigned char *dst, uint32_t n)
{
    uint32_t first = c->data_per_sub - pos < n ? c->data_per_sub - pos : n;

    memcpy(dst, ring(c, sub) + pos, first);
    memcpy(dst + first, ring(c, sub), n - first);
}

static int ring_equal(shmcb_t *c, sub_t *sub, uint32_t pos, const unsigned char *id, uint32_t n)
{
    uint32_t first = c->data_per_sub - pos < n ? c->data_per_sub - pos : n;

    return memcmp(ring(c, sub) + pos, id, first) == 0 &&
           memcmp(ring(c, sub), id + first, n - first) == 0;
}

static void drop_oldest(shmcb_t *c, sub_t *sub)
{
    entry_t *e = &entries(c, sub)[sub->idx_first];
    uint32_t len = e->idlen + e->datalen;

    sub->idx_first = (sub->idx_first + 1) % c->idx_per_sub;
    sub->idx_used--;
    sub->data_first = (e->pos + len) % c->data_per_sub;
    sub->data_used -= len;
}

/* Drop the oldest entries while they are expired or removed: they free room in order. */
static void drop_dead(shmcb_t *c, sub_t *sub, apr_time_t now)
{
    while (sub->idx_used > 0) {
        entry_t *e = &entries(c, sub)[sub->idx_first];

        if (!e->removed && e->expiry > now) {
            return;
        }
        drop_oldest(c, sub);
    }
}

/* The live entry for @a id in @a sub, or NULL. */
static entry_t *find(shmcb_t *c, sub_t *sub, const unsigned char *id, unsigned int idlen,
                     apr_time_t now)
{
    for (uint32_t i = 0; i < sub->idx_used; i++) {
        entry_t *e = &entries(c, sub)[(sub->idx_first + i) % c->idx_per_sub];

        if (!e->removed && e->expiry > now && e->idlen == idlen &&
            ring_equal(c, sub, e->pos, id, idlen)) {
            return e;
        }
    }
    return NULL;
}

/* Mark every entry of @a id removed, expired ones too (a store after one expired adds a second
 * entry for the id); APR_NOTFOUND if none was live at @a now. */
static apr_status_t forget(shmcb_t *c, sub_t *sub, const unsigned char *id, unsigned int idlen,
                           apr_time_t now)
{
    apr_status_t rv = APR_NOTFOUND;

    for (uint32_t i = 0; i < sub->idx_used; i++) {
        entry_t *e = &entries(c, sub)[(sub->idx_first + i) % c->idx_per_sub];

        if (!e->removed && e->idlen == idlen && ring_equal(c, sub, e->pos, id, idlen)) {
            e->removed = 1;
            if (e->expiry > now) {
                rv = APR_SUCCESS;
            }
        }
    }
    return rv;
}

apr_status_t shmcb_store(shmcb_t *c, const unsigned char *id, unsigned int idlen,
                         const unsigned char *data, unsigned int datalen, apr_time_t expiry,
                         apr_time_t now)
{
    sub_t *sub = sub_for(c, id, idlen);
    entry_t *e;
    uint32_t pos;

    if ((apr_size_t)idlen + datalen > c->data_per_sub || idlen == 0) {
        return APR_ENOSPC;
    }
    forget(c, sub, id, idlen, now);
    drop_dead(c, sub, now);
    while (sub->idx_used == c->idx_per_sub || sub->data_used + idlen + datalen > c->data_per_sub) {
        drop_oldest(c, sub);
    }
    pos = (sub->data_first + sub->data_used) % c->data_per_sub;
    ring_write(c, sub, pos, id, idlen);
    ring_write(c, sub, (pos + idlen) % c->data_per_sub, data, datalen);
    e = &entries(c, sub)[(sub->idx_first + sub->idx_used) % c->idx_per_sub];
    e->expiry = expiry;
    e->pos = pos;
    e->idlen = idlen;
    e->datalen = datalen;
    e->removed = 0;
    sub->idx_used++;
    sub->data_used += idlen + datalen;
    return APR_SUCCESS;
}

apr_status_t shmcb_retrieve(shmcb_t *c, const unsigned char *id, unsigned int idlen,
                            unsigned char *data, unsigned int *datalen, apr_time_t now)
{
    sub_t *sub = sub_for(c, id, idlen);
    entry_t *e = find(c, sub, id, idlen, now);

    if (!e) {
        return APR_NOTFOUND;
    }
    if (e->datalen > *datalen) {
        return APR_ENOSPC;
    }
    ring_read(c, sub, (e->pos + e->idlen) % c->data_per_sub, data, e->datalen);
    *datalen = e->datalen;
    return APR_SUCCESS;
}

apr_status_t shmcb_remove(shmcb_t *c, const unsigned char *id, unsigned int idlen)
{
    return forget(c, sub_for(c, id, idlen), id, idlen, APR_INT64_MIN);
}

unsigned int shmcb_count(const shmcb_t *cache)
{
    shmcb_t *c = (shmcb_t *)cache;
    unsigned int n = 0;

    for (uint32_t i = 0; i < c->nsub; i++) {
        n += sub_at(c, i)->idx_used;
    }
    return n;
}
