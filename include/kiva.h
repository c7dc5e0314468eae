/**
 * @file kiva.h
 * @brief Everything a module author needs: include this one header. Start at kv_module.h,
 * which says how a module's record, directives, config records and hooks fit together.
 */
#ifndef KIVA_H
#define KIVA_H

#include "kv_auth.h"
#include "kv_config.h"
#include "kv_connection.h"
#include "kv_expr.h"
#include "kv_handler.h"
#include "kv_hooks.h"
#include "kv_http.h"
#include "kv_listen.h"
#include "kv_log.h"
#include "kv_log_items.h"
#include "kv_module.h"
#include "kv_mpm.h"
#include "kv_mpm_common.h"
#include "kv_regex.h"
#include "kv_request.h"
#include "kv_release.h"
#include "kv_scoreboard.h"

#endif
