/* An arena: memory with one lifetime, released as one (BIRD linpools).  An API
 * request decodes into an arena that is freed after its response is sent.
 * Not thread-safe; one owner. */
#ifndef VPCD_LIB_ARENA_H
#define VPCD_LIB_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena;

/* Returns a new arena; free it with arena_destroy(). */
struct arena *arena_create(void);
void arena_destroy(struct arena *);      /* accepts NULL */
void arena_reset(struct arena *);        /* frees everything but keeps one chunk */

/* Memory valid until the arena is reset or destroyed; aligned for any type. */
void *arena_alloc(struct arena *, size_t size);
void *arena_zalloc(struct arena *, size_t size);
char *arena_strdup(struct arena *, const char *);
char *arena_strndup(struct arena *, const char *, size_t len);
char *arena_printf(struct arena *, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *, const char *fmt, va_list);

#endif
