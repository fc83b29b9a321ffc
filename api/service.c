/* service.h: authentication, decoding, dispatch, durability, encoding. */
#include "api/service.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/query.h"
#include "api/shapes.h"
#include "api/xml.h"
#include "lib/arena.h"
#include "lib/hmap.h"
#include "lib/log.h"
#include "lib/util.h"
#include "model/region.h"
#include "model/vpc.h"
#include "store/store.h"

LOG_MODULE(api);

struct key_pair {
    char *access_key;
    char *secret;
    char account[ACCOUNT_SIZE];
};

/* A ClientToken seen before (2.4): the answer it got and what was asked. */
struct idempotent_reply {
    char *key;                      /* account/region/action/token */
    uint64_t params_hash;
    int status;
    char *body;
    uint64_t seq;                   /* insertion order, for eviction */
};

struct api_service {
    struct model **model;
    struct store *store;
    struct key_pair *keys;
    size_t n_keys;
    struct arena *arena;
    struct hmap replies;            /* key -> struct idempotent_reply */
    uint64_t next_reply_seq;
};

static bool
valid_account(const char *s)
{
    return strlen(s) == 12 && strspn(s, "0123456789") == 12;
}

static void
add_key(struct api_service *svc, const char *access_key, const char *secret,
        const char *account)
{
    svc->keys = xrealloc(svc->keys, (svc->n_keys + 1) * sizeof *svc->keys);
    struct key_pair *k = &svc->keys[svc->n_keys++];
    k->access_key = xstrdup(access_key);
    k->secret = xstrdup(secret);
    str_copy(k->account, sizeof k->account, account);
}

static int
load_credentials(struct api_service *svc, const char *data_dir, char **error)
{
    char *path = xasprintf("%s/credentials", data_dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        free(path);
        return 0;
    }
    char line[1024];
    int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        char key[256], secret[256], account[64];
        lineno++;
        if (line[0] == '#' || strspn(line, " \t\r\n") == strlen(line)) {
            continue;
        }
        if (sscanf(line, "%255s %255s %63s", key, secret, account) != 3
            || !valid_account(account) || svc->n_keys >= API_MAX_KEY_PAIRS) {
            *error = xasprintf("%s:%d: expected 'ACCESS_KEY SECRET ACCOUNT' (12 digits)", path,
                               lineno);
            fclose(f);
            free(path);
            return -1;
        }
        add_key(svc, key, secret, account);
    }
    fclose(f);
    free(path);
    return 0;
}

struct api_service *
api_service_create(struct model **model, struct store *store, const char *data_dir,
                   const char *default_account, char **error)
{
    if (!valid_account(default_account)) {
        *error = xasprintf("%s: an account id is 12 digits", default_account);
        return NULL;
    }
    struct api_service *svc = xzalloc(sizeof *svc);
    svc->model = model;
    svc->store = store;
    svc->arena = arena_create();
    hmap_init(&svc->replies);
    add_key(svc, "test", "test", default_account);
    if (load_credentials(svc, data_dir, error)) {
        api_service_destroy(svc);
        return NULL;
    }
    return svc;
}

static void
forget_replies(struct api_service *svc)
{
    for (size_t i = 0; i <= svc->replies.mask; i++) {
        for (struct hmap_entry *e = svc->replies.buckets[i]; e; e = e->next) {
            struct idempotent_reply *r = e->value;
            free(r->key);
            free(r->body);
            free(r);
        }
    }
    hmap_uninit(&svc->replies);
    hmap_init(&svc->replies);
}

void
api_service_destroy(struct api_service *svc)
{
    if (!svc) {
        return;
    }
    for (size_t i = 0; i < svc->n_keys; i++) {
        free(svc->keys[i].access_key);
        free(svc->keys[i].secret);
    }
    free(svc->keys);
    forget_replies(svc);
    hmap_uninit(&svc->replies);
    arena_destroy(svc->arena);
    free(svc);
}

