/* Mutex and DefaultRuntimeDir, with httpd's syntax and meaning: `Mutex mechanism
 * [default|mpm-accept] ... [OmitPID]` picks the locking mechanism and, for the file-based
 * ones, the lock file directory (DefaultRuntimeDir unless given). kiva has one mutex, the
 * MPMs' accept mutex; other names httpd's modules register are refused, as httpd refuses
 * the names of modules it has not loaded. */
#include <string.h>
#include <unistd.h>

#include <apr_file_info.h>
#include <apr_strings.h>

#include "config_mutex.h"
#include "kv_mutex.h"

/* httpd's DEFAULT_REL_RUNTIMEDIR. */
#define DEFAULT_RUNTIME_DIR "logs"

typedef struct {
    const char *type;
    int allow_none; /* may be configured as none */
    int set;        /* a Mutex directive named it */
    int none;
    int omit_pid;
    apr_lockmech_e mech;
    const char *dir; /* lock file directory; NULL: the default's, else DefaultRuntimeDir */
} mutex_conf_t;

typedef struct {
    const char *runtime_dir; /* DefaultRuntimeDir, absolute; NULL if not set */
    mutex_conf_t mutexes[2]; /* "default" first */
} mutex_state_t;

/* This generation's settings (the configuration is read by one thread). */
static mutex_state_t *state;

static apr_status_t forget_state(void *unused)
{
    (void)unused;
    state = NULL;
    return APR_SUCCESS;
}

/* The settings, made in @a pconf when a generation first needs them. */
static mutex_state_t *current(apr_pool_t *pconf)
{
    static const mutex_conf_t defaults[] = {{"default", 0, 0, 0, 0, APR_LOCK_DEFAULT, NULL},
                                            {KV_MUTEX_ACCEPT, 0, 0, 0, 0, APR_LOCK_DEFAULT, NULL}};

    if (!state) {
        state = apr_pcalloc(pconf, sizeof(*state));
        memcpy(state->mutexes, defaults, sizeof(defaults));
        apr_pool_cleanup_register(pconf, NULL, forget_state, apr_pool_cleanup_null);
    }
    return state;
}

static mutex_conf_t *find_mutex(mutex_state_t *st, const char *type)
{
    for (size_t i = 0; i < sizeof(st->mutexes) / sizeof(st->mutexes[0]); i++) {
        if (strcasecmp(st->mutexes[i].type, type) == 0) {
            return &st->mutexes[i];
        }
    }
    return NULL;
}

static int is_directory(apr_pool_t *p, const char *path)
{
    apr_finfo_t fi;

    return apr_stat(&fi, path, APR_FINFO_TYPE, p) == APR_SUCCESS && fi.filetype == APR_DIR;
}

const char *kv_cmd_default_runtime_dir(kv_cmd_parms_t *cmd, void *conf, int argc,
                                       const char *const *argv)
{
    const char *dir = kv_server_root_relative(cmd->pool, argv[0]);

    (void)conf;
    (void)argc;
    if (!is_directory(cmd->temp_pool, dir)) {
        return "DefaultRuntimeDir must be a valid directory, absolute or relative to ServerRoot";
    }
    current(cmd->pool)->runtime_dir = dir;
    return NULL;
}

KV_DECLARE(const char *) kv_runtime_dir_relative(apr_pool_t *p, const char *file)
{
    const char *dir = state && state->runtime_dir ? state->runtime_dir
                                                  : kv_server_root_relative(p, DEFAULT_RUNTIME_DIR);
    char *path;

    if (apr_filepath_merge(&path, dir, file, APR_FILEPATH_NOTRELATIVE, p) != APR_SUCCESS) {
        return apr_pstrcat(p, dir, "/", file, NULL);
    }
    return path;
}

/* A mechanism as Mutex names it ("fcntl", "flock:/dir"): *mech and *dir (NULL if none
 * given); *none for none/no. Returns NULL or the reason. */
static const char *parse_mechanism(kv_cmd_parms_t *cmd, const char *arg, apr_lockmech_e *mech,
                                   const char **dir, int *none)
{
    static const struct {
        const char *name;
        apr_lockmech_e mech;
        int file_based;
    } mechs[] = {
        {"default", APR_LOCK_DEFAULT, 0}, {"yes", APR_LOCK_DEFAULT, 0},
        {"fcntl", APR_LOCK_FCNTL, 1},     {"file", APR_LOCK_FCNTL, 1},
        {"flock", APR_LOCK_FLOCK, 1},     {"posixsem", APR_LOCK_POSIXSEM, 0},
        {"sem", APR_LOCK_POSIXSEM, 0},    {"sysvsem", APR_LOCK_SYSVSEM, 0},
        {"pthread", APR_LOCK_PROC_PTHREAD, 0},
    };
    char *name = apr_pstrdup(cmd->temp_pool, arg);
    char *path = strchr(name, ':');

    *dir = NULL;
    *none = 0;
    if (path) {
        *path++ = '\0';
    }
    if (strcasecmp(name, "none") == 0 || strcasecmp(name, "no") == 0) {
        *none = 1;
        return NULL;
    }
    for (size_t i = 0; i < sizeof(mechs) / sizeof(mechs[0]); i++) {
        if (strcasecmp(name, mechs[i].name) != 0) {
            continue;
        }
        *mech = mechs[i].mech;
        /* As httpd: a directory is taken after any mechanism, used by the file-based. */
        if (path && *path) {
            *dir = kv_server_root_relative(cmd->pool, path);
            if (!is_directory(cmd->temp_pool, *dir)) {
                return apr_psprintf(cmd->pool,
                                    "Invalid Mutex directory in argument %s: %s is not a "
                                    "directory",
                                    arg, *dir);
            }
        }
        return NULL;
    }
    return apr_psprintf(cmd->pool,
                        "Invalid Mutex argument %s (default, none, file:/path, fcntl:/path, "
                        "flock:/path, posixsem, sysvsem, sem, pthread)",
                        arg);
}

