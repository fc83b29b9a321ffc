/* Route tables: routes, the local route, associations (explicit, main,
 * gateway), route state, longest-prefix lookup rules (section 7). */
#ifndef VPCD_MODEL_ROUTE_TABLE_H
#define VPCD_MODEL_ROUTE_TABLE_H

#include "model/model.h"

enum {
    ROUTE_TABLE_LIMIT_PER_VPC = 200,
    ROUTES_PER_TABLE_LIMIT = 1000,  /* AWS default 50, adjustable to 1000 */
};

enum route_target {
    ROUTE_TARGET_LOCAL,
    ROUTE_TARGET_GATEWAY,               /* igw-, vgw- */
    ROUTE_TARGET_EGRESS_ONLY_GATEWAY,   /* eigw- */
    ROUTE_TARGET_NAT_GATEWAY,
    ROUTE_TARGET_NETWORK_INTERFACE,     /* also what an instance target becomes */
    ROUTE_TARGET_INSTANCE,
    ROUTE_TARGET_VPC_PEERING,
    ROUTE_TARGET_TRANSIT_GATEWAY,
    ROUTE_TARGET_VPC_ENDPOINT,
};

enum route_origin {
    ROUTE_ORIGIN_CREATE_ROUTE_TABLE,
    ROUTE_ORIGIN_CREATE_ROUTE,
    ROUTE_ORIGIN_ENABLE_VGW_ROUTE_PROPAGATION,
};

struct route {
    bool ipv6;
    struct ip4_prefix dst;
    struct ip6_prefix dst6;
    enum route_target target;       /* stored as int */
    char target_id[ID_SIZE];        /* "local", "igw-...", "nat-...", "eni-..." */
    char instance_id[ID_SIZE];      /* for instance / ENI targets on an instance */
    enum route_origin origin;
};

struct route_table_assoc {
    char id[ID_SIZE];               /* "rtbassoc-..." */
    bool main;
    char subnet_id[ID_SIZE];        /* or "" */
    char gateway_id[ID_SIZE];       /* edge association, or "" */
};

struct route_table {
    struct resource r;
    struct route *routes;
    size_t n_routes;
    struct route_table_assoc *assocs;
    size_t n_assocs;
};

static inline struct route_table *
route_table_cast(struct resource *r)
{
    return r ? CONTAINER_OF(r, struct route_table, r) : NULL;
}

/* A new table with one local route per VPC CIDR. */
int route_table_create(struct model *, struct vpc *, struct route_table **out,
                       struct error *err);
int route_table_delete(struct model *, struct route_table *, struct error *err);
/* Adds the local route of a new VPC block to every table of the VPC / removes it. */
void route_table_add_local_routes(struct model *, struct vpc *, const struct ip4_prefix *);
void route_table_remove_local_routes(struct model *, struct vpc *, const struct ip4_prefix *);

/* Makes 'rtb' the main table of its VPC (a new VPC's first table). */
void route_table_make_main(struct model *, struct route_table *);
/* CreateRoute for an IPv4 destination: RouteAlreadyExists for a duplicate,
 * target checks per kind (an internet gateway must be attached to this VPC). */
int route_table_add_route(struct model *, struct route_table *, const struct ip4_prefix *dst,
                          enum route_target, const char *target_id, struct error *err);

/* Route state as AWS reports it now: "active" or "blackhole". */
const char *route_state(const struct model *, const struct route_table *, const struct route *);

/* Finds the association 'assoc_id' in the scope; NULL if none. */
struct route_table *route_table_find_assoc(const struct model *, const struct scope *,
                                           const char *assoc_id, size_t *index);
/* The explicit association of 'subnet_id' in the VPC, or NULL. */
struct route_table *route_table_of_subnet(const struct model *, const struct vpc *,
                                          const char *subnet_id, size_t *index);

#endif
