/* store.h: the SQLite schema, JSON documents made by walking model schemas. */
#include "store/store.h"

#include <errno.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/log.h"
#include "lib/util.h"
#include "model/model.h"
#include "model/schema.h"

LOG_MODULE(store);

enum { STORE_SCHEMA_VERSION = 1, SCOPE_KIND = -1 };

struct store {
    sqlite3 *db;
    sqlite3_stmt *upsert;
    sqlite3_stmt *delete;
    sqlite3_stmt *begin;
    sqlite3_stmt *commit;
    sqlite3_stmt *rollback;
};

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS objects ("
    "  key TEXT PRIMARY KEY,"
    "  kind INTEGER NOT NULL,"
    "  seq INTEGER NOT NULL,"
    "  body TEXT NOT NULL);"
    "INSERT OR IGNORE INTO meta VALUES ('schema_version', '1');";

static char *
db_error(sqlite3 *db, const char *what)
{
    return xasprintf("%s: %s", what, db ? sqlite3_errmsg(db) : "out of memory");
}

int
store_open(const char *dir, struct store **out, char **error)
{
    if (mkdir(dir, 0700) && errno != EEXIST) {
        int e = errno;
        *error = xasprintf("%s: cannot create data directory: %s", dir, strerror(e));
        return -e;
    }
    struct store *st = xzalloc(sizeof *st);
    char *path = xasprintf("%s/vpcd.sqlite3", dir);
    int rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        *error = xasprintf("%s: %s", path, st->db ? sqlite3_errmsg(st->db) : "cannot open");
        goto err_close;
    }
    char *msg = NULL;
    if (sqlite3_exec(st->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", NULL, NULL,
                     &msg) != SQLITE_OK
        || sqlite3_exec(st->db, schema_sql, NULL, NULL, &msg) != SQLITE_OK) {
        *error = xasprintf("%s: %s", path, msg ? msg : "cannot set up schema");
        sqlite3_free(msg);
        goto err_close;
    }
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO objects (key, kind, seq, body) VALUES (?1, ?2, ?3, ?4) "
                           "ON CONFLICT(key) DO UPDATE SET body = excluded.body",
                           -1, &st->upsert, NULL) != SQLITE_OK
        || sqlite3_prepare_v2(st->db, "DELETE FROM objects WHERE key = ?1", -1, &st->delete,
                              NULL) != SQLITE_OK
        || sqlite3_prepare_v2(st->db, "BEGIN IMMEDIATE", -1, &st->begin, NULL) != SQLITE_OK
        || sqlite3_prepare_v2(st->db, "COMMIT", -1, &st->commit, NULL) != SQLITE_OK
        || sqlite3_prepare_v2(st->db, "ROLLBACK", -1, &st->rollback, NULL) != SQLITE_OK) {
        *error = db_error(st->db, path);
        goto err_close;
    }
    free(path);
    *out = st;
    return 0;

err_close:
    free(path);
    store_close(st);
    return -EIO;
}

void
store_close(struct store *st)
{
    if (!st) {
        return;
    }
    sqlite3_finalize(st->upsert);
    sqlite3_finalize(st->delete);
    sqlite3_finalize(st->begin);
    sqlite3_finalize(st->commit);
    sqlite3_finalize(st->rollback);
    sqlite3_close(st->db);
    free(st);
}

/* Encoding: one JSON member per field, named as the field. */

static json_t *encode_fields(const struct field *, size_t n_fields, const void *obj);

static json_t *
encode_field(const struct field *f, const char *p, const char *base)
{
    char text[IP6_PREFIX_STRLEN];
    switch (f->type) {
    case FIELD_STR:
        return p[0] ? json_string(p) : NULL;
    case FIELD_PSTR:
        return *(char *const *) (const void *) p ? json_string(*(char *const *) (const void *) p)
                                                 : NULL;
    case FIELD_BOOL:
        return *(const bool *) p ? json_true() : NULL;
    case FIELD_INT:
        return json_integer(*(const int *) (const void *) p);
    case FIELD_I64:
        return json_integer(*(const int64_t *) (const void *) p);
    case FIELD_U32:
        return json_integer(*(const uint32_t *) (const void *) p);
    case FIELD_IP4:
        if (!*(const uint32_t *) (const void *) p) {
            return NULL;
        }
        ip4_format(*(const uint32_t *) (const void *) p, text);
        return json_string(text);
    case FIELD_PREFIX4:
        ip4_prefix_format((const struct ip4_prefix *) (const void *) p, text);
        return json_string(text);
    case FIELD_PREFIX6:
        ip6_prefix_format((const struct ip6_prefix *) (const void *) p, text);
        return json_string(text);
    case FIELD_ARRAY:
    case FIELD_FIXED_ARRAY: {
        size_t n = *(const size_t *) (const void *) (base + f->count_offset);
        const char *elems = f->type == FIELD_ARRAY ? *(char *const *) (const void *) p : p;
        json_t *array = json_array();
        for (size_t i = 0; i < n; i++) {
            json_array_append_new(array, encode_fields(f->sub, f->n_sub, elems + i * f->size));
        }
        return array;
    }
    }
    NOT_REACHED();
}

