/* arena.h: a chain of chunks; big allocations get a chunk of their own. */
#include "arena.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

enum { ARENA_CHUNK_SIZE = 16384, ARENA_ALIGN = 16 };

struct chunk {
    struct chunk *next;
    size_t size;            /* usable bytes in data[] */
    size_t used;
    _Alignas(16) unsigned char data[];
};

struct arena {
    struct chunk *head;
};

static struct chunk *
chunk_new(size_t size)
{
    struct chunk *c = xmalloc(sizeof *c + size);
    c->next = NULL;
    c->size = size;
    c->used = 0;
    return c;
}

struct arena *
arena_create(void)
{
    struct arena *a = xmalloc(sizeof *a);
    a->head = chunk_new(ARENA_CHUNK_SIZE);
    return a;
}

static void
free_chain(struct chunk *c)
{
    while (c) {
        struct chunk *next = c->next;
        free(c);
        c = next;
    }
}

void
arena_destroy(struct arena *a)
{
    if (a) {
        free_chain(a->head);
        free(a);
    }
}

void
arena_reset(struct arena *a)
{
    struct chunk *c = a->head;
    /* Keep the last chunk in the chain (the first allocated, standard size). */
    while (c->next) {
        struct chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = c;
    if (c->size != ARENA_CHUNK_SIZE) {
        free(c);
        a->head = chunk_new(ARENA_CHUNK_SIZE);
    }
    a->head->used = 0;
}

void *
arena_alloc(struct arena *a, size_t size)
{
    size = (size + ARENA_ALIGN - 1) & ~(size_t) (ARENA_ALIGN - 1);
    if (size == 0) {
        size = ARENA_ALIGN;
    }
    struct chunk *c = a->head;
    if (c->size - c->used < size) {
        if (size > ARENA_CHUNK_SIZE / 4) {
            /* Give a big block its own chunk behind the head so the head's
             * free space is not wasted. */
            struct chunk *big = chunk_new(size);
            big->used = size;
            big->next = c->next;
            c->next = big;
            return big->data;
        }
        c = chunk_new(ARENA_CHUNK_SIZE);
        c->next = a->head;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += size;
    return p;
}

void *
arena_zalloc(struct arena *a, size_t size)
{
    void *p = arena_alloc(a, size);
    memset(p, 0, size);
    return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t len)
{
    char *p = arena_alloc(a, len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

char *
arena_vprintf(struct arena *a, const char *fmt, va_list args)
{
    va_list copy;
    va_copy(copy, args);
    int len = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    ASSERT(len >= 0);
    char *p = arena_alloc(a, (size_t) len + 1);
    vsnprintf(p, (size_t) len + 1, fmt, args);
    return p;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    char *p = arena_vprintf(a, fmt, args);
    va_end(args);
    return p;
}
