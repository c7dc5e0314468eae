/* The stapling store (ssl_stapling.h). With SSLStaplingCache, its provider
 * (ssl_stapling_socache.c). Without: one file per certificate in a directory of
 * DefaultRuntimeDir that the fetcher (as User) owns, its
 * first byte 1 for a good response and 0 for an error one, then the response's DER. The
 * fetcher writes a new file and renames it into place; a child looks at the file's inode
 * and modification time, at most once a second, and reads it only when they change. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <apr_file_info.h>
#include <apr_file_io.h>
#include <apr_strings.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "kv_mpm_common.h"
#include "kv_mutex.h"
#include "ssl_stapling.h"

/* Under DefaultRuntimeDir; the fetcher, as User, owns it. */
#define STORE_DIR "ocsp-stapling"

const char *ssl_stapling_store_key(apr_pool_t *p, X509 *cert)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    char *hex;

    if (!X509_digest(cert, EVP_sha256(), md, &n)) {
        return NULL;
    }
    hex = apr_palloc(p, 2 * n + 1);
    for (unsigned int i = 0; i < n; i++) {
        apr_snprintf(hex + 2 * i, 3, "%02x", md[i]);
    }
    return kv_runtime_dir_relative(p, apr_pstrcat(p, STORE_DIR "/", hex, NULL));
}

/* The certificate's id in SSLStaplingCache: the file's name. */
static const char *cache_id(const char *key)
{
    return strrchr(key, '/') + 1;
}

apr_status_t ssl_stapling_store_prepare(apr_pool_t *p)
{
    const char *dir;
    apr_uid_t uid;
    apr_gid_t gid;
    apr_status_t rv;

    if (ssl_stapling_socache_on()) {
        return ssl_stapling_socache_attach(p);
    }
    dir = kv_runtime_dir_relative(p, STORE_DIR);
    rv = apr_dir_make(dir,
                      APR_FPROT_UREAD | APR_FPROT_UWRITE | APR_FPROT_UEXECUTE | APR_FPROT_GREAD |
                          APR_FPROT_GEXECUTE | APR_FPROT_WREAD | APR_FPROT_WEXECUTE,
                      p);
    if (rv != APR_SUCCESS && !APR_STATUS_IS_EEXIST(rv)) {
        return rv;
    }
    if (geteuid() != 0) {
        return APR_SUCCESS;
    }
    rv = kv_mpm_identity(&uid, &gid);
    if (rv == APR_SUCCESS && chown(dir, uid, gid) != 0) {
        rv = APR_FROM_OS_ERROR(errno);
    }
    return rv;
}

apr_status_t ssl_stapling_store_put(apr_pool_t *p, const char *key, int ok,
                                    const unsigned char *der, int len, apr_time_t keep_until)
{
    const char *tmp = apr_psprintf(p, "%s.%ld", key, (long)getpid());
    unsigned char flag = ok ? 1 : 0;
    apr_file_t *f;
    apr_size_t n;
    apr_status_t rv;

    if (ssl_stapling_socache_on()) {
        return ssl_stapling_socache_put(p, cache_id(key), ok, der, len, keep_until);
    }
    if (len == 0) {
        rv = apr_file_remove(key, p);
        return APR_STATUS_IS_ENOENT(rv) ? APR_SUCCESS : rv;
    }
    rv = apr_file_open(&f, tmp, APR_FOPEN_WRITE | APR_FOPEN_CREATE | APR_FOPEN_TRUNCATE,
                       APR_FPROT_UREAD | APR_FPROT_UWRITE | APR_FPROT_GREAD | APR_FPROT_WREAD, p);
    if (rv != APR_SUCCESS) {
        return rv;
    }
    n = 1;
    rv = apr_file_write_full(f, &flag, n, NULL);
    if (rv == APR_SUCCESS) {
        rv = apr_file_write_full(f, der, (apr_size_t)len, NULL);
    }
    if (rv == APR_SUCCESS) {
        rv = apr_file_close(f);
    } else {
        apr_file_close(f);
    }
    if (rv == APR_SUCCESS) {
        rv = apr_file_rename(tmp, key, p);
    }
    if (rv != APR_SUCCESS) {
        apr_file_remove(tmp, p);
    }
    return rv;
}

/* Plain system calls: this runs in a handshake, in any thread, and allocates nothing. */
int ssl_stapling_store_get(const char *key, apr_uint64_t *version, unsigned char *der, int *len,
                           int *ok)
{
    struct stat st;
    apr_uint64_t now_version = 0;
    unsigned char flag = 0;
    ssize_t n = 0, got = 0;
    int fd;

    if (ssl_stapling_socache_on()) {
        return ssl_stapling_socache_get(cache_id(key), version, der, len, ok);
    }
    if (stat(key, &st) == 0) {
        now_version = ((apr_uint64_t)st.st_ino << 32) ^ (apr_uint64_t)st.st_mtim.tv_sec ^
                      ((apr_uint64_t)st.st_mtim.tv_nsec << 16) ^ (apr_uint64_t)st.st_size;
        now_version |= 1; /* never 0, which is "nothing there" */
    }
    if (now_version == *version) {
        return 0;
    }
    *version = now_version;
    *len = 0;
    fd = now_version ? open(key, O_RDONLY | O_CLOEXEC) : -1;
    if (fd < 0) {
        return 1;
    }
    if (read(fd, &flag, 1) == 1) {
        while (got < SSL_STAPLING_MAX_DER &&
               ((n = read(fd, der + got, (size_t)(SSL_STAPLING_MAX_DER - got))) > 0 ||
                (n < 0 && errno == EINTR))) {
            got += n > 0 ? n : 0;
        }
        *len = n == 0 ? (int)got : 0; /* an error, or more than the limit: nothing */
        *ok = flag == 1;
    }
    close(fd);
    return 1;
}