static json_t *
encode_fields(const struct field *fields, size_t n_fields, const void *obj)
{
    json_t *o = json_object();
    const char *base = obj;
    for (size_t i = 0; i < n_fields; i++) {
        json_t *v = encode_field(&fields[i], base + fields[i].offset, base);
        if (v) {
            json_object_set_new(o, fields[i].name, v);
        }
    }
    return o;
}

static char *
encode_resource(const struct resource *r)
{
    const struct schema *schema = model_schema(r->kind);
    json_t *o = encode_fields(schema->fields, schema->n_fields, r);
    json_object_set_new(o, "_id", json_string(r->id));
    json_object_set_new(o, "_account", json_string(r->scope->account));
    json_object_set_new(o, "_region", json_string(r->scope->region));
    if (r->vpc_id[0]) {
        json_object_set_new(o, "_vpc_id", json_string(r->vpc_id));
    }
    if (r->n_tags) {
        json_t *tags = json_array();
        for (size_t i = 0; i < r->n_tags; i++) {
            json_array_append_new(tags, json_pack("{s:s,s:s}", "key", r->tags[i].key, "value",
                                                  r->tags[i].value));
        }
        json_object_set_new(o, "_tags", tags);
    }
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return text;
}

static char *
encode_scope(const struct scope *s)
{
    json_t *o = json_pack("{s:s,s:s,s:b}", "account", s->account, "region", s->region,
                          "default_vpc_made", s->default_vpc_made);
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return text;
}

/* Decoding: the mirror of the above; a member that is absent stays zero. */

static bool decode_fields(const struct field *, size_t n_fields, json_t *o, void *obj);

static bool
decode_field(const struct field *f, json_t *v, char *p, char *base)
{
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;
    switch (f->type) {
    case FIELD_STR:
        return s && str_copy(p, f->size, s);
    case FIELD_PSTR:
        *(char **) (void *) p = s ? xstrdup(s) : NULL;
        return s != NULL;
    case FIELD_BOOL:
        *(bool *) p = json_is_true(v);
        return json_is_boolean(v);
    case FIELD_INT:
        *(int *) (void *) p = (int) json_integer_value(v);
        return json_is_integer(v);
    case FIELD_I64:
        *(int64_t *) (void *) p = json_integer_value(v);
        return json_is_integer(v);
    case FIELD_U32:
        *(uint32_t *) (void *) p = (uint32_t) json_integer_value(v);
        return json_is_integer(v);
    case FIELD_IP4:
        return s && ip4_parse(s, (uint32_t *) (void *) p);
    case FIELD_PREFIX4:
        return s && ip4_prefix_parse(s, (struct ip4_prefix *) (void *) p, NULL);
    case FIELD_PREFIX6:
        return s && ip6_prefix_parse(s, (struct ip6_prefix *) (void *) p, NULL);
    case FIELD_ARRAY:
    case FIELD_FIXED_ARRAY: {
        if (!json_is_array(v)) {
            return false;
        }
        size_t n = json_array_size(v);
        size_t *count = (size_t *) (void *) (base + f->count_offset);
        char *elems;
        if (f->type == FIELD_ARRAY) {
            elems = n ? xzalloc(n * f->size) : NULL;
            *(char **) (void *) p = elems;
        } else {
            if (n > f->max) {
                return false;
            }
            elems = p;
        }
        *count = n;
        for (size_t i = 0; i < n; i++) {
            if (!decode_fields(f->sub, f->n_sub, json_array_get(v, i), elems + i * f->size)) {
                return false;
            }
        }
        return true;
    }
    }
    NOT_REACHED();
}

static bool
decode_fields(const struct field *fields, size_t n_fields, json_t *o, void *obj)
{
    if (!json_is_object(o)) {
        return false;
    }
    for (size_t i = 0; i < n_fields; i++) {
        json_t *v = json_object_get(o, fields[i].name);
        if (v && !decode_field(&fields[i], v, (char *) obj + fields[i].offset, obj)) {
            return false;
        }
    }
    return true;
}

static int
load_scope(struct model *m, const char *body)
{
    json_t *o = json_loads(body, 0, NULL);
    const char *account = json_string_value(json_object_get(o, "account"));
    const char *region = json_string_value(json_object_get(o, "region"));
    if (!account || !region) {
        json_decref(o);
        return -1;
    }
    struct scope *s = model_scope(m, account, region);
    s->default_vpc_made = json_is_true(json_object_get(o, "default_vpc_made"));
    json_decref(o);
    return 0;
}

