/* util.h: allocation wrappers, invariant aborts, clocks, randomness. */
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

void
util_abort(const char *file, int line, const char *what)
{
    fprintf(stderr, "%s:%d: assertion failed: %s\n", file, line, what);
    fflush(stderr);
    abort();
}

static void *
check_alloc(void *p)
{
    if (!p) {
        fprintf(stderr, "out of memory\n");
        abort();
    }
    return p;
}

void *
xmalloc(size_t size)
{
    return check_alloc(malloc(size ? size : 1));
}

void *
xzalloc(size_t size)
{
    return check_alloc(calloc(1, size ? size : 1));
}

void *
xrealloc(void *p, size_t size)
{
    return check_alloc(realloc(p, size ? size : 1));
}

char *
xstrdup(const char *s)
{
    return check_alloc(strdup(s));
}

char *
xstrndup(const char *s, size_t len)
{
    return check_alloc(strndup(s, len));
}

char *
xasprintf(const char *fmt, ...)
{
    va_list args;
    char *s;

    va_start(args, fmt);
    if (vasprintf(&s, fmt, args) < 0) {
        s = NULL;
    }
    va_end(args);
    return check_alloc(s);
}

bool
str_copy(char *dst, size_t size, const char *src)
{
    size_t len = strlen(src);

    if (len >= size) {
        memcpy(dst, src, size - 1);
        dst[size - 1] = '\0';
        return false;
    }
    memcpy(dst, src, len + 1);
    return true;
}

bool
str_prefix(const char *s, const char *prefix)
{
    return !strncmp(s, prefix, strlen(prefix));
}

uint64_t
time_usec(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

uint64_t
time_msec(void)
{
    return time_usec() / 1000;
}

int64_t
time_wall_sec(void)
{
    return (int64_t) time(NULL);
}

void
random_bytes(void *buf, size_t size)
{
    char *p = buf;

    while (size) {
        ssize_t n = getrandom(p, size, 0);
        if (n <= 0) {
            util_abort(__FILE__, __LINE__, "getrandom");
        }
        p += n;
        size -= (size_t) n;
    }
}