const char *kv_cmd_mutex(kv_cmd_parms_t *cmd, void *conf, int argc, const char *const *argv)
{
    mutex_state_t *st = current(cmd->pool);
    apr_array_header_t *named = apr_array_make(cmd->temp_pool, argc, sizeof(mutex_conf_t *));
    apr_lockmech_e mech = APR_LOCK_DEFAULT;
    const char *dir;
    int none, omit_pid = 0;
    const char *err = parse_mechanism(cmd, argv[0], &mech, &dir, &none);

    (void)conf;
    if (err) {
        return err;
    }
    /* Every name is checked before any is set, so a refused line changes nothing. */
    for (int i = 1; i <= argc; i++) {
        const char *type = i < argc ? argv[i] : "default"; /* no name: default */
        mutex_conf_t *m = find_mutex(st, type);

        if (i < argc && strcasecmp(type, "OmitPID") == 0) {
            omit_pid = 1;
            continue;
        }
        if (i == argc && named->nelts > 0) {
            break;
        }
        if (!m) {
            return apr_psprintf(cmd->pool,
                                "Mutex type %s is not valid: kiva has the mutexes default "
                                "(all of them) and " KV_MUTEX_ACCEPT,
                                type);
        }
        if (none && !m->allow_none) {
            return apr_psprintf(cmd->pool, "None is not allowed for mutex type %s", m->type);
        }
        APR_ARRAY_PUSH(named, mutex_conf_t *) = m;
    }
    for (int i = 0; i < named->nelts; i++) {
        mutex_conf_t *m = APR_ARRAY_IDX(named, i, mutex_conf_t *);
        m->set = 1;
        m->none = none;
        m->omit_pid = omit_pid;
        m->mech = mech;
        if (dir) {
            m->dir = dir;
        }
    }
    return NULL;
}

/* The settings @a type is created with: its own Mutex line, else default's, else none. */
static mutex_conf_t effective(apr_pool_t *p, const char *type)
{
    mutex_state_t *st = current(p);
    const mutex_conf_t *def = find_mutex(st, "default");
    const mutex_conf_t *own = find_mutex(st, type);
    mutex_conf_t m = own && own->set ? *own : *def;

    if (!m.dir) {
        m.dir = def->dir ? def->dir : kv_runtime_dir_relative(p, "");
    }
    return m;
}

static int file_based(apr_lockmech_e mech)
{
    return mech == APR_LOCK_FCNTL || mech == APR_LOCK_FLOCK;
}

KV_DECLARE(apr_status_t) kv_proc_mutex_create(apr_proc_mutex_t **mutex, const char *type,
                                              apr_pool_t *p)
{
    mutex_conf_t m = effective(p, type);
    const char *file = NULL;

    *mutex = NULL;
    if (m.none) {
        return APR_SUCCESS;
    }
    if (file_based(m.mech)) {
        file = apr_psprintf(p, "%s/%s%s", m.dir, type,
                            m.omit_pid ? "" : apr_psprintf(p, ".%ld", (long)getpid()));
    }
    return apr_proc_mutex_create(mutex, file, m.mech, p);
}

static const char *mech_name(apr_lockmech_e mech)
{
    switch (mech) {
    case APR_LOCK_FCNTL: return "fcntl";
    case APR_LOCK_FLOCK: return "flock";
    case APR_LOCK_SYSVSEM: return "sysvsem";
    case APR_LOCK_POSIXSEM: return "posixsem";
    case APR_LOCK_PROC_PTHREAD: return "pthread";
    default: return "default";
    }
}

KV_DECLARE(void) kv_mutex_print(FILE *out, apr_pool_t *p)
{
    mutex_state_t *st = current(p);

    /* As httpd -S: a mutex that no Mutex line names apart from default uses its settings. */
    for (size_t i = 0; i < sizeof(st->mutexes) / sizeof(st->mutexes[0]); i++) {
        const char *type = st->mutexes[i].type;
        mutex_conf_t e = effective(p, type);

        if (i > 0 && !st->mutexes[i].set) {
            fprintf(out, "Mutex %s: using_defaults\n", type);
        } else if (e.none) {
            fprintf(out, "Mutex %s: none\n", type);
        } else {
            fprintf(out, "Mutex %s: dir=\"%s\" mechanism=%s %s\n", type, e.dir, mech_name(e.mech),
                    e.omit_pid ? "[OmitPid]" : "");
        }
    }
}
