/* Small helpers every module uses: allocation that aborts instead of failing,
 * invariant checks, and a few macros.  Allocation failure is not a value a
 * caller can act on here, so it is fatal (as OVS xmalloc). */
#ifndef VPCD_LIB_UTIL_H
#define VPCD_LIB_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define CONTAINER_OF(ptr, type, member) ((type *) (void *) ((char *) (ptr) - offsetof(type, member)))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

_Noreturn void util_abort(const char *file, int line, const char *what);

/* Invariants, not input checks: a failure is a bug and aborts with the place. */
#define ASSERT(cond) \
    do { \
        if (unlikely(!(cond))) { \
            util_abort(__FILE__, __LINE__, #cond); \
        } \
    } while (0)
#define NOT_REACHED() util_abort(__FILE__, __LINE__, "not reached")

void *xmalloc(size_t size);
void *xzalloc(size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t len);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Copies 'src' into 'dst' of 'size' bytes, always terminating; returns false if cut. */
bool str_copy(char *dst, size_t size, const char *src);
bool str_prefix(const char *s, const char *prefix);

/* Monotonic and wall clocks. */
uint64_t time_msec(void);
uint64_t time_usec(void);
int64_t time_wall_sec(void);

/* Fills 'buf' with 'size' random bytes from the kernel; aborts on failure. */
void random_bytes(void *buf, size_t size);

#endif
