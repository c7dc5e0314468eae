/* AllowOverride while kiva reads no .htaccess file: Debian's userdir.conf passes `kiva -t`;
 * a request that meets a .htaccess file where AllowOverride allows something (in its own
 * directory or one above) is refused with 500 and a log line, never served as if the file
 * were not there; where AllowOverride None applies, a .htaccess is ignored, as httpd does. */
#include "harness.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MODULES KV_TEST_BUILDDIR "/modules/.libs"

static const char secret[] = "the page a .htaccess file guards";

/* GET @a path: its status, and whether the body holds the page's text. */
static int get_status(kvt_server_t *srv, const char *path, int *sent_page)
{
    kvt_response_t r;
    int status;

    kvt_get(kvt_server_port(srv), path, &r);
    status = r.status;
    *sent_page = r.body && strstr(r.body, secret) != NULL;
    kvt_response_free(&r);
    return status;
}

KVT_CASE(htaccess_case, "htaccess");

/* Debian 12's /etc/apache2/mods-available/userdir.conf, with its module. */
KVC_TEST(htaccess_case, test_debian_userdir_conf_accepted)
{
    kvt_server_t *srv = kvt_server_new("prefork");
    int status;
    char *err = NULL;

    kvt_server_conf(srv, "LoadModule authz_core_module %s/mod_authz_core.so", MODULES);
    kvt_server_conf(srv, "LoadModule userdir_module %s/mod_userdir.so", MODULES);
    kvt_server_conf(srv, "<IfModule mod_userdir.c>\n"
                         "        UserDir public_html\n"
                         "        UserDir disabled root\n"
                         "\n"
                         "        <Directory /home/*/public_html>\n"
                         "                AllowOverride FileInfo AuthConfig Limit Indexes\n"
                         "                Options MultiViews Indexes SymLinksIfOwnerMatch "
                         "IncludesNoExec\n"
                         "                <Limit GET POST OPTIONS>\n"
                         "                        Require all granted\n"
                         "                </Limit>\n"
                         "                <LimitExcept GET POST OPTIONS>\n"
                         "                        Require all denied\n"
                         "                </LimitExcept>\n"
                         "        </Directory>\n"
                         "</IfModule>");
    ck_assert_int_eq(kvt_run_kiva(&status, NULL, &err, "-t", "-f", kvt_server_write_conf(srv),
                                  (const char *)NULL),
                     0);
    ck_assert_msg(status == 0, "kiva -t: exit %d: %s", status, err ? err : "");
    free(err);
}
END_TEST

/* <Directory DOCROOT/site> AllowOverride All under httpd's default None. */
static kvt_server_t *site(void)
{
    kvt_server_t *srv = kvt_server_new("prefork");

    kvt_write_file(srv, "site/sub/page.html", secret, strlen(secret));
    kvt_write_file(srv, "plain/page.html", secret, strlen(secret));
    kvt_server_conf(srv,
                    "<Directory />\n AllowOverride None\n</Directory>\n"
                    "<Directory %s/site>\n AllowOverride All\n</Directory>",
                    kvt_server_docroot(srv));
    return srv;
}

KVC_TEST(htaccess_case, test_htaccess_refused_then_served_without_it)
{
    kvt_server_t *srv = site();
    const char htaccess[] = "Require all denied\n";
    char *path = kvt_strf("%s/site/.htaccess", kvt_server_docroot(srv));
    char *log;
    int sent;

    /* In the parent directory of the file: it counts, as in httpd's walk. */
    kvt_write_file(srv, "site/.htaccess", htaccess, strlen(htaccess));
    kvt_server_start(srv);
    ck_assert_int_eq(get_status(srv, "/site/sub/page.html", &sent), 500);
    ck_assert_msg(!sent, "the page was sent along with the 500");
    ck_assert_int_eq(get_status(srv, "/site/sub/", &sent), 500);
    log = kvt_server_wait_log(srv, "KV01420", 5000);
    ck_assert_msg(strstr(log, "KV01420") && strstr(log, path) &&
                      strstr(log, "kiva does not read .htaccess files yet"),
                  "error log: %s", log);
    free(log);

    ck_assert_int_eq(unlink(path), 0);
    ck_assert_int_eq(get_status(srv, "/site/sub/page.html", &sent), 200);
    ck_assert_msg(sent, "the page was not sent once the .htaccess file was gone");
    free(path);
}
END_TEST

KVC_TEST(htaccess_case, test_htaccess_ignored_where_override_none)
{
    kvt_server_t *srv = site();
    const char htaccess[] = "Require all denied\n";
    int sent;

    kvt_write_file(srv, "plain/.htaccess", htaccess, strlen(htaccess));
    kvt_write_file(srv, ".htaccess", htaccess, strlen(htaccess));
    kvt_server_start(srv);
    ck_assert_int_eq(get_status(srv, "/plain/page.html", &sent), 200);
    ck_assert_msg(sent, "the page was not sent");
    /* DOCROOT/.htaccess is above DOCROOT/site, where None applies: not read either. */
    ck_assert_int_eq(get_status(srv, "/site/sub/page.html", &sent), 200);
    ck_assert_msg(sent, "the page under AllowOverride All was not sent");
}
END_TEST

int main(void)
{
    return kvc_run("htaccess");
}
