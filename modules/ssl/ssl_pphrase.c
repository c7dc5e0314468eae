/* SSLPassPhraseDialog: the passphrase of an encrypted SSLCertificateKeyFile (ssl_keys.h).
 * Every passphrase that worked is tried on the next encrypted key before the dialog runs
 * again, as httpd. The dialog never waits without bound: builtin asks only on a terminal
 * (started detached, or with stdin not a terminal, it is an error naming the key's line), and
 * a program that does not answer in time is killed. A wrong passphrase is an error naming the
 * file; only a person at the terminal gets another try. */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <apr_file_io.h>
#include <apr_strings.h>
#include <apr_thread_proc.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "kv_log.h"
#include "kv_mpm.h"
#include "ssl_keys.h"
#include "ssl_keys_parse.h"

#define KV_LOG_MODULE "ssl"

/* How long a dialog program may take: a person may be answering the prompt Debian's
 * ask-for-passphrase shows on the terminal; without a terminal nobody will. */
#define PROGRAM_TIMEOUT_TTY apr_time_from_sec(300)
#define PROGRAM_TIMEOUT apr_time_from_sec(10)
/* Tries at the terminal, for typing mistakes. */
#define BUILTIN_TRIES 3
/* The largest key file read. */
#define KEY_FILE_MAX (1024 * 1024)

struct ssl_pphrase_state {
    apr_pool_t *pool;
    const ssl_server_conf_t *dialog; /* the main server's SSLPassPhraseDialog */
    apr_array_header_t *known;       /* char *: the passphrases that worked, in kv_pglobal */
};

/* What the PEM reader's callback gives: one passphrase, or none (NULL: the key is only noted
 * as encrypted). */
typedef struct {
    const char *pass;
    int asked;
} pass_arg_t;

static int give_pass(char *buf, int size, int rwflag, void *u)
{
    pass_arg_t *a = u;
    size_t n = a->pass ? strlen(a->pass) : 0;

    (void)rwflag;
    a->asked = 1;
    if (!a->pass || n >= (size_t)size) {
        return -1;
    }
    memcpy(buf, a->pass, n);
    return (int)n;
}

static apr_status_t free_key(void *key)
{
    EVP_PKEY_free(key);
    return APR_SUCCESS;
}

/* The passphrases outlive the generation, as httpd keeps its decrypted keys: a restart reads
 * the keys again with no terminal left to ask on (the server has detached), so what worked
 * at start is tried first. In the process's pool, with no cleanup of the module's (mod_ssl
 * is unloaded at each restart): they go with the process. */
#define KNOWN_KEY "mod_ssl:passphrases"

static apr_array_header_t *known_passphrases(int make)
{
    void *known = NULL;

    apr_pool_userdata_get(&known, KNOWN_KEY, kv_pglobal);
    if (!known && make) {
        known = apr_array_make(kv_pglobal, 2, sizeof(char *));
        apr_pool_userdata_set(known, KNOWN_KEY, NULL, kv_pglobal);
    }
    return known;
}

ssl_pphrase_state_t *ssl_pphrase_state(apr_pool_t *p, kv_server_t *main_server)
{
    extern kv_module_t ssl_module;
    ssl_pphrase_state_t *st = apr_pcalloc(p, sizeof(*st));

    st->pool = p;
    st->dialog = kv_get_module_config(main_server->module_config, &ssl_module);
    st->known = known_passphrases(1);
    return st;
}

/* httpd's first argument to the program: servername:port. */
static const char *server_id(apr_pool_t *p, const kv_server_t *s)
{
    return apr_psprintf(p, "%s:%u", s->server_hostname ? s->server_hostname : "localhost",
                        s->port ? s->port : 443);
}

/* httpd's second: RSA, DSA and ECC for the first three keys of a server (whatever their
 * type), then the index. */
static const char *key_type_arg(apr_pool_t *p, int index)
{
    static const char *const names[] = {"RSA", "DSA", "ECC"};

    return index < 3 ? names[index] : apr_itoa(p, index);
}

/* Try @a pass (NULL: none) on the key in @a pem; the key, or NULL. *@a asked: did the reader
 * ask for a passphrase (the key is encrypted)? */
static EVP_PKEY *try_pass(const char *pem, apr_size_t len, const char *pass, int *asked)
{
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    pass_arg_t a = {pass, 0};
    EVP_PKEY *key = bio ? PEM_read_bio_PrivateKey(bio, NULL, give_pass, &a) : NULL;

    BIO_free(bio);
    if (asked) {
        *asked = a.asked;
    }
    return key;
}

/* Read the program's answer from @a out until a line ends, it closes, or @a deadline. */
static apr_status_t read_answer(apr_file_t *out, apr_time_t deadline, char *buf, apr_size_t cap,
                                apr_size_t *len)
{
    apr_status_t rv = APR_SUCCESS;

    *len = 0;
    while (*len < cap && !memchr(buf, '\n', *len)) {
        apr_size_t n = cap - *len;
        apr_time_t left = deadline - apr_time_now();

        if (left <= 0) {
            return APR_TIMEUP;
        }
        apr_file_pipe_timeout_set(out, left);
        rv = apr_file_read(out, buf + *len, &n);
        *len += n;
        if (rv != APR_SUCCESS) {
            break;
        }
    }
    return APR_STATUS_IS_EOF(rv) || rv == APR_SUCCESS ? APR_SUCCESS : rv;
}

