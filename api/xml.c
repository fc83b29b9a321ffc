/* xml.h: output trees bound to shapes, and the EC2 XML encoder.
 *
 * A structure value holds one 'struct oval' per member of its shape, inline
 * (shape NULL where absent), so setting a scalar allocates nothing but a
 * copied string.  Lists hold pointers to their items, since a handler keeps
 * the item it added while the list keeps growing.  Member lookup by name
 * scans the shape's members from just after the last member set: handlers
 * fill members in shape order, which makes the scan one comparison. */
#include "api/xml.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/util.h"

#define XML_NAMESPACE "http://ec2.amazonaws.com/doc/2016-11-15/"
#define XML_DECLARATION "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"

enum {
    XML_LIST_MIN_CAP = 8,       /* first allocation of a list's item pointers */
    XML_TAG_MAX = 128,          /* bytes of a tag assembled on the stack */
    XML_ELEMENT_MAX = 512,      /* bytes of a scalar element assembled on the stack */
};

struct oval {
    const struct shape *shape;      /* NULL: an absent member */
    struct arena *arena;
    union {
        const char *str;            /* SHAPE_STRING, SHAPE_TIMESTAMP, SHAPE_BLOB */
        int64_t i;                  /* SHAPE_INTEGER, SHAPE_LONG */
        bool b;                     /* SHAPE_BOOLEAN */
        double d;                   /* SHAPE_DOUBLE, SHAPE_FLOAT */
        struct {
            struct oval **items;
            size_t n, cap;
        } list;                     /* SHAPE_LIST */
        struct {
            struct oval *members;   /* indexed like shape->members */
            size_t hint;            /* where the next lookup starts */
        } st;                       /* SHAPE_STRUCTURE */
    } u;
};

static void
init_value(struct oval *v, struct arena *arena, const struct shape *shape)
{
    memset(v, 0, sizeof *v);
    v->shape = shape;
    v->arena = arena;
    if (shape->type == SHAPE_STRUCTURE && shape->n_members) {
        v->u.st.members = arena_zalloc(arena, shape->n_members * sizeof *v->u.st.members);
    }
}

struct oval *
oval_new(struct arena *arena, const struct shape *st)
{
    ASSERT(st->type == SHAPE_STRUCTURE);
    struct oval *v = arena_alloc(arena, sizeof *v);
    init_value(v, arena, st);
    return v;
}

/* The slot of member 'name' of structure value 'st', whose shape's type must
 * be 'type' or 'alt'; initialised for that shape. */
static struct oval *
member_slot(struct oval *st, const char *name, enum shape_type type, enum shape_type alt)
{
    ASSERT(st->shape && st->shape->type == SHAPE_STRUCTURE);
    const struct shape *shape = st->shape;
    size_t n = shape->n_members;
    size_t idx = st->u.st.hint;

    for (size_t k = 0; k < n; k++, idx++) {
        if (idx >= n) {
            idx = 0;
        }
        const char *mname = shape->members[idx].name;
        if (mname[0] == name[0] && !strcmp(mname, name)) {
            const struct shape *ms = shape->members[idx].shape;
            struct oval *slot = &st->u.st.members[idx];
            if (ms->type != type && ms->type != alt) {
                fprintf(stderr, "member %s of %s is not of the type set\n", name, shape->name);
                NOT_REACHED();
            }
            st->u.st.hint = idx + 1;
            if (!slot->shape) {
                init_value(slot, st->arena, ms);
            }
            return slot;
        }
    }
    fprintf(stderr, "shape %s has no member %s\n", shape->name, name);
    NOT_REACHED();
}

void
oval_set_str(struct oval *st, const char *member, const char *value)
{
    struct oval *v = member_slot(st, member, SHAPE_STRING, SHAPE_TIMESTAMP);
    v->u.str = arena_strdup(st->arena, value);
}

void
oval_set_int(struct oval *st, const char *member, int64_t value)
{
    struct oval *v = member_slot(st, member, SHAPE_INTEGER, SHAPE_LONG);
    ASSERT(v->shape->type == SHAPE_LONG || (value >= INT32_MIN && value <= INT32_MAX));
    v->u.i = value;
}

void
oval_set_bool(struct oval *st, const char *member, bool value)
{
    member_slot(st, member, SHAPE_BOOLEAN, SHAPE_BOOLEAN)->u.b = value;
}

void
oval_set_double(struct oval *st, const char *member, double value)
{
    ASSERT(isfinite(value));
    member_slot(st, member, SHAPE_DOUBLE, SHAPE_FLOAT)->u.d = value;
}

struct oval *
oval_set_struct(struct oval *st, const char *member)
{
    return member_slot(st, member, SHAPE_STRUCTURE, SHAPE_STRUCTURE);
}

struct oval *
oval_set_list(struct oval *st, const char *member)
{
    return member_slot(st, member, SHAPE_LIST, SHAPE_LIST);
}

