/* A growable byte buffer for building responses and messages. */
#ifndef VPCD_LIB_BUF_H
#define VPCD_LIB_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
    char *data;     /* always NUL-terminated when non-NULL */
    size_t len;     /* bytes used, not counting the NUL */
    size_t cap;
};

void buf_init(struct buf *);
void buf_uninit(struct buf *);          /* accepts an initialised empty buf */
void buf_clear(struct buf *);
void buf_put(struct buf *, const void *data, size_t size);
void buf_puts(struct buf *, const char *s);
void buf_putc(struct buf *, char c);
void buf_printf(struct buf *, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends 's' with XML's five special characters escaped. */
void buf_put_xml_escaped(struct buf *, const char *s);
/* Returns the data and leaves the buf empty; caller frees. */
char *buf_steal(struct buf *);

#endif
