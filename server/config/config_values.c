/* Value parsers and slot setters: every number, size, time and flag in the configuration
 * goes through here, so junk, signs, overflow and stray whitespace are refused in one place
 * with a message that names the directive. */
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include <apr_file_info.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "kv_config.h"

KV_DECLARE_DATA const char *kv_server_root = KV_PREFIX;

/* Largest time kv_parse_timeout accepts: one year. */
#define MAX_TIMEOUT_SEC (365 * 24 * 3600)

/* Reads the decimal digits at *s into *out, advancing *s; false if there is none. A value
 * too big for 64 bits saturates, so the caller reports it as out of range, not as junk. */
static int read_digits(const char **s, apr_uint64_t *out)
{
    const char *p = *s;
    apr_uint64_t v = 0;

    while (apr_isdigit(*p)) {
        unsigned d = (unsigned)(*p++ - '0');
        v = v > (UINT64_MAX - d) / 10 ? UINT64_MAX : v * 10 + d;
    }
    if (p == *s) {
        return 0;
    }
    *s = p;
    *out = v;
    return 1;
}

/* The magnitude and sign of a whole number in range of long, if it is in range. */
static int magnitude_to_long(apr_uint64_t mag, int negative, long *out)
{
    if (!negative) {
        if (mag > (apr_uint64_t)LONG_MAX) {
            return 0;
        }
        *out = (long)mag;
        return 1;
    }
    if (mag > (apr_uint64_t)LONG_MAX + 1) {
        return 0;
    }
    *out = mag == (apr_uint64_t)LONG_MAX + 1 ? LONG_MIN : -(long)mag;
    return 1;
}

KV_DECLARE(const char *) kv_parse_int(apr_pool_t *p, const char *s, long min, long max, long *out)
{
    const char *c = s;
    int negative = *c == '-';
    apr_uint64_t mag;
    long v;

    if (negative) {
        c++;
    }
    if (!read_digits(&c, &mag) || *c != '\0') {
        return apr_psprintf(p, "'%s' is not a whole number", s);
    }
    if (!magnitude_to_long(mag, negative, &v) || v < min || v > max) {
        return apr_psprintf(p, "%s is out of range (%ld to %ld)", s, min, max);
    }
    *out = v;
    return NULL;
}

/* Bits to shift for a size suffix (K, M, G), 0 for none, -1 for anything else. */
static int size_suffix_shift(const char *suffix)
{
    if (*suffix == '\0') {
        return 0;
    }
    if (suffix[1] != '\0') {
        return -1;
    }
    switch (apr_toupper(*suffix)) {
    case 'K':
        return 10;
    case 'M':
        return 20;
    case 'G':
        return 30;
    default:
        return -1;
    }
}

KV_DECLARE(const char *)
kv_parse_size(apr_pool_t *p, const char *s, apr_off_t min, apr_off_t max, apr_off_t *out)
{
    const char *c = s;
    apr_uint64_t mag;
    int shift;
    apr_off_t v;

    if (!read_digits(&c, &mag) || (shift = size_suffix_shift(c)) < 0) {
        return apr_psprintf(p, "'%s' is not a size (a number with an optional K, M or G)", s);
    }
    if (mag > ((apr_uint64_t)APR_INT64_MAX >> shift)) {
        goto out_of_range;
    }
    v = (apr_off_t)(mag << shift);
    if (v < min || v > max) {
        goto out_of_range;
    }
    *out = v;
    return NULL;

out_of_range:
    return apr_psprintf(p, "%s is out of range (%" APR_OFF_T_FMT " to %" APR_OFF_T_FMT ")", s, min,
                        max);
}

/* Microseconds in one unit of a time suffix, as httpd's: none or s, ms, mi, h. 0 if unknown. */
static apr_interval_time_t time_unit(const char *suffix)
{
    if (*suffix == '\0' || strcasecmp(suffix, "s") == 0) {
        return APR_USEC_PER_SEC;
    }
    if (strcasecmp(suffix, "ms") == 0) {
        return APR_USEC_PER_SEC / 1000;
    }
    if (strcasecmp(suffix, "mi") == 0) {
        return 60 * APR_USEC_PER_SEC;
    }
    if (strcasecmp(suffix, "h") == 0) {
        return 3600 * APR_USEC_PER_SEC;
    }
    return 0;
}

KV_DECLARE(const char *) kv_parse_timeout(apr_pool_t *p, const char *s, apr_interval_time_t *out)
{
    const apr_interval_time_t max = apr_time_from_sec(MAX_TIMEOUT_SEC);
    const char *c = s;
    apr_uint64_t mag;
    apr_interval_time_t unit;

    if (!read_digits(&c, &mag) || (unit = time_unit(c)) == 0) {
        return apr_psprintf(p, "'%s' is not a time (seconds, or a number with ms, s, mi or h)", s);
    }
    if (mag > (apr_uint64_t)(max / unit)) {
        return apr_psprintf(p, "%s is out of range (0 to one year)", s);
    }
    *out = (apr_interval_time_t)mag * unit;
    return NULL;
}

KV_DECLARE(const char *) kv_parse_flag(apr_pool_t *p, const char *s, int *out)
{
    if (strcasecmp(s, "On") == 0) {
        *out = 1;
        return NULL;
    }
    if (strcasecmp(s, "Off") == 0) {
        *out = 0;
        return NULL;
    }
    return apr_psprintf(p, "'%s' is not On or Off", s);
}

