/* A hash map from strings to pointers, for id lookups (chained, doubles when
 * the load passes 1).  Keys are borrowed: the caller keeps each key alive
 * while it is in the map (usually the id inside the object itself). */
#ifndef VPCD_LIB_HMAP_H
#define VPCD_LIB_HMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hmap_entry {
    struct hmap_entry *next;
    uint64_t hash;
    const char *key;
    void *value;
};

struct hmap {
    struct hmap_entry **buckets;
    size_t mask;        /* n_buckets - 1 */
    size_t count;
};

void hmap_init(struct hmap *);
void hmap_uninit(struct hmap *);        /* frees the map's own memory, not the values */
uint64_t hmap_hash(const char *key);
/* Returns false (and changes nothing) if 'key' is already present. */
bool hmap_insert(struct hmap *, const char *key, void *value);
void *hmap_find(const struct hmap *, const char *key);
/* Returns the removed value or NULL. */
void *hmap_remove(struct hmap *, const char *key);

#endif
