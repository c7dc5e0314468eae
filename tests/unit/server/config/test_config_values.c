/* Tests of server/config/config_values.c: the value parsers and the slot setters. */
/* Moved from tests/unit/server/test_config_values.c (server/ split into layer folders). */
#include <check.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>

#include "kv_config.h"
#include "kv_http.h"
#include "../../check_run.h"

static apr_pool_t *pool;

static void setup(void)
{
    apr_pool_create(&pool, NULL);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

/* ---- kv_parse_int --------------------------------------------------------------------- */

static void assert_int_ok(const char *s, long min, long max, long expected)
{
    long v = 12345;
    const char *err = kv_parse_int(pool, s, min, max, &v);

    ck_assert_msg(err == NULL, "'%s': %s", s, err);
    ck_assert_int_eq(v, expected);
}

static void assert_int_error(const char *s, long min, long max, const char *expected)
{
    long v = 12345;

    ck_assert_str_eq(kv_parse_int(pool, s, min, max, &v), expected);
    ck_assert_int_eq(v, 12345);
}

KVU_CASE(parse, "parse", setup, teardown);
KVU_CASE(slots, "slots", setup, teardown);

KVC_TEST(parse, int_accepts_whole_numbers)
{
    assert_int_ok("0", 0, 10, 0);
    assert_int_ok("7", 0, 10, 7);
    assert_int_ok("007", 0, 10, 7);
    assert_int_ok("-5", -10, 10, -5);
    assert_int_ok("-0", 0, 10, 0);
    assert_int_ok("2147483647", 0, INT_MAX, INT_MAX);
    assert_int_ok("9223372036854775807", 0, LONG_MAX, LONG_MAX);
    assert_int_ok("-9223372036854775808", LONG_MIN, 0, LONG_MIN);
}
END_TEST

KVC_TEST(parse, int_rejects_junk)
{
    assert_int_error("", 0, 10, "'' is not a whole number");
    assert_int_error("abc", 0, 10, "'abc' is not a whole number");
    assert_int_error("12abc", 0, 100, "'12abc' is not a whole number");
    assert_int_error(" 12", 0, 100, "' 12' is not a whole number");
    assert_int_error("12 ", 0, 100, "'12 ' is not a whole number");
    assert_int_error("+5", 0, 10, "'+5' is not a whole number");
    assert_int_error("0x10", 0, 100, "'0x10' is not a whole number");
    assert_int_error("-", -10, 10, "'-' is not a whole number");
    assert_int_error("--1", -10, 10, "'--1' is not a whole number");
    assert_int_error("1.5", 0, 10, "'1.5' is not a whole number");
}
END_TEST

KVC_TEST(parse, int_rejects_out_of_range)
{
    assert_int_error("-5", 0, 100, "-5 is out of range (0 to 100)");
    assert_int_error("101", 0, 100, "101 is out of range (0 to 100)");
    assert_int_error("2147483648", 0, INT_MAX, "2147483648 is out of range (0 to 2147483647)");
    assert_int_error("9223372036854775808", 0, LONG_MAX,
                     "9223372036854775808 is out of range (0 to 9223372036854775807)");
    assert_int_error("-9223372036854775809", LONG_MIN, 0,
                     "-9223372036854775809 is out of range (-9223372036854775808 to 0)");
    assert_int_error("99999999999999999999999", 0, 10,
                     "99999999999999999999999 is out of range (0 to 10)");
}
END_TEST

/* ---- kv_parse_size -------------------------------------------------------------------- */

static void assert_size_ok(const char *s, apr_off_t expected)
{
    apr_off_t v = -7;
    const char *err = kv_parse_size(pool, s, 0, APR_INT64_MAX, &v);

    ck_assert_msg(err == NULL, "'%s': %s", s, err);
    ck_assert_int_eq(v, expected);
}

static void assert_size_error(const char *s, apr_off_t min, apr_off_t max, const char *expected)
{
    apr_off_t v = -7;

    ck_assert_str_eq(kv_parse_size(pool, s, min, max, &v), expected);
    ck_assert_int_eq(v, -7);
}

KVC_TEST(parse, size_accepts_suffixes)
{
    assert_size_ok("0", 0);
    assert_size_ok("1500", 1500);
    assert_size_ok("1k", 1024);
    assert_size_ok("4K", 4096);
    assert_size_ok("2m", 2 * 1024 * 1024);
    assert_size_ok("3G", (apr_off_t)3 << 30);
    assert_size_ok("8589934591G", (apr_off_t)8589934591 << 30);
}
END_TEST

KVC_TEST(parse, size_rejects_junk_and_overflow)
{
    const char *what = "is not a size (a number with an optional K, M or G)";

    assert_size_error("", 0, 100, apr_pstrcat(pool, "'' ", what, NULL));
    assert_size_error("K", 0, 100, apr_pstrcat(pool, "'K' ", what, NULL));
    assert_size_error("1KB", 0, 10000, apr_pstrcat(pool, "'1KB' ", what, NULL));
    assert_size_error("1T", 0, 100, apr_pstrcat(pool, "'1T' ", what, NULL));
    assert_size_error("-1", 0, 100, apr_pstrcat(pool, "'-1' ", what, NULL));
    assert_size_error("+1", 0, 100, apr_pstrcat(pool, "'+1' ", what, NULL));
    assert_size_error(" 1", 0, 100, apr_pstrcat(pool, "' 1' ", what, NULL));
    assert_size_error("1 K", 0, 10000, apr_pstrcat(pool, "'1 K' ", what, NULL));
    assert_size_error("1.5M", 0, 100, apr_pstrcat(pool, "'1.5M' ", what, NULL));
    assert_size_error("0x10", 0, 100, apr_pstrcat(pool, "'0x10' ", what, NULL));
    assert_size_error("8589934592G", 0, APR_INT64_MAX,
                      "8589934592G is out of range (0 to 9223372036854775807)");
    assert_size_error("2K", 0, 2000, "2K is out of range (0 to 2000)");
    assert_size_error("1", 2, 2000, "1 is out of range (2 to 2000)");
}
END_TEST

/* ---- kv_parse_timeout ----------------------------------------------------------------- */

static void assert_time_ok(const char *s, apr_interval_time_t expected)
{
    apr_interval_time_t v = -7;
    const char *err = kv_parse_timeout(pool, s, &v);

    ck_assert_msg(err == NULL, "'%s': %s", s, err);
    ck_assert_int_eq(v, expected);
}

static void assert_time_error(const char *s, const char *expected)
{
    apr_interval_time_t v = -7;

    ck_assert_str_eq(kv_parse_timeout(pool, s, &v), expected);
    ck_assert_int_eq(v, -7);
}

KVC_TEST(parse, timeout_accepts_seconds_and_units)
{
    assert_time_ok("30", apr_time_from_sec(30));
    assert_time_ok("0", 0);
    assert_time_ok("250ms", apr_time_from_msec(250));
    assert_time_ok("250MS", apr_time_from_msec(250));
    assert_time_ok("5s", apr_time_from_sec(5));
    assert_time_ok("2mi", apr_time_from_sec(120));
    assert_time_ok("1h", apr_time_from_sec(3600));
    assert_time_ok("31536000", apr_time_from_sec(31536000));
    assert_time_ok("8760h", apr_time_from_sec(31536000));
}
END_TEST

KVC_TEST(parse, timeout_rejects_junk_negative_and_long)
{
    const char *what = "is not a time (seconds, or a number with ms, s, mi or h)";

    assert_time_error("", apr_pstrcat(pool, "'' ", what, NULL));
    assert_time_error("-1", apr_pstrcat(pool, "'-1' ", what, NULL));
    assert_time_error("abc", apr_pstrcat(pool, "'abc' ", what, NULL));
    assert_time_error("10 ms", apr_pstrcat(pool, "'10 ms' ", what, NULL));
    assert_time_error("1.5", apr_pstrcat(pool, "'1.5' ", what, NULL));
    assert_time_error("5d", apr_pstrcat(pool, "'5d' ", what, NULL));
    assert_time_error("ms", apr_pstrcat(pool, "'ms' ", what, NULL));
    assert_time_error("31536001", "31536001 is out of range (0 to one year)");
    assert_time_error("8761h", "8761h is out of range (0 to one year)");
    assert_time_error("99999999999999999999999ms",
                      "99999999999999999999999ms is out of range (0 to one year)");
}
END_TEST

/* ---- kv_parse_flag -------------------------------------------------------------------- */

KVC_TEST(parse, flag_accepts_on_off_in_any_case)
{
    int v = -1;

    ck_assert_ptr_null(kv_parse_flag(pool, "On", &v));
    ck_assert_int_eq(v, 1);
    ck_assert_ptr_null(kv_parse_flag(pool, "oFF", &v));
    ck_assert_int_eq(v, 0);
    ck_assert_ptr_null(kv_parse_flag(pool, "ON", &v));
    ck_assert_int_eq(v, 1);
    ck_assert_str_eq(kv_parse_flag(pool, "yes", &v), "'yes' is not On or Off");
    ck_assert_str_eq(kv_parse_flag(pool, " on", &v), "' on' is not On or Off");
    ck_assert_str_eq(kv_parse_flag(pool, "", &v), "'' is not On or Off");
    ck_assert_int_eq(v, 1);
}
END_TEST

/* ---- slot setters --------------------------------------------------------------------- */

typedef struct {
    int number;
    int flag;
    apr_off_t size;
    apr_interval_time_t time;
    const char *string;
    const char *path;
} test_conf_t;

static const kv_command_t table_entry = {.name = "TableName"};

/* A cmd for the directive @a name with @a info, as the walker would pass it. */
static kv_cmd_parms_t *cmd_for(const char *name, const void *info)
{
    kv_cmd_parms_t *cmd = apr_pcalloc(pool, sizeof(*cmd));
    kv_directive_t *d = apr_pcalloc(pool, sizeof(*d));

    d->name = name;
    cmd->directive = d;
    cmd->cmd = &table_entry;
    cmd->info = info;
    cmd->pool = pool;
    cmd->temp_pool = pool;
    return cmd;
}

static const char *set1(kv_cmd_func f, kv_cmd_parms_t *cmd, void *conf, const char *arg)
{
    const char *argv[] = {arg, NULL};
    return f(cmd, conf, 1, argv);
}

KVC_TEST(slots, int_slot_stores_and_names_the_directive)
{
    test_conf_t conf = {.number = KV_UNSET_INT};
    kv_cmd_parms_t *cmd = cmd_for("MaxKeepAliveRequests", KV_OFFSET(test_conf_t, number));

    ck_assert_ptr_null(set1(kv_set_int_slot, cmd, &conf, "100"));
    ck_assert_int_eq(conf.number, 100);
    ck_assert_ptr_null(set1(kv_set_int_slot, cmd, &conf, "2147483647"));
    ck_assert_int_eq(conf.number, INT_MAX);
    ck_assert_ptr_null(set1(kv_set_int_slot, cmd, &conf, "0"));
    ck_assert_int_eq(conf.number, 0);
    ck_assert_str_eq(set1(kv_set_int_slot, cmd, &conf, "abc"),
                     "MaxKeepAliveRequests: 'abc' is not a whole number");
    ck_assert_str_eq(set1(kv_set_int_slot, cmd, &conf, "-1"),
                     "MaxKeepAliveRequests: -1 is out of range (0 to 2147483647)");
    ck_assert_str_eq(set1(kv_set_int_slot, cmd, &conf, "2147483648"),
                     "MaxKeepAliveRequests: 2147483648 is out of range (0 to 2147483647)");
    ck_assert_int_eq(conf.number, 0);
    ck_assert_int_eq(conf.flag, 0);
}
END_TEST

KVC_TEST(slots, setters_fall_back_to_the_table_name)
{
    test_conf_t conf = {0};
    kv_cmd_parms_t *cmd = cmd_for("x", KV_OFFSET(test_conf_t, number));

    cmd->directive = NULL;
    ck_assert_str_eq(set1(kv_set_int_slot, cmd, &conf, "x1"),
                     "TableName: 'x1' is not a whole number");
}
END_TEST

KVC_TEST(slots, setters_want_exactly_one_argument)
{
    test_conf_t conf = {0};
    const char *two[] = {"1", "2", NULL};
    const char *none[] = {NULL};
    kv_cmd_func setters[] = {kv_set_int_slot,     kv_set_flag_slot,   kv_set_size_slot,
                             kv_set_timeout_slot, kv_set_string_slot, kv_set_path_slot};

    for (size_t i = 0; i < sizeof(setters) / sizeof(setters[0]); i++) {
        kv_cmd_parms_t *cmd = cmd_for("Thing", KV_OFFSET(test_conf_t, number));
        ck_assert_str_eq(setters[i](cmd, &conf, 2, two), "Thing takes one argument");
        ck_assert_str_eq(setters[i](cmd, &conf, 0, none), "Thing takes one argument");
    }
    ck_assert_int_eq(conf.number, 0);
}
END_TEST

KVC_TEST(slots, flag_slot)
{
    test_conf_t conf = {.flag = KV_UNSET_INT};
    kv_cmd_parms_t *cmd = cmd_for("KeepAlive", KV_OFFSET(test_conf_t, flag));

    ck_assert_ptr_null(set1(kv_set_flag_slot, cmd, &conf, "on"));
    ck_assert_int_eq(conf.flag, 1);
    ck_assert_ptr_null(set1(kv_set_flag_slot, cmd, &conf, "Off"));
    ck_assert_int_eq(conf.flag, 0);
    ck_assert_str_eq(set1(kv_set_flag_slot, cmd, &conf, "1"), "KeepAlive must be On or Off");
    ck_assert_int_eq(conf.flag, 0);
}
END_TEST

KVC_TEST(slots, size_slot)
{
    test_conf_t conf = {.size = -1};
    kv_cmd_parms_t *cmd = cmd_for("SendBufferSize", KV_OFFSET(test_conf_t, size));

    ck_assert_ptr_null(set1(kv_set_size_slot, cmd, &conf, "64K"));
    ck_assert_int_eq(conf.size, 65536);
    ck_assert_str_eq(set1(kv_set_size_slot, cmd, &conf, "-1"),
                     "SendBufferSize: '-1' is not a size (a number with an optional K, M or G)");
    ck_assert_str_eq(set1(kv_set_size_slot, cmd, &conf, "9999999999999G"),
                     "SendBufferSize: 9999999999999G is out of range (0 to 9223372036854775807)");
    ck_assert_int_eq(conf.size, 65536);
}
END_TEST

KVC_TEST(slots, timeout_slot)
{
    test_conf_t conf = {.time = KV_UNSET_TIME};
    kv_cmd_parms_t *cmd = cmd_for("KeepAliveTimeout", KV_OFFSET(test_conf_t, time));

    ck_assert_ptr_null(set1(kv_set_timeout_slot, cmd, &conf, "5"));
    ck_assert_int_eq(conf.time, apr_time_from_sec(5));
    ck_assert_ptr_null(set1(kv_set_timeout_slot, cmd, &conf, "100ms"));
    ck_assert_int_eq(conf.time, apr_time_from_msec(100));
    ck_assert_str_eq(set1(kv_set_timeout_slot, cmd, &conf, "soon"),
                     "KeepAliveTimeout: 'soon' is not a time "
                     "(seconds, or a number with ms, s, mi or h)");
    ck_assert_str_eq(set1(kv_set_timeout_slot, cmd, &conf, "400000000"),
                     "KeepAliveTimeout: 400000000 is out of range (0 to one year)");
    ck_assert_int_eq(conf.time, apr_time_from_msec(100));
}
END_TEST

KVC_TEST(slots, string_slot_copies)
{
    test_conf_t conf = {0};
    kv_cmd_parms_t *cmd = cmd_for("ServerName", KV_OFFSET(test_conf_t, string));
    char arg[] = "www.example.com";

    ck_assert_ptr_null(set1(kv_set_string_slot, cmd, &conf, arg));
    arg[0] = 'X';
    ck_assert_str_eq(conf.string, "www.example.com");
}
END_TEST

KVC_TEST(slots, path_slot_resolves_against_server_root)
{
    test_conf_t conf = {0};
    kv_cmd_parms_t *cmd = cmd_for("PidFile", KV_OFFSET(test_conf_t, path));
    const char *saved = kv_server_root;

    kv_server_root = "/srv/kiva";
    ck_assert_ptr_null(set1(kv_set_path_slot, cmd, &conf, "logs/kiva.pid"));
    ck_assert_str_eq(conf.path, "/srv/kiva/logs/kiva.pid");
    ck_assert_ptr_null(set1(kv_set_path_slot, cmd, &conf, "/run/kiva.pid"));
    ck_assert_str_eq(conf.path, "/run/kiva.pid");
    ck_assert_str_eq(set1(kv_set_path_slot, cmd, &conf, ""), "PidFile: the path is empty");
    kv_server_root = saved;
}
END_TEST

KVC_TEST(slots, server_root_relative)
{
    const char *saved = kv_server_root;

    ck_assert_msg(kv_server_root[0] == '/', "default ServerRoot %s", kv_server_root);
    kv_server_root = "/srv/kiva";
    ck_assert_str_eq(kv_server_root_relative(pool, "conf/kiva.conf"), "/srv/kiva/conf/kiva.conf");
    ck_assert_str_eq(kv_server_root_relative(pool, "/etc/kiva.conf"), "/etc/kiva.conf");
    ck_assert_str_eq(kv_server_root_relative(pool, "./conf/../logs"), "/srv/kiva/logs");
    kv_server_root = "/";
    ck_assert_str_eq(kv_server_root_relative(pool, "conf"), "/conf");
    kv_server_root = saved;
}
END_TEST

/* ---- kv_set_bounded_slot --------------------------------------------------------------- */

static const kv_command_t line_entry = {.name = "LimitRequestLine"};

/* A cmd for the table entry @a entry with the bounded slot @a info, written @a as_written. */
static kv_cmd_parms_t *bounded_cmd(const kv_command_t *entry, const char *as_written,
                                   const void *info)
{
    kv_cmd_parms_t *cmd = cmd_for(as_written, info);

    cmd->cmd = entry;
    return cmd;
}

/* Sets each value of @a cases in turn: {value, NULL} is taken, {value, message} refused. */
static void assert_bounded(kv_cmd_parms_t *cmd, void *conf, const char *const (*cases)[2],
                           size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *err = set1(kv_set_bounded_slot, cmd, conf, cases[i][0]);
        if (cases[i][1]) {
            ck_assert_msg(err && strcmp(err, cases[i][1]) == 0, "%s: %s", cases[i][0], err);
        } else {
            ck_assert_msg(err == NULL, "%s: %s", cases[i][0], err);
        }
    }
}