/* The directive's name as written, else as the table spells it. */
static const char *directive_name(const kv_cmd_parms_t *cmd)
{
    if (cmd->directive && cmd->directive->name) {
        return cmd->directive->name;
    }
    return cmd->cmd && cmd->cmd->name ? cmd->cmd->name : "directive";
}

/* Where a slot setter stores: the field at the offset in the command's info. */
static void *slot(const kv_cmd_parms_t *cmd, void *conf)
{
    return (char *)conf + (size_t)(uintptr_t)cmd->info;
}

/* NULL if the directive has exactly one argument, else the reason. */
static const char *one_argument(const kv_cmd_parms_t *cmd, int argc)
{
    return argc == 1 ? NULL : apr_psprintf(cmd->pool, "%s takes one argument", directive_name(cmd));
}

/* A parser's reason, prefixed with the directive's name. */
static const char *refused(const kv_cmd_parms_t *cmd, const char *name, const char *reason)
{
    return apr_pstrcat(cmd->pool, name, ": ", reason, NULL);
}

/* A time within [min, max] seconds into *out. */
static const char *parse_seconds(apr_pool_t *p, const char *s, apr_int64_t min, apr_int64_t max,
                                 apr_interval_time_t *out)
{
    apr_interval_time_t v;
    const char *err = kv_parse_timeout(p, s, &v);

    if (err) {
        return err;
    }
    if (v < apr_time_from_sec(min) || v > apr_time_from_sec(max)) {
        return apr_psprintf(
            p, "%s is out of range (%" APR_INT64_T_FMT " to %" APR_INT64_T_FMT " seconds)", s, min,
            max);
    }
    *out = v;
    return NULL;
}

/* Every slot setter: parses @a arg as @a unit says, within [min, max], and stores it at
 * @a field; a refusal names the directive @a name. */
static const char *store(const kv_cmd_parms_t *cmd, const char *name, void *field, kv_unit_t unit,
                         apr_int64_t min, apr_int64_t max, const char *arg)
{
    const char *err = NULL;
    long n;
    int flag;

    switch (unit) {
    case KV_UNIT_NUMBER:
        if (!(err = kv_parse_int(cmd->temp_pool, arg, (long)min, (long)max, &n))) {
            *(int *)field = (int)n;
        }
        break;
    case KV_UNIT_SECONDS:
        err = parse_seconds(cmd->temp_pool, arg, min, max, field);
        break;
    case KV_UNIT_BYTES:
        err = kv_parse_size(cmd->temp_pool, arg, min, max, field);
        break;
    case KV_UNIT_FLAG:
        if (kv_parse_flag(cmd->temp_pool, arg, &flag)) {
            return apr_psprintf(cmd->pool, "%s must be On or Off", name);
        }
        *(int *)field = flag;
        break;
    }
    return err ? refused(cmd, name, err) : NULL;
}

/* An unbounded slot setter's value, of @a unit, for the field at the offset in info. */
static const char *set_slot(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv,
                            kv_unit_t unit, apr_int64_t max)
{
    const char *err = one_argument(cmd, argc);

    return err ? err : store(cmd, directive_name(cmd), slot(cmd, conf), unit, 0, max, argv[0]);
}

KV_DECLARE(const char *)
kv_set_int_slot(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv)
{
    return set_slot(cmd, conf, argc, argv, KV_UNIT_NUMBER, INT_MAX);
}

KV_DECLARE(const char *)
kv_set_flag_slot(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv)
{
    return set_slot(cmd, conf, argc, argv, KV_UNIT_FLAG, 1);
}

KV_DECLARE(const char *)
kv_set_size_slot(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv)
{
    return set_slot(cmd, conf, argc, argv, KV_UNIT_BYTES, APR_INT64_MAX);
}

KV_DECLARE(const char *)
kv_set_timeout_slot(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv)
{
    return set_slot(cmd, conf, argc, argv, KV_UNIT_SECONDS, MAX_TIMEOUT_SEC);
}

KV_DECLARE(const char *)
kv_set_bounded_slot(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv)
{
    const kv_slot_t *s = cmd->info;
    const char *name = cmd->cmd && cmd->cmd->name ? cmd->cmd->name : directive_name(cmd);
    char *base = s->flags & KV_SLOT_SERVER_REC ? (char *)cmd->server : conf;

    if (argc != 1) {
        return apr_psprintf(cmd->pool, "%s takes one argument", name);
    }
    return store(cmd, name, base + s->offset, s->unit, s->min, s->max, argv[0]);
}

KV_DECLARE(const char *)
kv_set_string_slot(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv)
{
    const char *err = one_argument(cmd, argc);

    if (err) {
        return err;
    }
    *(const char **)slot(cmd, conf) = apr_pstrdup(cmd->pool, argv[0]);
    return NULL;
}

KV_DECLARE(const char *)
kv_set_path_slot(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv)
{
    const char *err = one_argument(cmd, argc);

    if (err) {
        return err;
    }
    if (argv[0][0] == '\0') {
        return apr_psprintf(cmd->pool, "%s: the path is empty", directive_name(cmd));
    }
    *(const char **)slot(cmd, conf) = kv_server_root_relative(cmd->pool, argv[0]);
    return NULL;
}

KV_DECLARE(const char *) kv_server_root_relative(apr_pool_t *p, const char *path)
{
    char *merged;

    if (path[0] == '/') {
        return apr_pstrdup(p, path);
    }
    if (apr_filepath_merge(&merged, kv_server_root, path, 0, p) == APR_SUCCESS) {
        return merged;
    }
    return apr_pstrcat(p, kv_server_root, "/", path, NULL);
}
