/* Building and encoding responses.  A handler fills an output tree ('struct
 * oval') bound to the action's output shape, naming members by their model
 * names ("VpcId", "Vpcs"); the encoder walks the shape and writes the EC2
 * 2016-11-15 XML botocore parses: element names are the members' xml_name
 * (locationName), lists are <xxxSet><item>...</item></xxxSet> with the list's
 * member_xml_name, members in shape order, absent members omitted, empty
 * lists written as an empty element, text XML-escaped, booleans
 * "true"/"false".  Everything lives in the caller's arena. */
#ifndef VPCD_API_XML_H
#define VPCD_API_XML_H

#include <stdbool.h>
#include <stdint.h>

#include "api/shapes.h"

struct arena;
struct buf;
struct oval;

/* A new, empty structure value for structure shape 'st'. */
struct oval *oval_new(struct arena *, const struct shape *st);

/* Setters on a structure, by model member name; naming a member the shape
 * lacks, or of another type, aborts (a handler bug).  Strings are copied into
 * the arena unless noted.  SHAPE_TIMESTAMP members take their text by
 * oval_set_str (ISO 8601, e.g. "2026-11-28T15:00:00.000Z"). */
void oval_set_str(struct oval *st, const char *member, const char *value);
void oval_set_int(struct oval *st, const char *member, int64_t value);
void oval_set_bool(struct oval *st, const char *member, bool value);
void oval_set_double(struct oval *st, const char *member, double value);
/* Creates (or returns the existing) nested structure / list member. */
struct oval *oval_set_struct(struct oval *st, const char *member);
struct oval *oval_set_list(struct oval *st, const char *member);

/* Appends to a list value. */
struct oval *oval_list_add_struct(struct oval *list);
void oval_list_add_str(struct oval *list, const char *value);
size_t oval_list_len(const struct oval *list);

/* Writes a success document for 'action': <ActionResponse xmlns=...>
 * <requestId>..</requestId> then the output's members; with 'output' NULL
 * (an action without a modelled output) <return>true</return>. */
void xml_encode_response(struct buf *, const char *action, const char *request_id,
                         const struct oval *output);

/* Writes AWS's error document:
 * <?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>..</Code>
 * <Message>..</Message></Error></Errors><RequestID>..</RequestID></Response> */
void xml_encode_error(struct buf *, const char *code, const char *message,
                      const char *request_id);

#endif
