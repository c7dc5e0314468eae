/* Tests of server/config/config.c (the walker) and the core directives (server/config/core.c's
 * table, handled in server/config/core_*.c), on directive trees built by hand so that each error
 * path is reached directly. */
/* Moved from tests/unit/server/test_config.c (server/ split into layer folders). */
#include <check.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_hash.h>
#include <apr_strings.h>

#include "config_walk.h"
#include "core.h"
#include "httpd_directives.h"
#include "if_sections.h"
#include "kv_log.h"
#include "module.h"
#include "sections.h"
#include "../../check_run.h"

static apr_pool_t *pool;
static kv_server_t *server;
static kv_directive_t *tree, *tree_tail;
static unsigned next_line;

/* A section of the test module that walks its contents as a <Directory> would. */
static const char *test_dir_section(kv_cmd_parms_t *cmd, void *conf, int argc,
                                    const char *const *argv)
{
    (void)conf;
    (void)argc;
    (void)argv;
    cmd->context = KV_CTX_DIR;
    return kv_walk_config(cmd, cmd->directive->first_child, cmd->server->lookup_defaults);
}

static const char *test_noop(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv)
{
    (void)cmd;
    (void)conf;
    (void)argc;
    (void)argv;
    return NULL;
}

/* What TestSeen saw of its parms, in order. */
static const kv_section_t *seen_section[8];
static int seen_walk[8];
static int n_seen;

static const char *test_seen(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv)
{
    (void)conf;
    (void)argc;
    (void)argv;
    ck_assert_int_lt(n_seen, 8);
    seen_section[n_seen] = cmd->section;
    seen_walk[n_seen++] = cmd->walk != NULL;
    return NULL;
}

static const kv_command_t test_commands[] = {
    {"<TestDir", test_dir_section, NULL, 0, 0, KV_CTX_MAIN, 0, "a directory-like section"},
    {"TestSeen", test_seen, NULL, 0, 0, KV_CTX_ALL, 0, "notes its parms"},
    {"TestOnce", test_noop, NULL, 1, 1, KV_CTX_ALL, KV_CMD_ONCE, "may appear once"},
    {NULL, NULL, NULL, 0, 0, 0, 0, NULL}};

static kv_module_t test_module = {KV_MODULE_HEADER("test"), .commands = test_commands};

static void setup(void)
{
    apr_pool_create(&pool, NULL);
    apr_hook_global_pool = pool;
    kv_modules_reset();
    server = kv_server_create(pool);
    kv_module_add(pool, &core_module, NULL, server);
    kv_module_add(pool, &test_module, NULL, server);
    tree = tree_tail = NULL;
    next_line = 1;
    n_seen = 0;
}

static void teardown(void)
{
    apr_hook_deregister_all();
    apr_pool_destroy(pool);
}

/* A directive node "name arg..." (NULL-terminated args) on the next line of t.conf. */
static kv_directive_t *node(const char *name, ...)
{
    kv_directive_t *d = apr_pcalloc(pool, sizeof(*d));
    apr_array_header_t *args = apr_array_make(pool, 4, sizeof(const char *));
    va_list ap;
    const char *a;

    va_start(ap, name);
    while ((a = va_arg(ap, const char *)) != NULL) {
        APR_ARRAY_PUSH(args, const char *) = a;
    }
    va_end(ap);
    d->name = name;
    d->argc = args->nelts;
    APR_ARRAY_PUSH(args, const char *) = NULL;
    d->argv = (const char **)args->elts;
    d->args = "";
    d->file = "/etc/t.conf";
    d->line = next_line++;
    return d;
}

static kv_directive_t *add(kv_directive_t *d)
{
    if (tree_tail) {
        tree_tail->next = d;
    } else {
        tree = d;
    }
    tree_tail = d;
    return d;
}

static void add_child(kv_directive_t *section, kv_directive_t *child)
{
    kv_directive_t **at = &section->first_child;

    while (*at) {
        at = &(*at)->next;
    }
    child->parent = section;
    *at = child;
}

static const char *run(void)
{
    apr_pool_t *ptemp;

    apr_pool_create(&ptemp, pool);
    return kv_config_run(pool, ptemp, server, tree);
}

