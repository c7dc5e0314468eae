/* The core's configuration records: created, merged (as httpd merges them), and read by
 * the rest of the server. */
#include <apr_hash.h>
#include <apr_network_io.h>
#include <apr_strings.h>

#include "core.h"
#include "core_directives.h"
#include "if_sections.h"
#include "module.h"
#include "remote_host.h"
#include "sections.h"
#include "vhost.h"

void *kv_core_create_server_config(apr_pool_t *p, kv_server_t *s)
{
    kv_core_server_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    (void)s;
    conf->listen_specs = apr_array_make(p, 2, sizeof(kv_listen_spec_t));
    conf->accept_filters = apr_table_make(p, 2);
    conf->sections.all = apr_array_make(p, 4, sizeof(kv_section_t *));
    conf->listen_backlog = KV_UNSET_INT;
    conf->server_tokens = KV_UNSET_INT;
    return conf;
}

/* A virtual host's core settings over the main server's: its sections are merged after
 * the main server's, as httpd does. */
void *kv_core_merge_server_config(apr_pool_t *p, void *basev, void *addv)
{
    const kv_core_server_conf_t *base = basev, *add = addv;
    kv_core_server_conf_t *conf = apr_pmemdup(p, add, sizeof(*conf));

    conf->document_root = add->document_root ? add->document_root : base->document_root;
    conf->error_log = add->error_log ? add->error_log : base->error_log;
    conf->server_admin = add->server_admin ? add->server_admin : base->server_admin;
    conf->server_tokens = base->server_tokens;
    conf->access_file_names =
        add->access_file_names ? add->access_file_names : base->access_file_names;
    conf->banner = base->banner;
    conf->listen_specs = base->listen_specs;
    conf->listen_backlog = base->listen_backlog;
    conf->accept_filters = base->accept_filters;
    conf->send_buffer_size = base->send_buffer_size;
    conf->receive_buffer_size = base->receive_buffer_size;
    conf->sections.all = apr_array_append(p, base->sections.all, add->sections.all);
    kv_sections_finish(p, &conf->sections);
    return conf;
}

void *kv_core_create_dir_config(apr_pool_t *p, const char *dir)
{
    kv_core_dir_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    (void)dir;
    conf->limit_req_body = -1;
    conf->opts = KV_UNSET_INT;
    conf->hostname_lookups = KV_UNSET_INT;
    conf->error_docs = apr_hash_make(p);
    conf->use_canonical_name = KV_UNSET_INT;
    conf->use_canonical_phys_port = KV_UNSET_INT;
    conf->server_signature = KV_UNSET_INT;
    conf->etag.bits = KV_UNSET_INT;
    conf->enable_sendfile = KV_UNSET_INT;
    conf->enable_mmap = KV_UNSET_INT;
    conf->override = KV_UNSET_INT;
    conf->override_opts = KV_UNSET_INT;
    return conf;
}

/* The Options a merged per-directory config stands for. */
static int options_of(const kv_core_dir_conf_t *d)
{
    if (d->opts != KV_UNSET_INT) {
        return d->opts;
    }
    return (KV_DEFAULT_OPTIONS & ~d->opts_remove) | d->opts_add;
}

