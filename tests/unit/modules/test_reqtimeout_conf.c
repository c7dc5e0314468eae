/* Tests of modules/reqtimeout/reqtimeout_conf.c: RequestReadTimeout's arguments as httpd's
 * mod_reqtimeout takes and refuses them, merging, and the deadlines they set. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>

#include "kv_config.h"
#include "reqtimeout_conf.h"
#include "../check_run.h"

static apr_pool_t *pool;

static void setup(void)
{
    apr_pool_create(&pool, NULL);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

static const struct {
    const char *arg;
    int header[3]; /* timeout, max_timeout, min_rate */
} good[] = {
    {"header=20", {20, 0, 0}},
    {"header=0", {0, 0, 0}},
    {"header=20-40,MinRate=500", {20, 40, 500}},
    {"HEADER=10,minrate=1", {10, 0, 1}},
    {"header=5,MINRATE=100", {5, 0, 100}},
    {"Header=1-2,MinRate=9", {1, 2, 9}},
};

KVU_CASE(reqtimeout_conf_case, "reqtimeout_conf", setup, teardown);

KVC_LOOP_TEST(reqtimeout_conf_case, parses_httpd_syntax, 0, (int)(sizeof(good) / sizeof(good[0])))
{
    reqtimeout_conf_t conf;
    const char *err;

    reqtimeout_conf_init(&conf);
    err = reqtimeout_parse_arg(pool, good[_i].arg, &conf);
    ck_assert_msg(err == NULL, "%s: %s", good[_i].arg, err);
    ck_assert_int_eq(conf.header.timeout, good[_i].header[0]);
    ck_assert_int_eq(conf.header.max_timeout, good[_i].header[1]);
    ck_assert_int_eq(conf.header.min_rate, good[_i].header[2]);
    ck_assert_int_eq(conf.body.timeout, KV_UNSET_INT);
    ck_assert_int_eq(conf.handshake.timeout, KV_UNSET_INT);
}
END_TEST

static const struct {
    const char *arg;
    const char *want;
} bad[] = {
    {"header", "Parameter must be in the form 'key=value'"},
    {"heder=20", "RequestReadTimeout: heder=20: Unknown RequestReadTimeout parameter"},
    {"header=20-40", "RequestReadTimeout: header=20-40: Must set MinRate option if using "
                     "timeout range"},
    {"header=20,MinRate=0", "Minimum data rate must be larger than 0"},
    {"header=40-20,MinRate=500", "Maximum timeout must be larger than initial timeout"},
    {"header=20-20,MinRate=500", "Maximum timeout must be larger than initial timeout"},
    {"header=abc", "'abc' is not a whole number"},
    {"header=", "'' is not a whole number"},
    {"header=-1", "Must set MinRate option"}, /* as httpd: the dash is a range */
    {"header=20,MinRate=x", "'x' is not a whole number"},
    {"body=20 ", "is not a whole number"},
    {"body=99999999999999999999", "out of range"},
    {"body=20-x,MinRate=1", "'x' is not a whole number"},
};

KVC_LOOP_TEST(reqtimeout_conf_case, refuses_what_httpd_refuses, 0,
              (int)(sizeof(bad) / sizeof(bad[0])))
{
    reqtimeout_conf_t conf;
    const char *err;

    reqtimeout_conf_init(&conf);
    err = reqtimeout_parse_arg(pool, bad[_i].arg, &conf);
    ck_assert_msg(err != NULL, "%s was taken", bad[_i].arg);
    ck_assert_msg(strstr(err, bad[_i].want) != NULL, "%s: got '%s', want '%s'", bad[_i].arg, err,
                  bad[_i].want);
    ck_assert_int_eq(conf.header.timeout, KV_UNSET_INT);
    ck_assert_int_eq(conf.body.timeout, KV_UNSET_INT);
}
END_TEST

/* A later argument for the same stage replaces it whole; a virtual host takes the main
 * server's stages it does not set; an unset stage is httpd's default. */
KVC_TEST(reqtimeout_conf_case, stages_replace_merge_and_default)
{
    reqtimeout_conf_t main_conf, vhost, merged;

    reqtimeout_conf_init(&main_conf);
    reqtimeout_conf_init(&vhost);
    ck_assert_ptr_null(reqtimeout_parse_arg(pool, "header=20-40,MinRate=500", &main_conf));
    ck_assert_ptr_null(reqtimeout_parse_arg(pool, "header=7", &main_conf));
    ck_assert_int_eq(main_conf.header.timeout, 7);
    ck_assert_int_eq(main_conf.header.max_timeout, 0);
    ck_assert_int_eq(main_conf.header.min_rate, 0);
    ck_assert_ptr_null(reqtimeout_parse_arg(pool, "body=3", &vhost));
    reqtimeout_conf_merge(&main_conf, &vhost, &merged);
    ck_assert_int_eq(merged.header.timeout, 7);
    ck_assert_int_eq(merged.body.timeout, 3);
    ck_assert_int_eq(merged.handshake.timeout, KV_UNSET_INT);
    ck_assert_ptr_eq(reqtimeout_stage(&merged.handshake, &reqtimeout_defaults.handshake),
                     &reqtimeout_defaults.handshake);
    ck_assert_int_eq(reqtimeout_defaults.header.timeout, 20);
    ck_assert_int_eq(reqtimeout_defaults.header.max_timeout, 40);
    ck_assert_int_eq(reqtimeout_defaults.header.min_rate, 500);
    ck_assert_int_eq(reqtimeout_defaults.body.timeout, 20);
    ck_assert_int_eq(reqtimeout_defaults.body.max_timeout, 0);
    ck_assert_int_eq(reqtimeout_defaults.body.min_rate, 500);
    ck_assert_int_eq(reqtimeout_defaults.handshake.timeout, 0);
}
END_TEST

KVC_TEST(reqtimeout_conf_case, deadlines)
{
    const apr_time_t now = apr_time_from_sec(1000);
    const reqtimeout_stage_t ranged = {20, 40, 500}, plain = {5, 0, 0}, off = {0, 0, 0};
    kv_read_deadline_t d;

    reqtimeout_deadline(&ranged, "header", now, &d);
    ck_assert_int_eq(d.at, now + apr_time_from_sec(20));
    ck_assert_int_eq(d.max_at, now + apr_time_from_sec(40));
    ck_assert_int_eq(d.per_byte, apr_time_from_msec(2)); /* 500 bytes a second */
    ck_assert_str_eq(d.stage, "header");
    reqtimeout_deadline(&plain, "body", now, &d);
    ck_assert_int_eq(d.at, now + apr_time_from_sec(5));
    ck_assert_int_eq(d.max_at, 0);
    ck_assert_int_eq(d.per_byte, 0);
    reqtimeout_deadline(&off, "body", now, &d);
    ck_assert_int_eq(d.at, 0);
    ck_assert_ptr_null(d.stage);
}
END_TEST

int main(void)
{
    return kvu_run_apr("reqtimeout_conf");
}