#define N_CASES(a) (sizeof(a) / sizeof((a)[0]))

KVC_TEST(slots, bounded_number_keeps_to_its_bounds)
{
    static const char *const cases[][2] = {
        {"1", NULL},
        {"0", "LimitRequestLine: 0 is out of range (1 to 1048576)"},
        {"1048577", "LimitRequestLine: 1048577 is out of range (1 to 1048576)"},
        {"8K", "LimitRequestLine: '8K' is not a whole number"},
        {"1048576", NULL},
    };
    test_conf_t conf = {.number = KV_UNSET_INT};
    kv_cmd_parms_t *cmd = bounded_cmd(&line_entry, "LimitRequestLine",
                                      KV_SLOT(test_conf_t, number, KV_UNIT_NUMBER, 1, 1 << 20));

    ck_assert_ptr_null(set1(kv_set_bounded_slot, cmd, &conf, "1"));
    ck_assert_int_eq(conf.number, 1);
    assert_bounded(cmd, &conf, cases, N_CASES(cases));
    ck_assert_int_eq(conf.number, 1 << 20);
    ck_assert_int_eq(conf.flag, 0);
}
END_TEST

KVC_TEST(slots, bounded_names_the_directive_as_the_table_does)
{
    test_conf_t conf = {0};
    kv_cmd_parms_t *cmd = bounded_cmd(&line_entry, "limitrequestline",
                                      KV_SLOT(test_conf_t, number, KV_UNIT_NUMBER, 0, 10));
    const char *two[] = {"1", "2", NULL};

    ck_assert_str_eq(set1(kv_set_bounded_slot, cmd, &conf, "x"),
                     "LimitRequestLine: 'x' is not a whole number");
    ck_assert_str_eq(kv_set_bounded_slot(cmd, &conf, 2, two), "LimitRequestLine takes one argument");
    ck_assert_int_eq(conf.number, 0);
}
END_TEST

