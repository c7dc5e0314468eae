/* mod_ssl: the size of TLS records (ssl_records.h). */
#include "ssl_records.h"

apr_size_t ssl_record_size(ssl_records_t *r, apr_time_t now)
{
    if (r->last_write == 0 || now - r->last_write > SSL_RECORD_IDLE) {
        r->small_left = SSL_RECORD_SMALL_BUDGET;
        r->last_write = now; /* a new burst, until it pauses again */
    }
    return r->small_left > 0 ? SSL_RECORD_SMALL : SSL_RECORD_FULL;
}

void ssl_records_sent(ssl_records_t *r, apr_size_t n, apr_time_t now)
{
    r->small_left = n < r->small_left ? r->small_left - n : 0;
    r->last_write = now;
}
