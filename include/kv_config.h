/**
 * @file kv_config.h
 * @brief Configuration: the directive tree, directive tables, validating setters.
 */
#ifndef KV_CONFIG_H
#define KV_CONFIG_H

#include <stddef.h>

#include <apr_pools.h>
#include <apr_tables.h>
#include <apr_time.h>

#include "kv_module.h"

/** One directive or section as read from a file. Sections keep their contents as children. */
typedef struct kv_directive kv_directive_t;
struct kv_directive {
    const char *name;           /**< as written; a section is named "<Directory" */
    int argc;                   /**< number of arguments */
    const char **argv;          /**< unquoted, ${VAR}-expanded arguments; argv[argc] == NULL */
    const char *args;           /**< the raw argument text after expansion */
    const char *file;           /**< file it was read from */
    unsigned line;              /**< line it starts on (1-based) */
    kv_directive_t *first_child; /**< contents of a section; NULL for a plain directive */
    kv_directive_t *next;        /**< next sibling */
    kv_directive_t *parent;      /**< enclosing section, NULL at top level */
};

/** Where a directive may appear (bit set). */
enum {
    KV_CTX_MAIN = 1 << 0,     /**< the main server, outside any section */
    KV_CTX_VHOST = 1 << 1,    /**< inside <VirtualHost> */
    KV_CTX_DIR = 1 << 2,      /**< inside <Directory>, <Location>, <Files> and their Match forms */
    KV_CTX_HTACCESS = 1 << 3, /**< in .htaccess files */
    KV_CTX_SERVER = KV_CTX_MAIN | KV_CTX_VHOST,
    KV_CTX_ALL = KV_CTX_MAIN | KV_CTX_VHOST | KV_CTX_DIR
};

/** Directive flags. */
enum {
    KV_CMD_ONCE = 1 << 0,        /**< may appear once per context */
    KV_CMD_SERVER_CONF = 1 << 1, /**< the setter receives the module's server config */
};

typedef struct kv_cmd_parms kv_cmd_parms_t;

/** The state of a configuration walk (opaque; see kv_walk_config). */
typedef struct kv_config_walk kv_config_walk_t;

struct kv_request;

/** A set of request methods, one bit each (HEAD is GET's, as in httpd); see kv_method_bit. */
typedef apr_uint64_t kv_method_mask_t;
/** Every method: what a directive outside <Limit> and <LimitExcept> applies to. */
#define KV_METHODS_ALL (~(kv_method_mask_t)0)

/** A directive's handler. Returns NULL on success or the reason it was refused. */
typedef const char *(*kv_cmd_func)(kv_cmd_parms_t *cmd, void *mconfig, int argc,
                                   const char *const *argv);

/** One entry of a module's directive table. */
struct kv_command {
    const char *name;    /**< directive name; sections start with '<' */
    kv_cmd_func func;    /**< handler */
    const void *info;    /**< handler data: the field offset for slot setters */
    int min_args;        /**< fewest arguments */
    int max_args;        /**< most arguments; -1 for any number */
    unsigned context;    /**< KV_CTX_* where allowed */
    unsigned flags;      /**< KV_CMD_* */
    const char *help;    /**< one line: syntax and meaning */
};

/** Everything a handler knows about the directive it is handling. */
struct kv_cmd_parms {
    const void *info;                /**< the command's info */
    const kv_command_t *cmd;         /**< the command being run */
    kv_module_t *module;             /**< the module that owns the command */
    const kv_directive_t *directive; /**< the directive as read */
    apr_pool_t *pool;                /**< the generation's pool (pconf) */
    apr_pool_t *temp_pool;           /**< freed once the configuration is read */
    kv_server_t *server;             /**< server being configured */
    unsigned context;                /**< KV_CTX_* of where the directive stands */
    const char *path;                /**< the enclosing section's path, or NULL */
    void **dir_config;               /**< the config vector the directive's section fills:
                                      * a section that holds directives walks them into it */
    kv_method_mask_t limited;        /**< the methods the directive applies to: those of the
                                      * enclosing <Limit>/<LimitExcept>, else KV_METHODS_ALL */
    const struct kv_section *section; /**< the <Directory>, <Files> or <Location> section (or
                                       * Match form) the directive stands in, the innermost;
                                       * NULL outside one. The core's type (server/config/sections.h) */
    kv_config_walk_t *walk;          /**< the walk running the directive: its errors so far
                                      * and what was set once. NULL in parms made outside a
                                      * walk; kv_walk_config then starts one */
};

