/* A client certificate asked for in the middle of a connection (ssl_pha.c): SSLVerifyClient
 * and SSLVerifyDepth in <Directory>, <Location> and <Files>, by TLS 1.3's post-handshake
 * authentication, and SSLRenegBufferSize. */
#ifndef SSL_PHA_H
#define SSL_PHA_H

#include "ssl_env.h"

/** httpd's SSLRenegBufferSize default. */
#define SSL_PHA_HELD_DEFAULT 131072
/** The largest SSLRenegBufferSize: what is held is in memory. */
#define SSL_PHA_HELD_MOST (64 * 1024 * 1024)

/** A directory section without the directives. */
void ssl_pha_dir_init(ssl_dir_conf_t *conf);

/** @a add's directives over @a base's into @a conf, as httpd merges them. */
void ssl_pha_dir_merge(ssl_dir_conf_t *conf, const ssl_dir_conf_t *base, const ssl_dir_conf_t *add);

/** Register the access checker that asks; from ssl_access_register_hooks. */
void ssl_pha_register_hooks(void);

#endif
