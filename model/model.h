/* The VPC object model: every resource vpcd serves, with AWS's rules about it.
 *
 * Pure C: no I/O, no HTTP, no SQLite.  One 'struct model' holds every account
 * and region.  Each resource begins with a 'struct resource' header (id, kind,
 * owner scope, creation sequence, tags) and sits on two lists: its scope's
 * list of that kind (account + region, creation order) and, for resources that
 * live in a VPC, that VPC's list of that kind, so a vpc-id filter never scans
 * the account.  Every id is in one hash map.
 *
 * References between resources are ids, not pointers: a route names its target
 * "igw-...", an association names its subnet.  Lookups are O(1) through the
 * id map, and a stored object needs no pointer fix-up when it is loaded.
 *
 * Changes: an operation validates everything first and only then mutates, so
 * a refused request changes nothing.  Each mutation records the keys it
 * touched in the model's change set; the daemon hands that set to store/ to
 * persist in one transaction before it answers (model_take_changes()).
 *
 * The per-family operations are declared in their own headers (vpc.h,
 * subnet.h, ...); this header is the shared core. */
#ifndef VPCD_MODEL_MODEL_H
#define VPCD_MODEL_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/hmap.h"
#include "lib/list.h"
#include "model/error.h"
#include "net/ipaddr.h"

struct vpc;
struct subnet;
struct route_table;
struct network_acl;
struct security_group;
struct internet_gateway;
struct address;
struct network_interface;
struct nat_gateway;
struct instance;

enum {
    ID_SIZE = 40,               /* "vpc-cidr-assoc-" + 17 hex + NUL fits */
    ID_HEX_DIGITS = 17,
    ACCOUNT_SIZE = 13,          /* 12 digits + NUL */
    REGION_SIZE = 32,
    AZ_SIZE = 40,
    AZ_ID_SIZE = 16,
    MAC_SIZE = 18,
};

/* Resource kinds: RES(ENUM, id prefix, TagSpecification ResourceType,
 *                     NotFound error, Malformed error, lives in a VPC) */
#define RESOURCE_KINDS \
    RES(VPC, "vpc", "vpc", VPC_NOT_FOUND, VPC_ID_MALFORMED, false) \
    RES(SUBNET, "subnet", "subnet", SUBNET_NOT_FOUND, SUBNET_ID_MALFORMED, true) \
    RES(ROUTE_TABLE, "rtb", "route-table", ROUTE_TABLE_NOT_FOUND, ROUTE_TABLE_ID_MALFORMED, true) \
    RES(NETWORK_ACL, "acl", "network-acl", NETWORK_ACL_NOT_FOUND, NETWORK_ACL_ID_MALFORMED, true) \
    RES(SECURITY_GROUP, "sg", "security-group", GROUP_ID_NOT_FOUND, GROUP_ID_MALFORMED, true) \
    RES(INTERNET_GATEWAY, "igw", "internet-gateway", INTERNET_GATEWAY_NOT_FOUND, \
        INTERNET_GATEWAY_ID_MALFORMED, false) \
    RES(ADDRESS, "eipalloc", "elastic-ip", ALLOCATION_NOT_FOUND, ALLOCATION_ID_MALFORMED, false) \
    RES(NETWORK_INTERFACE, "eni", "network-interface", NETWORK_INTERFACE_NOT_FOUND, \
        NETWORK_INTERFACE_ID_MALFORMED, true) \
    RES(NAT_GATEWAY, "nat", "natgateway", NAT_GATEWAY_NOT_FOUND, NAT_GATEWAY_ID_MALFORMED, true) \
    RES(INSTANCE, "i", "instance", INSTANCE_NOT_FOUND, INSTANCE_ID_MALFORMED, true)

enum res_kind {
#define RES(ENUM, PREFIX, TAGTYPE, NOTFOUND, MALFORMED, IN_VPC) RES_##ENUM,
    RESOURCE_KINDS
#undef RES
    N_RES_KINDS
};

struct res_kind_info {
    const char *id_prefix;          /* "vpc" */
    const char *tag_type;           /* TagSpecification ResourceType, "vpc" */
    enum err_code not_found;
    enum err_code malformed;
    bool in_vpc;
};
const struct res_kind_info *res_kind_info(enum res_kind);

struct tag {
    char *key;                      /* heap, owned */
    char *value;                    /* heap, owned, "" when none */
};

/* One account in one region: the unit of ownership and of listing. */
struct scope {
    char account[ACCOUNT_SIZE];
    char region[REGION_SIZE];
    char key[ACCOUNT_SIZE + REGION_SIZE + 8];   /* "scope/<account>/<region>", its store key */
    struct list resources[N_RES_KINDS];         /* of struct resource, by scope_node */
    size_t n_resources[N_RES_KINDS];
    bool default_vpc_made;          /* the default VPC was created once (AWS makes it once) */
};