/* An unknown directive: httpd's "Invalid command" error, with a suggestion when the name is a
 * near miss of a known one. Formerly the tests unknown_directive_suggests_the_near_one,
 * unknown_directive_far_from_all, swapped_letters_get_a_suggestion and
 * far_names_get_no_suggestion. */
static const struct {
    const char *before; /* a good directive on line 1, or NULL */
    const char *name, *arg;
    const char *error;
} unknown[] = {
    {"Timeout", "KeepAliveTimout", "5",
     "Syntax error on line 2 of /etc/t.conf: Invalid command "
     "'KeepAliveTimout', perhaps you meant 'KeepAliveTimeout'?"},
    {NULL, "Frobnicate", "on",
     "Syntax error on line 1 of /etc/t.conf: Invalid command "
     "'Frobnicate', perhaps misspelled or defined by a module not "
     "included in the server configuration"},
    /* One swap in six letters; as two edits it would be a third of the name. */
    {NULL, "Listne", "80",
     "Syntax error on line 1 of /etc/t.conf: Invalid command "
     "'Listne', perhaps you meant 'Listen'?"},
    /* Three edits from KeepAlive: the old rule (up to 3) suggested it. */
    {NULL, "KeepAliveXYZ", "on",
     "Syntax error on line 1 of /etc/t.conf: Invalid command "
     "'KeepAliveXYZ', perhaps misspelled or defined by a module not "
     "included in the server configuration"},
};

KVU_CASE(walker_case, "walker", setup, teardown);

KVC_LOOP_TEST(walker_case, unknown_directive, 0, (int)KVU_COUNT(unknown))
{
    if (unknown[_i].before) {
        add(node(unknown[_i].before, "30", NULL));
    }
    add(node(unknown[_i].name, unknown[_i].arg, NULL));
    ck_assert_str_eq(run(), unknown[_i].error);
}
END_TEST

KVC_TEST(walker_case, names_are_case_insensitive)
{
    add(node("keepalivetimeout", "7", NULL));
    add(node("KEEPALIVE", "off", NULL));
    ck_assert_ptr_null(run());
    ck_assert_int_eq(server->keep_alive_timeout, apr_time_from_sec(7));
    ck_assert_int_eq(server->keep_alive, 0);
}
END_TEST

KVC_TEST(walker_case, wrong_argument_count)
{
    add(node("Timeout", "30", "40", NULL));
    ck_assert_str_eq(run(), "Syntax error on line 1 of /etc/t.conf: Timeout takes 1 argument, "
                            "2 given: seconds: how long to wait for a client to read or write");
}
END_TEST

KVC_TEST(walker_case, too_few_arguments)
{
    add(node("LoadModule", "x_module", NULL));
    ck_assert_ptr_nonnull(strstr(run(), "LoadModule takes 2 arguments, 1 given"));
}
END_TEST

KVC_TEST(walker_case, number_that_is_not_a_number)
{
    const char *err;

    add(node("MaxKeepAliveRequests", "abc", NULL));
    err = run();
    ck_assert_ptr_nonnull(err);
    ck_assert_ptr_nonnull(strstr(err, "line 1 of /etc/t.conf: MaxKeepAliveRequests"));
    ck_assert_ptr_nonnull(strstr(err, "abc"));
    ck_assert_int_eq(server->keep_alive_max, 100);
}
END_TEST

KVC_TEST(walker_case, numbers_out_of_range)
{
    add(node("ListenBacklog", "0", NULL));
    ck_assert_ptr_nonnull(strstr(run(), "ListenBacklog"));
}
END_TEST

KVC_TEST(walker_case, negative_limit_refused)
{
    add(node("LimitRequestFields", "-1", NULL));
    ck_assert_ptr_nonnull(strstr(run(), "LimitRequestFields"));
}
END_TEST

