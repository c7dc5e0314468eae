/* Session ticket keys (ssl_ticket_key.h). A period's name, AES key and HMAC key are
 * HMAC-SHA256 of the secret over a label and the period's number: one-way, so a ticket's
 * clear key name tells nothing of the secret or of other periods' keys. */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "ssl_ticket_key.h"

/* HMAC-SHA256(secret, label || period, big-endian) into out (32 bytes). */
static int derive(const unsigned char *secret, const char *label, uint64_t period,
                  unsigned char out[32])
{
    unsigned char msg[64];
    size_t label_len = strlen(label);
    unsigned int out_len = 0;

    memcpy(msg, label, label_len);
    for (int i = 0; i < 8; i++) {
        msg[label_len + i] = (unsigned char)(period >> (56 - 8 * i));
    }
    return HMAC(EVP_sha256(), secret, SSL_TICKET_SECRET_LEN, msg, label_len + 8, out, &out_len) !=
               NULL &&
           out_len == 32;
}

int ssl_ticket_key_derive(const unsigned char secret[SSL_TICKET_SECRET_LEN], uint64_t period,
                          ssl_ticket_key_t *key)
{
    unsigned char name[32];

    if (!derive(secret, "kiva ticket name", period, name) ||
        !derive(secret, "kiva ticket aes", period, key->aes) ||
        !derive(secret, "kiva ticket hmac", period, key->hmac)) {
        return 0;
    }
    memcpy(key->name, name, SSL_TICKET_NAME_LEN);
    key->aes_len = 32;
    key->hmac_len = 32;
    return 1;
}

void ssl_ticket_key_from_file(const unsigned char bytes[SSL_TICKET_KEY_FILE_LEN],
                              ssl_ticket_key_t *key)
{
    memcpy(key->name, bytes, 16);
    memcpy(key->hmac, bytes + 16, 16);
    memcpy(key->aes, bytes + 32, 16);
    key->hmac_len = 16;
    key->aes_len = 16;
}

uint64_t ssl_ticket_period(apr_time_t now, apr_interval_time_t rotation)
{
    apr_time_t seconds = apr_time_sec(rotation);

    return (uint64_t)(apr_time_sec(now) / (seconds > 0 ? seconds : 1));
}
