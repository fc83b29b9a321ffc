/* The wire shapes of the EC2 actions vpcd serves, generated from botocore's
 * EC2 model (api/gen_shapes.py -> api/shapes.gen.c; the list of actions is
 * api/operations.txt).  One generic decoder (query.h) and one generic XML
 * encoder (xml.h) walk these tables, so no action has a hand-written
 * serializer. */
#ifndef VPCD_API_SHAPES_H
#define VPCD_API_SHAPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum shape_type {
    SHAPE_STRUCTURE,
    SHAPE_LIST,
    SHAPE_MAP,          /* unused by the EC2 actions we serve; kept for completeness */
    SHAPE_STRING,
    SHAPE_INTEGER,
    SHAPE_LONG,
    SHAPE_BOOLEAN,
    SHAPE_DOUBLE,
    SHAPE_FLOAT,
    SHAPE_TIMESTAMP,
    SHAPE_BLOB,
};

struct shape;

struct shape_member {
    const char *name;           /* model member name: "CidrBlock", "VpcIds" */
    const char *query_name;     /* request wire name: queryName, else capitalised
                                 * locationName, else name ("VpcId" for VpcIds) */
    const char *xml_name;       /* response element: locationName, else name */
    const struct shape *shape;
    bool required;
};

struct shape {
    const char *name;           /* "CreateVpcRequest" */
    enum shape_type type;
    /* SHAPE_STRUCTURE */
    const struct shape_member *members;
    size_t n_members;
    /* SHAPE_LIST */
    const struct shape *member;
    const char *member_xml_name;    /* element of each item: usually "item" */
    /* SHAPE_STRING with an enum; n_enum 0 when any string goes */
    const char *const *enum_values;
    size_t n_enum;
    /* SHAPE_INTEGER / SHAPE_LONG bounds from the model, when it has them */
    bool has_min, has_max;
    int64_t min, max;
};

struct api_operation {
    const char *name;               /* "CreateVpc" */
    const struct shape *input;      /* never NULL */
    const struct shape *output;     /* NULL when the action has no modelled output */
};

/* Returns the operation named 'action', or NULL. */
const struct api_operation *shapes_find_operation(const char *action);
/* The member of structure 'st' named 'name' (model name), or NULL. */
const struct shape_member *shape_find_member(const struct shape *st, const char *name);
/* The index of member 'name' of 'st'; aborts if there is none (a typo in a
 * handler is a bug). */
size_t shape_member_index(const struct shape *st, const char *name);

extern const struct api_operation shapes_operations[];
extern const size_t shapes_n_operations;

#endif
