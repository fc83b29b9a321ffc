/* Intrusive doubly linked list (as OVS ovs_list): a node lives inside the
 * object, so one object can sit on several lists without allocation. */
#ifndef VPCD_LIB_LIST_H
#define VPCD_LIB_LIST_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct list {
    struct list *prev;
    struct list *next;
};

static inline void
list_init(struct list *l)
{
    l->prev = l->next = l;
}

static inline bool
list_is_empty(const struct list *l)
{
    return l->next == l;
}

/* Inserts 'node' before 'where' (at the tail when 'where' is the list head). */
static inline void
list_insert(struct list *where, struct list *node)
{
    node->prev = where->prev;
    node->next = where;
    where->prev->next = node;
    where->prev = node;
}

static inline void
list_push_back(struct list *l, struct list *node)
{
    list_insert(l, node);
}

static inline void
list_remove(struct list *node)
{
    node->prev->next = node->next;
    node->next->prev = node->prev;
    node->prev = node->next = node;
}

static inline size_t
list_size(const struct list *l)
{
    size_t n = 0;
    for (const struct list *e = l->next; e != l; e = e->next) {
        n++;
    }
    return n;
}

#define LIST_FOR_EACH(obj, member, head) \
    for (obj = CONTAINER_OF((head)->next, __typeof__(*obj), member); \
         &obj->member != (head); \
         obj = CONTAINER_OF(obj->member.next, __typeof__(*obj), member))

/* Safe against removal of 'obj' during the loop. */
#define LIST_FOR_EACH_SAFE(obj, next_, member, head) \
    for (obj = CONTAINER_OF((head)->next, __typeof__(*obj), member); \
         &obj->member != (head) \
         && ((next_ = CONTAINER_OF(obj->member.next, __typeof__(*obj), member)), 1); \
         obj = next_)

#endif
