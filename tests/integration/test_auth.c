/* mod_authz_core, mod_authn_file and mod_auth_basic in a running server: Require all and
 * ip decide before authentication; valid-user and user ask for Basic credentials (401 with
 * the realm), checked against an htpasswd file of bcrypt, apr1 and {SHA} hashes; the
 * containers combine as httpd's; a <Location> with Require replaces the <Directory>'s; bad
 * lines are refused with their line number. */
#include "harness.h"

#include <crypt.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include <apr_base64.h>
#include <apr_md5.h>
#include <apr_sha1.h>

#define LOAD_AUTH                                                                                  \
    "LoadModule authz_core_module %s/modules/.libs/mod_authz_core.so\n"                            \
    "LoadModule authz_host_module %s/modules/.libs/mod_authz_host.so\n"                            \
    "LoadModule authz_user_module %s/modules/.libs/mod_authz_user.so\n"                            \
    "LoadModule authn_core_module %s/modules/.libs/mod_authn_core.so\n"                            \
    "LoadModule authz_groupfile_module %s/modules/.libs/mod_authz_groupfile.so\n"                  \
    "LoadModule setenvif_module %s/modules/.libs/mod_setenvif.so\n"                                \
    "LoadModule access_compat_module %s/modules/.libs/mod_access_compat.so\n"                      \
    "LoadModule authn_file_module %s/modules/.libs/mod_authn_file.so\n"                            \
    "LoadModule auth_basic_module %s/modules/.libs/mod_auth_basic.so"
#define REALM "Private \\\"Area\\\""
#define REALM_SENT "Basic realm=\"Private \\\"Area\\\"\""

static kvt_server_t *new_server(void)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    kvt_server_conf(srv, LOAD_AUTH, KV_TEST_BUILDDIR, KV_TEST_BUILDDIR, KV_TEST_BUILDDIR,
                    KV_TEST_BUILDDIR, KV_TEST_BUILDDIR, KV_TEST_BUILDDIR, KV_TEST_BUILDDIR,
                    KV_TEST_BUILDDIR, KV_TEST_BUILDDIR);
    kvt_write_file(srv, "index.html", "home", 4);
    kvt_write_file(srv, "open/page.html", "open", 4);
    return srv;
}

/* One htpasswd line per hash format apr_password_validate knows. */
static char *htpasswd_lines(void)
{
    static const unsigned char salt[16] = "0123456789abcdef";
    char bcrypt[64], apr1[120], sha[64];
    struct crypt_data cd;
    const char *sha256crypt, *des;

    ck_assert_int_eq(apr_bcrypt_encode("alice-pw", 5, salt, sizeof(salt), bcrypt, sizeof(bcrypt)),
                     APR_SUCCESS);
    ck_assert(strncmp(bcrypt, "$2y$", 4) == 0);
    ck_assert_int_eq(apr_md5_encode("bob-pw", "saltsalt", apr1, sizeof(apr1)), APR_SUCCESS);
    ck_assert(strncmp(apr1, "$apr1$", 6) == 0);
    apr_sha1_base64("carol-pw", 8, sha);
    ck_assert(strncmp(sha, "{SHA}", 5) == 0);
    /* crypt(3) hashes, as `htpasswd -d` and system tools make them. */
    memset(&cd, 0, sizeof(cd));
    sha256crypt = kvt_strf("%s", crypt_r("frank-pw", "$5$saltsalt$", &cd));
    ck_assert(strncmp(sha256crypt, "$5$saltsalt$", 12) == 0);
    memset(&cd, 0, sizeof(cd));
    des = crypt_r("grace-pw", "ab", &cd);
    ck_assert_msg(des && strlen(des) == 13, "no DES crypt in this libc");
    return kvt_strf("# users\nalice:%s\nbob:%s\n\ncarol:%s\nfrank:%s\ngrace:%s\n", bcrypt, apr1,
                    sha, sha256crypt, des);
}

/* Basic authentication under <Directory docroot>, then @a lines inside it. */
static void protect(kvt_server_t *srv, const char *const *lines, int n)
{
    char *users = htpasswd_lines();

    kvt_write_root_file(srv, "users/htpasswd", users);
    kvt_write_root_file(srv, "users/groups", "# groups\nadmins: alice carol\nstaff:bob\n");
    free(users);
    kvt_server_conf(srv, "<Directory \"%s\">", kvt_server_docroot(srv));
    kvt_server_conf(srv, "AuthType Basic");
    kvt_server_conf(srv, "AuthName \"%s\"", REALM);
    kvt_server_conf(srv, "AuthBasicProvider file");
    kvt_server_conf(srv, "AuthUserFile users/htpasswd");
    kvt_server_conf(srv, "AuthGroupFile users/groups");
    for (int i = 0; i < n; i++) {
        kvt_server_conf(srv, "%s", lines[i]);
    }
    kvt_server_conf(srv, "</Directory>");
}

/* GET @a path with Basic credentials (user NULL: none); the response in *r. */
static void get_as(int port, const char *path, const char *user, const char *password,
                   kvt_response_t *r)
{
    char *req;

    if (user) {
        char *plain = kvt_strf("%s:%s", user, password);
        char *b64 = malloc((size_t)apr_base64_encode_len((int)strlen(plain)));
        apr_base64_encode(b64, plain, (int)strlen(plain));
        req = kvt_strf("GET %s HTTP/1.1\r\nHost: x\r\nAuthorization: Basic %s\r\n"
                       "Connection: close\r\n\r\n",
                       path, b64);
        free(plain);
        free(b64);
    } else {
        req = kvt_strf("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", path);
    }
    ck_assert_int_eq(kvt_request(port, req, r), 0);
    free(req);
}

