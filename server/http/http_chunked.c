/*
 * The chunked transfer coding, decoded exactly as RFC 9112 section 7.1 writes it:
 *
 *   chunked-body = *chunk last-chunk trailer-section CRLF
 *   chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
 *   chunk-size   = 1*HEXDIG
 *   last-chunk   = 1*("0") [ chunk-ext ] CRLF
 *   chunk-ext    = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
 *   chunk-ext-val = token / quoted-string
 *   trailer-section = *( field-line CRLF )
 *
 * Framing lines end with CRLF and nothing else: a bare LF or a bare CR is where two parsers
 * of one stream disagree on where a request ends, so each is an error, not a line end.
 *
 * One state per place in that grammar; every byte is examined once, by the state it arrives
 * in, so bytes may come in pieces of any size. Extensions are checked and then forgotten;
 * only trailer fields are kept, each copied into a buffer of its own until its CRLF and then
 * checked whole by the rules of the request head's fields (kv_check_field_line), so that
 * header and trailer fields obey one piece of code.
 */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "http_chunked.h"
#include "kv_http.h"
#include "protocol.h"

enum {
    S_SIZE_FIRST,      /* the first HEXDIG of a chunk size */
    S_SIZE,            /* more HEXDIG, an extension, or the line's end */
    S_EXT_SEMI,        /* BWS before ";" */
    S_EXT_NAME_START,  /* BWS after ";", then a name */
    S_EXT_NAME,        /* in a name */
    S_EXT_NAME_BWS,    /* BWS after a name: "=" or ";" must follow */
    S_EXT_VALUE_START, /* BWS after "=", then a token or a quoted-string */
    S_EXT_TOKEN,       /* in a token value */
    S_EXT_QUOTED,      /* in a quoted-string */
    S_EXT_QUOTED_PAIR, /* after a backslash in it */
    S_EXT_END,         /* after a quoted-string */
    S_LINE_LF,         /* CR ending a chunk line; LF must follow */
    S_DATA,            /* chunk data */
    S_DATA_CR,         /* the CR after chunk data */
    S_DATA_LF,         /* and its LF */
    S_FIELD_START,     /* a trailer field, or the CRLF ending the section */
    S_FIELD,           /* in a trailer field line */
    S_FIELD_LF,        /* CR ending a trailer field; LF must follow */
    S_END_LF,          /* CR ending the trailer section; LF must follow */
    S_DONE,
    S_ERROR
};

/* The first buffer for a trailer field; it doubles up to the line limit. */
#define FIELD_INITIAL_SIZE 128

static const apr_off_t max_size = (apr_off_t)((APR_UINT64_C(1) << (sizeof(apr_off_t) * 8 - 1)) - 1);

static void fail(kv_chunked_t *d, int status, const char *reason)
{
    d->state = S_ERROR;
    d->status = status;
    d->reason = reason;
}

static void bad(kv_chunked_t *d, const char *reason)
{
    fail(d, KV_HTTP_BAD_REQUEST, reason);
}

/* BWS = OWS = *( SP / HTAB ) (RFC 9110 section 5.6.3). */
static int is_bws(char c)
{
    return c == ' ' || c == '\t';
}

/* VCHAR and obs-text. */
static int is_vchar(char c)
{
    unsigned char u = (unsigned char)c;
    return u > 0x20 && u != 0x7f;
}

/* A byte of a field-value (RFC 9110 section 5.5): VCHAR, obs-text, SP, HTAB. */
static int is_field_byte(char c)
{
    return is_vchar(c) || is_bws(c);
}

/* qdtext (RFC 9110 section 5.6.4): HTAB, SP, VCHAR and obs-text but DQUOTE and backslash. */
static int is_qdtext(char c)
{
    return is_field_byte(c) && c != '"' && c != '\\';
}

static int hex_value(char c)
{
    return apr_isdigit(c) ? c - '0' : apr_tolower(c) - 'a' + 10;
}

void kv_chunked_init(kv_chunked_t *d, apr_pool_t *p, const kv_chunked_limits_t *lim)
{
    memset(d, 0, sizeof(*d));
    d->state = S_SIZE_FIRST;
    d->lim = *lim;
    d->pool = p;
    d->trailers = apr_table_make(p, 2);
}

static void add_digit(kv_chunked_t *d, char c)
{
    int v = hex_value(c);

    if (d->size > (max_size - v) / 16) {
        bad(d, "chunk size too large");
        return;
    }
    d->size = d->size * 16 + v;
    d->state = S_SIZE;
}

/* After a chunk size, a name or a value: ";" starts an extension, BWS may come before it. */
static void after_item(kv_chunked_t *d, char c)
{
    if (c == ';') {
        d->state = S_EXT_NAME_START;
    } else if (is_bws(c)) {
        d->state = S_EXT_SEMI;
    } else {
        bad(d, d->state == S_SIZE ? "invalid chunk size" : "invalid chunk extension");
    }
}

