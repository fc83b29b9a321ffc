/* libFuzzer target for api/query: the untrusted request body goes through
 * query_parse_form() and then query_decode() against the input shape of the
 * action the body names, or, when it names none we serve, of one of a few
 * actions picked by the first byte.  A successful decode is walked to check
 * that every value matches its shape; a failure must leave a message.
 *
 * Build and run (from the top of the tree):
 *
 *   clang -std=c17 -D_GNU_SOURCE -I. -g -O1 -fsanitize=fuzzer,address,undefined \
 *       tests/fuzz/fuzz_query.c api/query.c api/shapes.c api/shapes.gen.c \
 *       lib/arena.c lib/util.c model/error.c -o fuzz_query
 *   mkdir -p corpus && ./fuzz_query corpus -max_len=4096
 *
 * A crasher becomes a case in tests/unit/test_query.c, so the normal test run
 * replays it. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/query.h"
#include "api/shapes.h"
#include "lib/arena.h"
#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const actions[] = {
    "DescribeVpcs",
    "AuthorizeSecurityGroupIngress",
    "CreateVpc",
    "CreateNetworkAclEntry",
    "RunInstances",
    "ModifyVpcAttribute",
};

/* Walks a decoded value: every member and item must carry the shape the
 * tables say it has, and every list must be within the limits. */
static void
check_value(const struct dval *v, const struct shape *shape)
{
    ASSERT(v && v->shape == shape);
    switch (shape->type) {
    case SHAPE_STRUCTURE:
        for (size_t i = 0; i < shape->n_members; i++) {
            if (v->u.members[i]) {
                check_value(v->u.members[i], shape->members[i].shape);
            }
        }
        break;
    case SHAPE_LIST:
        ASSERT(v->u.list.n >= 1 && v->u.list.n <= QUERY_MAX_LIST_LEN);
        for (size_t i = 0; i < v->u.list.n; i++) {
            check_value(v->u.list.items[i], shape->member);
        }
        break;
    case SHAPE_STRING:
    case SHAPE_TIMESTAMP:
    case SHAPE_BLOB:
        ASSERT(v->u.str != NULL);
        (void) strlen(v->u.str);
        break;
    case SHAPE_INTEGER:
        ASSERT(v->u.i >= INT32_MIN && v->u.i <= INT32_MAX);
        ASSERT(!shape->has_min || v->u.i >= shape->min);
        ASSERT(!shape->has_max || v->u.i <= shape->max);
        break;
    case SHAPE_BOOLEAN:
    case SHAPE_LONG:
    case SHAPE_DOUBLE:
    case SHAPE_FLOAT:
        break;
    case SHAPE_MAP:
    default:
        NOT_REACHED();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct arena *arena;
    struct qparam *params;
    size_t n_params;
    struct dval *out;
    struct error err;

    if (!arena) {
        arena = arena_create();
    }
    err_clear(&err);
    if (query_parse_form(arena, (const char *) data, size, &params, &n_params, &err) == 0) {
        const char *action = query_find(params, n_params, "Action");
        const struct api_operation *op = action ? shapes_find_operation(action) : NULL;
        if (!op) {
            op = shapes_find_operation(actions[size ? data[0] % ARRAY_SIZE(actions) : 0]);
        }
        ASSERT(op);
        if (query_decode(arena, op->input, params, n_params, &out, &err) == 0) {
            check_value(out, op->input);
        } else {
            ASSERT(err.code != ERR_NONE && err.message[0]);
        }
    } else {
        ASSERT(err.code == ERR_MALFORMED_QUERY_STRING
               || err.code == ERR_INVALID_PARAMETER_VALUE);
    }
    arena_reset(arena);
    return 0;
}