static void
make_request_id(char out[37])
{
    uint8_t b[16];
    random_bytes(b, sizeof b);
    b[6] = (uint8_t) ((b[6] & 0x0f) | 0x40);
    b[8] = (uint8_t) ((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
             b[13], b[14], b[15]);
}

static const struct key_pair *
find_key(const struct api_service *svc, const char *access_key)
{
    for (size_t i = 0; i < svc->n_keys; i++) {
        if (!strcmp(svc->keys[i].access_key, access_key)) {
            return &svc->keys[i];
        }
    }
    return NULL;
}

int
api_service_commit(struct api_service *svc)
{
    size_t n;
    char **keys = model_take_changes(*svc->model, &n);
    char *error = NULL;
    int rc = store_commit(svc->store, *svc->model, keys, n, &error);
    for (size_t i = 0; i < n; i++) {
        free(keys[i]);
    }
    free(keys);
    if (!rc) {
        return 0;
    }
    LOG_ERR("commit failed, reloading the model from the store: %s", error);
    free(error);
    /* The answers remembered for ClientTokens may describe what was lost. */
    forget_replies(svc);
    struct model *fresh = model_create(&(*svc->model)->config);
    if (store_load(svc->store, fresh, &error)) {
        /* The store cannot be read back: keep serving the old model rather
         * than an empty one; the next commit will try again. */
        LOG_ERR("reload failed: %s", error);
        free(error);
        model_destroy(fresh);
    } else {
        model_destroy(*svc->model);
        *svc->model = fresh;
    }
    return -1;
}

bool
api_service_has_staged(const struct api_service *svc)
{
    return (*svc->model)->n_changes > 0;
}

void
api_service_commit_failed(struct api_response *resp)
{
    char request_id[37];
    make_request_id(request_id);
    buf_clear(&resp->body);
    resp->status = err_code_status(ERR_INTERNAL_ERROR);
    resp->error_code = err_code_name(ERR_INTERNAL_ERROR);
    xml_encode_error(&resp->body, resp->error_code,
                     "An internal error has occurred: the change could not be stored.",
                     request_id);
}

/* What process() learned about the request's ClientToken. */
struct idempotency {
    const char *key;                /* NULL when the action or request has no token */
    uint64_t params_hash;
    const struct idempotent_reply *replay;  /* the earlier answer to give again */
};

static uint64_t
hash_params(const struct qparam *params, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        if (str_prefix(params[i].key, "X-Amz-") || !strcmp(params[i].key, "ClientToken")) {
            continue;
        }
        for (int part = 0; part < 2; part++) {
            for (const char *c = part ? params[i].value : params[i].key; *c; c++) {
                h = (h ^ (unsigned char) *c) * 0x100000001b3ULL;
            }
            h = (h ^ (part ? '&' : '=')) * 0x100000001b3ULL;
        }
    }
    return h;
}

/* 2.4: a replayed ClientToken with the same parameters gets the first answer
 * and changes nothing; with other parameters, IdempotentParameterMismatch. */
static int
check_client_token(struct api_service *svc, struct api_request *req, const char *account,
                   const char *region, const struct qparam *params, size_t n_params,
                   struct idempotency *idem)
{
    if (!shape_find_member(req->in->shape, "ClientToken")) {
        return 0;
    }
    const char *token = dval_str(req->in, "ClientToken");
    if (!token) {
        return 0;
    }
    if (strlen(token) > API_MAX_CLIENT_TOKEN_LEN) {
        return err_set(req->err, ERR_INVALID_PARAMETER_VALUE,
                       "Value (%.80s...) for parameter clientToken is invalid. It must be at "
                       "most %d characters.", token, API_MAX_CLIENT_TOKEN_LEN);
    }
    idem->key = arena_printf(req->arena, "%s/%s/%s/%s", account, region, req->action, token);
    idem->params_hash = hash_params(params, n_params);
    const struct idempotent_reply *seen = hmap_find(&svc->replies, idem->key);
    if (seen && seen->params_hash != idem->params_hash) {
        return err_set(req->err, ERR_IDEMPOTENT_PARAMETER_MISMATCH,
                       "Client token '%s' was already used with different parameters.",
                       token);
    }
    idem->replay = seen;
    return 0;
}

static void
remember_reply(struct api_service *svc, const struct idempotency *idem,
               const struct api_response *resp)
{
    if (svc->replies.count >= API_MAX_IDEMPOTENT_REPLIES) {
        struct idempotent_reply *oldest = NULL;
        for (size_t i = 0; i <= svc->replies.mask; i++) {
            for (struct hmap_entry *e = svc->replies.buckets[i]; e; e = e->next) {
                struct idempotent_reply *r = e->value;
                if (!oldest || r->seq < oldest->seq) {
                    oldest = r;
                }
            }
        }
        hmap_remove(&svc->replies, oldest->key);
        free(oldest->key);
        free(oldest->body);
        free(oldest);
    }
    struct idempotent_reply *r = xzalloc(sizeof *r);
    r->key = xstrdup(idem->key);
    r->params_hash = idem->params_hash;
    r->status = resp->status;
    r->body = xstrdup(resp->body.data);
    r->seq = svc->next_reply_seq++;
    hmap_insert(&svc->replies, r->key, r);
}