static struct oval *
list_add(struct oval *list)
{
    ASSERT(list->shape && list->shape->type == SHAPE_LIST);
    if (list->u.list.n == list->u.list.cap) {
        size_t cap = list->u.list.cap ? list->u.list.cap * 2 : XML_LIST_MIN_CAP;
        struct oval **items = arena_alloc(list->arena, cap * sizeof *items);
        if (list->u.list.n) {
            memcpy(items, list->u.list.items, list->u.list.n * sizeof *items);
        }
        list->u.list.items = items;
        list->u.list.cap = cap;
    }
    struct oval *item = arena_alloc(list->arena, sizeof *item);
    init_value(item, list->arena, list->shape->member);
    list->u.list.items[list->u.list.n++] = item;
    return item;
}

struct oval *
oval_list_add_struct(struct oval *list)
{
    ASSERT(list->shape && list->shape->type == SHAPE_LIST);
    ASSERT(list->shape->member->type == SHAPE_STRUCTURE);
    return list_add(list);
}

void
oval_list_add_str(struct oval *list, const char *value)
{
    ASSERT(list->shape && list->shape->type == SHAPE_LIST);
    ASSERT(list->shape->member->type == SHAPE_STRING
           || list->shape->member->type == SHAPE_TIMESTAMP);
    list_add(list)->u.str = arena_strdup(list->arena, value);
}

size_t
oval_list_len(const struct oval *list)
{
    ASSERT(list->shape && list->shape->type == SHAPE_LIST);
    return list->u.list.n;
}

/* Encoding.  A response can hold thousands of items (4,000 network
 * interfaces are about 3 MB), so a scalar element is assembled on the stack
 * and appended with one buf_put(), and text is scanned once through a table. */

/* What a byte needs in XML text: nothing, an entity, or (a control character
 * XML 1.0 cannot carry) a replacement.  Tab and LF go as they are. */
enum text_class { TEXT_PLAIN, TEXT_ENTITY, TEXT_CONTROL };

#define C TEXT_CONTROL
static const unsigned char text_classes[256] = {
    C, C, C, C, C, C, C, C, C, TEXT_PLAIN, TEXT_PLAIN, C, C, C, C, C,
    C, C, C, C, C, C, C, C, C, C, C, C, C, C, C, C,
    ['"'] = TEXT_ENTITY, ['&'] = TEXT_ENTITY, ['\''] = TEXT_ENTITY,
    ['<'] = TEXT_ENTITY, ['>'] = TEXT_ENTITY,
};
#undef C

/* Returns the length of 's' and, in '*worst', the highest class of its bytes. */
static size_t
scan_text(const char *s, enum text_class *worst)
{
    unsigned char w = TEXT_PLAIN;
    size_t len;

    for (len = 0; s[len]; len++) {
        w |= text_classes[(unsigned char) s[len]];
    }
    /* TEXT_ENTITY | TEXT_CONTROL is 3: the control path handles both. */
    *worst = w >= TEXT_CONTROL ? TEXT_CONTROL : (enum text_class) w;
    return len;
}

/* The slow path for text with control characters: '\r' as a character
 * reference (a parser would turn a raw one into '\n'), the others as
 * U+FFFD, entities as usual. */
static void
put_text_controls(struct buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char) *s;
        if (text_classes[c] == TEXT_CONTROL) {
            buf_puts(b, c == '\r' ? "&#13;" : "\xef\xbf\xbd");
        } else if (text_classes[c] == TEXT_ENTITY) {
            char one[2] = { (char) c, '\0' };
            buf_put_xml_escaped(b, one);
        } else {
            buf_putc(b, (char) c);
        }
    }
}

static void
put_text(struct buf *b, const char *s)
{
    enum text_class worst;
    size_t len = scan_text(s, &worst);

    if (worst == TEXT_PLAIN) {
        buf_put(b, s, len);
    } else if (worst == TEXT_ENTITY) {
        buf_put_xml_escaped(b, s);
    } else {
        put_text_controls(b, s);
    }
}

/* Writes "<name>" or "</name>" with one buf_put. */
static void
put_tag(struct buf *b, const char *name, bool close)
{
    char tag[XML_TAG_MAX];
    size_t len = strlen(name);
    size_t n = 0;

    if (len + 3 > sizeof tag) {
        buf_puts(b, close ? "</" : "<");
        buf_puts(b, name);
        buf_putc(b, '>');
        return;
    }
    tag[n++] = '<';
    if (close) {
        tag[n++] = '/';
    }
    memcpy(tag + n, name, len);
    n += len;
    tag[n++] = '>';
    buf_put(b, tag, n);
}

/* Formats 'value' at the end of the 'size' bytes at 'end'; returns the start. */
static char *
format_int(char *end, int64_t value)
{
    uint64_t u = value < 0 ? 0 - (uint64_t) value : (uint64_t) value;

    do {
        *--end = (char) ('0' + u % 10);
        u /= 10;
    } while (u);
    if (value < 0) {
        *--end = '-';
    }
    return end;
}