KVC_TEST(walker_case, limits_are_stored)
{
    add(node("LimitRequestLine", "100", NULL));
    add(node("LimitRequestFieldSize", "200", NULL));
    add(node("LimitRequestFields", "0", NULL));
    add(node("MaxKeepAliveRequests", "0", NULL));
    add(node("Timeout", "250ms", NULL));
    ck_assert_ptr_null(run());
    ck_assert_int_eq(server->limit_req_line, 100);
    ck_assert_int_eq(server->limit_req_fieldsize, 200);
    ck_assert_int_eq(server->limit_req_fields, 0);
    ck_assert_int_eq(server->keep_alive_max, 0);
    ck_assert_int_eq(server->timeout, apr_time_from_msec(250));
}
END_TEST

KVC_TEST(walker_case, flag_must_be_on_or_off)
{
    add(node("KeepAlive", "maybe", NULL));
    ck_assert_ptr_nonnull(strstr(run(), "line 1 of /etc/t.conf: KeepAlive"));
}
END_TEST

KVC_TEST(walker_case, once_only_directive_repeated)
{
    add(node("TestOnce", "a", NULL));
    add(node("Timeout", "5", NULL));
    add(node("TestOnce", "b", NULL));
    ck_assert_str_eq(run(), "Syntax error on line 3 of /etc/t.conf: TestOnce may appear "
                            "only once here; it was already set on line 1 of /etc/t.conf");
}
END_TEST

/* What httpd lets appear again takes the last value, as in httpd. */
KVC_TEST(walker_case, repeats_take_the_last_value)
{
    kv_core_server_conf_t *conf = kv_core_sconf(server);

    add(node("ServerRoot", "/tmp", NULL));
    add(node("ServerName", "first.example", NULL));
    add(node("DocumentRoot", "/tmp", NULL));
    add(node("ErrorLog", "/tmp/first_log", NULL));
    add(node("ListenBacklog", "10", NULL));
    add(node("SendBufferSize", "1000", NULL));
    add(node("ReceiveBufferSize", "2000", NULL));
    add(node("ServerRoot", "/var", NULL));
    add(node("ServerName", "second.example:8080", NULL));
    add(node("DocumentRoot", "/var", NULL));
    add(node("ErrorLog", "/tmp/second_log", NULL));
    add(node("ListenBacklog", "20", NULL));
    add(node("SendBufferSize", "3000", NULL));
    add(node("ReceiveBufferSize", "4000", NULL));
    ck_assert_ptr_null(run());
    ck_assert_str_eq(server->server_hostname, "second.example");
    ck_assert_int_eq(server->port, 8080);
    ck_assert_str_eq(conf->document_root, "/var");
    ck_assert_str_eq(conf->error_log, "/tmp/second_log");
    ck_assert_int_eq(conf->listen_backlog, 20);
    ck_assert_int_eq(conf->send_buffer_size, 3000);
    ck_assert_int_eq(conf->receive_buffer_size, 4000);
}
END_TEST

KVC_TEST(walker_case, wrong_context)
{
    kv_directive_t *sec = add(node("<TestDir", NULL));

    add_child(sec, node("Listen", "8080", NULL));
    ck_assert_str_eq(run(), "Syntax error on line 2 of /etc/t.conf: Listen is not allowed in a "
                            "<Directory>, <Location> or <Files> section");
}
END_TEST

/* The server record starts from httpd's defaults, the ones the request-head parser's tests
 * use too (one definition of each, in kv_http.h). */
KVC_TEST(walker_case, server_record_starts_from_the_defaults)
{
    ck_assert_int_eq(server->timeout, apr_time_from_sec(KV_DEFAULT_TIMEOUT_SEC));
    ck_assert_int_eq(server->keep_alive_timeout,
                     apr_time_from_sec(KV_DEFAULT_KEEPALIVE_TIMEOUT_SEC));
    ck_assert_int_eq(server->keep_alive, 1);
    ck_assert_int_eq(server->keep_alive_max, KV_DEFAULT_MAX_KEEPALIVE_REQUESTS);
    ck_assert_int_eq(server->limit_req_line, KV_DEFAULT_LIMIT_REQUEST_LINE);
    ck_assert_int_eq(server->limit_req_fieldsize, KV_DEFAULT_LIMIT_REQUEST_FIELDSIZE);
    ck_assert_int_eq(server->limit_req_fields, KV_DEFAULT_LIMIT_REQUEST_FIELDS);
    /* httpd's values, so that a change of one is seen here. */
    ck_assert_int_eq(KV_DEFAULT_TIMEOUT_SEC, 60);
    ck_assert_int_eq(KV_DEFAULT_KEEPALIVE_TIMEOUT_SEC, 5);
    ck_assert_int_eq(KV_DEFAULT_MAX_KEEPALIVE_REQUESTS, 100);
    ck_assert_int_eq(KV_DEFAULT_LIMIT_REQUEST_LINE, 8190);
    ck_assert_int_eq(KV_DEFAULT_LIMIT_REQUEST_FIELDSIZE, 8190);
    ck_assert_int_eq(KV_DEFAULT_LIMIT_REQUEST_FIELDS, 100);
}
END_TEST

