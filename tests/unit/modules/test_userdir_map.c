/* Tests of modules/userdir/userdir_map.c: the UserDir lines and the mapping of /~user URLs to
 * files or redirects, with a fake user database and file system. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "userdir_map.h"
#include "../check_run.h"

static apr_pool_t *pool;
static userdir_conf_t conf;

static void setup(void)
{
    apr_pool_create(&pool, NULL);
    memset(&conf, 0, sizeof(conf));
    conf.enabled = apr_table_make(pool, 2);
    conf.disabled = apr_table_make(pool, 2);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
}

/* alice and bob have homes; no one else. */
static const char *fake_home(apr_pool_t *p, const char *user)
{
    if (strcmp(user, "alice") == 0 || strcmp(user, "bob") == 0) {
        return apr_pstrcat(p, "/home/", user, NULL);
    }
    return NULL;
}

/* Only paths under /srv/exists/ and /home/alice/ exist. */
static int fake_exists(apr_pool_t *p, const char *path)
{
    (void)p;
    return strncmp(path, "/srv/exists/", 12) == 0 || strncmp(path, "/home/alice/", 12) == 0;
}

static void line(const char *a, const char *b, const char *c)
{
    const char *argv[] = {a, b, c, NULL};
    int argc = c ? 3 : b ? 2 : 1;

    ck_assert_ptr_null(userdir_configure(pool, &conf, argc, argv));
}

/* "file PATH", "redirect URL" or "declined" for @a uri. */
static const char *map(const char *uri)
{
    const char *out = NULL, *user = NULL;

    switch (userdir_map(pool, &conf, uri, fake_home, fake_exists, &out, &user)) {
    case USERDIR_FILE:
        return apr_pstrcat(pool, "file ", out, NULL);
    case USERDIR_REDIRECT:
        return apr_pstrcat(pool, "redirect ", out, NULL);
    default:
        return "declined";
    }
}

KVU_CASE(map_case, "map", setup, teardown);

KVC_TEST(map_case, home_relative_directory)
{
    line("public_html", NULL, NULL);
    ck_assert_str_eq(map("/~alice/a/b.html"), "file /home/alice/public_html/a/b.html");
    ck_assert_str_eq(map("/~alice"), "file /home/alice/public_html");
    ck_assert_str_eq(map("/~alice/"), "file /home/alice/public_html/");
    ck_assert_str_eq(map("/~nobody/x"), "declined");
    ck_assert_str_eq(map("/~/x"), "declined");
    ck_assert_str_eq(map("/~../x"), "declined");
    ck_assert_str_eq(map("/~./x"), "declined");
    ck_assert_str_eq(map("/alice/x"), "declined");
}
END_TEST

KVC_TEST(map_case, absolute_paths_and_stars)
{
    line("/srv/users/*/www", NULL, NULL);
    ck_assert_str_eq(map("/~carol/i.html"), "file /srv/users/carol/www/i.html");
    line("/srv/users", NULL, NULL);
    ck_assert_str_eq(map("/~carol/i.html"), "file /srv/users/carol/i.html");
}
END_TEST

KVC_TEST(map_case, urls_redirect)
{
    line("http://www.example.com/~*/", NULL, NULL);
    ck_assert_str_eq(map("/~bob/one/two.html"),
                     "redirect http://www.example.com/~bob/one/two.html");
    line("http://www.example.com/*/usr", NULL, NULL);
    ck_assert_str_eq(map("/~bob/one"), "redirect http://www.example.com/bob/one");
}
END_TEST

KVC_TEST(map_case, first_existing_entry_else_the_last)
{
    line("/srv/none/*/x", "/srv/exists/*", "public_html");
    ck_assert_str_eq(map("/~dave/f"), "file /srv/exists/dave/f");
    line("/srv/none/*/x", "public_html", NULL);
    ck_assert_str_eq(map("/~alice/f"), "file /home/alice/public_html/f");
    /* The last one is taken even when nothing is there (a handler may answer). */
    ck_assert_str_eq(map("/~bob/f"), "file /home/bob/public_html/f");
    /* A user without a home skips the entries that need one. */
    ck_assert_str_eq(map("/~eve/f"), "declined");
}
END_TEST

KVC_TEST(map_case, enabled_and_disabled_users)
{
    line("public_html", NULL, NULL);
    line("disabled", "bob", NULL);
    ck_assert_str_eq(map("/~bob/f"), "declined");
    ck_assert_str_eq(map("/~alice/f"), "file /home/alice/public_html/f");
    line("disabled", NULL, NULL);
    ck_assert_str_eq(map("/~alice/f"), "declined");
    line("enabled", "alice", "carol");
    ck_assert_str_eq(map("/~alice/f"), "file /home/alice/public_html/f");
    ck_assert_str_eq(map("/~bob/f"), "declined");
}
END_TEST

KVC_TEST(map_case, nothing_without_a_directory)
{
    line("enabled", NULL, NULL);
    ck_assert_int_eq(conf.globally, USERDIR_ENABLED);
    ck_assert_str_eq(map("/~alice/f"), "declined");
}
END_TEST

int main(void)
{
    return kvu_run_apr("userdir_map");
}