static void put_content(struct buf *, const struct oval *);

/* Writes element 'name' around the 'len' bytes of 'text', whose bytes are at
 * worst of class 'worst' (scan_text()). */
static void
put_scalar_element(struct buf *b, const char *name, const char *text, size_t len,
                   enum text_class worst)
{
    char el[XML_ELEMENT_MAX];
    size_t name_len = strlen(name);

    if (worst != TEXT_PLAIN || 2 * name_len + len + 5 > sizeof el) {
        put_tag(b, name, false);
        if (worst == TEXT_PLAIN) {
            buf_put(b, text, len);
        } else if (worst == TEXT_ENTITY) {
            buf_put_xml_escaped(b, text);
        } else {
            put_text_controls(b, text);
        }
        put_tag(b, name, true);
        return;
    }
    size_t n = 0;
    el[n++] = '<';
    memcpy(el + n, name, name_len);
    n += name_len;
    el[n++] = '>';
    memcpy(el + n, text, len);
    n += len;
    el[n++] = '<';
    el[n++] = '/';
    memcpy(el + n, name, name_len);
    n += name_len;
    el[n++] = '>';
    buf_put(b, el, n);
}

static void
put_element(struct buf *b, const char *name, const struct oval *v)
{
    char num[32];
    const char *text;
    enum text_class worst = TEXT_PLAIN;
    size_t len;

    switch (v->shape->type) {
    case SHAPE_STRUCTURE:
        put_tag(b, name, false);
        put_content(b, v);
        put_tag(b, name, true);
        return;
    case SHAPE_LIST:
        if (v->u.list.n == 0) {
            /* AWS writes an empty set as <vpcSet/>. */
            buf_putc(b, '<');
            buf_puts(b, name);
            buf_puts(b, "/>");
            return;
        }
        put_tag(b, name, false);
        put_content(b, v);
        put_tag(b, name, true);
        return;
    case SHAPE_STRING:
    case SHAPE_TIMESTAMP:
    case SHAPE_BLOB:
        text = v->u.str;
        len = scan_text(text, &worst);
        break;
    case SHAPE_INTEGER:
    case SHAPE_LONG:
        text = format_int(num + sizeof num, v->u.i);
        len = (size_t) (num + sizeof num - text);
        break;
    case SHAPE_BOOLEAN:
        text = v->u.b ? "true" : "false";
        len = strlen(text);
        break;
    case SHAPE_DOUBLE:
    case SHAPE_FLOAT:
        /* The shortest of %.15g and %.17g that reads back as the value. */
        snprintf(num, sizeof num, "%.15g", v->u.d);
        if (strtod(num, NULL) != v->u.d) {
            snprintf(num, sizeof num, "%.17g", v->u.d);
        }
        text = num;
        len = strlen(text);
        break;
    case SHAPE_MAP:
    default:
        NOT_REACHED();
    }
    put_scalar_element(b, name, text, len, worst);
}

/* Writes the elements of structure or list 'v'. */
static void
put_content(struct buf *b, const struct oval *v)
{
    const struct shape *shape = v->shape;

    if (shape->type == SHAPE_STRUCTURE) {
        for (size_t i = 0; i < shape->n_members; i++) {
            const struct oval *m = &v->u.st.members[i];
            if (m->shape) {
                put_element(b, shape->members[i].xml_name, m);
            }
        }
    } else {
        ASSERT(shape->type == SHAPE_LIST);
        for (size_t i = 0; i < v->u.list.n; i++) {
            put_element(b, shape->member_xml_name, v->u.list.items[i]);
        }
    }
}

void
xml_encode_response(struct buf *b, const char *action, const char *request_id,
                    const struct oval *output)
{
    const struct api_operation *op = shapes_find_operation(action);

    /* An action of the tables answers with its own output shape; any other
     * name (the unit tests' hand-made shapes) with any structure. */
    ASSERT(!output || output->shape->type == SHAPE_STRUCTURE);
    ASSERT(!output || !op || output->shape == op->output);
    buf_puts(b, XML_DECLARATION "<");
    buf_puts(b, action);
    buf_puts(b, "Response xmlns=\"" XML_NAMESPACE "\"><requestId>");
    put_text(b, request_id);
    buf_puts(b, "</requestId>");
    if (output) {
        put_content(b, output);
    } else {
        buf_puts(b, "<return>true</return>");
    }
    buf_puts(b, "</");
    buf_puts(b, action);
    buf_puts(b, "Response>");
}

void
xml_encode_error(struct buf *b, const char *code, const char *message, const char *request_id)
{
    buf_puts(b, XML_DECLARATION "<Response><Errors><Error><Code>");
    put_text(b, code);
    buf_puts(b, "</Code><Message>");
    put_text(b, message);
    buf_puts(b, "</Message></Error></Errors><RequestID>");
    put_text(b, request_id);
    buf_puts(b, "</RequestID></Response>");
}