/* A setter finds the section it stands in, the innermost, in its parms (no global), and
 * the walk that runs it. */
KVC_TEST(walker_case, parms_carry_the_section_being_read)
{
    kv_directive_t *dir, *files;

    add(node("TestSeen", NULL));
    dir = add(node("<Directory", "/srv", NULL));
    add_child(dir, node("TestSeen", NULL));
    files = node("<Files", "a.txt", NULL);
    add_child(dir, files);
    add_child(files, node("TestSeen", NULL));
    add_child(dir, node("TestSeen", NULL));
    add(node("TestSeen", NULL));
    ck_assert_ptr_null(run());
    ck_assert_int_eq(n_seen, 5);
    ck_assert_ptr_null(seen_section[0]);
    ck_assert_ptr_nonnull(seen_section[1]);
    ck_assert_int_eq(seen_section[1]->kind, KV_SEC_DIRECTORY);
    ck_assert_str_eq(seen_section[1]->path, "/srv");
    ck_assert_ptr_nonnull(seen_section[2]);
    ck_assert_int_eq(seen_section[2]->kind, KV_SEC_FILES);
    ck_assert_ptr_eq(seen_section[2]->parent, seen_section[1]);
    ck_assert_ptr_eq(seen_section[3], seen_section[1]);
    ck_assert_ptr_null(seen_section[4]);
    for (int i = 0; i < n_seen; i++) {
        ck_assert_msg(seen_walk[i], "TestSeen %d ran without its walk", i);
    }
}
END_TEST

/* Parms made outside a walk (as a module or a test makes them) start one: the errors come
 * back as the result, each on its line. */
KVC_TEST(walker_case, walk_config_starts_a_walk_for_parms_without_one)
{
    kv_cmd_parms_t cmd;
    apr_pool_t *ptemp;
    const char *err;

    apr_pool_create(&ptemp, pool);
    memset(&cmd, 0, sizeof(cmd));
    cmd.pool = pool;
    cmd.temp_pool = ptemp;
    cmd.server = server;
    cmd.context = KV_CTX_MAIN;
    cmd.limited = KV_METHODS_ALL;
    add(node("Timeout", "soon", NULL));
    add(node("TestSeen", NULL));
    add(node("TestOnce", "1", NULL));
    add(node("TestOnce", "2", NULL));
    err = kv_walk_config(&cmd, tree, server->lookup_defaults);
    ck_assert_str_eq(err, "Syntax error on line 1 of /etc/t.conf: Timeout: 'soon' is not a time "
                          "(seconds, or a number with ms, s, mi or h)\n"
                          "Syntax error on line 4 of /etc/t.conf: TestOnce may appear only once "
                          "here; it was already set on line 3 of /etc/t.conf");
    ck_assert_ptr_null(cmd.walk);
    ck_assert_int_eq(n_seen, 1);
    ck_assert_int_eq(seen_walk[0], 1);
}
END_TEST

/* The configuration says whether it has an if-section, for as long as its generation's pool
 * lives, so that kv_if_walk costs nothing a request when there is none. */