KVC_TEST(slots, bounded_seconds)
{
    static const kv_command_t entry = {.name = "Timeout"};
    static const char *const cases[][2] = {
        {"300", NULL},
        {"999ms", "Timeout: 999ms is out of range (1 to 300 seconds)"},
        {"301", "Timeout: 301 is out of range (1 to 300 seconds)"},
        {"-1", "Timeout: '-1' is not a time (seconds, or a number with ms, s, mi or h)"},
        {"400000000", "Timeout: 400000000 is out of range (0 to one year)"},
        {"2mi", NULL},
    };
    test_conf_t conf = {.time = KV_UNSET_TIME};
    kv_cmd_parms_t *cmd =
        bounded_cmd(&entry, "Timeout", KV_SLOT(test_conf_t, time, KV_UNIT_SECONDS, 1, 300));

    ck_assert_ptr_null(set1(kv_set_bounded_slot, cmd, &conf, "300"));
    ck_assert_int_eq(conf.time, apr_time_from_sec(300));
    assert_bounded(cmd, &conf, cases, N_CASES(cases));
    ck_assert_int_eq(conf.time, apr_time_from_sec(120));
}
END_TEST

KVC_TEST(slots, bounded_bytes)
{
    static const kv_command_t entry = {.name = "ScriptLogLength"};
    static const char *const cases[][2] = {
        {"1K", NULL},
        {"1023", "ScriptLogLength: 1023 is out of range (1024 to 1048576)"},
        {"2M", "ScriptLogLength: 2M is out of range (1024 to 1048576)"},
        {"1KB", "ScriptLogLength: '1KB' is not a size (a number with an optional K, M or G)"},
        {"1M", NULL},
    };
    test_conf_t conf = {.size = -1};
    kv_cmd_parms_t *cmd = bounded_cmd(&entry, "ScriptLogLength",
                                      KV_SLOT(test_conf_t, size, KV_UNIT_BYTES, 1024, 1 << 20));

    ck_assert_ptr_null(set1(kv_set_bounded_slot, cmd, &conf, "1K"));
    ck_assert_int_eq(conf.size, 1024);
    assert_bounded(cmd, &conf, cases, N_CASES(cases));
    ck_assert_int_eq(conf.size, 1 << 20);
}
END_TEST

