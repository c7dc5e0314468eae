/* Tests of the per-thread cache of open files (server/http/file_cache.c). A descriptor is told
 * apart from one opened afresh by a mark on its open file: the file offset, which the cache
 * never moves (responses are sent with explicit offsets), is set to MARK on a descriptor the
 * test has seen; a freshly opened one is at 0. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <apr_file_info.h>
#include <apr_portable.h>
#include <apr_strings.h>
#include <apr_thread_cond.h>
#include <apr_thread_proc.h>

#include "file_cache.h"
#include "inproc.h"

#define MARK 3
#define FILES (KV_FILE_CACHE_THREAD_FILES + 1)

static apr_pool_t *pool;
static char top[] = "/tmp/kiva-file-cache-XXXXXX"; /* made and removed by the runner */
static const char *dir;                            /* the running test's, in top */

static void setup(void)
{
    kvu_apr_pool_setup(&pool);
    dir = apr_pstrcat(pool, top, "/XXXXXX", NULL);
    ck_assert_ptr_nonnull(mkdtemp((char *)dir));
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void teardown(void)
{
    kvu_apr_pool_teardown(pool);
}

/* The runner's directory, removed even after a test that failed. */
static void make_top(void)
{
    ck_assert_ptr_nonnull(mkdtemp(top));
}

static void remove_top(void)
{
    nftw(top, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static const char *path_of(int i)
{
    return apr_psprintf(pool, "%s/f%d", dir, i);
}

/* Write @a text to file @a i (replacing the file when @a new_inode, else in place). */
static void write_file(int i, const char *text, int new_inode)
{
    const char *path = path_of(i);
    const char *tmp = apr_pstrcat(pool, path, ".new", NULL);
    FILE *f = fopen(new_inode ? tmp : path, "w");

    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fputs(text, f) >= 0, 1);
    ck_assert_int_eq(fclose(f), 0);
    if (new_inode) {
        ck_assert_int_eq(rename(tmp, path), 0);
    }
}

/* A request for file @a i in a pool of its own, stat'd as map_to_storage does. */
static kv_request_t *request_for(int i)
{
    kv_request_t *r = apr_pcalloc(pool, sizeof(*r));

    ck_assert_int_eq(apr_pool_create(&r->pool, pool), APR_SUCCESS);
    r->filename = path_of(i);
    ck_assert_int_eq(apr_stat(&r->finfo, r->filename, APR_FINFO_MIN | APR_FINFO_IDENT, r->pool),
                     APR_SUCCESS);
    return r;
}

static int fd_of(apr_file_t *f)
{
    apr_os_file_t fd;

    ck_assert_int_eq(apr_os_file_get(&fd, f), APR_SUCCESS);
    return fd;
}

/* Open @a r's file through the cache; its descriptor. */
static int open_fd(kv_request_t *r, apr_file_t **file)
{
    apr_file_t *f;

    ck_assert_int_eq(kv_file_cache_open(&f, r), APR_SUCCESS);
    if (file) {
        *file = f;
    }
    return fd_of(f);
}

/* Is @a fd the descriptor the test marked (kept), rather than one opened afresh? */
static int marked(int fd)
{
    return lseek(fd, 0, SEEK_CUR) == MARK;
}

/* Serve file @a i in a request that ends at once; whether its descriptor was the one kept.
 * The descriptor is marked after. */
static int serve(int i)
{
    kv_request_t *r = request_for(i);
    int fd = open_fd(r, NULL);
    int kept = marked(fd);

    ck_assert_int_eq(lseek(fd, MARK, SEEK_SET), MARK);
    apr_pool_destroy(r->pool);
    return kept;
}

static int is_open(int fd)
{
    return fcntl(fd, F_GETFD) != -1 || errno != EBADF;
}

KVC_CASE(file_cache_case, .name = "file_cache", .setup = setup, .teardown = teardown,
         .unchecked_setup = make_top, .unchecked_teardown = remove_top, .timeout = 60);

/* An unchanged file is served from the descriptor kept open: what the cache is for. */
KVC_TEST(file_cache_case, unchanged_file_is_a_hit)
{
    kv_request_t *r;
    apr_file_t *f;
    char buf[8] = "";

    write_file(0, "hello", 0);
    ck_assert(!serve(0));
    ck_assert(serve(0));
    ck_assert(serve(0));
    r = request_for(0);
    open_fd(r, &f);
    ck_assert(apr_file_flags_get(f) & APR_FOPEN_NOCLEANUP);
    ck_assert_int_eq(pread(fd_of(f), buf, sizeof(buf) - 1, 0), 5);
    ck_assert_str_eq(buf, "hello");
}
END_TEST

/* What the stat of a request shows differs from the kept descriptor's file in one thing
 * (looped over inode, device, size, mtime, ctime): the file is opened afresh. */
KVC_LOOP_TEST(file_cache_case, any_change_in_the_stat_opens_afresh, 0, 5)
{
    kv_request_t *r;
    int fd;

    write_file(0, "hello", 0);
    ck_assert(!serve(0));
    r = request_for(0);
    switch (_i) {
    case 0:
        r->finfo.inode++;
        break;
    case 1:
        r->finfo.device++;
        break;
    case 2:
        r->finfo.size++;
        break;
    case 3:
        r->finfo.mtime++;
        break;
    default:
        r->finfo.ctime++;
        break;
    }
    fd = open_fd(r, NULL);
    ck_assert_msg(!marked(fd), "change %d: the stale descriptor was used", _i);
}
END_TEST

/* Real changes: a file replaced (a new inode, same length) is served with its new bytes; one
 * appended to or touched is opened afresh. */
KVC_TEST(file_cache_case, changed_files_open_afresh)
{
    char buf[8] = "";
    int fd;

    write_file(0, "old!!", 0);
    ck_assert(!serve(0));
    write_file(0, "new!!", 1);
    fd = open_fd(request_for(0), NULL);
    ck_assert_int_eq(pread(fd, buf, sizeof(buf) - 1, 0), 5);
    ck_assert_str_eq(buf, "new!!");

    write_file(1, "abc", 0);
    ck_assert(!serve(1));
    write_file(1, "abcdef", 0);
    ck_assert(!serve(1));
    ck_assert(serve(1));
    ck_assert_int_eq(apr_file_mtime_set(path_of(1), apr_time_now() - apr_time_from_sec(100), pool),
                     APR_SUCCESS);
    ck_assert(!serve(1));
}
END_TEST

/* A thread keeps KV_FILE_CACHE_THREAD_FILES descriptors; one more evicts the least recently
 * used. */
KVC_TEST(file_cache_case, eviction_of_the_least_recently_used)
{
    for (int i = 0; i < FILES; i++) {
        write_file(i, "x", 0);
    }
    for (int i = 0; i < FILES - 1; i++) {
        ck_assert(!serve(i));
    }
    ck_assert(serve(0)); /* file 0 is now the most recently used, file 1 the least */
    ck_assert(!serve(FILES - 1));
    for (int i = FILES - 1; i >= 2; i--) {
        ck_assert_msg(serve(i), "file %d was evicted", i);
    }
    ck_assert(serve(0));
    ck_assert(!serve(1));
}
END_TEST

/* Descriptors in use by a live request are never evicted: with all of them pinned, one file
 * more is opened for its request alone and closed with it. */
KVC_TEST(file_cache_case, pinned_descriptors_are_not_evicted)
{
    kv_request_t *r;
    int fds[FILES];
    apr_file_t *extra;

    for (int i = 0; i < FILES; i++) {
        write_file(i, "x", 0);
    }
    r = request_for(0);
    for (int i = 0; i < FILES - 1; i++) {
        kv_request_t *ri = request_for(i);

        ri->pool = r->pool;
        fds[i] = open_fd(ri, NULL);
        ck_assert_int_eq(lseek(fds[i], MARK, SEEK_SET), MARK);
    }
    r = request_for(FILES - 1);
    fds[FILES - 1] = open_fd(r, &extra);
    ck_assert(!(apr_file_flags_get(extra) & APR_FOPEN_NOCLEANUP));
    apr_pool_destroy(r->pool);
    ck_assert(!is_open(fds[FILES - 1]));
    for (int i = 0; i < FILES - 1; i++) {
        ck_assert(is_open(fds[i]) && marked(fds[i]));
    }
}
END_TEST

/* A kept descriptor outlives the request (not closed with its pool); one that cannot be kept
 * (too long a path, a stat without identity) is closed with the request's pool. */
KVC_TEST(file_cache_case, descriptor_lifetimes)
{
    kv_request_t *r;
    apr_file_t *f;
    char *deep = apr_pstrdup(pool, dir);
    int fd;

    write_file(0, "x", 0);
    r = request_for(0);
    fd = open_fd(r, &f);
    ck_assert(apr_file_flags_get(f) & APR_FOPEN_NOCLEANUP);
    apr_pool_destroy(r->pool);
    ck_assert(is_open(fd));

    r = request_for(0);
    r->finfo.valid &= ~APR_FINFO_INODE;
    fd = open_fd(r, &f);
    ck_assert(!(apr_file_flags_get(f) & APR_FOPEN_NOCLEANUP));
    apr_pool_destroy(r->pool);
    ck_assert(!is_open(fd));

    while (strlen(deep) < KV_FILE_CACHE_PATH_CAP) {
        deep = apr_pstrcat(pool, deep, "/dddddddddddddddddddddddddddddd", NULL);
        ck_assert_int_eq(apr_dir_make(deep, APR_FPROT_OS_DEFAULT, pool), APR_SUCCESS);
    }
    r = request_for(0);
    r->filename = apr_pstrcat(pool, deep, "/f", NULL);
    ck_assert_int_eq(apr_file_copy(path_of(0), r->filename, APR_FPROT_FILE_SOURCE_PERMS, pool),
                     APR_SUCCESS);
    ck_assert_int_eq(apr_stat(&r->finfo, r->filename, APR_FINFO_MIN | APR_FINFO_IDENT, r->pool),
                     APR_SUCCESS);
    fd = open_fd(r, &f);
    ck_assert(!(apr_file_flags_get(f) & APR_FOPEN_NOCLEANUP));
    apr_pool_destroy(r->pool);
    ck_assert(!is_open(fd));
}
END_TEST

/* A file changed while an earlier request still sends it: the new request gets a descriptor
 * of its own, and the pinned one stays open for the earlier request. */
KVC_TEST(file_cache_case, changed_while_pinned)
{
    kv_request_t *first, *second;
    apr_file_t *f;
    int fd1, fd2;

    write_file(0, "x", 0);
    first = request_for(0);
    fd1 = open_fd(first, NULL);
    second = request_for(0);
    second->finfo.mtime++;
    fd2 = open_fd(second, &f);
    ck_assert_int_ne(fd1, fd2);
    ck_assert(!(apr_file_flags_get(f) & APR_FOPEN_NOCLEANUP));
    apr_pool_destroy(second->pool);
    ck_assert(is_open(fd1));
}
END_TEST

/* ---- Threads: each has its own cache, closed when it ends; the process bound ---- */

typedef struct {
    int first;       /* the first of the files it serves */
    int count;       /* how many */
    int fds[FILES];  /* their descriptors */
    int kept[FILES]; /* 1 where the descriptor is kept (not closed with the request) */
    apr_thread_mutex_t *lock;
    apr_thread_cond_t *cond;
    int *opened, *release; /* threads done opening; set when they may end */
} worker_t;

static void *APR_THREAD_FUNC serve_files(apr_thread_t *t, void *data)
{
    worker_t *w = data;

    for (int i = 0; i < w->count; i++) {
        kv_request_t *r = request_for(w->first + i);
        apr_file_t *f;

        ck_assert_int_eq(kv_file_cache_open(&f, r), APR_SUCCESS);
        w->fds[i] = fd_of(f);
        w->kept[i] = (apr_file_flags_get(f) & APR_FOPEN_NOCLEANUP) != 0;
        apr_pool_destroy(r->pool); /* a request ends before its thread */
    }
    apr_thread_mutex_lock(w->lock);
    (*w->opened)++;
    apr_thread_cond_broadcast(w->cond);
    for (int i = 0; i < 100 && !*w->release; i++) {
        apr_thread_cond_timedwait(w->cond, w->lock, apr_time_from_msec(100));
    }
    apr_thread_mutex_unlock(w->lock);
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

/* The threads of a process keep KV_FILE_CACHE_PROCESS_FILES descriptors together; past that
 * a file is opened for its request alone. A thread that ends closes what it kept. */
KVC_TEST(file_cache_case, process_bound_and_thread_end)
{
    enum { THREADS = KV_FILE_CACHE_PROCESS_FILES / KV_FILE_CACHE_THREAD_FILES + 1 };
    worker_t w[THREADS];
    apr_thread_t *t[THREADS];
    apr_thread_mutex_t *lock;
    apr_thread_cond_t *cond;
    int opened = 0, release = 0, kept = 0;
    apr_status_t rv;

    ck_assert_int_eq(apr_thread_mutex_create(&lock, APR_THREAD_MUTEX_DEFAULT, pool), APR_SUCCESS);
    ck_assert_int_eq(apr_thread_cond_create(&cond, pool), APR_SUCCESS);
    for (int i = 0; i < THREADS * KV_FILE_CACHE_THREAD_FILES; i++) {
        write_file(i, "x", 0);
    }
    /* one after the other, so that which thread finds the bound reached is known */
    for (int i = 0; i < THREADS; i++) {
        w[i] = (worker_t){.first = i * KV_FILE_CACHE_THREAD_FILES,
                          .count = KV_FILE_CACHE_THREAD_FILES,
                          .lock = lock,
                          .cond = cond,
                          .opened = &opened,
                          .release = &release};
        ck_assert_int_eq(apr_thread_create(&t[i], NULL, serve_files, &w[i], pool), APR_SUCCESS);
        apr_thread_mutex_lock(lock);
        for (int j = 0; j < 100 && opened <= i; j++) {
            apr_thread_cond_timedwait(cond, lock, apr_time_from_msec(100));
        }
        apr_thread_mutex_unlock(lock);
        ck_assert_int_eq(opened, i + 1);
    }
    for (int i = 0; i < THREADS; i++) {
        for (int j = 0; j < KV_FILE_CACHE_THREAD_FILES; j++) {
            kept += w[i].kept[j];
            ck_assert_msg(w[i].kept[j] == (i < THREADS - 1), "thread %d file %d", i, j);
        }
    }
    ck_assert_int_eq(kept, KV_FILE_CACHE_PROCESS_FILES);
    apr_thread_mutex_lock(lock);
    release = 1;
    apr_thread_cond_broadcast(cond);
    apr_thread_mutex_unlock(lock);
    for (int i = 0; i < THREADS; i++) {
        ck_assert_int_eq(apr_thread_join(&rv, t[i]), APR_SUCCESS);
    }
    for (int j = 0; j < KV_FILE_CACHE_THREAD_FILES; j++) {
        ck_assert_msg(!is_open(w[0].fds[j]), "a descriptor outlived its thread");
    }
}
END_TEST

int main(void)
{
    return kvc_run("file_cache");
}
