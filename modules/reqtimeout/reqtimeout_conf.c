/* RequestReadTimeout's arguments, parsed as httpd's mod_reqtimeout parses them, and the read
 * deadline a stage sets (see reqtimeout_conf.h). */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "kv_config.h"
#include "reqtimeout_conf.h"

/* Bounds a value may take: seconds up to a year, rates up to 1 GB/s. */
#define MAX_SECONDS (366L * 24 * 3600)
#define MAX_RATE (1024L * 1024 * 1024)

const reqtimeout_conf_t reqtimeout_defaults = {
    .handshake = {0, 0, 0},
    .header = {20, 40, 500},
    .body = {20, 0, 500},
};

static void unset_stage(reqtimeout_stage_t *st)
{
    st->timeout = KV_UNSET_INT;
    st->max_timeout = KV_UNSET_INT;
    st->min_rate = KV_UNSET_INT;
}

void reqtimeout_conf_init(reqtimeout_conf_t *conf)
{
    unset_stage(&conf->handshake);
    unset_stage(&conf->header);
    unset_stage(&conf->body);
}

/* A stage is set whole by one argument, so it merges whole. */
static reqtimeout_stage_t merge_stage(const reqtimeout_stage_t *base, const reqtimeout_stage_t *add)
{
    return add->timeout != KV_UNSET_INT ? *add : *base;
}

void reqtimeout_conf_merge(const reqtimeout_conf_t *base, const reqtimeout_conf_t *add,
                           reqtimeout_conf_t *out)
{
    out->handshake = merge_stage(&base->handshake, &add->handshake);
    out->header = merge_stage(&base->header, &add->header);
    out->body = merge_stage(&base->body, &add->body);
}

const reqtimeout_stage_t *reqtimeout_stage(const reqtimeout_stage_t *stage,
                                           const reqtimeout_stage_t *def)
{
    return stage->timeout != KV_UNSET_INT ? stage : def;
}

static reqtimeout_stage_t *stage_named(reqtimeout_conf_t *conf, const char *name)
{
    if (strcasecmp(name, "handshake") == 0) {
        return &conf->handshake;
    }
    if (strcasecmp(name, "header") == 0) {
        return &conf->header;
    }
    if (strcasecmp(name, "body") == 0) {
        return &conf->body;
    }
    return NULL;
}

/* A case-insensitive search for ",minrate=" (httpd's ap_strcasestr). */
static const char *find_min_rate(const char *val)
{
    static const char key[] = ",minrate=";

    for (const char *s = val; *s; s++) {
        if (strncasecmp(s, key, sizeof(key) - 1) == 0) {
            return s;
        }
    }
    return NULL;
}

static const char *parse_number(apr_pool_t *p, const char *s, long max, int *out)
{
    long v;
    const char *err = kv_parse_int(p, s, 0, max, &v);

    if (!err) {
        *out = (int)v;
    }
    return err;
}

/* "timeout[-max][,MinRate=rate]" into @a st. */
static const char *parse_stage(apr_pool_t *p, const char *val, reqtimeout_stage_t *st)
{
    const char *rate = find_min_rate(val), *dash;
    char *times = rate ? apr_pstrmemdup(p, val, (apr_size_t)(rate - val)) : apr_pstrdup(p, val);
    const char *err;

    st->max_timeout = 0;
    st->min_rate = 0;
    if (!rate) {
        if (strchr(times, '-')) {
            return "Must set MinRate option if using timeout range";
        }
        return parse_number(p, times, MAX_SECONDS, &st->timeout);
    }
    if ((err = parse_number(p, rate + strlen(",minrate="), MAX_RATE, &st->min_rate)) != NULL) {
        return err;
    }
    if (st->min_rate == 0) {
        return "Minimum data rate must be larger than 0";
    }
    if ((dash = strchr(times, '-')) != NULL) {
        times[dash - times] = '\0';
        if ((err = parse_number(p, dash + 1, MAX_SECONDS, &st->max_timeout)) != NULL) {
            return err;
        }
    }
    if ((err = parse_number(p, times, MAX_SECONDS, &st->timeout)) != NULL) {
        return err;
    }
    if (st->max_timeout && st->timeout >= st->max_timeout) {
        return "Maximum timeout must be larger than initial timeout";
    }
    return NULL;
}

const char *reqtimeout_parse_arg(apr_pool_t *p, const char *arg, reqtimeout_conf_t *conf)
{
    const char *eq = strchr(arg, '=');
    const char *name, *err;
    reqtimeout_stage_t *st, parsed;

    if (!eq) {
        return "Invalid RequestReadTimeout parameter. Parameter must be in the form "
               "'key=value'";
    }
    name = apr_pstrmemdup(p, arg, (apr_size_t)(eq - arg));
    if ((st = stage_named(conf, name)) == NULL) {
        return apr_psprintf(p, "RequestReadTimeout: %s: Unknown RequestReadTimeout parameter", arg);
    }
    if ((err = parse_stage(p, eq + 1, &parsed)) != NULL) {
        return apr_psprintf(p, "RequestReadTimeout: %s: %s", arg, err);
    }
    *st = parsed;
    return NULL;
}

void reqtimeout_deadline(const reqtimeout_stage_t *stage, const char *name, apr_time_t now,
                         kv_read_deadline_t *d)
{
    memset(d, 0, sizeof(*d));
    if (stage->timeout <= 0) {
        return;
    }
    d->at = now + apr_time_from_sec(stage->timeout);
    d->max_at = stage->max_timeout > 0 ? now + apr_time_from_sec(stage->max_timeout) : 0;
    d->per_byte = stage->min_rate > 0 ? apr_time_from_sec(1) / stage->min_rate : 0;
    d->stage = name;
}
