/* When a request's directory asks for more of the client's certificate than its connection
 * has (ssl_pha_rule.c): httpd's rule for SSLVerifyClient and SSLVerifyDepth in a directory,
 * pure so that the unit test runs it alone. */
#ifndef SSL_PHA_RULE_H
#define SSL_PHA_RULE_H

/** What a request's directory needs of the client's certificate. */
typedef struct {
    int level;  /**< SSL_VERIFY_CLIENT_* the certificate is verified at: the directory's if it
                 * sets one, else the server's (as httpd's verify callback) */
    int strict; /**< a verified certificate is required: `require` in the server or the
                 * directory (a directory cannot lower the server's require) */
    int depth;  /**< SSLVerifyDepth: the directory's if it sets one, else the server's */
} ssl_pha_need_t;

/** What the connection has. */
typedef struct {
    int asked;    /**< a certificate was asked for (in the handshake or after it) */
    int verified; /**< the client gave one and it verified */
    int has_cert; /**< the client gave one */
    int depth;    /**< the SSLVerifyDepth it was verified under */
} ssl_pha_have_t;

/** Fill @a need from the server's and the directory's SSLVerifyClient levels and
 * SSLVerifyDepth (KV_UNSET_INT where a line is missing); 0 when no certificate is asked
 * for at all. */
int ssl_pha_need(int srv_level, int dir_level, int srv_depth, int dir_depth, ssl_pha_need_t *need);

/** Must the client be asked for a certificate (again) before the request goes on? As
 * httpd: when none was asked for, when `require` finds no verified one, and when the
 * directory's SSLVerifyDepth is below the one the certificate was verified under. */
int ssl_pha_must_ask(const ssl_pha_need_t *need, const ssl_pha_have_t *have);

#endif
