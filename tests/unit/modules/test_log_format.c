/* Tests of modules/log_config/log_format.c: the access log format compiler and renderer,
 * against a request built by hand. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "kv_log_items.h"
#include "log_format.h"
#include "../check_run.h"
#include "../support/request_tables.h"

/* 2001-09-09 01:46:40.123456 UTC; the request is logged 2.5 s later. */
#define T0 (apr_time_from_sec(1000000000) + 123456)
#define NOW (T0 + apr_time_from_msec(2500))

static apr_pool_t *pool;
static kv_request_t *r;

static apr_sockaddr_t *addr(const char *ip, apr_port_t port)
{
    apr_sockaddr_t *sa;

    ck_assert_int_eq(apr_sockaddr_info_get(&sa, ip, APR_INET, port, 0, pool), APR_SUCCESS);
    return sa;
}

/* A GET of /docs/a b.html?x=1 from 10.1.2.3:40000 to 127.0.0.1:8080, answered 200 with
 * 1234 body bytes. */
static void setup(void)
{
    kv_server_t *s;
    kv_conn_t *c;

    setenv("TZ", "UTC", 1);
    tzset();
    apr_pool_create(&pool, NULL);
    s = apr_pcalloc(pool, sizeof(*s));
    s->server_hostname = "www.example.org";
    c = apr_pcalloc(pool, sizeof(*c));
    c->pool = pool;
    c->base_server = s;
    c->client_ip = "10.1.2.3";
    c->local_ip = "127.0.0.1";
    c->client_addr = addr("10.1.2.3", 40000);
    c->local_addr = addr("127.0.0.1", 8080);
    c->keepalives = 2;
    r = apr_pcalloc(pool, sizeof(*r));
    r->pool = pool;
    r->connection = c;
    /* The client mod_remoteip found behind the peer 10.1.2.3. */
    r->useragent_ip = "192.0.2.9";
    r->useragent_addr = addr("192.0.2.9", 0);
    r->server = s;
    r->request_time = T0;
    r->the_request = "GET /docs/a%20b.html?x=1 HTTP/1.1";
    r->method = "GET";
    r->protocol = "HTTP/1.1";
    r->uri = "/docs/a b.html";
    r->args = "x=1";
    r->hostname = "example.org";
    r->filename = "/srv/htdocs/docs/a b.html";
    r->status = 200;
    r->bytes_sent = 1234;
    kvu_request_tables(r, pool);
    apr_table_set(r->headers_in, "User-Agent", "curl/8.0");
    apr_table_set(r->headers_in, "Referer", "http://example.org/");
    apr_table_set(r->headers_in, "Cookie", "a=1; session=xyz; b=2");
    apr_table_set(r->headers_out, "ETag", "\"abc\"");
    apr_table_set(r->err_headers_out, "X-Err", "oops");
    apr_table_set(r->subprocess_env, "TAG", "t1");
    apr_table_set(r->notes, "why", "because");
    r->content_type = "text/html";
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

/* The rendered line for @a fmt, without its newline. */
static const char *render(const char *fmt)
{
    log_format_t *f = NULL;
    const char *err = log_format_compile(pool, fmt, &f);
    apr_size_t len;
    char *line;

    ck_assert_msg(err == NULL, "format %s: %s", fmt, err);
    line = log_format_render(f, r, NOW, &len);
    ck_assert_uint_eq(strlen(line), len);
    ck_assert_msg(len > 0 && line[len - 1] == '\n', "line of %s does not end in a newline", fmt);
    line[len - 1] = '\0';
    return line;
}

static const char *compile_error(const char *fmt)
{
    log_format_t *f = NULL;
    const char *err = log_format_compile(pool, fmt, &f);

    ck_assert_msg(err != NULL, "format %s compiled", fmt);
    return err;
}

/* Every directive against the request of setup(). */
#define CASES_FILE "tests/unit/modules/log_format_directives.vectors"
#define CASES 64 /* the vectors in CASES_FILE */

KVU_CASE(log_format_case, "log_format", setup, teardown);

KVC_LOOP_TEST(log_format_case, renders_every_directive, 0, CASES)
{
    const struct kvc_vector *v = kvc_vector(CASES_FILE, CASES, 2, _i);
    const char *line = render(v->field[0]);

    ck_assert_msg(strcmp(line, v->field[1]) == 0, "%s:%d: '%s' renders '%s', want '%s'", v->file,
                  v->line, v->field[0], line, v->field[1]);
}
END_TEST

KVC_TEST(log_format_case, renders_common_and_combined)
{
    ck_assert_str_eq(render(LOG_FORMAT_COMMON), "192.0.2.9 - - [09/Sep/2001:01:46:40 +0000] "
                                                "\"GET /docs/a%20b.html?x=1 HTTP/1.1\" 200 1234");
    ck_assert_str_eq(render(LOG_FORMAT_COMBINED), "192.0.2.9 - - [09/Sep/2001:01:46:40 +0000] "
                                                  "\"GET /docs/a%20b.html?x=1 HTTP/1.1\" 200 1234 "
                                                  "\"http://example.org/\" \"curl/8.0\"");
}
END_TEST

KVC_TEST(log_format_case, escapes_values_as_httpd)
{
    apr_table_set(r->headers_in, "X-Evil", "a\"b\\c\n\t\x01\x7f\xc3\xa9 ok");
    ck_assert_str_eq(render("%{X-Evil}i"), "a\\\"b\\\\c\\n\\t\\x01\\x7f\\xc3\\xa9 ok");
    r->the_request = "GET /\x1b[31m HTTP/1.1";
    ck_assert_str_eq(render("%r"), "GET /\\x1b[31m HTTP/1.1");
    r->user = "b\"ob";
    ck_assert_str_eq(render("%u"), "b\\\"ob");
}
END_TEST

KVC_TEST(log_format_case, missing_values_are_dashes)
{
    r->bytes_sent = 0;
    r->args = NULL;
    r->the_request = NULL;
    r->filename = NULL;
    r->hostname = NULL;
    ck_assert_str_eq(render("%b|%B|%q|%r|%f|%V"), "-|0||-|-|www.example.org");
}
END_TEST

KVC_TEST(log_format_case, user_and_connection_state)
{
    r->user = "";
    ck_assert_str_eq(render("%u"), "\"\"");
    r->user = "bob";
    ck_assert_str_eq(render("%u"), "bob");
    r->close_connection = 1;
    ck_assert_str_eq(render("%X"), "-");
    r->connection->aborted = 1;
    ck_assert_str_eq(render("%X"), "X");
}
END_TEST

KVC_TEST(log_format_case, canonical_port_is_the_server_name_port)
{
    r->server->port = 443;
    ck_assert_str_eq(render("%{canonical}p %p"), "443 8080");
}
END_TEST

KVC_TEST(log_format_case, process_and_thread_ids)
{
    char pid[32];
    const char *tid = render("%{tid}P");

    snprintf(pid, sizeof(pid), "%ld", (long)getpid());
    ck_assert_str_eq(render("%P"), pid);
    ck_assert_str_eq(render("%{pid}P"), pid);
    ck_assert_int_gt((int)strlen(tid), 0);
    ck_assert_int_eq((int)strspn(tid, "0123456789"), (int)strlen(tid));
    ck_assert_int_eq((int)strspn(render("%{hextid}P"), "0123456789abcdef"),
                     (int)strlen(render("%{hextid}P")));
}
END_TEST

KVC_TEST(log_format_case, status_condition_follows_the_status)
{
    r->status = 404;
    ck_assert_str_eq(render("%404{User-agent}i %!404{User-agent}i %s"), "curl/8.0 - 404");
}
END_TEST

KVC_TEST(log_format_case, clf_time_carries_the_zone_offset)
{
    setenv("TZ", "EST5", 1);
    tzset();
    ck_assert_str_eq(render("%t"), "[08/Sep/2001:20:46:40 -0500]");
    setenv("TZ", "IST-5:30", 1);
    tzset();
    ck_assert_str_eq(render("%t"), "[09/Sep/2001:07:16:40 +0530]");
}
END_TEST

KVC_TEST(log_format_case, durations_never_go_negative)
{
    log_format_t *f;
    apr_size_t len;

    ck_assert_ptr_null(log_format_compile(pool, "%D %T", &f));
    ck_assert_str_eq(log_format_render(f, r, T0 - apr_time_from_sec(5), &len), "0 0\n");
}
END_TEST

KVC_TEST(log_format_case, the_line_is_one_buffer_with_a_newline)
{
    log_format_t *f;
    apr_size_t len;
    char *line;

    ck_assert_ptr_null(log_format_compile(pool, "%h %>s", &f));
    ck_assert_str_eq(f->text, "%h %>s");
    line = log_format_render(f, r, NOW, &len);
    ck_assert_uint_eq(len, strlen("192.0.2.9 200\n"));
    ck_assert_str_eq(line, "192.0.2.9 200\n");
}
END_TEST

/* A time longer than strftime's buffer is missing ("-"), not the unterminated bytes strftime
 * leaves behind (found by tests/fuzz/fuzz_log_format). */
KVC_TEST(log_format_case, overlong_time_is_a_dash)
{
    char literal[300], years[300];

    memset(literal, 'x', sizeof(literal) - 1);
    literal[sizeof(literal) - 1] = '\0';
    years[0] = '\0';
    for (int i = 0; i < 70; i++) {
        strcat(years, "%Y");
    }
    ck_assert_str_eq(render(apr_pstrcat(pool, "%{", literal, "}t|", NULL)), "-|");
    ck_assert_str_eq(render(apr_pstrcat(pool, "%{", years, "}t|", NULL)), "-|");
}
END_TEST

static const struct {
    const char *fmt;
    const char *want; /* in the error */
} bad[] = {
    {"%h %Z", "unrecognized directive %Z"},
    {"%{Referer}j", "unrecognized directive %j"},
    {"%!200,~s", "unrecognized directive %~"},
    {"trailing %", "the format ends inside a %-directive"},
    {"%>", "the format ends inside a %-directive"},
    {"%{Referer", "a %{ has no closing }"},
    {"%i", "%i needs an argument: %{name}i"},
    {"%{}o", "%o needs an argument: %{name}o"},
    {"%e", "%e needs an argument"},
    {"%n", "%n needs an argument"},
    {"%C", "%C needs an argument"},
    {"%{min}T", "%{min}T: the unit is s, ms or us"},
    {"%{server}p", "%{server}p: the argument is canonical, local or remote"},
    {"%{ppid}P", "%{ppid}P: the argument is pid, tid or hextid"},
    {"%{x}a", "%{x}a: the only argument is c"},
    {"%99{Referer}i", "bad status code 99 in a condition"},
    {"%1000{Referer}i", "bad status code 1000 in a condition"},
};

KVC_LOOP_TEST(log_format_case, refuses_bad_formats, 0, (int)(sizeof(bad) / sizeof(bad[0])))
{
    const char *err = compile_error(bad[_i].fmt);

    ck_assert_msg(strstr(err, bad[_i].want) != NULL, "format %s: got '%s', want '%s'", bad[_i].fmt,
                  err, bad[_i].want);
}
END_TEST

/* A code another module registers (mod_logio's %I, say): its value, its argument and the
 * status condition; gone with the pool it was registered in. */
static const char *added_code(kv_request_t *req, const char *arg)
{
    return apr_psprintf(req->pool, "[%s]", arg ? arg : "none");
}

KVC_TEST(log_format_case, codes_other_modules_register)
{
    apr_pool_t *gen, *next;

    ck_assert_str_eq(compile_error("%J"), "unrecognized directive %J");
    ck_assert_str_eq(compile_error("%^FB"), "unrecognized directive %^FB");
    ck_assert_str_eq(compile_error("%^F"), "the format ends inside a %-directive");
    apr_pool_create(&gen, pool);
    ck_assert_ptr_null(kv_log_register_item(gen, "J", added_code));
    ck_assert_ptr_null(kv_log_register_item(gen, "^FB", added_code));
    ck_assert_ptr_nonnull(kv_log_register_item(gen, "JK", added_code));
    ck_assert_ptr_nonnull(kv_log_register_item(gen, "^F", added_code));
    ck_assert_str_eq(render("%J %{x}J %404J %!404{y}J %^FB"), "[none] [x] - [y] [none]");
    ck_assert_ptr_null(kv_log_register_item(gen, "b", added_code));
    ck_assert_str_eq(render("%b"), "[none]");
    /* the next generation registers again before this one is gone */
    apr_pool_create(&next, pool);
    ck_assert_ptr_null(kv_log_register_item(next, "J", added_code));
    apr_pool_destroy(gen);
    ck_assert_str_eq(render("%J"), "[none]");
    ck_assert_str_eq(compile_error("%^FB"), "unrecognized directive %^FB");
    ck_assert_str_eq(render("%b"), "1234");
    apr_pool_destroy(next);
    ck_assert_str_eq(compile_error("%J"), "unrecognized directive %J");
}
END_TEST

int main(void)
{
    return kvu_run_apr("log_format");
}
