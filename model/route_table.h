/* Route tables: routes, the local route, associations (explicit, main,
 * gateway), route state (vpc-semantics.md section 7).
 *
 * A table holds routes and associations.  Every table has one local route per
 * IPv4 block of its VPC (origin CreateRouteTable); that route can't be
 * deleted, but its target may be swapped for a network interface (a
 * middlebox) and restored with ReplaceRoute LocalTarget=true, so "the local
 * route" is recognised by its origin, not by its target.
 *
 * Associations: the main association (main=true, no subnet) marks the VPC's
 * main table, which serves every subnet without an explicit association; a
 * subnet association (rtbassoc- with subnetId) overrides it; a gateway (edge)
 * association (gatewayId=igw-...) steers traffic entering the VPC through that
 * gateway and restricts the table to local and middlebox routes.
 *
 * Route state is derived, never stored: "blackhole" when the target is gone
 * or unusable right now, computed on every read by route_state(). */
#ifndef VPCD_MODEL_ROUTE_TABLE_H
#define VPCD_MODEL_ROUTE_TABLE_H

#include "model/filter.h"
#include "model/model.h"

enum {
    ROUTE_TABLE_LIMIT_PER_VPC = 200,
    ROUTES_PER_TABLE_LIMIT = 1000,  /* per address family; AWS default 50, adjustable to 1000 */
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
    N_ROUTE_TARGETS
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
    char instance_id[ID_SIZE];      /* the instance named by an InstanceId target, or "" */
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

/* The route made with the table for a VPC block (its target may have been
 * replaced by a network interface). */
static inline bool
route_is_local(const struct route *route)
{
    return route->origin == ROUTE_ORIGIN_CREATE_ROUTE_TABLE;
}

/* What CreateRoute, ReplaceRoute and DeleteRoute name: the destination
 * (exactly one of the three) and, except for DeleteRoute, the target: the id
 * given for each kind of target (NULL where absent; exactly one must be
 * given).  'targets[ROUTE_TARGET_LOCAL]' is "local" for ReplaceRoute
 * LocalTarget=true; GatewayId is dispatched on its prefix ("local", "igw-",
 * "nat-"). */
struct route_spec {
    bool has_dst;
    struct ip4_prefix dst;          /* DestinationCidrBlock, canonical */
    bool has_dst6;
    struct ip6_prefix dst6;         /* DestinationIpv6CidrBlock, canonical */
    const char *prefix_list_id;     /* DestinationPrefixListId, or NULL */
    const char *targets[N_ROUTE_TARGETS];
};

/* Tables. */

/* A new table with one local route per VPC CIDR; RouteTableLimitExceeded past
 * ROUTE_TABLE_LIMIT_PER_VPC. */
int route_table_create(struct model *, struct vpc *, struct route_table **out,
                       struct error *err);
/* DependencyViolation while the table has any association (so the main table
 * can never be deleted). */
int route_table_delete(struct model *, struct route_table *, struct error *err);
/* Adds the local route of a new VPC block to every table of the VPC / removes it. */
void route_table_add_local_routes(struct model *, struct vpc *, const struct ip4_prefix *);
void route_table_remove_local_routes(struct model *, struct vpc *, const struct ip4_prefix *);
/* Makes 'rtb' the main table of its VPC (a new VPC's first table). */
void route_table_make_main(struct model *, struct route_table *);
/* Whether 'rtb' holds the VPC's main association / a gateway association. */
bool route_table_is_main(const struct route_table *);
bool route_table_has_gateway_assoc(const struct route_table *);

/* Routes. */

/* CreateRoute: one destination, one target that exists in the caller's scope
 * and serves the table's VPC; RouteAlreadyExists for a duplicate; the rules
 * for routes more specific than the local route, for gateway tables, for
 * reserved destinations and the per-family limit. */
int route_table_create_route(struct model *, struct route_table *, const struct route_spec *,
                             struct error *err);
/* ReplaceRoute: InvalidRoute.NotFound without a route for the destination; the
 * local route takes only a network interface (or LocalTarget to restore it). */
int route_table_replace_route(struct model *, struct route_table *, const struct route_spec *,
                              struct error *err);
/* DeleteRoute (the spec's targets are ignored): the local route stays. */
int route_table_delete_route(struct model *, struct route_table *, const struct route_spec *,
                             struct error *err);
/* CreateRoute for an IPv4 destination and one target (the default VPC's
 * 0.0.0.0/0 to its internet gateway). */
int route_table_add_route(struct model *, struct route_table *, const struct ip4_prefix *dst,
                          enum route_target, const char *target_id, struct error *err);
/* The route of 'rtb' for the spec's destination, or NULL. */
struct route *route_table_find_route(struct route_table *, const struct route_spec *);

/* Route state as AWS reports it now: "active" or "blackhole" (target gone,
 * an internet gateway not attached to the VPC, a NAT gateway deleting, deleted
 * or failed, a network interface deleted or not attached). */
const char *route_state(const struct model *, const struct route_table *, const struct route *);
/* "CreateRouteTable", "CreateRoute", "EnableVgwRoutePropagation". */
const char *route_origin_name(enum route_origin);
/* The instance a route leads to (through its network interface's attachment),
 * or NULL. */
const char *route_instance_id(const struct model *, const struct route *);

/* Associations. */

/* AssociateRouteTable: exactly one of 'subnet_id' and 'gateway_id' (NULL when
 * absent).  A subnet of the same VPC not yet explicitly associated
 * (Resource.AlreadyAssociated), or an internet gateway attached to the VPC
 * with no table yet, for a non-main table whose routes suit a gateway table.
 * Fills '*out' with a copy of the new association. */
int route_table_associate(struct model *, struct route_table *, const char *subnet_id,
                          const char *gateway_id, struct route_table_assoc *out,
                          struct error *err);
/* DisassociateRouteTable: the subnet returns to the main table; the main
 * association can't be removed (InvalidParameterValue). */
int route_table_disassociate(struct model *, struct scope *, const char *assoc_id,
                             struct error *err);
/* ReplaceRouteTableAssociation: moves association 'assoc_id' to 'rtb' under a
 * new id (given the main association, 'rtb' becomes the main table).  Fills
 * '*out' with a copy of the new association. */
int route_table_replace_assoc(struct model *, struct scope *, const char *assoc_id,
                              struct route_table *, struct route_table_assoc *out,
                              struct error *err);

/* Finds the association 'assoc_id' in the scope; NULL if none. */
struct route_table *route_table_find_assoc(const struct model *, const struct scope *,
                                           const char *assoc_id, size_t *index);
/* The explicit association of 'subnet_id' in the VPC, or NULL. */
struct route_table *route_table_of_subnet(const struct model *, const struct vpc *,
                                          const char *subnet_id, size_t *index);

/* DescribeRouteTables filters. */
extern const struct filter_def route_table_filters[];
extern const size_t route_table_n_filters;

#endif
