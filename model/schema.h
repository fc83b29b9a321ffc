/* Field tables: each resource kind describes its own members once (name,
 * type, offset), and generic code walks the table to persist a resource
 * (store/), load it back, and free its heap parts (model_remove).  The
 * header fields of 'struct resource' (id, seq, vpc_id, tags, scope) are
 * handled by that generic code directly. */
#ifndef VPCD_MODEL_SCHEMA_H
#define VPCD_MODEL_SCHEMA_H

#include <stddef.h>

#include "model/model.h"

enum field_type {
    FIELD_STR,          /* char name[size] */
    FIELD_PSTR,         /* char *, heap, owned; NULL allowed */
    FIELD_BOOL,         /* bool */
    FIELD_INT,          /* int */
    FIELD_I64,          /* int64_t */
    FIELD_U32,          /* uint32_t, a plain number */
    FIELD_IP4,          /* uint32_t IPv4 address, stored as dotted quad */
    FIELD_PREFIX4,      /* struct ip4_prefix */
    FIELD_PREFIX6,      /* struct ip6_prefix */
    FIELD_ARRAY,        /* T *name (heap) with size_t count at count_offset */
    FIELD_FIXED_ARRAY,  /* T name[max] with size_t count at count_offset */
};

struct field {
    const char *name;
    enum field_type type;
    size_t offset;
    size_t size;                /* FIELD_STR: buffer size; arrays: element size */
    const struct field *sub;    /* arrays: the element's fields */
    size_t n_sub;
    size_t count_offset;        /* arrays */
    size_t max;                 /* FIELD_FIXED_ARRAY capacity */
};

struct schema {
    size_t size;                /* sizeof the whole resource struct */
    const struct field *fields;
    size_t n_fields;
};

#define FIELD_MEMBER_SIZE(T, m) sizeof(((T *) 0)->m)
#define F_STR(T, m) { #m, FIELD_STR, offsetof(T, m), FIELD_MEMBER_SIZE(T, m), 0, 0, 0, 0 }
#define F_PSTR(T, m) { #m, FIELD_PSTR, offsetof(T, m), 0, 0, 0, 0, 0 }
#define F_BOOL(T, m) { #m, FIELD_BOOL, offsetof(T, m), 0, 0, 0, 0, 0 }
#define F_INT(T, m) { #m, FIELD_INT, offsetof(T, m), 0, 0, 0, 0, 0 }
#define F_I64(T, m) { #m, FIELD_I64, offsetof(T, m), 0, 0, 0, 0, 0 }
#define F_U32(T, m) { #m, FIELD_U32, offsetof(T, m), 0, 0, 0, 0, 0 }
#define F_IP4(T, m) { #m, FIELD_IP4, offsetof(T, m), 0, 0, 0, 0, 0 }
#define F_PREFIX4(T, m) { #m, FIELD_PREFIX4, offsetof(T, m), 0, 0, 0, 0, 0 }
#define F_PREFIX6(T, m) { #m, FIELD_PREFIX6, offsetof(T, m), 0, 0, 0, 0, 0 }
#define F_ARRAY(T, m, count, ELEM, SUB) \
    { #m, FIELD_ARRAY, offsetof(T, m), sizeof(ELEM), SUB, ARRAY_SIZE(SUB), offsetof(T, count), 0 }
#define F_FIXED_ARRAY(T, m, count, ELEM, SUB) \
    { #m, FIELD_FIXED_ARRAY, offsetof(T, m), sizeof(ELEM), SUB, ARRAY_SIZE(SUB), \
      offsetof(T, count), ARRAY_SIZE(((T *) 0)->m) }
#define SCHEMA(T, FIELDS) { sizeof(T), FIELDS, ARRAY_SIZE(FIELDS) }

/* The schema of 'kind' (defined beside the kind's struct). */
const struct schema *model_schema(enum res_kind);

/* Frees the heap parts the fields describe (PSTR, ARRAY), recursively. */
void schema_free_fields(const struct field *, size_t n_fields, void *obj);

#endif