static int
load_resource(struct model *m, int kind, int64_t seq, const char *body)
{
    if (kind < 0 || kind >= N_RES_KINDS) {
        return -1;
    }
    json_t *o = json_loads(body, 0, NULL);
    const struct schema *schema = model_schema((enum res_kind) kind);
    struct resource *r = xzalloc(schema->size);
    const char *id = json_string_value(json_object_get(o, "_id"));
    const char *account = json_string_value(json_object_get(o, "_account"));
    const char *region = json_string_value(json_object_get(o, "_region"));
    const char *vpc_id = json_string_value(json_object_get(o, "_vpc_id"));
    struct resource *vpc = vpc_id ? model_find(m, vpc_id) : NULL;
    if (!id || !account || !region || !decode_fields(schema->fields, schema->n_fields, o, r)
        || (vpc_id && (!vpc || vpc->kind != RES_VPC)) || model_find(m, id)) {
        r->kind = (enum res_kind) kind;
        schema_free_fields(schema->fields, schema->n_fields, r);
        free(r);
        json_decref(o);
        return -1;
    }
    str_copy(r->id, sizeof r->id, id);
    r->seq = (uint64_t) seq;
    json_t *tags = json_object_get(o, "_tags");
    for (size_t i = 0; i < json_array_size(tags); i++) {
        json_t *t = json_array_get(tags, i);
        const char *key = json_string_value(json_object_get(t, "key"));
        const char *value = json_string_value(json_object_get(t, "value"));
        if (key) {
            r->tags = xrealloc(r->tags, (r->n_tags + 1) * sizeof *r->tags);
            r->tags[r->n_tags].key = xstrdup(key);
            r->tags[r->n_tags].value = xstrdup(value ? value : "");
            r->n_tags++;
        }
    }
    model_add(m, model_scope(m, account, region), r, (enum res_kind) kind, vpc);
    json_decref(o);
    return 0;
}

int
store_load(struct store *st, struct model *m, char **error)
{
    sqlite3_stmt *stmt;
    /* Scopes first, then VPCs before what lives in them, creation order within. */
    if (sqlite3_prepare_v2(st->db, "SELECT key, kind, seq, body FROM objects ORDER BY kind, seq",
                           -1, &stmt, NULL) != SQLITE_OK) {
        *error = db_error(st->db, "load");
        return -1;
    }
    int rc;
    size_t n = 0;
    m->loading = true;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *key = (const char *) sqlite3_column_text(stmt, 0);
        int kind = sqlite3_column_int(stmt, 1);
        int64_t seq = sqlite3_column_int64(stmt, 2);
        const char *body = (const char *) sqlite3_column_text(stmt, 3);
        int bad = kind == SCOPE_KIND ? load_scope(m, body) : load_resource(m, kind, seq, body);
        if (bad) {
            *error = xasprintf("stored object %s is damaged", key);
            sqlite3_finalize(stmt);
            m->loading = false;
            return -1;
        }
        n++;
    }
    sqlite3_finalize(stmt);
    m->loading = false;
    if (rc != SQLITE_DONE) {
        *error = db_error(st->db, "load");
        return -1;
    }
    model_rebuild_derived(m);
    LOG_INFO("loaded %zu objects", n);
    return 0;
}

static int
step_reset(sqlite3_stmt *stmt)
{
    int rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return rc == SQLITE_DONE ? 0 : -1;
}

static int
write_key(struct store *st, const struct model *m, const char *key)
{
    struct resource *r = model_find(m, key);
    char *body = NULL;
    int kind = 0;
    uint64_t seq = 0;
    if (r) {
        body = encode_resource(r);
        kind = (int) r->kind;
        seq = r->seq;
    } else if (str_prefix(key, "scope/")) {
        const struct scope *scope = hmap_find(&m->scopes, key);
        if (scope) {
            body = encode_scope(scope);
            kind = SCOPE_KIND;
        }
    }
    if (body) {
        sqlite3_bind_text(st->upsert, 1, key, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st->upsert, 2, kind);
        sqlite3_bind_int64(st->upsert, 3, (sqlite3_int64) seq);
        sqlite3_bind_text(st->upsert, 4, body, -1, free);
        return step_reset(st->upsert);
    }
    sqlite3_bind_text(st->delete, 1, key, -1, SQLITE_TRANSIENT);
    return step_reset(st->delete);
}

int
store_commit(struct store *st, const struct model *m, char *const *keys, size_t n_keys,
             char **error)
{
    if (!n_keys) {
        return 0;
    }
    if (step_reset(st->begin)) {
        *error = db_error(st->db, "begin");
        return -1;
    }
    for (size_t i = 0; i < n_keys; i++) {
        if (write_key(st, m, keys[i])) {
            *error = db_error(st->db, keys[i]);
            step_reset(st->rollback);
            return -1;
        }
    }
    if (step_reset(st->commit)) {
        *error = db_error(st->db, "commit");
        step_reset(st->rollback);
        return -1;
    }
    return 0;
}