void *kv_core_merge_dir_config(apr_pool_t *p, void *basev, void *addv)
{
    kv_core_dir_conf_t *base = basev, *add = addv;
    kv_core_dir_conf_t *conf = apr_pcalloc(p, sizeof(*conf));

    conf->limit_req_body = add->limit_req_body >= 0 ? add->limit_req_body : base->limit_req_body;
    conf->error_docs = apr_hash_overlay(p, add->error_docs, base->error_docs);
    conf->handler = add->handler ? add->handler : base->handler;
    conf->forced_type = add->forced_type ? add->forced_type : base->forced_type;
    conf->hostname_lookups =
        KV_MERGE_INT(add->hostname_lookups, base->hostname_lookups, KV_UNSET_INT);
    conf->use_canonical_name =
        KV_MERGE_INT(add->use_canonical_name, base->use_canonical_name, KV_UNSET_INT);
    conf->use_canonical_phys_port =
        KV_MERGE_INT(add->use_canonical_phys_port, base->use_canonical_phys_port, KV_UNSET_INT);
    conf->server_signature =
        KV_MERGE_INT(add->server_signature, base->server_signature, KV_UNSET_INT);
    kv_etag_merge(&conf->etag, &base->etag, &add->etag);
    conf->default_charset = add->default_charset ? add->default_charset : base->default_charset;
    conf->enable_sendfile = KV_MERGE_INT(add->enable_sendfile, base->enable_sendfile, KV_UNSET_INT);
    conf->enable_mmap = KV_MERGE_INT(add->enable_mmap, base->enable_mmap, KV_UNSET_INT);
    conf->if_sections = kv_if_sections_merge(p, base->if_sections, add->if_sections);
    conf->output_filters = add->output_filters ? add->output_filters : base->output_filters;
    conf->override = KV_MERGE_INT(add->override, base->override, KV_UNSET_INT);
    conf->override_opts = KV_MERGE_INT(add->override_opts, base->override_opts, KV_UNSET_INT);
    conf->override_list = add->override_list ? add->override_list : base->override_list;
    if (add->opts != KV_UNSET_INT) {
        conf->opts = add->opts;
    } else if (add->opts_add || add->opts_remove) {
        /* +X/-X apply to what the enclosing sections allow (httpd's merge). */
        conf->opts = (options_of(base) & ~add->opts_remove) | add->opts_add;
        /* +IncludesNOEXEC under Includes takes exec away, as in httpd. */
        if ((add->opts_add & (KV_OPT_INCLUDES | KV_OPT_INC_WITH_EXEC)) == KV_OPT_INCLUDES) {
            conf->opts &= ~KV_OPT_INC_WITH_EXEC;
        }
    } else {
        conf->opts = base->opts;
        conf->opts_add = base->opts_add;
        conf->opts_remove = base->opts_remove;
    }
    return conf;
}

kv_core_server_conf_t *kv_core_sconf(const kv_server_t *s)
{
    return kv_get_module_config(s->module_config, &core_module);
}

apr_off_t kv_limit_req_body(const kv_request_t *r)
{
    const kv_core_dir_conf_t *d = kv_get_module_config(r->per_dir_config, &core_module);

    return d->limit_req_body >= 0 ? d->limit_req_body : KV_DEFAULT_LIMIT_REQ_BODY;
}

int kv_hostname_lookups(const kv_request_t *r)
{
    /* A request whose sections are not merged yet (httpd: no dir_config) looks nothing up. */
    const kv_core_dir_conf_t *d =
        r->per_dir_config ? kv_get_module_config(r->per_dir_config, &core_module) : NULL;

    return !d || d->hostname_lookups == KV_UNSET_INT ? KV_LOOKUPS_OFF : d->hostname_lookups;
}

KV_DECLARE(int) kv_allow_options(const kv_request_t *r)
{
    return options_of(kv_get_module_config(r->per_dir_config, &core_module));
}

KV_DECLARE(const char *) kv_document_root(const kv_request_t *r)
{
    return kv_core_sconf(r->server)->document_root;
}

const char *kv_core_finish_config(apr_pool_t *pconf, kv_server_t *s)
{
    kv_core_server_conf_t *sconf = kv_core_sconf(s);

    if (!sconf->document_root) {
        sconf->document_root = kv_server_root_relative(pconf, "htdocs");
    }
    if (!sconf->error_log) {
        sconf->error_log = kv_server_root_relative(pconf, "logs/error_log");
    }
    if (sconf->listen_backlog == KV_UNSET_INT) {
        sconf->listen_backlog = KV_DEFAULT_LISTEN_BACKLOG;
    }
    if (!s->server_hostname) {
        char name[APRMAXHOSTLEN + 1];
        s->server_hostname = apr_gethostname(name, sizeof(name), pconf) == APR_SUCCESS
                                 ? apr_pstrdup(pconf, name)
                                 : "localhost";
    }
    sconf->banner = kv_build_banner(pconf, sconf->server_tokens);
    kv_sections_finish(pconf, &sconf->sections);
    kv_vhosts_finish(pconf, s);
    if (sconf->listen_specs->nelts == 0) {
        return "no Listen directive: kiva needs at least one address to listen on "
               "(e.g. Listen 8080)";
    }
    return NULL;
}
