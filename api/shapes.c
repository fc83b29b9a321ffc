/* shapes.h: lookups over the generated tables of api/shapes.gen.c.  The
 * operation table is generated sorted by name; structures are searched
 * linearly (the largest, RunInstancesRequest, has a few dozen members). */
#include "api/shapes.h"

#include <stdio.h>
#include <string.h>

#include "lib/util.h"

const struct api_operation *
shapes_find_operation(const char *action)
{
    size_t lo = 0, hi = shapes_n_operations;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(action, shapes_operations[mid].name);
        if (cmp == 0) {
            return &shapes_operations[mid];
        } else if (cmp < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return NULL;
}

const struct shape_member *
shape_find_member(const struct shape *st, const char *name)
{
    ASSERT(st->type == SHAPE_STRUCTURE);
    for (size_t i = 0; i < st->n_members; i++) {
        if (!strcmp(st->members[i].name, name)) {
            return &st->members[i];
        }
    }
    return NULL;
}

size_t
shape_member_index(const struct shape *st, const char *name)
{
    const struct shape_member *m = shape_find_member(st, name);
    if (!m) {
        fprintf(stderr, "shape %s has no member %s\n", st->name, name);
        NOT_REACHED();
    }
    return (size_t) (m - st->members);
}