/* The header every resource starts with. */
struct resource {
    char id[ID_SIZE];
    enum res_kind kind;
    struct scope *scope;
    uint64_t seq;                   /* creation order, unique, never reused */
    char vpc_id[ID_SIZE];           /* owning VPC for kinds that live in one, else "" */
    struct tag *tags;
    size_t n_tags;
    struct list scope_node;
    struct list vpc_node;           /* on the VPC's children[kind]; self-linked if none */
};

/* Options of the model as a whole. */
struct model_config {
    bool default_vpc;               /* make a default VPC per account and region */
    struct ip4_prefix public_pool;  /* where public IPs and EIPs come from */
};

struct model {
    struct model_config config;
    struct hmap scopes;             /* scope key -> struct scope */
    struct hmap ids;                /* id -> struct resource */
    uint64_t next_seq;
    uint64_t *public_ips_used;      /* bitmap over config.public_pool */
    /* Keys touched since the last model_take_changes(): ids of resources (a key
     * no longer found was deleted) and scope keys. */
    char **changes;
    size_t n_changes, cap_changes;
    bool dry_run;                   /* the current request only checks (DryRun=true) */
    bool loading;                   /* store/ is filling the model: nothing to record */
    uint64_t version;               /* counts changes; the data plane resyncs when it moves */
};

/* Control thread only (the whole model is single-threaded). */
struct model *model_create(const struct model_config *);
void model_destroy(struct model *);

/* The scope for 'account' and 'region', created if new (creation is recorded
 * as a change).  Regions are validated by region_is_known() beforehand. */
struct scope *model_scope(struct model *, const char *account, const char *region);
struct scope *model_find_scope(const struct model *, const char *account, const char *region);

/* Looks 'id' up; NULL if missing or of another kind, or owned by another scope. */
struct resource *model_find(const struct model *, const char *id);
struct resource *model_find_in(const struct model *, const struct scope *, enum res_kind,
                               const char *id);
/* Like model_find_in(), but fills 'err' with the kind's Malformed error when
 * 'id' cannot be an id of that kind, and NotFound when it does not exist:
 * "The vpc ID 'vpc-1' does not exist". */
struct resource *model_get(const struct model *, const struct scope *, enum res_kind,
                           const char *id, struct error *err);

/* Creates the id of a new resource: "<prefix>-<17 hex>", never used before. */
void model_new_id(struct model *, const char *prefix, char out[ID_SIZE]);
/* Registers 'r' (allocated by the caller, 'r->id' set) as a new resource of
 * 'kind' in 'scope' and, if 'vpc' is non-NULL, in that VPC; records the change. */
void model_add(struct model *, struct scope *, struct resource *r, enum res_kind,
               struct resource *vpc);
/* Unlinks and frees 'r' (through its kind's free function); records the change. */
void model_remove(struct model *, struct resource *r);
/* Records that 'r' changed (or that the key changed). */
void model_touch(struct model *, const struct resource *r);
void model_touch_key(struct model *, const char *key);

/* Every mutating operation calls this after its checks and before its first
 * change: with the request's DryRun set it fills 'err' with DryRunOperation
 * and returns -1, so a dry run checks everything and changes nothing. */
int model_dry_run(const struct model *, struct error *err);

/* The id of the scope's default DHCP options set ("dopt-" + 8 hex), the same
 * for every VPC of the scope. */
void model_default_dhcp_options_id(const struct model *, const struct scope *, char out[ID_SIZE]);

/* Recomputes what is derived rather than stored (subnet address use, the
 * public addresses taken) after a load. */
void model_rebuild_derived(struct model *);

/* Hands the change set to the caller: an array of keys, caller frees each
 * key and the array. */
char **model_take_changes(struct model *, size_t *n);

/* Tags: the resource's tags, replaced or added by key (CreateTags overwrites). */
int tags_validate(const char *const *keys, const char *const *values, size_t n,
                  size_t n_existing, struct error *err);
void tags_set(struct model *, struct resource *, const char *key, const char *value);
/* Removes 'key' if its value is 'value' (NULL: any value); returns whether removed. */
bool tags_delete(struct model *, struct resource *, const char *key, const char *value);
const char *tags_get(const struct resource *, const char *key);
void tags_free(struct resource *);

/* Public addresses from the configured pool. */
bool model_public_ip_alloc(struct model *, uint32_t *addr);
void model_public_ip_release(struct model *, uint32_t addr);
void model_public_ip_mark(struct model *, uint32_t addr);   /* used while loading */

/* Current wall time, seconds since the epoch; tests may set it. */
int64_t model_now(void);
void model_set_clock(int64_t (*clock)(void));
/* "2026-11-28T15:00:00.000Z" */
void model_format_time(int64_t t, char out[32]);

#endif
