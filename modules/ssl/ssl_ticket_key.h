/* Session ticket keys, pure: the key of each rotation period derived from a per-generation
 * secret, so that every child of a generation computes the same keys without talking to the
 * others, and the fixed key of an SSLSessionTicketKeyFile. */
#ifndef SSL_TICKET_KEY_H
#define SSL_TICKET_KEY_H

#include <stdint.h>

#include <apr_time.h>

/** The bytes of the secret a generation's keys derive from. */
#define SSL_TICKET_SECRET_LEN 32
/** The size of an SSLSessionTicketKeyFile, as httpd's: name, HMAC secret, AES key. */
#define SSL_TICKET_KEY_FILE_LEN 48
/** The bytes of a key's name, which a ticket carries in clear (RFC 5077's key_name). */
#define SSL_TICKET_NAME_LEN 16

/** One ticket key: its name, its AES key (AES-256-CBC when derived, AES-128-CBC from a
 * key file, as httpd) and its HMAC-SHA256 key. */
typedef struct {
    unsigned char name[SSL_TICKET_NAME_LEN];
    unsigned char aes[32];
    unsigned char hmac[32];
    unsigned int aes_len;  /**< 32 or 16 */
    unsigned int hmac_len; /**< 32 or 16 */
} ssl_ticket_key_t;

/** The key of rotation period @a period from @a secret. 1, or 0 if libcrypto failed. */
int ssl_ticket_key_derive(const unsigned char secret[SSL_TICKET_SECRET_LEN], uint64_t period,
                          ssl_ticket_key_t *key);

/** The key an SSLSessionTicketKeyFile's 48 bytes hold (name, HMAC secret, AES key). */
void ssl_ticket_key_from_file(const unsigned char bytes[SSL_TICKET_KEY_FILE_LEN],
                              ssl_ticket_key_t *key);

/** The rotation period @a now falls in, for periods of @a rotation (at least a second). */
uint64_t ssl_ticket_period(apr_time_t now, apr_interval_time_t rotation);

#endif
