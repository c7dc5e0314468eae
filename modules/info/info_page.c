/* mod_info's pages from the configuration tree and the module records (see info_page.h). */
#include <stdio.h>
#include <string.h>

#include <apr_strings.h>
#include <apr_tables.h>

#include "info_page.h"
#include "kv_http.h"

/* Core modules keep httpd's names, the others are mod_NAME.c. */
const char *info_module_file(apr_pool_t *p, const kv_module_t *m)
{
    if (!m->loaded_from && (strcmp(m->name, "core") == 0 || strcmp(m->name, "http_core") == 0)) {
        return apr_pstrcat(p, m->name, ".c", NULL);
    }
    return apr_pstrcat(p, "mod_", m->name, ".c", NULL);
}

static const char *esc(apr_pool_t *p, const char *s)
{
    return kv_escape_html(p, s ? s : "");
}

static int is_section(const kv_directive_t *d)
{
    return d->name[0] == '<';
}

static int module_has_directive(const kv_module_t *m, const char *name)
{
    for (const kv_command_t *c = m->commands; c && c->name; c++) {
        if (strcasecmp(c->name, name) == 0) {
            return 1;
        }
    }
    return 0;
}

typedef struct {
    apr_pool_t *p;
    apr_array_header_t *out; /* const char *: the page's pieces */
    const char *file;        /* the file named last */
    const kv_module_t *only;
} render_t;

/* "&nbsp;&nbsp;17:&nbsp;": the line number right-aligned in four places, as httpd writes it
 * (none for a closing line), then two spaces per level of nesting. */
static const char *line_prefix(apr_pool_t *p, unsigned line, int depth)
{
    char digits[16] = "";
    int n = line ? snprintf(digits, sizeof(digits), "%u", line) : 0;
    const char *s = "";

    for (int i = n; i < 4; i++) {
        s = apr_pstrcat(p, s, "&nbsp;", NULL);
    }
    s = apr_pstrcat(p, s, digits, ":&nbsp;", NULL);
    for (int i = 0; i < depth; i++) {
        s = apr_pstrcat(p, s, "&nbsp;&nbsp;", NULL);
    }
    return s;
}

static void put(render_t *rd, const char *s)
{
    APR_ARRAY_PUSH(rd->out, const char *) = s;
}

static void name_file(render_t *rd, const kv_directive_t *d)
{
    if (!rd->file || strcmp(rd->file, d->file) != 0) {
        rd->file = d->file;
        put(rd, apr_psprintf(rd->p, "<dd><tt><strong>In file: %s</strong></tt></dd>\n",
                             esc(rd->p, d->file)));
    }
}

static void render_list(render_t *rd, const kv_directive_t *d, int depth);

/* A section: its opening line, its contents, its closing line; with a module filter, only
 * if something of that module is inside. */
static void render_section(render_t *rd, const kv_directive_t *d, int depth)
{
    int mark = rd->out->nelts, inner;
    const char *saved_file = rd->file;
    const char *open;

    name_file(rd, d);
    open =
        apr_psprintf(rd->p, "<dd><tt>%s%s%s%s&gt;</tt></dd>\n", line_prefix(rd->p, d->line, depth),
                     esc(rd->p, d->name), d->args && *d->args ? " " : "", esc(rd->p, d->args));
    put(rd, open);
    inner = rd->out->nelts;
    render_list(rd, d->first_child, depth + 1);
    if (rd->only && rd->out->nelts == inner) {
        rd->out->nelts = mark; /* nothing of the module inside */
        rd->file = saved_file;
        return;
    }
    put(rd, apr_psprintf(rd->p, "<dd><tt>%s&lt;/%s&gt;</tt></dd>\n", line_prefix(rd->p, 0, depth),
                         esc(rd->p, d->name + 1)));
}

/* <IfModule> and <IfDefine> were decided as the file was read: as httpd, show the lines they
 * let through in their place, and nothing of those they held back. -1 for another section. */
static int condition_holds(const kv_directive_t *d)
{
    const char *arg = d->argc > 0 ? d->argv[0] : "";
    int negate = *arg == '!';

    if (strcasecmp(d->name, "<IfModule") == 0) {
        return (kv_find_module(arg + negate) != NULL) != negate;
    }
    if (strcasecmp(d->name, "<IfDefine") == 0) {
        return kv_exists_define(arg + negate) != negate;
    }
    return -1;
}

static void render_list(render_t *rd, const kv_directive_t *d, int depth)
{
    for (; d; d = d->next) {
        int holds = condition_holds(d);

        if (holds >= 0) {
            if (holds) {
                render_list(rd, d->first_child, depth);
            }
            continue;
        }
        if (is_section(d)) {
            render_section(rd, d, depth);
            continue;
        }
        if (rd->only && !module_has_directive(rd->only, d->name)) {
            continue;
        }
        name_file(rd, d);
        put(rd, apr_psprintf(rd->p, "<dd><tt>%s%s <i>%s</i></tt></dd>\n",
                             line_prefix(rd->p, d->line, depth), esc(rd->p, d->name),
                             esc(rd->p, d->args)));
    }
}

static const char *joined(apr_pool_t *p, const apr_array_header_t *parts)
{
    return apr_array_pstrcat(p, parts, '\0');
}

const char *info_config_html(apr_pool_t *p, const kv_directive_t *tree, const kv_module_t *only)
{
    render_t rd = {p, apr_array_make(p, 64, sizeof(const char *)), NULL, only};

    render_list(&rd, tree, 0);
    return joined(p, rd.out);
}

const char *info_module_html(apr_pool_t *p, const kv_module_t *m, const kv_directive_t *tree,
                             const apr_array_header_t *more)
{
    apr_array_header_t *out = apr_array_make(p, 16, sizeof(const char *));
    const char *file = esc(p, info_module_file(p, m));
    const char *config = info_config_html(p, tree, m);

    APR_ARRAY_PUSH(out, const char *) = apr_psprintf(
        p,
        "<dl><dt><a name=\"%s\"><strong>Module Name:</strong></a> <font size=\"+1\"><tt>"
        "<a href=\"?%s\">%s</a></tt></font></dt>\n<dt><strong>Loaded From:</strong> "
        "<tt>%s</tt></dt>\n",
        file, file, file, m->loaded_from ? esc(p, m->loaded_from) : "<em>built in</em>");
    APR_ARRAY_PUSH(out, const char *) = "<dt><strong>Module Directives:</strong></dt>\n";
    if (!m->commands || !m->commands->name) {
        APR_ARRAY_PUSH(out, const char *) = "<dd><tt><em>none</em></tt></dd>\n";
    }
    for (const kv_command_t *c = m->commands; c && c->name; c++) {
        APR_ARRAY_PUSH(out, const char *) =
            apr_psprintf(p, "<dd><tt>%s - <i>%s</i></tt></dd>\n", esc(p, c->name), esc(p, c->help));
    }
    APR_ARRAY_PUSH(out, const char *) = "<dt><strong>Current Configuration:</strong></dt>\n";
    APR_ARRAY_PUSH(out, const char *) = *config ? config : "<dd><tt><em>none</em></tt></dd>\n";
    for (int i = 0; more && i < more->nelts; i++) {
        APR_ARRAY_PUSH(out, const char *) =
            apr_psprintf(p, "<dt><strong>Additional Information:</strong>\n</dt><dd>%s</dd>\n",
                         esc(p, APR_ARRAY_IDX(more, i, const char *)));
    }
    APR_ARRAY_PUSH(out, const char *) = "</dl><hr />\n";
    return joined(p, out);
}