/* The pipe program's prompt. A program that has exited already must not stop kiva with
 * SIGPIPE: -t and the first start run before the server ignores it. */
static void send_prompt(apr_file_t *in, const char *prompt)
{
    struct sigaction ignore, old;

    memset(&ignore, 0, sizeof(ignore));
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGPIPE, &ignore, &old);
    apr_file_printf(in, "%s\n", prompt);
    sigaction(SIGPIPE, &old, NULL);
}

/* Run the dialog program for one passphrase: exec: with httpd's two arguments, or the pipe
 * program sent the prompt. Its first line into @a pass; NULL, or why not. */
static const char *run_program(ssl_pphrase_state_t *st, kv_server_t *s, int index,
                               const char *prompt, char *pass, apr_size_t size)
{
    apr_pool_t *p = st->pool;
    const char *program = st->dialog->pphrase_program;
    apr_time_t timeout = isatty(STDIN_FILENO) ? PROGRAM_TIMEOUT_TTY : PROGRAM_TIMEOUT;
    const char *const *argv;
    apr_procattr_t *attr;
    apr_proc_t proc;
    apr_exit_why_e why;
    char buf[SSL_PPHRASE_MAX + 2], reason[120];
    apr_size_t len = 0;
    apr_status_t rv;
    int code = 0, n;

    if (st->dialog->pphrase_kind == SSL_PPHRASE_EXEC) {
        const char **args = apr_palloc(p, 4 * sizeof(*args));

        args[0] = program;
        args[1] = server_id(p, s);
        args[2] = key_type_arg(p, index);
        args[3] = NULL;
        argv = args;
    } else {
        char **args;

        apr_tokenize_to_argv(program, &args, p);
        argv = (const char *const *)args;
        program = argv[0];
    }
    if ((rv = apr_procattr_create(&attr, p)) != APR_SUCCESS ||
        (rv = apr_procattr_io_set(attr, APR_CHILD_BLOCK, APR_CHILD_BLOCK, APR_NO_PIPE)) !=
            APR_SUCCESS ||
        (rv = apr_procattr_cmdtype_set(attr, st->dialog->pphrase_kind == SSL_PPHRASE_EXEC
                                                 ? APR_PROGRAM
                                                 : APR_PROGRAM_PATH)) != APR_SUCCESS ||
        (rv = apr_procattr_error_check_set(attr, 1)) != APR_SUCCESS ||
        (rv = apr_proc_create(&proc, program, argv, NULL, attr, p)) != APR_SUCCESS) {
        return apr_psprintf(p, "cannot run '%s': %s", program,
                            apr_strerror(rv, reason, sizeof(reason)));
    }
    if (st->dialog->pphrase_kind == SSL_PPHRASE_PIPE) {
        send_prompt(proc.in, prompt);
    }
    apr_file_close(proc.in);
    rv = read_answer(proc.out, apr_time_now() + timeout, buf, sizeof(buf), &len);
    apr_file_close(proc.out);
    /* Done with it, whether it answered or not: nothing waits on a program that lingers. */
    if (apr_proc_wait(&proc, &code, &why, APR_NOWAIT) != APR_CHILD_DONE) {
        apr_proc_kill(&proc, SIGKILL);
        apr_proc_wait(&proc, &code, &why, APR_WAIT);
    }
    if (rv == APR_TIMEUP) {
        return apr_psprintf(p, "'%s' gave no passphrase in %d seconds and was killed", program,
                            (int)apr_time_sec(timeout));
    }
    n = ssl_pphrase_from_output(buf, len, pass, size);
    OPENSSL_cleanse(buf, sizeof(buf));
    if (n == -2) {
        return apr_psprintf(p, "'%s' gave a passphrase longer than %d bytes", program,
                            SSL_PPHRASE_MAX);
    }
    if (n < 0) {
        return apr_psprintf(p, "'%s' gave no passphrase (%s %d)", program,
                            why == APR_PROC_EXIT ? "exit status" : "killed by signal", code);
    }
    return NULL;
}

/* Ask at the terminal, as httpd's builtin dialog; NULL, or why not. */
static const char *ask_terminal(apr_pool_t *p, const char *prompt, char *pass, int size)
{
    if (!isatty(STDIN_FILENO)) {
        return "there is no terminal to ask it on (SSLPassPhraseDialog builtin): start kiva "
               "from a terminal or give SSLPassPhraseDialog exec:/path/to/program";
    }
    if (EVP_read_pw_string(pass, size, prompt, 0) != 0 || pass[0] == '\0') {
        return apr_psprintf(p, "no passphrase was entered");
    }
    return NULL;
}

