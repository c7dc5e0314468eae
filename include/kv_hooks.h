/**
 * @file kv_hooks.h
 * @brief Thin wrappers over APR-util's hooks (apr_hooks.h).
 *
 * A hook is declared once in a public header with KV_DECLARE_HOOK and
 * implemented in the file that owns the phase with KV_IMPLEMENT_HOOK_RUN_FIRST
 * (the first function that does not decline wins), KV_IMPLEMENT_HOOK_RUN_ALL
 * (every function runs until one fails) or KV_IMPLEMENT_HOOK_VOID.
 * Modules register with kv_hook_NAME(fn, NULL, NULL, KV_HOOK_MIDDLE) from their
 * register_hooks. The second and third arguments are NULL-terminated lists of the short
 * names of modules ("alias") whose functions must run before or after fn, and the fourth
 * (KV_HOOK_*) places it among the others; the hooks are sorted once every module is
 * loaded. Each hook's declaration says whether it is run-first or run-all, when and in
 * which process it runs and what its answers mean (kv_http.h, kv_connection.h, kv_mpm.h).
 */
#ifndef KV_HOOKS_H
#define KV_HOOKS_H

#include <apr_hooks.h>

/** Linkage of the public API (the binary exports it to modules with -export-dynamic). */
#define KV_DECLARE(type) type
/** Linkage of public data. */
#define KV_DECLARE_DATA

/** Declare hook NAME returning RET with the parenthesised ARGS. */
#define KV_DECLARE_HOOK(ret, name, args) APR_DECLARE_EXTERNAL_HOOK(kv, KV, ret, name, args)

/** Implement a hook where the first function that does not return DECLINE wins. */
#define KV_IMPLEMENT_HOOK_RUN_FIRST(ret, name, args_decl, args_use, decline)                      \
    APR_IMPLEMENT_EXTERNAL_HOOK_RUN_FIRST(kv, KV, ret, name, args_decl, args_use, decline)

/** Implement a hook where every function runs until one returns neither OK nor DECLINE. */
#define KV_IMPLEMENT_HOOK_RUN_ALL(ret, name, args_decl, args_use, ok, decline)                    \
    APR_IMPLEMENT_EXTERNAL_HOOK_RUN_ALL(kv, KV, ret, name, args_decl, args_use, ok, decline)

/** Implement a hook that returns nothing; every function runs. */
#define KV_IMPLEMENT_HOOK_VOID(name, args_decl, args_use)                                         \
    APR_IMPLEMENT_EXTERNAL_HOOK_VOID(kv, KV, name, args_decl, args_use)

/** Hook order: numeric, lower runs earlier. */
enum {
    KV_HOOK_REALLY_FIRST = APR_HOOK_REALLY_FIRST,
    KV_HOOK_FIRST = APR_HOOK_FIRST,
    KV_HOOK_MIDDLE = APR_HOOK_MIDDLE,
    KV_HOOK_LAST = APR_HOOK_LAST,
    KV_HOOK_REALLY_LAST = APR_HOOK_REALLY_LAST
};

/** Hook results shared by every phase. */
enum {
    KV_OK = 0,        /**< done, go on */
    KV_DECLINED = -1, /**< not mine, ask the next */
    KV_DONE = -2      /**< the request is answered; skip the remaining phases */
};

#endif
