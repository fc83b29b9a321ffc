/* Decoding an EC2 Query request into a value tree shaped by the action's
 * input shape.
 *
 * Step 1, query_parse_form(): split an application/x-www-form-urlencoded
 * string into key/value pairs ('+' is space, %XX decoded), refusing bad
 * percent-encoding, invalid UTF-8 (after decoding), NUL bytes, and more than
 * QUERY_MAX_PARAMS pairs or keys longer than QUERY_MAX_KEY_LEN.
 *
 * Step 2, query_decode(): match the pairs against the input shape the way
 * botocore's ec2 serializer writes them: structure members by their
 * query_name ("CidrBlock", "TagSpecification.1.Tag.1.Key"), list items as
 * Name.1, Name.2 ... (1-based; gaps are allowed and items keep their index
 * order; index 0, non-numbers and indexes above QUERY_MAX_LIST_INDEX are
 * InvalidParameterValue; more than QUERY_MAX_LIST_LEN items is
 * InvalidParameterValue).  Keys named Action, Version and the X-Amz-* auth
 * parameters are skipped.  A key that matches no member is UnknownParameter
 * ("The parameter Foo is not recognized"); a bad integer, long, boolean
 * ("true"/"false"), double or timestamp, an integer outside the shape's
 * bounds, or a string not in the shape's enum is InvalidParameterValue
 * ("Value (x) for parameter Foo is invalid. ..."); a missing required
 * member is MissingParameter ("The request must contain the parameter Foo").
 * Everything is allocated in the caller's arena. */
#ifndef VPCD_API_QUERY_H
#define VPCD_API_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/shapes.h"
#include "model/error.h"

struct arena;

enum {
    QUERY_MAX_PARAMS = 10000,
    QUERY_MAX_KEY_LEN = 512,
    QUERY_MAX_LIST_LEN = 1000,
    QUERY_MAX_LIST_INDEX = 1000000,
};

struct qparam {
    const char *key;
    const char *value;
};

/* Parses 'size' bytes at 'data'.  Returns 0 and sets '*params'/'*n_params', or
 * -1 with 'err' filled (MalformedQueryString / InvalidParameterValue). */
int query_parse_form(struct arena *, const char *data, size_t size,
                     struct qparam **params, size_t *n_params, struct error *err);

/* Returns the value of the first pair named 'key', or NULL. */
const char *query_find(const struct qparam *, size_t n_params, const char *key);

/* A decoded value. */
struct dval {
    const struct shape *shape;
    union {
        const char *str;            /* SHAPE_STRING, SHAPE_TIMESTAMP (as sent), SHAPE_BLOB */
        int64_t i;                  /* SHAPE_INTEGER, SHAPE_LONG */
        bool b;                     /* SHAPE_BOOLEAN */
        double d;                   /* SHAPE_DOUBLE, SHAPE_FLOAT */
        struct {
            struct dval **items;
            size_t n;
        } list;                     /* SHAPE_LIST */
        struct dval **members;      /* SHAPE_STRUCTURE: indexed like shape->members,
                                     * NULL where absent */
    } u;
};

/* Decodes 'params' against 'input' (a structure shape).  Returns 0 with '*out'
 * set (never NULL: an empty structure when nothing was given), or -1 with
 * 'err' filled. */
int query_decode(struct arena *, const struct shape *input, const struct qparam *params,
                 size_t n_params, struct dval **out, struct error *err);

/* Accessors on a decoded structure 'st' by model member name.  Naming a member
 * the shape does not have aborts (a handler bug); an absent member gives NULL,
 * the default, or false. */
const struct dval *dval_get(const struct dval *st, const char *member);
const char *dval_str(const struct dval *st, const char *member);
bool dval_bool(const struct dval *st, const char *member, bool dflt);
bool dval_int(const struct dval *st, const char *member, int64_t *out);
static inline size_t
dval_list_len(const struct dval *list)
{
    return list ? list->u.list.n : 0;
}
static inline const struct dval *
dval_list_at(const struct dval *list, size_t i)
{
    return list->u.list.items[i];
}

#endif