/* After a name, or BWS after it: a value, the next extension, or BWS before either. */
static void after_name(kv_chunked_t *d, char c)
{
    if (c == '=') {
        d->state = S_EXT_VALUE_START;
    } else if (c == ';') {
        d->state = S_EXT_NAME_START;
    } else if (is_bws(c)) {
        d->state = S_EXT_NAME_BWS;
    } else {
        bad(d, "invalid chunk extension");
    }
}

/* In BWS: a blank stays, the byte awaited goes to @a next, any other is an error. */
static void in_bws(kv_chunked_t *d, char c, int awaited, int next)
{
    if (awaited) {
        d->state = next;
    } else if (!is_bws(c)) {
        bad(d, "invalid chunk extension");
    }
}

static void in_quoted(kv_chunked_t *d, char c)
{
    if (c == '"') {
        d->state = S_EXT_END;
    } else if (c == '\\') {
        d->state = S_EXT_QUOTED_PAIR;
    } else if (!is_qdtext(c)) {
        bad(d, "invalid quoted string in chunk extension");
    }
}

/* Can the chunk line end here, or is a size, name or value unfinished? */
static int line_may_end(int state)
{
    return state == S_SIZE || state == S_EXT_NAME || state == S_EXT_TOKEN || state == S_EXT_END;
}

/* A byte of a chunk-size line, before its CR. */
static void size_line_byte(kv_chunked_t *d, char c)
{
    if (c == '\r') {
        if (line_may_end(d->state)) {
            d->state = S_LINE_LF;
        } else {
            bad(d, d->state == S_SIZE_FIRST ? "invalid chunk size" : "invalid chunk extension");
        }
        return;
    }
    if (c == '\n') {
        bad(d, "bare LF in chunk line");
        return;
    }
    if (++d->line_len > d->lim.line_max) {
        bad(d, "chunk line too long");
        return;
    }
    switch (d->state) {
    case S_SIZE_FIRST:
        if (apr_isxdigit(c)) {
            add_digit(d, c);
        } else {
            bad(d, "invalid chunk size");
        }
        break;
    case S_SIZE:
        if (apr_isxdigit(c)) {
            add_digit(d, c);
        } else {
            after_item(d, c);
        }
        break;
    case S_EXT_SEMI:
        in_bws(d, c, c == ';', S_EXT_NAME_START);
        break;
    case S_EXT_NAME_START:
        in_bws(d, c, kv_is_tchar(c), S_EXT_NAME);
        break;
    case S_EXT_NAME:
    case S_EXT_NAME_BWS:
        if (d->state == S_EXT_NAME_BWS || !kv_is_tchar(c)) {
            after_name(d, c);
        }
        break;
    case S_EXT_VALUE_START:
        in_bws(d, c, c == '"' || kv_is_tchar(c), c == '"' ? S_EXT_QUOTED : S_EXT_TOKEN);
        break;
    case S_EXT_QUOTED:
        in_quoted(d, c);
        break;
    case S_EXT_QUOTED_PAIR:
        if (is_field_byte(c)) {
            d->state = S_EXT_QUOTED;
        } else {
            bad(d, "invalid quoted string in chunk extension");
        }
        break;
    default: /* S_EXT_TOKEN, S_EXT_END: after a value */
        if (d->state == S_EXT_END || !kv_is_tchar(c)) {
            after_item(d, c);
        }
        break;
    }
}

/* The chunk-size line has ended: the chunk's data, or the trailer section after the last. */
static void end_size_line(kv_chunked_t *d)
{
    if (d->size == 0) {
        d->state = S_FIELD_START;
        return;
    }
    if (d->lim.body_max > 0 && d->size > d->lim.body_max - d->total) {
        fail(d, KV_HTTP_REQUEST_ENTITY_TOO_LARGE, "chunked body over LimitRequestBody");
        return;
    }
    d->total += d->size;
    d->state = S_DATA;
}

static void start_size_line(kv_chunked_t *d)
{
    d->state = S_SIZE_FIRST;
    d->size = 0;
    d->line_len = 0;
}

/* Keep a byte of the trailer field being read. */
static void field_put(kv_chunked_t *d, char c)
{
    if (d->line_len == d->lim.line_max) {
        bad(d, "trailer field too long");
        return;
    }
    if (d->line_len == d->field_cap) {
        apr_size_t cap = d->field_cap ? d->field_cap * 2 : FIELD_INITIAL_SIZE;
        char *field;

        cap = cap < d->lim.line_max ? cap : d->lim.line_max;
        field = apr_palloc(d->pool, cap);
        if (d->line_len > 0) {
            memcpy(field, d->field, d->line_len);
        }
        d->field = field;
        d->field_cap = cap;
    }
    d->field[d->line_len++] = c;
}

