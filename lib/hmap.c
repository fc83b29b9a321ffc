/* hmap.h: FNV-1a hashing, power-of-two bucket array. */
#include "hmap.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void
hmap_init(struct hmap *m)
{
    m->mask = 15;
    m->buckets = xzalloc(sizeof *m->buckets * (m->mask + 1));
    m->count = 0;
}

void
hmap_uninit(struct hmap *m)
{
    if (!m || !m->buckets) {
        return;
    }
    for (size_t i = 0; i <= m->mask; i++) {
        struct hmap_entry *e = m->buckets[i];
        while (e) {
            struct hmap_entry *next = e->next;
            free(e);
            e = next;
        }
    }
    free(m->buckets);
    m->buckets = NULL;
    m->count = 0;
}

uint64_t
hmap_hash(const char *key)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *key; key++) {
        h ^= (unsigned char) *key;
        h *= 0x100000001b3ULL;
    }
    return h;
}

static void
grow(struct hmap *m)
{
    size_t mask = m->mask * 2 + 1;
    struct hmap_entry **buckets = xzalloc(sizeof *buckets * (mask + 1));

    for (size_t i = 0; i <= m->mask; i++) {
        struct hmap_entry *e = m->buckets[i];
        while (e) {
            struct hmap_entry *next = e->next;
            e->next = buckets[e->hash & mask];
            buckets[e->hash & mask] = e;
            e = next;
        }
    }
    free(m->buckets);
    m->buckets = buckets;
    m->mask = mask;
}

void *
hmap_find(const struct hmap *m, const char *key)
{
    uint64_t hash = hmap_hash(key);
    for (struct hmap_entry *e = m->buckets[hash & m->mask]; e; e = e->next) {
        if (e->hash == hash && !strcmp(e->key, key)) {
            return e->value;
        }
    }
    return NULL;
}

bool
hmap_insert(struct hmap *m, const char *key, void *value)
{
    if (hmap_find(m, key)) {
        return false;
    }
    if (m->count > m->mask) {
        grow(m);
    }
    struct hmap_entry *e = xmalloc(sizeof *e);
    e->hash = hmap_hash(key);
    e->key = key;
    e->value = value;
    e->next = m->buckets[e->hash & m->mask];
    m->buckets[e->hash & m->mask] = e;
    m->count++;
    return true;
}

void *
hmap_remove(struct hmap *m, const char *key)
{
    uint64_t hash = hmap_hash(key);
    for (struct hmap_entry **pe = &m->buckets[hash & m->mask]; *pe; pe = &(*pe)->next) {
        struct hmap_entry *e = *pe;
        if (e->hash == hash && !strcmp(e->key, key)) {
            void *value = e->value;
            *pe = e->next;
            free(e);
            m->count--;
            return value;
        }
    }
    return NULL;
}