/* Runs the whole pipeline; returns the action's output or fills 'err'. */
static void
process(struct api_service *svc, const struct sigv4_request *http, struct api_request *req,
        struct api_response *resp, struct idempotency *idem)
{
    struct error *err = req->err;
    struct qparam *params = NULL, *query_params = NULL;
    size_t n_params = 0, n_query = 0;

    if (strcmp(http->method, "POST") && strcmp(http->method, "GET")) {
        err_set(err, ERR_INVALID_ACTION, "The HTTP method %s is not supported.", http->method);
        return;
    }
    if (http->body_size > API_MAX_BODY_SIZE) {
        err_set(err, ERR_REQUEST_ENTITY_TOO_LARGE,
                "Request body is larger than %d bytes.", API_MAX_BODY_SIZE);
        return;
    }
    /* Parameters come from the body (POST form) and the query string (GET). */
    if (query_parse_form(req->arena, http->query, strlen(http->query), &query_params, &n_query,
                         err)
        || query_parse_form(req->arena, http->body, http->body_size, &params, &n_params, err)) {
        return;
    }
    if (n_query) {
        struct qparam *all = arena_alloc(req->arena, (n_query + n_params + 1) * sizeof *all);
        memcpy(all, query_params, n_query * sizeof *all);
        if (n_params) {
            memcpy(all + n_query, params, n_params * sizeof *all);
        }
        params = all;
        n_params += n_query;
    }

    struct sigv4_credential cred;
    if (sigv4_parse(http, &cred, err)) {
        return;
    }
    const struct key_pair *key = find_key(svc, cred.access_key);
    if (!key) {
        err_set(err, ERR_AUTH_FAILURE, "AWS was not able to validate the provided access "
                "credentials");
        return;
    }
    if (sigv4_verify(http, &cred, key->secret, model_now(), err)) {
        return;
    }
    if (!region_find(cred.region)) {
        err_set(err, ERR_AUTH_FAILURE, "The region '%s' is not a region vpcd serves.",
                cred.region);
        return;
    }

    const char *action = query_find(params, n_params, "Action");
    if (!action || !action[0]) {
        err_set(err, ERR_MISSING_ACTION, "The request must contain the parameter Action");
        return;
    }
    const struct api_operation *op = shapes_find_operation(action);
    api_handler_fn *handler = op ? api_find_handler(action) : NULL;
    if (!handler) {
        err_set(err, ERR_INVALID_ACTION, "The action %s is not valid for this web service.",
                action);
        return;
    }
    req->action = op->name;
    resp->action = op->name;

    struct dval *in;
    if (query_decode(req->arena, op->input, params, n_params, &in, err)) {
        return;
    }
    req->in = in;
    req->out = op->output ? oval_new(req->arena, op->output) : NULL;

    if (check_client_token(svc, req, key->account, cred.region, params, n_params, idem)
        || idem->replay) {
        return;
    }

    struct model *m = *svc->model;
    req->model = m;
    req->scope = model_scope(m, key->account, cred.region);
    vpc_ensure_default(m, req->scope);
    m->dry_run = shape_find_member(op->input, "DryRun") && dval_bool(in, "DryRun", false);

    int rc = handler(req);
    m->dry_run = false;
    if (rc && !err_is_set(err)) {
        err_set(err, ERR_INTERNAL_ERROR, "%s failed without saying why.", action);
    }
    /* The changes (a refused request may still have made the default VPC)
     * stay staged in the model until api_service_commit(). */
}

void
api_service_handle(struct api_service *svc, const struct sigv4_request *http,
                   struct api_response *resp)
{
    struct error err;
    char request_id[37];
    uint64_t start = time_usec();

    err_clear(&err);
    make_request_id(request_id);
    arena_reset(svc->arena);
    struct api_request req = {
        .request_id = request_id,
        .arena = svc->arena,
        .err = &err,
    };
    resp->action = NULL;
    resp->error_code = NULL;
    buf_clear(&resp->body);

    struct idempotency idem = { NULL, 0, NULL };
    process(svc, http, &req, resp, &idem);

    if (idem.replay && !err_is_set(&err)) {
        resp->status = idem.replay->status;
        buf_puts(&resp->body, idem.replay->body);
    } else if (err_is_set(&err)) {
        resp->status = err_code_status(err.code);
        resp->error_code = err_code_name(err.code);
        xml_encode_error(&resp->body, resp->error_code, err.message, request_id);
    } else {
        resp->status = 200;
        xml_encode_response(&resp->body, req.action, request_id, req.out);
        if (idem.key) {
            remember_reply(svc, &idem, resp);
        }
    }
    LOG_INFO("%s %d %s %.2fms", resp->action ? resp->action : "-", resp->status,
             resp->error_code ? resp->error_code : "", (double) (time_usec() - start) / 1000.0);
}