KVC_TEST(slots, bounded_flag)
{
    static const kv_command_t entry = {.name = "KeepAlive"};
    static const char *const cases[][2] = {
        {"yes", "KeepAlive must be On or Off"},
        {"off", NULL},
    };
    test_conf_t conf = {.flag = KV_UNSET_INT};
    kv_cmd_parms_t *cmd =
        bounded_cmd(&entry, "KeepAlive", KV_SLOT(test_conf_t, flag, KV_UNIT_FLAG, 0, 1));

    ck_assert_ptr_null(set1(kv_set_bounded_slot, cmd, &conf, "ON"));
    ck_assert_int_eq(conf.flag, 1);
    assert_bounded(cmd, &conf, cases, N_CASES(cases));
    ck_assert_int_eq(conf.flag, 0);
}
END_TEST

/* KV_SERVER_SLOT stores in the server being configured, not in the module's config. */
KVC_TEST(slots, bounded_server_slot_stores_in_the_server_record)
{
    static const kv_command_t entry = {.name = "LimitRequestFields"};
    struct kv_server server = {.limit_req_fields = 100};
    test_conf_t conf = {.number = 7};
    kv_cmd_parms_t *cmd = bounded_cmd(
        &entry, "LimitRequestFields", KV_SERVER_SLOT(limit_req_fields, KV_UNIT_NUMBER, 0, 32767));

    cmd->server = &server;
    ck_assert_ptr_null(set1(kv_set_bounded_slot, cmd, &conf, "0"));
    ck_assert_int_eq(server.limit_req_fields, 0);
    ck_assert_int_eq(conf.number, 7);
    ck_assert_str_eq(set1(kv_set_bounded_slot, cmd, &conf, "32768"),
                     "LimitRequestFields: 32768 is out of range (0 to 32767)");
    ck_assert_int_eq(server.limit_req_fields, 0);
}
END_TEST

int main(void)
{
    return kvu_run_apr("config_values");
}