KVC_TEST(walker_case, if_sections_configured_for_the_generation)
{
    kv_directive_t *dir, *ifsec;
    apr_pool_t *gen, *ptemp;

    add(node("TestSeen", NULL));
    ck_assert_ptr_null(run());
    ck_assert_int_eq(kv_if_sections_configured(), 0);

    dir = add(node("<Directory", "/srv", NULL));
    ifsec = node("<If", "%{HTTP_HOST} == 'a'", NULL);
    add_child(dir, ifsec);
    add_child(ifsec, node("TestSeen", NULL));
    apr_pool_create(&gen, pool);
    apr_pool_create(&ptemp, gen);
    ck_assert_ptr_null(kv_config_run(gen, ptemp, server, tree));
    ck_assert_int_eq(kv_if_sections_configured(), 1);
    apr_pool_destroy(gen);
    ck_assert_int_eq(kv_if_sections_configured(), 0);
}
END_TEST

KVC_TEST(walker_case, ifmodule_runs_contents_only_when_loaded)
{
    kv_directive_t *yes = add(node("<IfModule", "core_module", NULL));
    kv_directive_t *no = add(node("<IfModule", "!mod_core.c", NULL));
    kv_directive_t *absent = add(node("<IfModule", "mod_nothing.c", NULL));

    add_child(yes, node("Timeout", "7", NULL));
    add_child(no, node("KeepAliveTimeout", "9", NULL));
    add_child(absent, node("LimitRequestLine", "99", NULL));
    ck_assert_ptr_null(run());
    ck_assert_int_eq(server->timeout, apr_time_from_sec(7));
    ck_assert_int_eq(server->keep_alive_timeout, apr_time_from_sec(5));
    ck_assert_int_eq(server->limit_req_line, 8190);
}
END_TEST

/* <IfFile>, <IfDirective>, <IfSection>: the Timeout inside counts only when the test holds
 * (values under 100 mark the true ones). */
KVC_TEST(walker_case, if_file_directive_section)
{
    static const char *const cases[][3] = {
        {"<IfFile", "/", "1"},
        {"<IfFile", "!/", "101"},
        {"<IfFile", "tmp", "2"}, /* relative to ServerRoot */
        {"<IfFile", "!tmp/kiva-no-such-file", "3"},
        {"<IfFile", "kiva-no-such-file", "102"},
        {"<IfDirective", "keepalivetimeout", "4"},
        {"<IfDirective", "!RewriteEngine", "5"},
        {"<IfDirective", "!Timeout", "103"},
        {"<IfDirective", "TestDir", "104"}, /* a section, not a directive */
        {"<IfSection", "TestDir", "6"},
        {"<IfSection", "!Proxy", "7"},
        {"<IfSection", "KeepAlive", "105"},
    };
    const char *saved_root = kv_server_root;

    kv_server_root = "/";
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int value = atoi(cases[i][2]);

        tree = tree_tail = NULL;
        server->timeout = apr_time_from_sec(999);
        add_child(add(node(cases[i][0], cases[i][1], NULL)), node("Timeout", cases[i][2], NULL));
        ck_assert_ptr_null(run());
        ck_assert_msg(server->timeout == apr_time_from_sec(value < 100 ? value : 999),
                      "%s %s> decided wrong", cases[i][0], cases[i][1]);
    }
    kv_server_root = saved_root;
}
END_TEST

KVC_TEST(walker_case, if_condition_without_a_name)
{
    kv_directive_t *sec = add(node("<IfDirective", "!", NULL));

    add_child(sec, node("Timeout", "5", NULL));
    ck_assert_str_eq(run(), "Syntax error on line 1 of /etc/t.conf: <IfDirective> directive "
                            "requires additional arguments");
}
END_TEST

KVC_TEST(walker_case, error_inside_a_section_names_its_own_line)
{
    kv_directive_t *yes = add(node("<IfModule", "core_module", NULL));

    add_child(yes, node("Timeout", "soon", NULL));
    ck_assert_ptr_nonnull(strstr(run(), "Syntax error on line 2 of /etc/t.conf: Timeout"));
}
END_TEST

KVC_TEST(walker_case, walk_goes_on_after_an_error)
{
    add(node("Timeout", "soon", NULL));
    add(node("KeepAliveTimeout", "9", NULL));
    add(node("KeepAlive", "maybe", NULL));
    add(node("LimitRequestLine", "100", NULL));
    ck_assert_str_eq(run(), "Syntax error on line 1 of /etc/t.conf: Timeout: 'soon' is not a "
                            "time (seconds, or a number with ms, s, mi or h)\n"
                            "Syntax error on line 3 of /etc/t.conf: KeepAlive must be On or Off");
    /* The good directives between and after took effect. */
    ck_assert_int_eq(server->keep_alive_timeout, apr_time_from_sec(9));
    ck_assert_int_eq(server->limit_req_line, 100);
}
END_TEST

