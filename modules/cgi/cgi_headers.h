/* The header block a CGI script writes before its body (RFC 3875 section 6): read
 * incrementally from whatever the pipe gives, then interpreted. Pure: no request, no I/O. */
#ifndef CGI_HEADERS_H
#define CGI_HEADERS_H

#include <apr_pools.h>
#include <apr_tables.h>

/** Longest header line a script may write (as httpd's HUGE_STRING_LEN), without its LF. */
#define CGI_HEAD_MAX_LINE 8192
/** Most header fields a script may write. */
#define CGI_HEAD_MAX_FIELDS 100

typedef enum {
    CGI_HEAD_MORE, /* every byte given was header; feed more */
    CGI_HEAD_DONE, /* the empty line was seen; the bytes after it are body */
    CGI_HEAD_BAD   /* refused; the reason is in error */
} cgi_head_state_t;

/* The parser's state: the line being gathered and the fields read so far. */
typedef struct {
    apr_pool_t *pool;
    char *line;           /* the incomplete line, CGI_HEAD_MAX_LINE + 1 bytes */
    apr_size_t len;       /* bytes of it gathered */
    apr_table_t *fields;  /* fields in the order written */
    const char *error;    /* why the head was refused (CGI_HEAD_BAD) */
    cgi_head_state_t state;
} cgi_head_t;

/* What the fields say about the response. */
typedef struct {
    int status;               /* from Status:, 302 for a Location alone, else 0 */
    const char *reason;       /* Status:'s reason phrase, NULL if none was given */
    const char *location;     /* Location:, NULL if none */
    int local_redirect;        /* Location is a local path and no Status: redirect inside */
    const char *content_type; /* Content-Type:, NULL if none */
    apr_table_t *headers;     /* every other field for the client */
} cgi_response_t;

/* Start reading a head into @a h, allocating from @a p. */
void cgi_head_init(cgi_head_t *h, apr_pool_t *p);

/* Feed @a len bytes of script output; *used tells how many belong to the head (all of
 * them unless the result is CGI_HEAD_DONE). */
cgi_head_state_t cgi_head_feed(cgi_head_t *h, const char *buf, apr_size_t len,
                               apr_size_t *used);

/* Interpret the fields of a complete head; NULL, or why they make no response. */
const char *cgi_head_interpret(apr_pool_t *p, const apr_table_t *fields, cgi_response_t *out);

#endif