/* A trailer field line has ended: checked by the rules of the head's fields (protocol.c),
 * then kept. */
static void add_field(kv_chunked_t *d)
{
    static const char *const reasons[] = {
        [KV_FIELD_FOLDED] = "folded or indented trailer field",
        [KV_FIELD_NO_COLON] = "trailer field without colon",
        [KV_FIELD_SPACE_IN_NAME] = "whitespace in trailer field name",
        [KV_FIELD_BAD_NAME] = "invalid trailer field name",
        [KV_FIELD_BAD_VALUE] = "control character in trailer field value",
    };
    kv_field_line_t f;
    kv_field_fault_t fault = kv_check_field_line(d->field, d->line_len, &f);

    if (fault != KV_FIELD_OK) {
        bad(d, reasons[fault]);
        return;
    }
    apr_table_addn(d->trailers, apr_pstrmemdup(d->pool, f.name, f.name_len),
                   apr_pstrmemdup(d->pool, f.value, f.value_len));
    d->nfields++;
    d->state = S_FIELD_START;
}

/* The first byte of a trailer field line, or the CR of the section's end. */
static void field_start(kv_chunked_t *d, char c)
{
    if (c == '\r') {
        d->state = S_END_LF;
    } else if (c == '\n') {
        bad(d, "bare LF in trailer section");
    } else if (d->lim.fields_max > 0 && d->nfields >= d->lim.fields_max) {
        bad(d, "too many trailer fields");
    } else {
        d->line_len = 0;
        d->state = S_FIELD;
        field_put(d, c);
    }
}

/* A byte of a trailer field line: kept until its CR, checked whole then (add_field). */
static void field_byte(kv_chunked_t *d, char c)
{
    if (c == '\r') {
        d->state = S_FIELD_LF;
    } else if (c == '\n') {
        bad(d, "bare LF in trailer section");
    } else {
        field_put(d, c);
    }
}

/* After a CR, only LF: 1 if it came. */
static int lf_after_cr(kv_chunked_t *d, char c, const char *reason)
{
    if (c == '\n') {
        return 1;
    }
    bad(d, reason);
    return 0;
}

/* A byte of framing: anything but chunk data. */
static void framing_byte(kv_chunked_t *d, char c)
{
    switch (d->state) {
    case S_LINE_LF:
        if (lf_after_cr(d, c, "bare CR in chunk line")) {
            end_size_line(d);
        }
        break;
    case S_DATA_CR:
        if (c != '\r') {
            bad(d, "chunk data not followed by CRLF");
        } else {
            d->state = S_DATA_LF;
        }
        break;
    case S_DATA_LF:
        if (lf_after_cr(d, c, "chunk data not followed by CRLF")) {
            start_size_line(d);
        }
        break;
    case S_FIELD_START:
        field_start(d, c);
        break;
    case S_FIELD:
        field_byte(d, c);
        break;
    case S_FIELD_LF:
        if (lf_after_cr(d, c, "bare CR in trailer section")) {
            add_field(d);
        }
        break;
    case S_END_LF:
        if (lf_after_cr(d, c, "bare CR in trailer section")) {
            d->state = S_DONE;
        }
        break;
    default:
        size_line_byte(d, c);
        break;
    }
}

/* Return at most @a room bytes of the current chunk's data. */
static kv_chunked_result_t data_span(kv_chunked_t *d, const char *buf, apr_size_t len, apr_size_t i,
                                     apr_size_t room, kv_chunked_out_t *out)
{
    apr_size_t n = len - i < room ? len - i : room;

    if ((apr_off_t)n > d->size) {
        n = (apr_size_t)d->size;
    }
    d->size -= (apr_off_t)n;
    if (d->size == 0) {
        d->state = S_DATA_CR;
    }
    out->data = buf + i;
    out->data_len = n;
    out->used = i + n;
    return KV_CHUNKED_DATA;
}

kv_chunked_result_t kv_chunked_decode(kv_chunked_t *d, const char *buf, apr_size_t len,
                                      apr_size_t room, kv_chunked_out_t *out)
{
    apr_size_t i = 0;

    out->data = NULL;
    out->data_len = 0;
    out->used = 0;
    while (d->state != S_DONE && d->state != S_ERROR && i < len) {
        if (d->state == S_DATA) {
            return data_span(d, buf, len, i, room, out);
        }
        framing_byte(d, buf[i]);
        i++;
    }
    out->used = i;
    if (d->state == S_DONE) {
        return KV_CHUNKED_DONE;
    }
    return d->state == S_ERROR ? KV_CHUNKED_ERROR : KV_CHUNKED_AGAIN;
}