KVC_TEST(walker_case, errors_inside_sections_are_each_reported)
{
    kv_directive_t *yes = add(node("<IfModule", "core_module", NULL));
    kv_directive_t *bad = add(node("<TestDir", "unexpected", NULL));

    add_child(yes, node("Timeout", "soon", NULL));
    add_child(yes, node("KeepAliveTimeout", "7", NULL));
    add_child(yes, node("KeepAlive", "maybe", NULL));
    /* A failing opener skips its contents: their errors would only be noise. */
    add_child(bad, node("Timeout", "never", NULL));
    add(node("LimitRequestLine", "oops", NULL));
    const char *err = run();
    ck_assert_ptr_nonnull(err);
    ck_assert_ptr_nonnull(strstr(err, "Syntax error on line 3 of /etc/t.conf: Timeout: 'soon'"));
    ck_assert_ptr_nonnull(strstr(err, "\nSyntax error on line 5 of /etc/t.conf: KeepAlive must"));
    ck_assert_ptr_nonnull(strstr(err, "\nSyntax error on line 2 of /etc/t.conf: <TestDir takes 0 "
                                      "arguments, 1 given"));
    ck_assert_ptr_null(strstr(err, "never"));
    ck_assert_ptr_nonnull(strstr(err, "\nSyntax error on line 7 of /etc/t.conf: LimitRequestLine"));
    ck_assert_ptr_null(strstr(err, "reported on their lines"));
    ck_assert_int_eq(server->keep_alive_timeout, apr_time_from_sec(7));
}
END_TEST

KVC_TEST(walker_case, walk_errors_are_capped)
{
    const char *err;
    int lines = 0;

    for (int i = 0; i < 250; i++) {
        add(node("KeepAlive", "maybe", NULL));
    }
    err = run();
    for (const char *c = err; c; c = strchr(c + 1, '\n')) {
        lines++;
    }
    ck_assert_int_eq(lines, 101);
    ck_assert_ptr_nonnull(strstr(err, "line 100 of"));
    ck_assert_ptr_null(strstr(err, "line 101 of"));
    ck_assert_ptr_nonnull(strstr(err, "\n... and more errors"));
}
END_TEST

KVC_TEST(walker_case, listen_forms)
{
    kv_core_server_conf_t *conf;

    add(node("Listen", "8080", NULL));
    add(node("Listen", "127.0.0.1:8081", NULL));
    add(node("Listen", "[::1]:8082", "http", NULL));
    add(node("Listen", "8443", "HTTPS", NULL)); /* any protocol, lower-cased, as httpd */
    add(node("Listen", "443", NULL));
    add(node("Listen", "127.0.0.1:443", "http", NULL));
    ck_assert_ptr_null(run());
    conf = kv_core_sconf(server);
    ck_assert_int_eq(conf->listen_specs->nelts, 6);
    ck_assert_ptr_null(APR_ARRAY_IDX(conf->listen_specs, 0, kv_listen_spec_t).addr);
    ck_assert_int_eq(APR_ARRAY_IDX(conf->listen_specs, 1, kv_listen_spec_t).port, 8081);
    ck_assert_str_eq(APR_ARRAY_IDX(conf->listen_specs, 2, kv_listen_spec_t).addr, "::1");
    ck_assert_str_eq(APR_ARRAY_IDX(conf->listen_specs, 0, kv_listen_spec_t).protocol, "http");
    ck_assert_str_eq(APR_ARRAY_IDX(conf->listen_specs, 3, kv_listen_spec_t).protocol, "https");
    ck_assert_str_eq(APR_ARRAY_IDX(conf->listen_specs, 4, kv_listen_spec_t).protocol, "https");
    ck_assert_str_eq(APR_ARRAY_IDX(conf->listen_specs, 5, kv_listen_spec_t).protocol, "http");
}
END_TEST

