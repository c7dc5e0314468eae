/* mod_ssl: how much plaintext a TLS record carries. The first bytes after a pause go in
 * records that fit one TCP segment, so that the client can decrypt and use each as it comes
 * instead of waiting for a 16 KiB record's last segment (a lost or late segment stalls only
 * its own record, and a new connection's small congestion window is not a whole record);
 * bulk goes in full 16 KiB records, the fewest headers, tags and system calls. A pure
 * function of the time, for the unit test. */
#ifndef SSL_RECORDS_H
#define SSL_RECORDS_H

#include <apr_time.h>

/** Plaintext in a record that fits one TCP segment: 1460 bytes of an Ethernet MSS, less TCP
 * timestamps (12) and TLS's header, tag and TLS 1.3's content type (22), rounded down. */
#define SSL_RECORD_SMALL 1400
/** Plaintext in a full record (TLS's most). */
#define SSL_RECORD_FULL 16384
/** How much goes in small records after a pause. */
#define SSL_RECORD_SMALL_BUDGET 16384
/** A pause: no write for this long. */
#define SSL_RECORD_IDLE apr_time_from_sec(1)

/** A connection's writes, for the sizing; zeroed at its start (its first bytes are small). */
typedef struct {
    apr_time_t last_write; /**< when bytes last went; 0: never */
    apr_size_t small_left; /**< what may still go in small records */
} ssl_records_t;

/** The most plaintext the next record may carry, for a write at @a now. */
apr_size_t ssl_record_size(ssl_records_t *r, apr_time_t now);

/** @a n bytes of plaintext went at @a now. */
void ssl_records_sent(ssl_records_t *r, apr_size_t n, apr_time_t now);

#endif
