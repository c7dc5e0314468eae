/* httpd's rule for SSLVerifyClient and SSLVerifyDepth in a directory (ssl_pha_rule.h), as
 * its ssl_hook_Access_modern decides it, except that a connection that already holds a
 * verified certificate satisfies `require` without being asked again. */
#include "kiva.h"
#include "ssl_pha_rule.h"
#include "ssl_verify.h"

int ssl_pha_need(int srv_level, int dir_level, int srv_depth, int dir_depth, ssl_pha_need_t *need)
{
    int level = dir_level != KV_UNSET_INT ? dir_level : srv_level;

    if (level == KV_UNSET_INT) {
        level = SSL_VERIFY_CLIENT_NONE;
    }
    need->strict = srv_level == SSL_VERIFY_CLIENT_REQUIRE || dir_level == SSL_VERIFY_CLIENT_REQUIRE;
    need->level =
        need->strict && level == SSL_VERIFY_CLIENT_NONE ? SSL_VERIFY_CLIENT_REQUIRE : level;
    need->depth = KV_MERGE_INT(dir_depth, srv_depth, SSL_VERIFY_DEPTH_DEFAULT);
    return need->level != SSL_VERIFY_CLIENT_NONE;
}

int ssl_pha_must_ask(const ssl_pha_need_t *need, const ssl_pha_have_t *have)
{
    if (!have->asked) {
        return 1;
    }
    if (need->strict && !have->verified) {
        return 1;
    }
    return have->has_cert && need->depth < have->depth;
}