KVC_TEST(walker_case, listen_errors)
{
    const char *bad[] = {"abc", "127.0.0.1", "127.0.0.1:0", "1:2:3", "70000"};

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        teardown();
        setup();
        add(node("Listen", bad[i], NULL));
        ck_assert_msg(run() != NULL, "Listen %s was accepted", bad[i]);
    }
    teardown();
    setup();
    add(node("Listen", "8080", NULL));
    add(node("Listen", "8080", NULL));
    ck_assert_ptr_nonnull(strstr(run(), "line 2 of /etc/t.conf: Listen: 8080 is already"));
}
END_TEST

KVC_TEST(walker_case, log_level_global_and_per_module)
{
    const int *lv;

    add(node("LogLevel", "debug", "mime_module:trace2", "dir:error", NULL));
    ck_assert_ptr_null(run());
    ck_assert_int_eq(server->log_level, KV_LOG_DEBUG);
    lv = apr_hash_get(server->module_log_levels, "mime", APR_HASH_KEY_STRING);
    ck_assert_ptr_nonnull(lv);
    ck_assert_int_eq(*lv, KV_LOG_TRACE2);
    ck_assert(kv_log_enabled(server, "dir", KV_LOG_ERR));
    ck_assert(!kv_log_enabled(server, "dir", KV_LOG_WARNING));
    ck_assert(kv_log_enabled(server, "core", KV_LOG_DEBUG));
    ck_assert(!kv_log_enabled(server, "core", KV_LOG_TRACE1));
}
END_TEST

KVC_TEST(walker_case, log_level_unknown)
{
    add(node("LogLevel", "loud", NULL));
    ck_assert_ptr_nonnull(strstr(run(), "LogLevel: 'loud' is not a level"));
}
END_TEST

KVC_TEST(walker_case, finish_requires_listen_and_fills_defaults)
{
    kv_core_server_conf_t *conf;

    ck_assert_ptr_null(run());
    ck_assert_ptr_nonnull(strstr(kv_core_finish_config(pool, server), "no Listen directive"));
    teardown();
    setup();
    add(node("Listen", "8080", NULL));
    ck_assert_ptr_null(run());
    ck_assert_ptr_null(kv_core_finish_config(pool, server));
    conf = kv_core_sconf(server);
    ck_assert_int_eq(conf->listen_backlog, KV_DEFAULT_LISTEN_BACKLOG);
    ck_assert_ptr_nonnull(conf->document_root);
    ck_assert_ptr_nonnull(strstr(conf->error_log, "logs/error_log"));
    ck_assert_ptr_nonnull(server->server_hostname);
}
END_TEST

KVC_TEST(walker_case, name_distance)
{
    ck_assert_int_eq(kv_name_distance("Timeout", "timeout", 3), 0);
    ck_assert_int_eq(kv_name_distance("KeepAliveTimout", "KeepAliveTimeout", 3), 1);
    ck_assert_int_eq(kv_name_distance("abc", "xyz", 3), 3);
    ck_assert_int_gt(kv_name_distance("Listen", "DocumentRoot", 3), 3);
    ck_assert_int_eq(kv_name_distance("Listne", "Listen", 3), 1);     /* a swap */
    ck_assert_int_eq(kv_name_distance("LsitenX", "Listen", 3), 2);    /* a swap and an extra */
    ck_assert_int_eq(kv_name_distance("ServerAdmin", "ServerLimit", 3), 3);
    ck_assert_int_eq(kv_name_distance("", "abc", 3), 3);
}
END_TEST

KVC_TEST(walker_case, near_miss_rule)
{
    ck_assert(kv_is_near_miss(strlen("KeepAliveTimout"), 1));
    ck_assert(kv_is_near_miss(strlen("KeepAlivTimout"), 2)); /* 2 of 14 */
    ck_assert(!kv_is_near_miss(strlen("Listne"), 2));        /* 2 of 6 is a third */
    ck_assert(!kv_is_near_miss(strlen("ServerAdmin"), 3)); /* ServerLimit */
    ck_assert(!kv_is_near_miss(strlen("Lisnt"), 2));       /* 2 of 5 is a third */
    ck_assert(!kv_is_near_miss(strlen("Foo"), 1));
    ck_assert(kv_is_near_miss(strlen("Fooo"), 1));
    ck_assert(!kv_is_near_miss(strlen("ALongDirectiveName"), 3));
    ck_assert(kv_is_near_miss(strlen("Timeout"), 0));
}
END_TEST

