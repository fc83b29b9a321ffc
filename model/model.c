/* model.h: scopes, the id map, resource registration, the change set, the
 * public address pool and the clock.  The tag primitives are in tags.c. */
#include "model/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/util.h"
#include "model/schema.h"
#include "model/address.h"
#include "model/nat_gateway.h"
#include "model/network_interface.h"
#include "model/subnet.h"
#include "model/vpc.h"

static const struct res_kind_info kinds[N_RES_KINDS] = {
#define RES(ENUM, PREFIX, TAGTYPE, NOTFOUND, MALFORMED, IN_VPC) \
    [RES_##ENUM] = { PREFIX, TAGTYPE, ERR_##NOTFOUND, ERR_##MALFORMED, IN_VPC },
    RESOURCE_KINDS
#undef RES
};

const struct res_kind_info *
res_kind_info(enum res_kind kind)
{
    ASSERT(kind < N_RES_KINDS);
    return &kinds[kind];
}

struct model *
model_create(const struct model_config *config)
{
    struct model *m = xzalloc(sizeof *m);
    m->config = *config;
    hmap_init(&m->scopes);
    hmap_init(&m->ids);
    m->next_seq = 1;
    m->public_ips_used = xzalloc((ip4_prefix_size(&config->public_pool) + 63) / 64 * 8);
    return m;
}

static void
free_resource(struct resource *r)
{
    const struct schema *schema = model_schema(r->kind);
    if (r->kind == RES_SUBNET) {
        subnet_free_derived(subnet_cast(r));
    }
    schema_free_fields(schema->fields, schema->n_fields, r);
    tags_free(r);
    free(r);
}

void
model_destroy(struct model *m)
{
    if (!m) {
        return;
    }
    for (size_t i = 0; i <= m->ids.mask; i++) {
        for (struct hmap_entry *e = m->ids.buckets[i]; e; e = e->next) {
            free_resource(e->value);
        }
    }
    hmap_uninit(&m->ids);
    for (size_t i = 0; i <= m->scopes.mask; i++) {
        for (struct hmap_entry *e = m->scopes.buckets[i]; e; e = e->next) {
            free(e->value);
        }
    }
    hmap_uninit(&m->scopes);
    for (size_t i = 0; i < m->n_changes; i++) {
        free(m->changes[i]);
    }
    free(m->changes);
    free(m->public_ips_used);
    free(m);
}

static void
scope_key(const char *account, const char *region, char *out, size_t size)
{
    snprintf(out, size, "scope/%s/%s", account, region);
}

struct scope *
model_find_scope(const struct model *m, const char *account, const char *region)
{
    char key[ACCOUNT_SIZE + REGION_SIZE + 8];
    scope_key(account, region, key, sizeof key);
    return hmap_find(&m->scopes, key);
}

struct scope *
model_scope(struct model *m, const char *account, const char *region)
{
    struct scope *s = model_find_scope(m, account, region);
    if (s) {
        return s;
    }
    s = xzalloc(sizeof *s);
    str_copy(s->account, sizeof s->account, account);
    str_copy(s->region, sizeof s->region, region);
    scope_key(s->account, s->region, s->key, sizeof s->key);
    for (size_t i = 0; i < N_RES_KINDS; i++) {
        list_init(&s->resources[i]);
    }
    hmap_insert(&m->scopes, s->key, s);
    model_touch_key(m, s->key);
    return s;
}

struct resource *
model_find(const struct model *m, const char *id)
{
    return hmap_find(&m->ids, id);
}

struct resource *
model_find_in(const struct model *m, const struct scope *scope, enum res_kind kind,
              const char *id)
{
    struct resource *r = hmap_find(&m->ids, id);
    return r && r->kind == kind && r->scope == scope ? r : NULL;
}

/* Whether 'id' has the form "<prefix>-<hex>" AWS accepts for 'kind': 8 or 17
 * lower-case hex digits after the prefix. */
static bool
id_well_formed(enum res_kind kind, const char *id)
{
    const char *prefix = kinds[kind].id_prefix;
    size_t plen = strlen(prefix);
    if (strncmp(id, prefix, plen) || id[plen] != '-') {
        return false;
    }
    const char *hex = id + plen + 1;
    size_t n = strspn(hex, "0123456789abcdef");
    return hex[n] == '\0' && (n == 8 || n == ID_HEX_DIGITS);
}

struct resource *
model_get(const struct model *m, const struct scope *scope, enum res_kind kind, const char *id,
          struct error *err)
{
    struct resource *r = model_find_in(m, scope, kind, id);
    if (r) {
        return r;
    }
    const char *prefix = kinds[kind].id_prefix;
    if (!id_well_formed(kind, id)) {
        err_set(err, kinds[kind].malformed, "Invalid id: \"%s\" (expecting \"%s-...\")", id,
                prefix);
    } else if (kind == RES_SECURITY_GROUP) {
        err_set(err, ERR_GROUP_NOT_FOUND, "The security group '%s' does not exist", id);
    } else if (kind == RES_NAT_GATEWAY) {
        err_set(err, kinds[kind].not_found, "The Nat Gateway %s was not found", id);
    } else if (kind == RES_ADDRESS) {
        err_set(err, kinds[kind].not_found, "The allocation ID '%s' does not exist", id);
    } else {
        static const char *const nouns[N_RES_KINDS] = {
            [RES_VPC] = "vpc",
            [RES_SUBNET] = "subnet",
            [RES_ROUTE_TABLE] = "routeTable",
            [RES_NETWORK_ACL] = "networkAcl",
            [RES_INTERNET_GATEWAY] = "internetGateway",
            [RES_NETWORK_INTERFACE] = "networkInterface",
            [RES_INSTANCE] = "instance",
        };
        err_set(err, kinds[kind].not_found, "The %s ID '%s' does not exist", nouns[kind], id);
    }
    return NULL;
}

void
model_new_id(struct model *m, const char *prefix, char out[ID_SIZE])
{
    for (;;) {
        uint8_t bytes[9];
        random_bytes(bytes, sizeof bytes);
        int n = snprintf(out, ID_SIZE, "%s-", prefix);
        ASSERT(n > 0 && (size_t) n + ID_HEX_DIGITS < ID_SIZE);
        for (int i = 0; i < ID_HEX_DIGITS; i++) {
            out[n + i] = "0123456789abcdef"[(bytes[i / 2] >> (i % 2 ? 0 : 4)) & 15];
        }
        out[n + ID_HEX_DIGITS] = '\0';
        /* 68 random bits: a clash is astronomically rare, but ids never repeat. */
        if (!hmap_find(&m->ids, out)) {
            return;
        }
    }
}

void
model_add(struct model *m, struct scope *scope, struct resource *r, enum res_kind kind,
          struct resource *vpc)
{
    r->kind = kind;
    r->scope = scope;
    if (!r->seq) {
        r->seq = m->next_seq++;
    } else if (r->seq >= m->next_seq) {
        m->next_seq = r->seq + 1;
    }
    list_push_back(&scope->resources[kind], &r->scope_node);
    scope->n_resources[kind]++;
    if (kind == RES_VPC) {
        for (size_t i = 0; i < N_RES_KINDS; i++) {
            list_init(&vpc_cast(r)->children[i]);
        }
    }
    list_init(&r->vpc_node);
    if (vpc) {
        ASSERT(vpc->kind == RES_VPC);
        str_copy(r->vpc_id, sizeof r->vpc_id, vpc->id);
        list_push_back(&vpc_cast(vpc)->children[kind], &r->vpc_node);
    }
    ASSERT(hmap_insert(&m->ids, r->id, r));
    model_touch(m, r);
}

void
model_remove(struct model *m, struct resource *r)
{
    model_touch(m, r);
    ASSERT(hmap_remove(&m->ids, r->id) == r);
    list_remove(&r->scope_node);
    r->scope->n_resources[r->kind]--;
    list_remove(&r->vpc_node);
    free_resource(r);
}

void
model_touch_key(struct model *m, const char *key)
{
    if (m->loading) {
        return;
    }
    m->version++;
    /* A request touches a handful of keys; a linear check keeps the set small. */
    for (size_t i = 0; i < m->n_changes; i++) {
        if (!strcmp(m->changes[i], key)) {
            return;
        }
    }
    if (m->n_changes == m->cap_changes) {
        m->cap_changes = m->cap_changes ? m->cap_changes * 2 : 16;
        m->changes = xrealloc(m->changes, m->cap_changes * sizeof *m->changes);
    }
    m->changes[m->n_changes++] = xstrdup(key);
}

void
model_touch(struct model *m, const struct resource *r)
{
    model_touch_key(m, r->id);
}

char **
model_take_changes(struct model *m, size_t *n)
{
    char **changes = m->changes;
    *n = m->n_changes;
    m->changes = NULL;
    m->n_changes = m->cap_changes = 0;
    return changes;
}

/* The public pool hands out its lowest free address; the pool's own network
 * and broadcast addresses are never used. */
bool
model_public_ip_alloc(struct model *m, uint32_t *addr)
{
    uint64_t size = ip4_prefix_size(&m->config.public_pool);
    for (uint64_t i = 1; i + 1 < size; i++) {
        if (!(m->public_ips_used[i / 64] & (1ULL << (i % 64)))) {
            m->public_ips_used[i / 64] |= 1ULL << (i % 64);
            *addr = m->config.public_pool.addr + (uint32_t) i;
            return true;
        }
    }
    return false;
}

void
model_public_ip_mark(struct model *m, uint32_t addr)
{
    if (ip4_prefix_has(&m->config.public_pool, addr)) {
        uint32_t i = addr - m->config.public_pool.addr;
        m->public_ips_used[i / 64] |= 1ULL << (i % 64);
    }
}

void
model_public_ip_release(struct model *m, uint32_t addr)
{
    if (ip4_prefix_has(&m->config.public_pool, addr)) {
        uint32_t i = addr - m->config.public_pool.addr;
        m->public_ips_used[i / 64] &= ~(1ULL << (i % 64));
    }
}

static int64_t (*model_clock)(void) = time_wall_sec;

int64_t
model_now(void)
{
    return model_clock();
}

void
model_set_clock(int64_t (*clock)(void))
{
    model_clock = clock ? clock : time_wall_sec;
}

void
model_format_time(int64_t t, char out[32])
{
    time_t tt = (time_t) t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
}

int
model_dry_run(const struct model *m, struct error *err)
{
    if (m->dry_run) {
        return err_set(err, ERR_DRY_RUN_OPERATION,
                       "Request would have succeeded, but DryRun flag is set.");
    }
    return 0;
}

void
model_default_dhcp_options_id(const struct model *m, const struct scope *scope,
                              char out[ID_SIZE])
{
    (void) m;
    uint64_t h = hmap_hash(scope->key);
    snprintf(out, ID_SIZE, "dopt-%08x", (unsigned) (h ^ (h >> 32)));
}

void
model_rebuild_derived(struct model *m)
{
    for (size_t i = 0; i <= m->ids.mask; i++) {
        for (struct hmap_entry *e = m->ids.buckets[i]; e; e = e->next) {
            struct resource *r = e->value;
            if (r->kind == RES_SUBNET) {
                subnet_init_derived(subnet_cast(r));
            }
        }
    }
    for (size_t i = 0; i <= m->ids.mask; i++) {
        for (struct hmap_entry *e = m->ids.buckets[i]; e; e = e->next) {
            struct resource *r = e->value;
            if (r->kind == RES_NETWORK_INTERFACE) {
                struct network_interface *eni = network_interface_cast(r);
                struct subnet *subnet = subnet_cast(model_find(m, eni->subnet_id));
                for (size_t j = 0; subnet && j < eni->n_ips; j++) {
                    uint32_t got;
                    subnet_take_addr(subnet, eni->ips[j].addr, &got, NULL);
                }
                if (eni->public_ip) {
                    model_public_ip_mark(m, eni->public_ip);
                }
            } else if (r->kind == RES_ADDRESS) {
                model_public_ip_mark(m, address_cast(r)->public_ip);
            }
        }
    }
}