/* Read the key file, for as many tries as it takes. */
static const char *read_key_file(apr_pool_t *p, const char *path, char **pem, apr_size_t *len)
{
    apr_file_t *f;
    apr_finfo_t finfo;
    apr_status_t rv;
    char reason[120];

    rv = apr_file_open(&f, path, APR_FOPEN_READ, 0, p);
    if (rv == APR_SUCCESS) {
        rv = apr_file_info_get(&finfo, APR_FINFO_SIZE, f);
        if (rv == APR_SUCCESS && (finfo.size <= 0 || finfo.size > KEY_FILE_MAX)) {
            rv = APR_EINVAL;
        }
        if (rv == APR_SUCCESS) {
            *len = (apr_size_t)finfo.size;
            *pem = apr_palloc(p, *len);
            rv = apr_file_read_full(f, *pem, *len, len);
        }
        apr_file_close(f);
    }
    return rv == APR_SUCCESS ? NULL : apr_pstrdup(p, apr_strerror(rv, reason, sizeof(reason)));
}

int ssl_pphrase_decrypt(ssl_pphrase_state_t *st, kv_server_t *s, int index, ssl_key_t *key)
{
    const ssl_server_conf_t *dialog = st->dialog;
    const char *prompt =
        apr_psprintf(st->pool, "Enter pass phrase for %s (%s) in %s:", server_id(st->pool, s),
                     key_type_arg(st->pool, index), key->key_file);
    int tries = dialog->pphrase_kind == SSL_PPHRASE_BUILTIN ? BUILTIN_TRIES : 1;
    char pass[SSL_PPHRASE_MAX + 1], *pem = NULL;
    const char *why;
    apr_size_t len = 0;

    if ((why = read_key_file(st->pool, key->key_file, &pem, &len)) != NULL) {
        kv_log_error(KV_LOG_MARK, KV_LOG_EMERG, 0, s,
                     "KV01542: cannot read the key in %s (SSLCertificateKeyFile at %s): %s",
                     key->key_file, key->where, why);
        return 0;
    }
    for (int i = 0; !key->key && i < st->known->nelts; i++) {
        key->key = try_pass(pem, len, APR_ARRAY_IDX(st->known, i, char *), NULL);
    }
    while (!key->key && tries-- > 0) {
        why = dialog->pphrase_kind == SSL_PPHRASE_BUILTIN
                  ? ask_terminal(st->pool, prompt, pass, (int)sizeof(pass))
                  : run_program(st, s, index, prompt, pass, sizeof(pass));
        if (why) {
            kv_log_error(KV_LOG_MARK, KV_LOG_EMERG, 0, s,
                         "KV01543: the key in %s (SSLCertificateKeyFile at %s) is encrypted and "
                         "its passphrase could not be had: %s",
                         key->key_file, key->where, why);
            return 0;
        }
        key->key = try_pass(pem, len, pass, NULL);
        if (key->key) {
            APR_ARRAY_PUSH(st->known, char *) = apr_pstrdup(kv_pglobal, pass);
        } else {
            kv_log_error(
                KV_LOG_MARK, KV_LOG_EMERG, 0, s,
                "KV01544: pass phrase incorrect for the key in %s (SSLCertificateKeyFile "
                "at %s%s%s): %s",
                key->key_file, key->where, dialog->pphrase_where ? ", from the dialog at " : "",
                dialog->pphrase_where ? dialog->pphrase_where : "", ssl_error_text(st->pool));
        }
        OPENSSL_cleanse(pass, sizeof(pass));
    }
    OPENSSL_cleanse(pem, len);
    ERR_clear_error();
    if (!key->key) {
        return 0;
    }
    apr_pool_cleanup_register(s->pool, key->key, free_key, apr_pool_cleanup_null);
    return 1;
}

/* A child's renewal: what the process knows, never a dialog (no terminal to ask on, and no
 * program started from a serving child). The list is only read here: it grows in the parent,
 * at start and restart, and the children have their copy from the fork. */
EVP_PKEY *ssl_pphrase_renewed_key(apr_pool_t *p, const char *path, const char **err)
{
    const apr_array_header_t *known = known_passphrases(0);
    EVP_PKEY *key;
    char *pem = NULL;
    apr_size_t len = 0;
    int encrypted = 0;

    if ((*err = read_key_file(p, path, &pem, &len)) != NULL) {
        *err = apr_psprintf(p, "'%s' cannot be read: %s", path, *err);
        return NULL;
    }
    key = try_pass(pem, len, NULL, &encrypted);
    for (int i = 0; !key && encrypted && known && i < known->nelts; i++) {
        key = try_pass(pem, len, APR_ARRAY_IDX(known, i, char *), NULL);
    }
    OPENSSL_cleanse(pem, len);
    ERR_clear_error();
    if (key) {
        apr_pool_cleanup_register(p, key, free_key, apr_pool_cleanup_null);
    } else if (encrypted) {
        *err = apr_psprintf(p,
                            "the key in '%s' is encrypted and its passphrase is not one that "
                            "worked at start (a renewed key is never asked for one; a restart "
                            "runs SSLPassPhraseDialog)",
                            path);
    } else {
        *err = apr_psprintf(p, "no private key could be read from '%s'", path);
    }
    return key;
}