static void expect(int port, const char *path, const char *user, const char *password, int status)
{
    kvt_response_t r;

    get_as(port, path, user, password, &r);
    ck_assert_msg(r.status == status, "GET %s as %s: %d, want %d", path, user ? user : "nobody",
                  r.status, status);
    if (status == 401) {
        const char *challenge = kvt_header(&r, "WWW-Authenticate");
        ck_assert_msg(challenge && strcmp(challenge, REALM_SENT) == 0,
                      "401 without the challenge: %s", challenge ? challenge : "(none)");
    } else {
        ck_assert_ptr_null(kvt_header(&r, "WWW-Authenticate"));
    }
    kvt_response_free(&r);
}

/* A server whose docroot is guarded by @a lines (inside <Directory>), started. */
static int start_with(const char *const *lines, int n)
{
    kvt_server_t *srv = new_server();

    protect(srv, lines, n);
    kvt_server_start(srv);
    return kvt_server_port(srv);
}

/* GET @a path from the loopback address @a src (127.0.0.x, or ::1 to the server's [::1]
 * listener) to @a port; the response in *r. */
static void get_from(const char *src, int port, const char *path, kvt_response_t *r)
{
    int v6 = strchr(src, ':') != NULL;
    struct sockaddr_in from4 = {0}, to4 = {0};
    struct sockaddr_in6 from6 = {0}, to6 = {0};
    struct timeval tv = {5, 0};
    int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
    char *req;

    ck_assert_int_ge(fd, 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if (v6) {
        from6.sin6_family = to6.sin6_family = AF_INET6;
        ck_assert_int_eq(inet_pton(AF_INET6, src, &from6.sin6_addr), 1);
        to6.sin6_addr = from6.sin6_addr;
        to6.sin6_port = htons((unsigned short)port);
        ck_assert_int_eq(bind(fd, (struct sockaddr *)&from6, sizeof(from6)), 0);
        ck_assert_msg(connect(fd, (struct sockaddr *)&to6, sizeof(to6)) == 0, "connect [%s]", src);
    } else {
        from4.sin_family = to4.sin_family = AF_INET;
        ck_assert_int_eq(inet_pton(AF_INET, src, &from4.sin_addr), 1);
        to4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        to4.sin_port = htons((unsigned short)port);
        ck_assert_int_eq(bind(fd, (struct sockaddr *)&from4, sizeof(from4)), 0);
        ck_assert_msg(connect(fd, (struct sockaddr *)&to4, sizeof(to4)) == 0, "connect from %s",
                      src);
    }
    req = kvt_strf("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", path);
    kvt_send(fd, req);
    ck_assert_msg(kvt_read_response(fd, r, 0) == 0, "no response to %s from %s", path, src);
    close(fd);
    free(req);
}

static int status_from(const char *src, int port, const char *path)
{
    kvt_response_t r;
    int status;

    get_from(src, port, path, &r);
    status = r.status;
    kvt_response_free(&r);
    return status;
}

/* A client address, a path it asks for, and the status it must be answered. */
struct access {
    const char *src, *path;
    int status;
};

/* status_from for each of the @a n rows of @a want. */
static void expect_access(int port, const struct access *want, int n)
{
    for (int i = 0; i < n; i++) {
        ck_assert_msg(status_from(want[i].src, port, want[i].path) == want[i].status,
                      "%s from %s: not %d", want[i].path, want[i].src, want[i].status);
    }
}

/* One <Location /NAME> per rule, with a file in it. */
static void locations(kvt_server_t *srv, const char *const (*rules)[2], int n)
{
    for (int i = 0; i < n; i++) {
        char *file = kvt_strf("%s/f.html", rules[i][0]);
        kvt_server_conf(srv, "<Location /%s>\n%s\n</Location>", rules[i][0], rules[i][1]);
        kvt_write_file(srv, file, "f", 1);
        free(file);
    }
}

KVT_CASE(auth, "auth");

/* <AuthnProviderAlias file NAME>: a provider that is "file" with its own AuthUserFile, used
 * alone or before the location's own. */
KVC_TEST(auth, test_authn_provider_alias)
{
    kvt_server_t *srv = new_server();
    char dave[64], *users = htpasswd_lines(), *staff;
    int port;

    apr_sha1_base64("dave-pw", 7, dave);
    staff = kvt_strf("dave:%s\n", dave);
    kvt_write_root_file(srv, "users/htpasswd", users);
    kvt_write_root_file(srv, "users/staff", staff);
    kvt_server_conf(srv, "<AuthnProviderAlias file staff-file>\nAuthUserFile users/staff\n"
                         "</AuthnProviderAlias>");
    kvt_server_conf(srv, "<Location />\nAuthType Basic\nAuthName \"%s\"\n"
                         "AuthUserFile users/htpasswd\nRequire valid-user\n"
                         "AuthBasicProvider staff-file\n</Location>",
                    REALM);
    kvt_server_conf(srv, "<Location /open>\nAuthBasicProvider staff-file file\n</Location>");
    kvt_server_start(srv);
    port = kvt_server_port(srv);
    expect(port, "/index.html", "dave", "dave-pw", 200);
    expect(port, "/index.html", "alice", "alice-pw", 401);
    expect(port, "/open/page.html", "dave", "dave-pw", 200);
    expect(port, "/open/page.html", "alice", "alice-pw", 200);
    expect(port, "/open/page.html", "dave", "alice-pw", 401);
    free(staff);
    free(users);
}
END_TEST

/* Allow/Deny/Order/Satisfy of a section replace the enclosing section's whole; a section
 * without them inherits (httpd's mod_access_compat has no merge). From host is by
 * double-reverse DNS (127.0.0.1 is localhost, 127.0.0.2 has no name), on whole labels. */
KVC_TEST(auth, test_access_compat_merge)
{
    static const char *const rules[][2] = {
        {"m", "Order allow,deny\nAllow from 10.0.0.1"},
        {"m/inherit", "Options None"},
        {"m/allow", "Allow from 127.0.0.1"},
        {"m/satisfy", "Satisfy Any"},
        {"f", "Order deny,allow\nDeny from all"},
        {"host", "Order deny,allow\nDeny from all\nAllow from localhost"},
        {"env", "Order allow,deny\nAllow from all\nDeny from env=nothing 10.0.0.0/8"},
        {"part", "Order allow,deny\nAllow from calhost"},
        {"mutual", "Order mutual-failure\nAllow from 127.0.0.1\nDeny from 127"},
    };
    kvt_server_t *srv = new_server();
    int port;

    locations(srv, rules, KVT_COUNT(rules));
    kvt_server_start(srv);
    port = kvt_server_port(srv);
    static const struct access want[] = {
        {"127.0.0.1", "/m/f.html", 403},         {"127.0.0.1", "/m/inherit/f.html", 403},
        {"127.0.0.1", "/m/allow/f.html", 200},   {"127.0.0.2", "/m/allow/f.html", 200},
        {"127.0.0.1", "/m/satisfy/f.html", 200}, {"127.0.0.1", "/f/f.html", 403},
        {"127.0.0.1", "/host/f.html", 200},      {"127.0.0.2", "/host/f.html", 403},
        {"127.0.0.1", "/env/f.html", 200},       {"127.0.0.1", "/part/f.html", 403},
        {"127.0.0.1", "/mutual/f.html", 403},
    };
    expect_access(port, want, KVT_COUNT(want));
}
END_TEST

static int method_status(int port, const char *method, const char *path)
{
    char *req = kvt_strf("%s %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", method, path);
    kvt_response_t r;
    int status;

    ck_assert_msg(kvt_request(port, req, &r) == 0, "no response to %s %s", method, path);
    status = r.status;
    kvt_response_free(&r);
    free(req);
    return status;
}

/* <Limit> and <LimitExcept>: the access lines inside apply to those methods only, or to the
 * others (HEAD is GET); a section whose Require lines are all for other methods grants, and
 * in an implicit <RequireAny> a line for other methods has no opinion. As apache2 answers. */
KVC_TEST(auth, test_limit)
{
    static const char *const rules[][2] = {
        {"post", "<Limit POST>\nRequire all denied\n</Limit>"},
        {"except", "<LimitExcept GET>\nRequire all denied\n</LimitExcept>"},
        {"any", "Require all granted\n<Limit POST>\nRequire all denied\n</Limit>"},
        {"head", "<Limit HEAD>\nRequire all denied\n</Limit>"},
        {"deny", "<Limit GET>\nOrder deny,allow\nDeny from all\n</Limit>"},
        {"nested", "<LimitExcept GET>\n<Limit POST PUT>\nRequire all denied\n</Limit>\n"
                   "</LimitExcept>"},
    };
    static const struct {
        const char *path;
        int get, head, post, put;
    } want[] = {
        {"/post/f.html", 200, 200, 403, 405},  {"/except/f.html", 200, 200, 403, 403},
        {"/any/f.html", 200, 200, 200, 405},   {"/head/f.html", 403, 403, 200, 405},
        {"/deny/f.html", 403, 403, 200, 405},  {"/nested/f.html", 200, 200, 403, 403},
    };
    kvt_server_t *srv = new_server();
    int port;

    locations(srv, rules, KVT_COUNT(rules));
    kvt_server_start(srv);
    port = kvt_server_port(srv);
    for (int i = 0; i < KVT_COUNT(want); i++) {
        ck_assert_int_eq(method_status(port, "GET", want[i].path), want[i].get);
        ck_assert_int_eq(method_status(port, "HEAD", want[i].path), want[i].head);
        ck_assert_int_eq(method_status(port, "POST", want[i].path), want[i].post);
        ck_assert_int_eq(method_status(port, "PUT", want[i].path), want[i].put);
    }
}
END_TEST

/* Require env: granted when one of the variables is set (here by the server's SetEnvIf). */
KVC_TEST(auth, test_require_env)
{
    static const char *const rules[][2] = {
        {"in", "Require env nothing_set let_in"},
        {"out", "Require env nothing_set"},
    };
    kvt_server_t *srv = new_server();
    int port;

    kvt_server_conf(srv, "SetEnvIf Request_URI ^/in/ let_in");
    locations(srv, rules, KVT_COUNT(rules));
    kvt_server_start(srv);
    port = kvt_server_port(srv);
    ck_assert_int_eq(status_from("127.0.0.1", port, "/in/f.html"), 200);
    ck_assert_int_eq(status_from("127.0.0.1", port, "/out/f.html"), 403);
}
END_TEST

/* Require local is httpd's: every address of 127.0.0.0/8 and ::1 (and the server's own). */
KVC_TEST(auth, test_require_local)
{
    static const char *const rules[][2] = {
        {"local", "Require local"},
        {"notlocal", "<RequireAll>\nRequire all granted\nRequire not local\n</RequireAll>"},
        {"ip", "Require ip 127.0.0.1"},
    };
    kvt_server_t *srv = new_server();
    int port;

    locations(srv, rules, KVT_COUNT(rules));
    kvt_server_conf(srv, "Listen [::1]:%d", kvt_server_port(srv));
    kvt_server_start(srv);
    port = kvt_server_port(srv);
    static const struct access want[] = {
        {"127.0.0.1", "/local/f.html", 200},    {"127.0.0.2", "/local/f.html", 200},
        {"127.0.0.254", "/local/f.html", 200},  {"::1", "/local/f.html", 200},
        {"127.0.0.1", "/notlocal/f.html", 403}, {"127.0.0.2", "/notlocal/f.html", 403},
        {"::1", "/notlocal/f.html", 403},       {"127.0.0.2", "/ip/f.html", 403},
        {"127.0.0.1", "/ip/f.html", 200},
    };
    expect_access(port, want, KVT_COUNT(want));
}
END_TEST

/* Require host: the client's name by a double-reverse lookup (127.0.0.1 is localhost in
 * /etc/hosts; 127.0.0.2 has no name), matched on whole labels; forward-dns: a name that
 * resolves to the client's address. */
KVC_TEST(auth, test_require_host)
{
    static const char *const rules[][2] = {
        {"name", "Require host localhost"},
        {"part", "Require host calhost"},
        {"below", "Require host .localhost"},
        {"fwd", "Require forward-dns localhost"},
    };
    kvt_server_t *srv = new_server();
    int port;
    char *log;

    locations(srv, rules, KVT_COUNT(rules));
    kvt_server_start(srv);
    port = kvt_server_port(srv);
    static const struct access want[] = {
        {"127.0.0.1", "/name/f.html", 200}, {"127.0.0.2", "/name/f.html", 403},
        {"127.0.0.1", "/part/f.html", 403}, {"127.0.0.1", "/below/f.html", 403},
        {"127.0.0.1", "/fwd/f.html", 200},  {"127.0.0.2", "/fwd/f.html", 403},
    };
    expect_access(port, want, KVT_COUNT(want));
    log = kvt_server_wait_log(srv, "KV01221", 5000);
    ck_assert_msg(kvt_contains(log, "access check of 'localhost' to /name/f.html failed, reason: "
                                    "unable to get the remote host name"),
                  "%s", log);
    free(log);
}
END_TEST

/* `kiva -t` on @a srv's config fails with "Syntax error on line N of FILE: @a message", N the
 * line that holds @a at. */
static void expect_syntax_error(kvt_server_t *srv, const char *at, const char *message)
{
    const char *conf = kvt_server_write_conf(srv);
    int status;
    char *err = NULL, *want;

    ck_assert_int_eq(kvt_run_kiva(&status, NULL, &err, "-t", "-f", conf, (const char *)NULL), 0);
    ck_assert_int_eq(status, 1);
    want = kvt_strf("Syntax error on line %u of %s: %s", kvt_conf_line_of(srv, at), conf, message);
    ck_assert_msg(kvt_contains(err, want), "stderr lacks \"%s\":\n%s", want, err);
    free(want);
    free(err);
}

/* Require ip, local and host need mod_authz_host, as in httpd; without it the error says so. */
KVC_TEST(auth, test_provider_needs_its_module)
{
    kvt_server_t *srv = kvt_server_new("prefork");

    kvt_server_conf(srv, "LoadModule authz_core_module %s/modules/.libs/mod_authz_core.so",
                    KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "<Location />\nRequire local\n</Location>");
    expect_syntax_error(srv, "Require local",
                        "Unknown Authz provider: local (it is provided by mod_authz_host: "
                        "LoadModule authz_host_module modules/mod_authz_host.so)");
}
END_TEST

/* AuthType and AuthName are mod_authn_core's, as in httpd 2.4. */
KVC_TEST(auth, test_auth_type_needs_authn_core)
{
    kvt_server_t *srv = kvt_server_new("prefork");

    kvt_server_conf(srv, "LoadModule authz_core_module %s/modules/.libs/mod_authz_core.so",
                    KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "<Location />\nAuthType None\n</Location>");
    expect_syntax_error(srv, "AuthType None",
                        "Invalid command 'AuthType': it is provided by a module that is not "
                        "loaded; add: LoadModule authn_core_module");
}
END_TEST

typedef struct {
    const char *path, *needle;
} log_wait_t;

static int log_has(void *arg)
{
    const log_wait_t *w = arg;
    FILE *f = fopen(w->path, "r");
    char line[512];
    int found = 0;

    while (f && !found && fgets(line, sizeof(line), f)) {
        found = strcmp(line, w->needle) == 0;
    }
    if (f) {
        fclose(f);
    }
    return found;
}

/* HostnameLookups (per directory, as httpd) decides what %h logs: Off the address, On the
 * name, Double a name that resolves back; the address when there is no name. A name that
 * Require host looked up is logged even with lookups Off, as httpd does. */
KVC_TEST(auth, test_hostname_lookups_log)
{
    static const char *const rules[][2] = {
        {"off", "Require all granted"},
        {"on", "HostnameLookups On"},
        {"double", "HostnameLookups Double"},
        {"host", "Require host localhost"},
    };
    static const struct {
        const char *src, *path, *line;
    } want[] = {
        {"127.0.0.1", "/off/f.html", "127.0.0.1 /off/f.html\n"},
        {"127.0.0.1", "/on/f.html", "localhost /on/f.html\n"},
        {"127.0.0.1", "/double/f.html", "localhost /double/f.html\n"},
        {"127.0.0.2", "/on/f.html", "127.0.0.2 /on/f.html\n"},
        {"127.0.0.2", "/double/f.html", "127.0.0.2 /double/f.html\n"},
        {"127.0.0.1", "/host/f.html", "localhost /host/f.html\n"},
    };
    kvt_server_t *srv = new_server();
    int port;

    kvt_server_conf(srv, "LoadModule log_config_module %s/modules/.libs/mod_log_config.so",
                    KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "LogFormat \"%%h %%U\" hu\nCustomLog logs/hosts_log hu");
    locations(srv, rules, KVT_COUNT(rules));
    kvt_server_start(srv);
    port = kvt_server_port(srv);
    for (int i = 0; i < KVT_COUNT(want); i++) {
        log_wait_t w = {kvt_strf("%s/logs/hosts_log", kvt_server_root(srv)), want[i].line};
        ck_assert_int_eq(status_from(want[i].src, port, want[i].path), 200);
        ck_assert_msg(kvt_wait_for(log_has, &w, 5000), "no log line \"%s\"", want[i].line);
        free((char *)w.path);
    }
}
END_TEST

/* A CGI script sees REMOTE_HOST only when a name was looked up, as in httpd. */
KVC_TEST(auth, test_hostname_lookups_cgi)
{
    kvt_server_t *srv = new_server();
    const char *script;
    int port;
    kvt_response_t r;

    kvt_server_conf(srv, "LoadModule alias_module %s/modules/.libs/mod_alias.so",
                    KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "LoadModule cgi_module %s/modules/.libs/mod_cgi.so", KV_TEST_BUILDDIR);
    kvt_server_conf(srv, "ScriptAlias /cgi-bin/ \"%s/cgi-bin/\"", kvt_server_root(srv));
    kvt_server_conf(srv, "ScriptAlias /named/ \"%s/cgi-bin/\"", kvt_server_root(srv));
    kvt_server_conf(srv, "<Location /named>\nHostnameLookups On\n</Location>");
    script = kvt_write_root_file(srv, "cgi-bin/env.cgi",
                                 "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\n'\n"
                                 "echo \"host=${REMOTE_HOST-unset} addr=$REMOTE_ADDR\"\n");
    ck_assert_int_eq(chmod(script, 0755), 0);
    kvt_server_start(srv);
    port = kvt_server_port(srv);
    get_from("127.0.0.1", port, "/cgi-bin/env.cgi", &r);
    ck_assert_msg(kvt_contains(r.body, "host=unset addr=127.0.0.1"), "%d %s", r.status, r.body);
    kvt_response_free(&r);
    get_from("127.0.0.1", port, "/named/env.cgi", &r);
    ck_assert_msg(kvt_contains(r.body, "host=localhost addr=127.0.0.1"), "%d %s", r.status,
                  r.body);
    kvt_response_free(&r);
    get_from("127.0.0.2", port, "/named/env.cgi", &r);
    ck_assert_msg(kvt_contains(r.body, "host=unset addr=127.0.0.2"), "%d %s", r.status, r.body);
    kvt_response_free(&r);
}
END_TEST

/* HostnameLookups takes On, Off or Double, anywhere but .htaccess. */
KVC_TEST(auth, test_hostname_lookups_refused)
{
    kvt_server_t *srv = new_server();

    kvt_server_conf(srv, "HostnameLookups Off\n<VirtualHost 127.0.0.1:80>\nHostnameLookups Double"
                         "\n</VirtualHost>\nHostnameLookups maybe");
    expect_syntax_error(srv, "HostnameLookups maybe",
                        "HostnameLookups must be On, Off or Double, not 'maybe'");
}
END_TEST

KVC_TEST(auth, test_no_require_grants)
{
    kvt_server_t *srv = new_server();
    kvt_server_start(srv);
    expect(kvt_server_port(srv), "/index.html", NULL, NULL, 200);
}
END_TEST

KVC_TEST(auth, test_all_and_ip)
{
    static const struct {
        const char *line;
        int status;
    } cases[] = {
        {"Require all granted", 200},  {"Require all denied", 403},
        {"Require ip 127.0.0.1", 200}, {"Require ip 10.0.0.1", 403},
        {"Require ip 127", 200},       {"Require ip 10.0.0.0/8 127.0.0.0/255.0.0.0", 200},
        {"Require ip ::1 10", 403},
    };
    kvt_server_t *srv = new_server();

    for (int i = 0; i < KVT_COUNT(cases); i++) {
        kvt_server_conf(srv, "<Location /t%d>", i);
        kvt_server_conf(srv, "%s", cases[i].line);
        kvt_server_conf(srv, "</Location>");
        char *file = kvt_strf("t%d/f.html", i);
        kvt_write_file(srv, file, "t", 1);
        free(file);
    }
    kvt_server_start(srv);
    for (int i = 0; i < KVT_COUNT(cases); i++) {
        char *path = kvt_strf("/t%d/f.html", i);
        kvt_response_t r;
        get_as(kvt_server_port(srv), path, NULL, NULL, &r);
        ck_assert_msg(r.status == cases[i].status, "%s: %d, want %d", cases[i].line, r.status,
                      cases[i].status);
        kvt_response_free(&r);
        free(path);
    }
}
END_TEST

/* user, password, status under Require valid-user. */
static const struct {
    const char *user, *password;
    int status;
} logins[] = {
    {NULL, NULL, 401},          {"alice", "alice-pw", 200}, {"bob", "bob-pw", 200},
    {"carol", "carol-pw", 200}, {"alice", "bob-pw", 401},   {"bob", "wrong", 401},
    {"frank", "frank-pw", 200}, {"frank", "grace-pw", 401}, {"grace", "grace-pw", 200},
    {"grace", "frank-pw", 401},
    {"carol", "", 401},         {"mallory", "x", 401},      {"", "", 401},
};

KVC_LOOP_TEST(auth, test_valid_user_passwords, 0, KVT_COUNT(logins))
{
    static const char *const lines[] = {"Require valid-user"};
    int port = start_with(lines, 1);

    expect(port, "/index.html", logins[_i].user, logins[_i].password, logins[_i].status);
}
END_TEST

KVC_TEST(auth, test_malformed_credentials)
{
    static const char *const fields[] = {"Basic !!!", "Basic YWxpY2U=", "Bearer abc", "Basic"};
    static const char *const lines[] = {"Require valid-user"};
    int port = start_with(lines, 1);

    for (int i = 0; i < KVT_COUNT(fields); i++) {
        char *req = kvt_strf("GET / HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\n"
                             "Connection: close\r\n\r\n",
                             fields[i]);
        kvt_response_t r;
        ck_assert_int_eq(kvt_request(port, req, &r), 0);
        ck_assert_msg(r.status == 401, "%s: %d", fields[i], r.status);
        ck_assert_str_eq(kvt_header(&r, "WWW-Authenticate"), REALM_SENT);
        kvt_response_free(&r);
        free(req);
    }
}
END_TEST

/* Require lines, a user and password, the status. */
static const struct {
    const char *lines[6];
    const char *user, *password;
    int status;
} rules[] = {
    {{"Require user alice"}, "alice", "alice-pw", 200},
    /* An authenticated user that Require does not name is asked again, as httpd does. */
    {{"Require user alice"}, "bob", "bob-pw", 401},
    {{"Require user alice carol"}, "carol", "carol-pw", 200},
    /* Implicit RequireAny: the address grants without credentials. */
    {{"Require ip 127.0.0.1", "Require valid-user"}, NULL, NULL, 200},
    {{"Require ip 10.0.0.1", "Require user bob"}, NULL, NULL, 401},
    {{"Require ip 10.0.0.1", "Require user bob"}, "bob", "bob-pw", 200},
    {{"<RequireAll>", "Require ip 127.0.0.1", "Require valid-user", "</RequireAll>"},
     NULL,
     NULL,
     401},
    {{"<RequireAll>", "Require ip 127.0.0.1", "Require valid-user", "</RequireAll>"},
     "alice",
     "alice-pw",
     200},
    /* A denial before authentication is final: no credentials are asked for. */
    {{"<RequireAll>", "Require ip 10.0.0.1", "Require valid-user", "</RequireAll>"},
     "alice",
     "alice-pw",
     403},
    {{"<RequireAll>", "Require all granted", "Require not ip 127.0.0.1", "</RequireAll>"},
     NULL,
     NULL,
     403},
    {{"<RequireAll>", "Require valid-user", "<RequireNone>", "Require user bob", "</RequireNone>",
      "</RequireAll>"},
     "alice",
     "alice-pw",
     200},
    {{"<RequireAll>", "Require valid-user", "<RequireNone>", "Require user bob", "</RequireNone>",
      "</RequireAll>"},
     "bob",
     "bob-pw",
     401},
    {{"<RequireAny>", "Require ip 10.0.0.1", "Require user carol", "</RequireAny>"},
     "carol",
     "carol-pw",
     200},
    {{"<RequireAny>", "Require ip 10.0.0.1", "Require user carol", "</RequireAny>"},
     "alice",
     "alice-pw",
     401},
    {{"<RequireAll>", "Require all granted", "<RequireNone>", "Require ip 10", "</RequireNone>",
      "</RequireAll>"},
     NULL,
     NULL,
     200},
    /* mod_access_compat with Require, under Satisfy All and Any (as apache2 answers). */
    {{"Order deny,allow", "Deny from all", "Satisfy Any", "Require valid-user"}, NULL, NULL, 401},
    {{"Order deny,allow", "Deny from all", "Satisfy Any", "Require valid-user"},
     "alice",
     "alice-pw",
     200},
    {{"Order allow,deny", "Allow from 127.0.0.1", "Satisfy Any", "Require valid-user"},
     NULL,
     NULL,
     200},
    {{"Order allow,deny", "Allow from 127.0.0.1", "Require valid-user"}, NULL, NULL, 401},
    {{"Order allow,deny", "Allow from 127.0.0.1", "Require valid-user"}, "bob", "bob-pw", 200},
    {{"Order deny,allow", "Deny from all", "Require valid-user"}, "alice", "alice-pw", 403},
    {{"Satisfy Any", "Require valid-user"}, NULL, NULL, 200},
    {{"Deny from all", "Require all granted"}, NULL, NULL, 403},
    /* mod_authz_groupfile. */
    {{"Require group admins"}, NULL, NULL, 401},
    {{"Require group admins"}, "carol", "carol-pw", 200},
    {{"Require group admins"}, "bob", "bob-pw", 401},
    {{"Require group nobody staff"}, "bob", "bob-pw", 200},
    /* env, method, expr. */
    {{"Require method GET"}, NULL, NULL, 200},
    {{"Require method POST PUT"}, NULL, NULL, 403},
    {{"Require expr %{REQUEST_URI} =~ m#^/index#"}, NULL, NULL, 200},
    {{"Require expr \"%{QUERY_STRING} == 'x'\""}, NULL, NULL, 403},
    {{"Require expr %{REMOTE_USER} == 'carol'"}, NULL, NULL, 401},
    {{"Require expr %{REMOTE_USER} == 'carol'"}, "carol", "carol-pw", 200},
    {{"Require expr %{REMOTE_USER} == 'carol'"}, "alice", "alice-pw", 401},
};

KVC_LOOP_TEST(auth, test_rules, 0, KVT_COUNT(rules))
{
    int n = 0;

    while (n < 6 && rules[_i].lines[n]) {
        n++;
    }
    expect(start_with(rules[_i].lines, n), "/index.html", rules[_i].user, rules[_i].password,
           rules[_i].status);
}
END_TEST

/* A <Location> with Require replaces the <Directory>'s; one without keeps it. */
KVC_TEST(auth, test_location_overrides)
{
    static const char *const lines[] = {"Require all denied"};
    kvt_server_t *srv = new_server();
    int port;

    protect(srv, lines, 1);
    kvt_server_conf(srv, "<Location /open>\nRequire all granted\n</Location>");
    kvt_server_conf(srv, "<Location /private>\nRequire user carol\n</Location>");
    kvt_server_conf(srv, "<Location /other>\nAuthName \"%s\"\n</Location>", REALM);
    kvt_write_file(srv, "private/p.html", "p", 1);
    kvt_write_file(srv, "other/o.html", "o", 1);
    kvt_server_start(srv);
    port = kvt_server_port(srv);
    expect(port, "/index.html", NULL, NULL, 403);
    expect(port, "/open/page.html", NULL, NULL, 200);
    expect(port, "/private/p.html", NULL, NULL, 401);
    expect(port, "/private/p.html", "carol", "carol-pw", 200);
    expect(port, "/other/o.html", "carol", "carol-pw", 403);
}
END_TEST

/* The password file is read again for every check: an edit takes effect at once. */
KVC_TEST(auth, test_password_file_reread)
{
    static const char *const lines[] = {"Require valid-user"};
    kvt_server_t *srv = new_server();
    char sha[64];
    char *content;

    protect(srv, lines, 1);
    kvt_server_start(srv);
    expect(kvt_server_port(srv), "/index.html", "dave", "dave-pw", 401);
    apr_sha1_base64("dave-pw", 7, sha);
    content = kvt_strf("dave:%s\n", sha);
    kvt_write_root_file(srv, "users/htpasswd", content);
    free(content);
    expect(kvt_server_port(srv), "/index.html", "dave", "dave-pw", 200);
    expect(kvt_server_port(srv), "/index.html", "alice", "alice-pw", 401);
}
END_TEST

/* A line longer than the reader takes at once (8192 bytes) is one line all the same: its
 * tail never counts as an entry of its own, and the lines after it are read. */
KVC_TEST(auth, test_long_line_tail_is_no_entry)
{
    static const char *const lines[] = {"Require valid-user"};
    kvt_server_t *srv = new_server();
    char ghost[64], dave[64];
    char *pad = malloc(8200), *content, *log;

    apr_sha1_base64("ghost-pw", 8, ghost);
    apr_sha1_base64("dave-pw", 7, dave);
    memset(pad, 'x', 8190);
    pad[8190] = '\0';
    /* A comment line whose bytes past the first 8191 (what one read takes) are
     * "ghost:{SHA}...". */
    content = kvt_strf("#%sghost:%s\ndave:%s\n", pad, ghost, dave);
    protect(srv, lines, 1);
    kvt_write_root_file(srv, "users/htpasswd", content);
    kvt_server_start(srv);
    expect(kvt_server_port(srv), "/index.html", "ghost", "ghost-pw", 401);
    expect(kvt_server_port(srv), "/index.html", "dave", "dave-pw", 200);
    log = kvt_server_wait_log(srv, "KV01091", 5000);
    ck_assert_msg(kvt_contains(log, "users/htpasswd line 1"), "no warning naming the line: %s",
                  log);
    free(log);
    free(content);
    free(pad);
}
END_TEST

/* Polled across a HUP, which stops the old children at once: a connection one of them had
 * accepted may be dropped, so a failed request only means "not yet". */
static int open_page_served(void *arg)
{
    kvt_response_t r;
    int ok;

    if (kvt_request(*(int *)arg, "GET /open/page.html HTTP/1.1\r\nHost: x\r\n"
                                 "Connection: close\r\n\r\n", &r) != 0) {
        return 0;
    }
    ok = r.status == 200;
    kvt_response_free(&r);
    return ok;
}

/* After a restart the modules are loaded again and find each other again (the registry is
 * rebuilt with the hooks): Basic authentication still works. */
KVC_TEST(auth, test_restart_keeps_authentication)
{
    static const char *const lines[] = {"Require valid-user"};
    kvt_server_t *srv = new_server();
    int port;

    protect(srv, lines, 1);
    kvt_server_start(srv);
    port = kvt_server_port(srv);
    expect(port, "/open/page.html", NULL, NULL, 401);
    kvt_server_conf(srv, "<Location /open>\nRequire all granted\n</Location>");
    kvt_server_write_conf(srv);
    ck_assert_int_eq(kill(kvt_server_pid(srv), SIGHUP), 0);
    ck_assert_msg(kvt_wait_for(open_page_served, &port, 10000), "the restart did not take effect");
    expect(port, "/index.html", NULL, NULL, 401);
    expect(port, "/index.html", "bob", "bob-pw", 200);
    expect(port, "/index.html", "bob", "alice-pw", 401);
}
END_TEST

/* Authentication that no module can do is a server error, never a grant. */
KVC_TEST(auth, test_missing_pieces_fail_closed)
{
    kvt_server_t *srv = new_server();
    int port;

    kvt_server_conf(srv, "<Location /noauth>\nRequire valid-user\n</Location>");
    kvt_server_conf(srv, "<Location /nofile>\nAuthType Basic\nAuthName r\nRequire valid-user\n"
                         "</Location>");
    kvt_server_conf(srv, "<Location /norequire>\nAuthType Basic\nAuthName r\n</Location>");
    kvt_server_conf(srv, "<Location /noname>\nAuthType Basic\nRequire valid-user\n</Location>");
    kvt_write_file(srv, "noauth/a.html", "a", 1);
    kvt_write_file(srv, "nofile/a.html", "a", 1);
    kvt_write_file(srv, "norequire/a.html", "a", 1);
    kvt_write_file(srv, "noname/a.html", "a", 1);
    kvt_server_start(srv);
    port = kvt_server_port(srv);
    expect(port, "/noauth/a.html", NULL, NULL, 500);
    expect(port, "/nofile/a.html", "alice", "alice-pw", 500);
    expect(port, "/norequire/a.html", NULL, NULL, 500);
    expect(port, "/noname/a.html", "alice", "alice-pw", 500);
}
END_TEST

/* Lines to put in <Directory> (or at top level when they start with '!'), the message; the
 * refused line is the first, or the one that names "refused-here". */
static const char *const refusals[][2] = {
    {"Require bogus-provider x", "Unknown Authz provider: bogus-provider"},
    {"AuthType Digest", "AuthType Digest: no loaded module provides it"},
    {"AuthBasicProvider ldap", "Unknown Authn provider: ldap"},
    {"Require not ip 10.0.0.1", "negative Require directive has no effect in <RequireAny>"},
    {"Require ip 300.1.1.1", "'300.1.1.1' is not an IP address"},
    {"Require all maybe", "must be 'granted' or 'denied'"},
    {"<RequireAll>\n</RequireAll>", "contains no authorization directives"},
    {"<RequireAny>\nRequire not user refused-here\n</RequireAny>", "has no effect in <RequireAny>"},
    {"<RequireAll>\nDocumentRoot /tmp\n</RequireAll>", "is not allowed in <RequireAll>"},
    {"!Require all granted", "Require is not allowed in the main server configuration"},
    {"!AuthType Basic", "AuthType is not allowed in the main server configuration"},
    {"Order allow, deny", "Order takes 1 argument"},
    {"Order deny", "unknown order 'deny'"},
    {"Allow to 127.0.0.1", "allow and deny must be followed by 'from'"},
    {"Deny from 10.0.0.0/33", "'10.0.0.0/33': an IP address"},
    {"Satisfy some", "Satisfy either 'any' or 'all'."},
    {"<Limit TRACE>\nRequire all denied\n</Limit>", "TRACE cannot be controlled by <Limit>"},
    {"<Limit POST>\n<Limit refused-here GET>\n</Limit>\n</Limit>",
     "<Limit> directive excludes all methods"},
    {"<Limit POST>\n<LimitExcept refused-here GET>\n</LimitExcept>\n</Limit>",
     "<LimitExcept> directive specifies methods already excluded"},
    {"<Limit>\n</Limit>", "<Limit takes at least 1 argument"},
    {"!<AuthnProviderAlias ldap a>\n</AuthnProviderAlias>", "Unknown Authn provider: ldap"},
    {"!<AuthnProviderAlias file file>\n</AuthnProviderAlias>", "the alias name file is already"},
    {"!<AuthnProviderAlias file a>\nRequire refused-here\n</AuthnProviderAlias>",
     "Unknown Authz provider: refused-here"},
};

KVC_LOOP_TEST(auth, test_bad_config_refused, 0, KVT_COUNT(refusals))
{
    kvt_server_t *srv = new_server();
    const char *line = refusals[_i][0];
    const char *conf;
    int status;
    char *err = NULL, *want, *first;

    if (line[0] == '!') {
        kvt_server_conf(srv, "%s", ++line);
    } else {
        kvt_server_conf(srv, "<Directory \"%s\">\n%s\n</Directory>", kvt_server_docroot(srv), line);
    }
    conf = kvt_server_write_conf(srv);
    ck_assert_int_eq(
        kvt_run_kiva(&status, NULL, &err, "-f", conf, "-DFOREGROUND", (const char *)NULL), 0);
    ck_assert_msg(status == 1, "%s: exit status %d, want 1; stderr:\n%s", line, status, err);
    first = strstr(line, "refused-here") ? kvt_strf("refused-here")
                                         : kvt_strf("%.*s", (int)strcspn(line, "\n"), line);
    want = kvt_strf("kiva: Syntax error on line %u of %s: ", kvt_conf_line_of(srv, first), conf);
    ck_assert_msg(kvt_contains(err, want), "stderr lacks \"%s\":\n%s", want, err);
    ck_assert_msg(kvt_contains(err, refusals[_i][1]), "stderr lacks \"%s\":\n%s", refusals[_i][1],
                  err);
    free(first);
    free(want);
    free(err);
}
END_TEST

/* An error inside a container names the line inside. */
KVC_TEST(auth, test_error_line_inside_container)
{
    kvt_server_t *srv = new_server();

    kvt_server_conf(srv, "<Location />\n<RequireAll>\nRequire all granted\n<RequireAny>\n"
                         "Require nosuch\n</RequireAny>\n</RequireAll>\n</Location>");
    expect_syntax_error(srv, "Require nosuch", "Unknown Authz provider: nosuch");
}
END_TEST

int main(void)
{
    return kvc_run("auth");
}
