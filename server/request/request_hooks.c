/* The request phases' hooks: where modules register for a phase and request.c runs them. */
#include "kv_http.h"

APR_HOOK_STRUCT(APR_HOOK_LINK(post_read_request) APR_HOOK_LINK(translate_name)
                    APR_HOOK_LINK(map_to_storage) APR_HOOK_LINK(access_checker)
                        APR_HOOK_LINK(check_user_id) APR_HOOK_LINK(auth_checker)
                            APR_HOOK_LINK(type_checker) APR_HOOK_LINK(fixups)
                                APR_HOOK_LINK(handler) APR_HOOK_LINK(log_transaction))

KV_IMPLEMENT_HOOK_RUN_ALL(int, post_read_request, (kv_request_t * r), (r), KV_OK, KV_DECLINED)
KV_IMPLEMENT_HOOK_RUN_FIRST(int, translate_name, (kv_request_t * r), (r), KV_DECLINED)
KV_IMPLEMENT_HOOK_RUN_FIRST(int, map_to_storage, (kv_request_t * r), (r), KV_DECLINED)
KV_IMPLEMENT_HOOK_RUN_ALL(int, access_checker, (kv_request_t * r), (r), KV_OK, KV_DECLINED)
KV_IMPLEMENT_HOOK_RUN_FIRST(int, check_user_id, (kv_request_t * r), (r), KV_DECLINED)
KV_IMPLEMENT_HOOK_RUN_FIRST(int, auth_checker, (kv_request_t * r), (r), KV_DECLINED)
KV_IMPLEMENT_HOOK_RUN_FIRST(int, type_checker, (kv_request_t * r), (r), KV_DECLINED)
KV_IMPLEMENT_HOOK_RUN_ALL(int, fixups, (kv_request_t * r), (r), KV_OK, KV_DECLINED)
KV_IMPLEMENT_HOOK_RUN_FIRST(int, handler, (kv_request_t * r), (r), KV_DECLINED)
KV_IMPLEMENT_HOOK_RUN_ALL(int, log_transaction, (kv_request_t * r), (r), KV_OK, KV_DECLINED)