/** Field offset for the slot setters' info. */
#define KV_OFFSET(type, field) ((const void *)offsetof(type, field))

/** Value of an integer setting not given in the configuration. */
#define KV_UNSET_INT (-1)
/** Value of a time setting not given in the configuration. */
#define KV_UNSET_TIME ((apr_interval_time_t)-1)

/** @a conf if it was set, else @a prev if that was set, else @a def. */
#define KV_MERGE_INT(conf, prev, def)                                                             \
    ((conf) != KV_UNSET_INT ? (conf) : (prev) != KV_UNSET_INT ? (prev) : (def))
/** As KV_MERGE_INT for apr_interval_time_t. */
#define KV_MERGE_TIME(conf, prev, def)                                                            \
    ((conf) != KV_UNSET_TIME ? (conf) : (prev) != KV_UNSET_TIME ? (prev) : (def))
/** As KV_MERGE_INT for pointers (NULL is unset). */
#define KV_MERGE_PTR(conf, prev, def) ((conf) ? (conf) : (prev) ? (prev) : (def))

/** Parse a decimal integer in [min, max] into *out. NULL, or a reason naming the value. */
KV_DECLARE(const char *) kv_parse_int(apr_pool_t *p, const char *s, long min, long max, long *out);
/** Parse a size: digits with an optional K, M or G suffix (powers of 1024), in [min, max]. */
KV_DECLARE(const char *) kv_parse_size(apr_pool_t *p, const char *s, apr_off_t min, apr_off_t max,
                                       apr_off_t *out);
/** Parse a time: whole seconds, or a number followed by "ms" for milliseconds. */
KV_DECLARE(const char *) kv_parse_timeout(apr_pool_t *p, const char *s, apr_interval_time_t *out);
/** Parse On or Off (case-insensitive). */
KV_DECLARE(const char *) kv_parse_flag(apr_pool_t *p, const char *s, int *out);

/** Store a non-negative int at the offset in info. */
KV_DECLARE(const char *) kv_set_int_slot(kv_cmd_parms_t *cmd, void *conf, int argc,
                                         const char *const *argv);
/** Store On/Off as 1/0 (int) at the offset in info. */
KV_DECLARE(const char *) kv_set_flag_slot(kv_cmd_parms_t *cmd, void *conf, int argc,
                                          const char *const *argv);
/** Store a size (apr_off_t) at the offset in info. */
KV_DECLARE(const char *) kv_set_size_slot(kv_cmd_parms_t *cmd, void *conf, int argc,
                                          const char *const *argv);
/** Store a time (apr_interval_time_t) at the offset in info. */
KV_DECLARE(const char *) kv_set_timeout_slot(kv_cmd_parms_t *cmd, void *conf, int argc,
                                             const char *const *argv);
/** How a bounded slot's value is written, and the type of its field. */
typedef enum {
    KV_UNIT_NUMBER,  /**< int: a whole number */
    KV_UNIT_SECONDS, /**< apr_interval_time_t: seconds, or a number with ms, s, mi or h;
                      * the bounds are in seconds */
    KV_UNIT_BYTES,   /**< apr_off_t: bytes, with an optional K, M or G */
    KV_UNIT_FLAG     /**< int: On or Off as 1 or 0; the bounds are not used */
} kv_unit_t;

/** kv_slot_t flags. */
enum {
    KV_SLOT_SERVER_REC = 1 << 0 /**< the field is the server record's (cmd->server, a
                                 * kv_server_t), not the module's config */
};

/** A directive table entry's info for kv_set_bounded_slot: where the value goes and which
 * values are allowed, so that the table says it all (as nginx's post handlers' bounds). */
typedef struct {
    size_t offset;   /**< of the field in the config (or the server record) */
    kv_unit_t unit;  /**< how the value is written; says the field's type */
    apr_int64_t min; /**< smallest value allowed (in seconds for KV_UNIT_SECONDS) */
    apr_int64_t max; /**< largest value allowed (in seconds for KV_UNIT_SECONDS) */
    unsigned flags;  /**< KV_SLOT_* */
} kv_slot_t;

