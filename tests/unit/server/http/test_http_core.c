/* Tests of the Allow field (server/http/http_allow.c) as the HTTP module (server/http/http_core.c)
 * sets it up: httpd 2.4's order and form, HEAD with GET, TRACE as TraceEnable says; and the
 * HTTP module's own hooks. */
/* Moved from tests/unit/server/test_http_core.c (server/ split into layer folders). */
#include <check.h>
#include <string.h>

#include <apr_general.h>

#include "config_walk.h"
#include "core.h"
#include "module.h"
#include "../../check_run.h"

#define BIT KV_METHOD_BIT

static apr_pool_t *pool;
static kv_server_t *server;
static kv_request_t req;

static void setup(void)
{
    kvu_apr_pool_setup(&pool);
    apr_hook_global_pool = pool;
    kv_modules_reset();
    server = kv_server_create(pool);
    kv_module_add(pool, &core_module, NULL, server);
    kv_module_add(pool, &http_core_module, NULL, server);
    memset(&req, 0, sizeof(req));
    req.pool = pool;
    req.server = server;
}

static void teardown(void)
{
    apr_hook_deregister_all();
    kvu_apr_pool_teardown(pool);
}

static void trace_enable(const char *value)
{
    kv_directive_t d = {0};
    const char *argv[] = {value, NULL};
    apr_pool_t *ptemp;

    d.name = "TraceEnable";
    d.argc = 1;
    d.argv = argv;
    d.args = value;
    d.file = "/etc/t.conf";
    d.line = 1;
    apr_pool_create(&ptemp, pool);
    ck_assert_ptr_null(kv_config_run(pool, ptemp, server, &d));
}

KVU_CASE(allow, "allow", setup, teardown);

/* Debian's apache2 (2.4.71) for a file: GET,POST,OPTIONS,HEAD,TRACE. */
KVC_TEST(allow, file_methods_in_httpd_order)
{
    ck_assert_str_eq(kv_make_allow(&req, BIT(KV_M_POST) | BIT(KV_M_OPTIONS) | BIT(KV_M_GET)),
                     "GET,POST,OPTIONS,HEAD,TRACE");
}
END_TEST

KVC_TEST(allow, every_method_known)
{
    ck_assert_str_eq(kv_make_allow(&req, BIT(KV_M_PATCH) | BIT(KV_M_CONNECT) | BIT(KV_M_DELETE) |
                                             BIT(KV_M_PUT) | BIT(KV_M_HEAD)),
                     "PUT,DELETE,CONNECT,PATCH,HEAD,TRACE");
}
END_TEST

KVC_TEST(allow, trace_off_leaves_trace_out)
{
    trace_enable("off");
    ck_assert_str_eq(kv_make_allow(&req, BIT(KV_M_GET) | BIT(KV_M_OPTIONS)), "GET,OPTIONS,HEAD");
    ck_assert_str_eq(kv_make_allow(&req, 0), "");
}
END_TEST

KVC_TEST(allow, check_methods_refuses_with_allow)
{
    req.err_headers_out = apr_table_make(pool, 2);
    req.method_number = KV_M_HEAD;
    ck_assert_int_eq(kv_check_methods(&req, BIT(KV_M_GET)), KV_OK);
    req.method_number = KV_M_PUT;
    ck_assert_int_eq(kv_check_methods(&req, BIT(KV_M_GET)), KV_HTTP_METHOD_NOT_ALLOWED);
    ck_assert_str_eq(apr_table_get(req.err_headers_out, "Allow"), "GET,OPTIONS,HEAD,TRACE");
    req.method_number = KV_M_OTHER;
    ck_assert_int_eq(kv_check_methods(&req, BIT(KV_M_GET)), KV_HTTP_NOT_IMPLEMENTED);
}
END_TEST

/* Is @a fn among the handler hook's functions? */
static int handler_registered(int (*fn)(kv_request_t *))
{
    apr_array_header_t *hooks = kv_hook_get_handler();

    for (int i = 0; hooks && i < hooks->nelts; i++) {
        if (APR_ARRAY_IDX(hooks, i, kv_LINK_handler_t).pFunc == fn) {
            return 1;
        }
    }
    return 0;
}

/* The default handler is the HTTP module's (as httpd's modules/http/http_core.c), not the
 * core config's: registering the core's hooks alone leaves it out. */
KVC_TEST(allow, http_module_registers_the_default_handler)
{
    apr_hook_deregister_all();
    core_module.register_hooks(pool);
    ck_assert_msg(!handler_registered(kv_default_handler), "core.c registers it");
    http_core_module.register_hooks(pool);
    ck_assert(handler_registered(kv_default_handler));
}
END_TEST

int main(void)
{
    return kvc_run("http_core");
}
