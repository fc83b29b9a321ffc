/* buf.h: doubling growth, NUL kept at data[len]. */
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void
buf_init(struct buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void
buf_uninit(struct buf *b)
{
    if (b) {
        free(b->data);
        buf_init(b);
    }
}

void
buf_clear(struct buf *b)
{
    b->len = 0;
    if (b->data) {
        b->data[0] = '\0';
    }
}

static void
reserve(struct buf *b, size_t extra)
{
    if (b->len + extra + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + extra + 1) {
            cap *= 2;
        }
        b->data = xrealloc(b->data, cap);
        b->cap = cap;
    }
}

void
buf_put(struct buf *b, const void *data, size_t size)
{
    reserve(b, size);
    memcpy(b->data + b->len, data, size);
    b->len += size;
    b->data[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
    buf_put(b, s, strlen(s));
}

void
buf_putc(struct buf *b, char c)
{
    buf_put(b, &c, 1);
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    int len = vsnprintf(NULL, 0, fmt, args);
    va_end(args);
    ASSERT(len >= 0);
    reserve(b, (size_t) len);
    va_start(args, fmt);
    vsnprintf(b->data + b->len, (size_t) len + 1, fmt, args);
    va_end(args);
    b->len += (size_t) len;
}

void
buf_put_xml_escaped(struct buf *b, const char *s)
{
    const char *run = s;

    for (; *s; s++) {
        const char *rep;
        switch (*s) {
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '&': rep = "&amp;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&apos;"; break;
        default: continue;
        }
        buf_put(b, run, (size_t) (s - run));
        buf_puts(b, rep);
        run = s + 1;
    }
    buf_put(b, run, (size_t) (s - run));
}

char *
buf_steal(struct buf *b)
{
    char *data = b->data ? b->data : xstrdup("");
    buf_init(b);
    return data;
}