KVC_TEST(walker_case, httpd_directive_kiva_does_not_have)
{
    add(node("RewriteEngine", "On", NULL));
    add(node("<Proxy", "*", NULL));
    add(node("GprofDir", "/tmp", NULL));
    ck_assert_str_eq(run(), "Syntax error on line 1 of /etc/t.conf: Invalid command "
                            "'RewriteEngine': RewriteEngine is provided by httpd's mod_rewrite, "
                            "which kiva does not have yet\n"
                            "Syntax error on line 2 of /etc/t.conf: Invalid command '<Proxy': "
                            "<Proxy> is provided by httpd's mod_proxy, which kiva does not have "
                            "yet\n"
                            "Syntax error on line 3 of /etc/t.conf: Invalid command 'GprofDir': "
                            "GprofDir is provided by httpd's core; kiva's core does not "
                            "implement it yet");
}
END_TEST

KVC_TEST(walker_case, httpd_directive_table)
{
    ck_assert_str_eq(kv_httpd_directive_module("RewriteEngine"), "mod_rewrite");
    ck_assert_str_eq(kv_httpd_directive_module("rewriteENGINE"), "mod_rewrite");
    ck_assert_str_eq(kv_httpd_directive_module("SSLEngine"), "mod_ssl");
    ck_assert_str_eq(kv_httpd_directive_module("ProxyPass"), "mod_proxy");
    ck_assert_str_eq(kv_httpd_directive_module("<Proxy"), "mod_proxy");
    ck_assert_str_eq(kv_httpd_directive_module("<IfVersion"), "mod_version");
    ck_assert_str_eq(kv_httpd_directive_module("CacheEnable"), "mod_cache");
    ck_assert_str_eq(kv_httpd_directive_module("IndexOptions"), "mod_autoindex");
    ck_assert_str_eq(kv_httpd_directive_module("ServerAdmin"), "core");
    ck_assert_str_eq(kv_httpd_directive_module("MaxRequestWorkers"), "mpm_common");
    ck_assert_str_eq(kv_httpd_directive_module("AsyncRequestWorkerFactor"), "event");
    /* The ends of the table: bsearch finds them only if it is sorted. */
    ck_assert_str_eq(kv_httpd_directive_module("<AuthnProviderAlias"), "mod_authn_core");
    ck_assert_str_eq(kv_httpd_directive_module("xml2StartParse"), "mod_xml2enc");
    ck_assert_ptr_null(kv_httpd_directive_module("Frobnicate"));
    ck_assert_ptr_null(kv_httpd_directive_module("Proxy")); /* only as a section */
    ck_assert_ptr_null(kv_httpd_directive_module(""));
    ck_assert_str_eq(kv_httpd_module_kiva_name(pool, "mod_rewrite"), "rewrite");
    ck_assert_str_eq(kv_httpd_module_kiva_name(pool, "prefork"), "mpm_prefork");
    ck_assert_str_eq(kv_httpd_module_kiva_name(pool, "event"), "mpm_event");
    ck_assert_str_eq(kv_httpd_module_kiva_name(pool, "core"), "core");
    ck_assert_str_eq(kv_httpd_module_kiva_name(pool, "mpm_common"), "mpm_common");
}
END_TEST

KVC_TEST(walker_case, find_module_by_any_of_its_names)
{
    ck_assert_ptr_eq(kv_find_module("core"), &core_module);
    ck_assert_ptr_eq(kv_find_module("core_module"), &core_module);
    ck_assert_ptr_eq(kv_find_module("mod_core.c"), &core_module);
    ck_assert_ptr_null(kv_find_module("mod_core"));
    ck_assert_ptr_null(kv_find_module("cor_module"));
}
END_TEST

int main(void)
{
    return kvu_run_apr("config");
}
