/* The phases of a request (server/request/request.c) in order, seen by stub hooks that record their
 * phase's name, on requests served in-process: every phase once, in httpd's order; a phase
 * that fails stops the phases after it, and the request is still logged. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

#include "inproc.h"
#include "kv_connection.h"

/* The phases in the order they must run. */
enum {
    POST_READ_REQUEST,
    TRANSLATE_NAME,
    MAP_TO_STORAGE,
    ACCESS_CHECKER,
    CHECK_USER_ID,
    AUTH_CHECKER,
    TYPE_CHECKER,
    FIXUPS,
    HANDLER,
    LOG_TRANSACTION,
    PHASES
};

static const char *const phase_names[PHASES] = {
    "post_read_request", "translate_name", "map_to_storage", "access_checker", "check_user_id",
    "auth_checker",      "type_checker",   "fixups",         "handler",        "log_transaction"};

static kvu_server_t srv;
static char seen[512];  /* the phases that ran, space-separated */
static int fail_phase;  /* the phase whose stub fails, or PHASES for none */
static int fail_result; /* what it returns then */

/* Record @a phase; its stub's result: the failure asked for, else @a pass. */
static int record(int phase, int pass)
{
    size_t n = strlen(seen);

    ck_assert_uint_lt(n + strlen(phase_names[phase]) + 2, sizeof(seen));
    strcpy(seen + n, n ? " " : "");
    strcat(seen, phase_names[phase]);
    return phase == fail_phase ? fail_result : pass;
}

/* A first-wins phase's stub declines, so that the core's own hook still runs. */
static int stub_post_read_request(kv_request_t *r)
{
    if (fail_phase == POST_READ_REQUEST && fail_result == KV_DONE) {
        kvu_answer(r, "done early"); /* as a module that answers the request itself */
    }
    return record(POST_READ_REQUEST, KV_OK);
}

/* A stub that only records its phase and passes with @a pass. */
#define RECORDING_STUB(name, phase, pass)                                                          \
    static int stub_##name(kv_request_t *r)                                                        \
    {                                                                                              \
        (void)r;                                                                                   \
        return record(phase, pass);                                                                \
    }

RECORDING_STUB(translate_name, TRANSLATE_NAME, KV_DECLINED)
RECORDING_STUB(map_to_storage, MAP_TO_STORAGE, KV_DECLINED)
RECORDING_STUB(access_checker, ACCESS_CHECKER, KV_OK)
RECORDING_STUB(check_user_id, CHECK_USER_ID, KV_DECLINED)
RECORDING_STUB(auth_checker, AUTH_CHECKER, KV_DECLINED)
RECORDING_STUB(type_checker, TYPE_CHECKER, KV_DECLINED)
RECORDING_STUB(fixups, FIXUPS, KV_OK)

static int stub_handler(kv_request_t *r)
{
    int rv = record(HANDLER, KV_OK);

    return rv == KV_OK ? kvu_answer(r, "handled") : rv;
}
RECORDING_STUB(log_transaction, LOG_TRANSACTION, KV_OK)

static void stub_hooks(apr_pool_t *p)
{
    (void)p;
    kv_hook_post_read_request(stub_post_read_request, NULL, NULL, KV_HOOK_FIRST);
    kv_hook_translate_name(stub_translate_name, NULL, NULL, KV_HOOK_FIRST);
    kv_hook_map_to_storage(stub_map_to_storage, NULL, NULL, KV_HOOK_FIRST);
    kv_hook_access_checker(stub_access_checker, NULL, NULL, KV_HOOK_FIRST);
    kv_hook_check_user_id(stub_check_user_id, NULL, NULL, KV_HOOK_FIRST);
    kv_hook_auth_checker(stub_auth_checker, NULL, NULL, KV_HOOK_FIRST);
    kv_hook_type_checker(stub_type_checker, NULL, NULL, KV_HOOK_FIRST);
    kv_hook_fixups(stub_fixups, NULL, NULL, KV_HOOK_FIRST);
    kv_hook_handler(stub_handler, NULL, NULL, KV_HOOK_FIRST);
    kv_hook_log_transaction(stub_log_transaction, NULL, NULL, KV_HOOK_FIRST);
}

static kv_module_t stub_module = {KV_MODULE_HEADER("phases"), .register_hooks = stub_hooks};
static kv_module_t *const stubs[] = {&stub_module, NULL};

static void setup(void)
{
    const char *err = kvu_server_build(&srv, "Listen 127.0.0.1:80\nDocumentRoot /tmp\n", stubs);

    ck_assert_msg(err == NULL, "%s", err);
    seen[0] = '\0';
    fail_phase = PHASES;
}

static void teardown(void)
{
    kvu_server_destroy(&srv);
}

/* Serve one request in-process; its response. */
static kvu_response_t serve_one(void)
{
    kvu_conn_t *k = kvu_conn_open(&srv, 0, 0);
    kvu_response_t resp;
    const char *got;

    kvu_send(k, "GET /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    kv_process_connection(k->c, k->c->sock);
    got = kvu_read_to_close(k);
    ck_assert_msg(kvu_next_response(srv.pconf, &got, &resp), "no response");
    ck_assert_str_eq(got, "");
    return resp;
}

/* The names of phases [0, upto] and then log_transaction's. */
static const char *phases_then_log(int upto)
{
    const char *want = "";

    for (int i = 0; i <= upto && i < LOG_TRANSACTION; i++) {
        want = apr_pstrcat(srv.pconf, want, *want ? " " : "", phase_names[i], NULL);
    }
    return apr_pstrcat(srv.pconf, want, " ", phase_names[LOG_TRANSACTION], NULL);
}

KVC_CASE(phases_case, .name = "phases", .setup = setup, .teardown = teardown, .timeout = 30);

KVC_TEST(phases_case, every_phase_once_in_order)
{
    kvu_response_t resp = serve_one();

    ck_assert_str_eq(seen, phases_then_log(HANDLER));
    ck_assert_int_eq(resp.status, 200);
    ck_assert_str_eq(resp.body, "handled");
}
END_TEST

/* Looped over the phases before logging: the stub of phase _i answers 403 (500 for the
 * handler); no later phase runs, the error is the response, and the request is logged. */
KVC_LOOP_TEST(phases_case, a_failing_phase_stops_the_rest, POST_READ_REQUEST, LOG_TRANSACTION)
{
    kvu_response_t resp;

    fail_phase = _i;
    fail_result = _i == HANDLER ? KV_HTTP_INTERNAL_SERVER_ERROR : KV_HTTP_FORBIDDEN;
    resp = serve_one();
    ck_assert_str_eq(seen, phases_then_log(_i));
    ck_assert_int_eq(resp.status, fail_result);
}
END_TEST

/* DONE from a phase: the request has been answered; the phases after it do not run. */
KVC_TEST(phases_case, done_ends_the_phases)
{
    kvu_response_t resp;

    fail_phase = POST_READ_REQUEST;
    fail_result = KV_DONE;
    resp = serve_one();
    ck_assert_str_eq(seen, phases_then_log(POST_READ_REQUEST));
    ck_assert_int_eq(resp.status, 200);
    ck_assert_str_eq(resp.body, "done early");
}
END_TEST

int main(void)
{
    return kvc_run("request");
}