/** The info of a directive stored by kv_set_bounded_slot in @a field of the module's config
 * of type @a type, written in @a unit, between @a min and @a max. */
#define KV_SLOT(type, field, unit, min, max)                                                      \
    ((const void *)&(const kv_slot_t){offsetof(type, field), (unit), (min), (max), 0})
/** As KV_SLOT for a field of the server record (kv_server_t), which virtual hosts inherit. */
#define KV_SERVER_SLOT(field, unit, min, max)                                                     \
    ((const void *)&(const kv_slot_t){offsetof(kv_server_t, field), (unit), (min), (max),       \
                                      KV_SLOT_SERVER_REC})

/** Store the one argument where the kv_slot_t in info says, if it is written in its unit and
 * within its bounds; else "Name: reason" with the table's name of the directive (for a flag,
 * "Name must be On or Off"). */
KV_DECLARE(const char *) kv_set_bounded_slot(kv_cmd_parms_t *cmd, void *conf, int argc,
                                             const char *const *argv);
/** Store a copy of the string (const char *) at the offset in info. */
KV_DECLARE(const char *) kv_set_string_slot(kv_cmd_parms_t *cmd, void *conf, int argc,
                                            const char *const *argv);
/** Store a path resolved against ServerRoot (const char *) at the offset in info. */
KV_DECLARE(const char *) kv_set_path_slot(kv_cmd_parms_t *cmd, void *conf, int argc,
                                          const char *const *argv);

/** The ServerRoot in force: absolute, without a trailing slash. Starts as the install prefix;
 * the -d option and the ServerRoot directive change it. */
KV_DECLARE_DATA extern const char *kv_server_root;

/** @a path made absolute against ServerRoot (unchanged if already absolute). */
KV_DECLARE(const char *) kv_server_root_relative(apr_pool_t *p, const char *path);

/** Run the directives from @a first on, with @a cmd giving server and context, storing
 * per-directory settings in @a dir_config. Used by section handlers for their contents.
 * A directive that fails is reported with its file:line and the others still run; the
 * result is then non-NULL (a section handler returns it as its own, and it is not
 * reported again), else NULL. Parms with no walk (cmd->walk NULL) start one, and the
 * result is then the errors themselves, lines "Syntax error on line N of FILE: reason". */
KV_DECLARE(const char *) kv_walk_config(kv_cmd_parms_t *cmd, const kv_directive_t *first,
                                        void **dir_config);

/** A new per-directory config vector: each loaded module's create_dir_config for @a path
 * (NULL: none), as a section's directives start from. */
KV_DECLARE(void **) kv_create_per_dir_config(apr_pool_t *p, const char *path);

/** @a base with @a add merged over it, module by module, as sections are merged. */
KV_DECLARE(void **) kv_merge_per_dir_configs(apr_pool_t *p, void **base, void **add);

/** The bit of method @a name (case-sensitive; HEAD is GET's), giving a method not seen
 * before its own bit; 0 when the configuration names too many methods. Configuration time
 * only. */
KV_DECLARE(kv_method_mask_t) kv_method_bit(const char *name);

/** The bit of method @a name if it is one of httpd's or a configuration named it already,
 * else 0. */
KV_DECLARE(kv_method_mask_t) kv_method_known_bit(const char *name);

/** The bit of @a r's method (a method no configuration named shares one bit that only
 * KV_METHODS_ALL and <LimitExcept> hold). */
KV_DECLARE(kv_method_mask_t) kv_request_method_bit(const struct kv_request *r);

/** Is @a r's method one of @a limited (a directive's kv_cmd_parms_t.limited)? */
static inline int kv_method_in(kv_method_mask_t limited, const struct kv_request *r)
{
    return (limited & kv_request_method_bit(r)) != 0;
}

/** Is the name defined with Define or -D? */
KV_DECLARE(int) kv_exists_define(const char *name);

/** Paths (const char *) of every configuration file the running generation read, in the
 * order read, Include'd files too; NULL before a configuration was read. Lives in pconf. */
KV_DECLARE(const apr_array_header_t *) kv_config_files_read(void);

/** The first directive of the configuration the running generation was built from, as read
 * (with the file and line of each; the siblings by next, a section's contents by
 * first_child); NULL before a configuration was run. Lives in pconf (mod_info shows it). */
KV_DECLARE(const kv_directive_t *) kv_config_tree(void);

#endif
