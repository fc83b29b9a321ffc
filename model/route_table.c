/* route_table.h: route tables, routes and associations (vpc-semantics.md
 * section 7). */
#include "model/route_table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "model/instance.h"
#include "model/internet_gateway.h"
#include "model/nat_gateway.h"
#include "model/network_interface.h"
#include "model/schema.h"
#include "model/subnet.h"
#include "model/vpc.h"

static const struct field route_fields[] = {
    F_BOOL(struct route, ipv6),
    F_PREFIX4(struct route, dst),
    F_PREFIX6(struct route, dst6),
    F_INT(struct route, target),
    F_STR(struct route, target_id),
    F_STR(struct route, instance_id),
    F_INT(struct route, origin),
};

static const struct field assoc_fields[] = {
    F_STR(struct route_table_assoc, id),
    F_BOOL(struct route_table_assoc, main),
    F_STR(struct route_table_assoc, subnet_id),
    F_STR(struct route_table_assoc, gateway_id),
};

static const struct field route_table_fields[] = {
    F_ARRAY(struct route_table, routes, n_routes, struct route, route_fields),
    F_ARRAY(struct route_table, assocs, n_assocs, struct route_table_assoc, assoc_fields),
};

const struct schema route_table_schema = SCHEMA(struct route_table, route_table_fields);

/* Section 7: destinations equal to or inside these are refused (supersets are
 * allowed; those addresses are never forwarded anyway). */
static const struct ip4_prefix reserved_dst4 = { 0xa9fea800, 22 };     /* 169.254.168.0/22 */
static const struct ip6_prefix reserved_dst6 = {
    { { 0xfd, 0x00, 0x0e, 0xc2 } }, 32                                  /* fd00:ec2::/32 */
};

/* The request member each target comes from, as AWS names it in messages. */
static const char *const target_params[N_ROUTE_TARGETS] = {
    [ROUTE_TARGET_LOCAL] = "localTarget",
    [ROUTE_TARGET_GATEWAY] = "gatewayId",
    [ROUTE_TARGET_EGRESS_ONLY_GATEWAY] = "egressOnlyInternetGatewayId",
    [ROUTE_TARGET_NAT_GATEWAY] = "natGatewayId",
    [ROUTE_TARGET_NETWORK_INTERFACE] = "networkInterfaceId",
    [ROUTE_TARGET_INSTANCE] = "instanceId",
    [ROUTE_TARGET_VPC_PEERING] = "vpcPeeringConnectionId",
    [ROUTE_TARGET_TRANSIT_GATEWAY] = "transitGatewayId",
    [ROUTE_TARGET_VPC_ENDPOINT] = "vpcEndpointId",
};

static struct vpc *
vpc_of(const struct model *m, const struct route_table *rtb)
{
    return vpc_cast(model_find(m, rtb->r.vpc_id));
}

static void
format_dst(const struct route *route, char out[IP6_PREFIX_STRLEN])
{
    if (route->ipv6) {
        ip6_prefix_format(&route->dst6, out);
    } else {
        ip4_prefix_format(&route->dst, out);
    }
}

static bool
same_dst(const struct route *a, const struct route *b)
{
    return a->ipv6 == b->ipv6
           && (a->ipv6 ? ip6_prefix_equal(&a->dst6, &b->dst6) : ip4_prefix_equal(&a->dst, &b->dst));
}

static struct route *
find_route(struct route_table *rtb, const struct route *key)
{
    for (size_t i = 0; i < rtb->n_routes; i++) {
        if (same_dst(&rtb->routes[i], key)) {
            return &rtb->routes[i];
        }
    }
    return NULL;
}

static struct route *
append_route(struct route_table *rtb)
{
    rtb->routes = xrealloc(rtb->routes, (rtb->n_routes + 1) * sizeof *rtb->routes);
    struct route *route = &rtb->routes[rtb->n_routes++];
    memset(route, 0, sizeof *route);
    return route;
}

static void
append_local_route(struct route_table *rtb, const struct ip4_prefix *cidr)
{
    struct route *route = append_route(rtb);
    route->dst = *cidr;
    route->target = ROUTE_TARGET_LOCAL;
    str_copy(route->target_id, sizeof route->target_id, "local");
    route->origin = ROUTE_ORIGIN_CREATE_ROUTE_TABLE;
}

static bool
is_subnet_cidr(const struct vpc *vpc, const struct ip4_prefix *cidr)
{
    struct resource *r;
    LIST_FOR_EACH (r, vpc_node, &vpc->children[RES_SUBNET]) {
        if (ip4_prefix_equal(&subnet_cast(r)->cidr, cidr)) {
            return true;
        }
    }
    return false;
}

/* Tables. */

int
route_table_create(struct model *m, struct vpc *vpc, struct route_table **out,
                   struct error *err)
{
    if (list_size(&vpc->children[RES_ROUTE_TABLE]) >= ROUTE_TABLE_LIMIT_PER_VPC) {
        return err_set(err, ERR_ROUTE_TABLE_LIMIT_EXCEEDED,
                       "The maximum number of route tables has been reached for %s.",
                       vpc->r.id);
    }
    if (model_dry_run(m, err)) {
        return -1;
    }
    struct route_table *rtb = xzalloc(sizeof *rtb);
    model_new_id(m, "rtb", rtb->r.id);
    for (size_t i = 0; i < vpc->n_cidrs; i++) {
        append_local_route(rtb, &vpc->cidrs[i].cidr);
    }
    model_add(m, vpc->r.scope, &rtb->r, RES_ROUTE_TABLE, &vpc->r);
    *out = rtb;
    return 0;
}

static void
append_assoc(struct model *m, struct route_table *rtb, const struct route_table_assoc *from,
             struct route_table_assoc *out)
{
    rtb->assocs = xrealloc(rtb->assocs, (rtb->n_assocs + 1) * sizeof *rtb->assocs);
    struct route_table_assoc *a = &rtb->assocs[rtb->n_assocs++];
    *a = *from;
    model_new_id(m, "rtbassoc", a->id);
    model_touch(m, &rtb->r);
    if (out) {
        *out = *a;
    }
}

static void
remove_assoc(struct model *m, struct route_table *rtb, size_t index)
{
    memmove(&rtb->assocs[index], &rtb->assocs[index + 1],
            (rtb->n_assocs - index - 1) * sizeof rtb->assocs[0]);
    rtb->n_assocs--;
    model_touch(m, &rtb->r);
}

void
route_table_make_main(struct model *m, struct route_table *rtb)
{
    append_assoc(m, rtb, &(struct route_table_assoc) { .main = true }, NULL);
}

bool
route_table_is_main(const struct route_table *rtb)
{
    for (size_t i = 0; i < rtb->n_assocs; i++) {
        if (rtb->assocs[i].main) {
            return true;
        }
    }
    return false;
}

bool
route_table_has_gateway_assoc(const struct route_table *rtb)
{
    for (size_t i = 0; i < rtb->n_assocs; i++) {
        if (rtb->assocs[i].gateway_id[0]) {
            return true;
        }
    }
    return false;
}

/* Section 7: only without associations, hence never the main table. */
int
route_table_delete(struct model *m, struct route_table *rtb, struct error *err)
{
    if (rtb->n_assocs) {
        return err_set(err, ERR_DEPENDENCY_VIOLATION,
                       "The routeTable '%s' has dependencies and cannot be deleted.",
                       rtb->r.id);
    }
    if (model_dry_run(m, err)) {
        return -1;
    }
    model_remove(m, &rtb->r);
    return 0;
}

void
route_table_add_local_routes(struct model *m, struct vpc *vpc, const struct ip4_prefix *cidr)
{
    struct resource *r;
    LIST_FOR_EACH (r, vpc_node, &vpc->children[RES_ROUTE_TABLE]) {
        append_local_route(route_table_cast(r), cidr);
        model_touch(m, r);
    }
}

void
route_table_remove_local_routes(struct model *m, struct vpc *vpc, const struct ip4_prefix *cidr)
{
    struct resource *r;
    LIST_FOR_EACH (r, vpc_node, &vpc->children[RES_ROUTE_TABLE]) {
        struct route_table *rtb = route_table_cast(r);
        for (size_t i = 0; i < rtb->n_routes; i++) {
            struct route *route = &rtb->routes[i];
            if (!route->ipv6 && ip4_prefix_equal(&route->dst, cidr) && route_is_local(route)) {
                memmove(route, route + 1, (rtb->n_routes - i - 1) * sizeof *route);
                rtb->n_routes--;
                model_touch(m, r);
                break;
            }
        }
    }
}

/* Routes: checking a request. */

/* Exactly one destination; sets the destination part of 'key'. */
static int
spec_destination(const struct route_spec *spec, struct route *key, struct error *err)
{
    int n = spec->has_dst + spec->has_dst6 + (spec->prefix_list_id != NULL);
    if (n == 0) {
        return err_set(err, ERR_MISSING_PARAMETER,
                       "The request must contain the parameter destinationCidrBlock, "
                       "destinationIpv6CidrBlock or destinationPrefixListId");
    }
    if (n > 1) {
        return err_set(err, ERR_INVALID_PARAMETER_COMBINATION,
                       "Only one of destinationCidrBlock, destinationIpv6CidrBlock and "
                       "destinationPrefixListId may be specified");
    }
    if (spec->prefix_list_id) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "Value (%s) for parameter destinationPrefixListId is invalid. Prefix "
                       "list destinations are not supported by vpcd yet.",
                       spec->prefix_list_id);
    }
    memset(key, 0, sizeof *key);
    key->ipv6 = spec->has_dst6;
    key->dst = spec->dst;
    key->dst6 = spec->dst6;
    return 0;
}

/* Section 7: 169.254.168.0/22 and fd00:ec2::/32 (and anything inside them)
 * are never route destinations. */
static int
check_reserved(const struct route *key, struct error *err)
{
    bool reserved = key->ipv6 ? ip6_prefix_contains(&reserved_dst6, &key->dst6)
                              : ip4_prefix_contains(&reserved_dst4, &key->dst);
    if (reserved) {
        char text[IP6_PREFIX_STRLEN];
        format_dst(key, text);
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "The destination CIDR block %s is reserved and cannot be used in a "
                       "route.", text);
    }
    return 0;
}

/* Exactly one target. */
static int
spec_target(const struct route_spec *spec, enum route_target *kind, struct error *err)
{
    int first = -1;
    for (int k = 0; k < N_ROUTE_TARGETS; k++) {
        if (!spec->targets[k]) {
            continue;
        }
        if (first >= 0) {
            return err_set(err, ERR_INVALID_PARAMETER_COMBINATION,
                           "The parameter %s cannot be used with the parameter %s",
                           target_params[k], target_params[first]);
        }
        first = k;
    }
    if (first < 0) {
        return err_set(err, ERR_MISSING_PARAMETER,
                       "The request must contain exactly one of gatewayId, natGatewayId, "
                       "networkInterfaceId, instanceId, vpcPeeringConnectionId, "
                       "transitGatewayId, egressOnlyInternetGatewayId or vpcEndpointId");
    }
    *kind = first;
    return 0;
}

static int
resolve_nat_gateway(const struct model *m, const struct route_table *rtb, const char *id,
                    bool via_gateway_id, struct route *key, struct error *err)
{
    struct resource *r = via_gateway_id
                             ? model_find_in(m, rtb->r.scope, RES_NAT_GATEWAY, id)
                             : model_get(m, rtb->r.scope, RES_NAT_GATEWAY, id, err);
    if (!r && via_gateway_id) {
        return err_set(err, ERR_GATEWAY_NOT_FOUND, "The gateway ID '%s' does not exist", id);
    } else if (!r) {
        return -1;
    }
    /* A deleting, deleted or failed gateway takes no new routes. */
    if (!nat_gateway_is_live(nat_gateway_cast(r))) {
        return err_set(err, ERR_NAT_GATEWAY_NOT_FOUND, "The Nat Gateway %s was not found", id);
    }
    if (strcmp(r->vpc_id, rtb->r.vpc_id)) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "route table %s and NAT gateway %s belong to different networks",
                       rtb->r.id, id);
    }
    key->target = ROUTE_TARGET_NAT_GATEWAY;
    str_copy(key->target_id, sizeof key->target_id, id);
    return 0;
}

/* The target must exist in the caller's account and region and serve the
 * table's VPC (an internet gateway attached to it, a NAT gateway or an
 * interface in it).  Sets the target part of 'key'. */
static int
resolve_target(const struct model *m, const struct route_table *rtb, enum route_target kind,
               const char *id, struct route *key, struct error *err)
{
    switch (kind) {
    case ROUTE_TARGET_LOCAL:
        key->target = ROUTE_TARGET_LOCAL;
        str_copy(key->target_id, sizeof key->target_id, "local");
        return 0;
    case ROUTE_TARGET_GATEWAY:
        if (!strcmp(id, "local")) {
            return resolve_target(m, rtb, ROUTE_TARGET_LOCAL, id, key, err);
        }
        /* EC2 takes a NAT gateway named as GatewayId and shows it as one. */
        if (str_prefix(id, "nat-")) {
            return resolve_nat_gateway(m, rtb, id, true, key, err);
        }
        if (str_prefix(id, "igw-")) {
            struct resource *r = model_find_in(m, rtb->r.scope, RES_INTERNET_GATEWAY, id);
            if (r) {
                if (strcmp(internet_gateway_cast(r)->attached_vpc_id, rtb->r.vpc_id)) {
                    return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                                   "route table %s and network gateway %s belong to different "
                                   "networks", rtb->r.id, id);
                }
                key->target = ROUTE_TARGET_GATEWAY;
                str_copy(key->target_id, sizeof key->target_id, id);
                return 0;
            }
        }
        /* XXX: virtual private gateways and gateway endpoints don't exist in
         * vpcd yet, so "vgw-" and "vpce-" are unknown like any other id. */
        return err_set(err, ERR_GATEWAY_NOT_FOUND, "The gateway ID '%s' does not exist", id);
    case ROUTE_TARGET_NAT_GATEWAY:
        return resolve_nat_gateway(m, rtb, id, false, key, err);
    case ROUTE_TARGET_NETWORK_INTERFACE: {
        struct resource *r = model_get(m, rtb->r.scope, RES_NETWORK_INTERFACE, id, err);
        if (!r) {
            return -1;
        }
        if (strcmp(r->vpc_id, rtb->r.vpc_id)) {
            return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                           "route table %s and interface %s belong to different networks",
                           rtb->r.id, id);
        }
        key->target = ROUTE_TARGET_NETWORK_INTERFACE;
        str_copy(key->target_id, sizeof key->target_id, id);
        return 0;
    }
    case ROUTE_TARGET_INSTANCE: {
        /* Section 7: an instance target is its only interface, shown with
         * both ids. */
        struct network_interface *eni = instance_only_interface(m, rtb->r.scope, id, err);
        if (!eni) {
            return -1;
        }
        if (strcmp(eni->r.vpc_id, rtb->r.vpc_id)) {
            return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                           "route table %s and instance %s belong to different networks",
                           rtb->r.id, id);
        }
        key->target = ROUTE_TARGET_NETWORK_INTERFACE;
        str_copy(key->target_id, sizeof key->target_id, eni->r.id);
        str_copy(key->instance_id, sizeof key->instance_id, id);
        return 0;
    }
    case ROUTE_TARGET_EGRESS_ONLY_GATEWAY:
        /* XXX: no egress-only internet gateways in vpcd yet. */
        return err_set(err, ERR_GATEWAY_NOT_FOUND, "The gateway ID '%s' does not exist", id);
    case ROUTE_TARGET_VPC_PEERING:
        /* XXX: no peering connections in vpcd yet. */
        return err_set(err, ERR_VPC_PEERING_CONNECTION_NOT_FOUND,
                       "The vpcPeeringConnection ID '%s' does not exist", id);
    case ROUTE_TARGET_TRANSIT_GATEWAY:
        /* XXX: no transit gateways in vpcd yet. */
        return err_set(err, ERR_TRANSIT_GATEWAY_NOT_FOUND,
                       "Transit Gateway %s was deleted or does not exist.", id);
    case ROUTE_TARGET_VPC_ENDPOINT:
        /* XXX: no Gateway Load Balancer endpoints in vpcd yet. */
        return err_set(err, ERR_VPC_ENDPOINT_NOT_FOUND,
                       "The Vpc Endpoint Id '%s' does not exist", id);
    case N_ROUTE_TARGETS:
        break;
    }
    NOT_REACHED();
}

/* Targets that may sit between subnets: a network interface (middlebox), a
 * NAT gateway, a Gateway Load Balancer endpoint. */
static bool
is_middlebox(enum route_target target, bool nat_allowed)
{
    return target == ROUTE_TARGET_NETWORK_INTERFACE || target == ROUTE_TARGET_VPC_ENDPOINT
           || (nat_allowed && target == ROUTE_TARGET_NAT_GATEWAY);
}

/* Section 7, more specific than local: a destination inside one of the VPC's
 * blocks must be exactly a subnet's CIDR, and its target a NAT gateway, a
 * network interface or a Gateway Load Balancer endpoint. */
static int
check_more_specific(const struct model *m, const struct route_table *rtb,
                    const struct route *key, struct error *err)
{
    const struct vpc *vpc = vpc_of(m, rtb);
    if (key->ipv6) {
        return 0;   /* vpcd's VPCs have no IPv6 blocks, hence no IPv6 local route */
    }
    for (size_t i = 0; i < vpc->n_cidrs; i++) {
        const struct ip4_prefix *block = &vpc->cidrs[i].cidr;
        if (!ip4_prefix_contains(block, &key->dst) || ip4_prefix_equal(block, &key->dst)) {
            continue;
        }
        char text[IP6_PREFIX_STRLEN], local[IP4_PREFIX_STRLEN];
        format_dst(key, text);
        ip4_prefix_format(block, local);
        if (!is_subnet_cidr(vpc, &key->dst)) {
            return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                           "The destination CIDR block %s is more specific than the local route "
                           "%s of route table %s but is not the CIDR block of a subnet of %s.",
                           text, local, rtb->r.id, vpc->r.id);
        }
        if (!is_middlebox(key->target, true)) {
            return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                           "Route target is not supported. The route %s is more specific than "
                           "the local route %s and supports only network interface, NAT gateway "
                           "and Gateway Load Balancer endpoint targets.", text, local);
        }
    }
    return 0;
}

/* Section 7, gateway route tables: targets only local, a network interface or
 * a Gateway Load Balancer endpoint; destinations only a whole VPC block
 * (the local route) or a whole subnet CIDR. */
static int
check_gateway_route(const struct model *m, const struct route_table *rtb,
                    const struct route *route, struct error *err)
{
    const struct vpc *vpc = vpc_of(m, rtb);
    char text[IP6_PREFIX_STRLEN];
    format_dst(route, text);
    if (route->target != ROUTE_TARGET_LOCAL && !is_middlebox(route->target, false)) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "Route table %s is or would be associated with a gateway and the target "
                       "%s of route %s is not supported: gateway route tables support only "
                       "local, network interface and Gateway Load Balancer endpoint targets.",
                       rtb->r.id, route->target_id, text);
    }
    if (route->ipv6 || (!vpc_find_cidr(vpc, &route->dst) && !is_subnet_cidr(vpc, &route->dst))) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "Route table %s is or would be associated with a gateway and the "
                       "destination %s is not supported: gateway route tables support only the "
                       "CIDR blocks of the VPC and of its subnets.", rtb->r.id, text);
    }
    return 0;
}

static size_t
count_family(const struct route_table *rtb, bool ipv6)
{
    size_t n = 0;
    for (size_t i = 0; i < rtb->n_routes; i++) {
        n += rtb->routes[i].ipv6 == ipv6;
    }
    return n;
}

static void
set_target(struct route *route, const struct route *from)
{
    route->target = from->target;
    str_copy(route->target_id, sizeof route->target_id, from->target_id);
    str_copy(route->instance_id, sizeof route->instance_id, from->instance_id);
}

/* Routes: operations. */

int
route_table_create_route(struct model *m, struct route_table *rtb, const struct route_spec *spec,
                         struct error *err)
{
    struct route key;
    enum route_target kind;
    if (spec_destination(spec, &key, err) || spec_target(spec, &kind, err)
        || check_reserved(&key, err)
        || resolve_target(m, rtb, kind, spec->targets[kind], &key, err)) {
        return -1;
    }
    char text[IP6_PREFIX_STRLEN];
    format_dst(&key, text);
    const struct route *existing = find_route(rtb, &key);
    if (existing) {
        /* A VPC block's own destination is the local route: AWS refuses
         * other targets there before calling it a duplicate. */
        if (route_is_local(existing) && !is_middlebox(key.target, false)
            && key.target != ROUTE_TARGET_LOCAL) {
            return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                           "Route target is not supported. The local route %s supports only "
                           "network interface and Gateway Load Balancer endpoint targets.",
                           text);
        }
        return err_set(err, ERR_ROUTE_ALREADY_EXISTS,
                       "The route identified by %s already exists.", text);
    }
    if (key.target == ROUTE_TARGET_LOCAL) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "The target local is only valid for the local route of a VPC CIDR block; "
                       "%s is not one in route table %s.", text, rtb->r.id);
    }
    if (check_more_specific(m, rtb, &key, err)
        || (route_table_has_gateway_assoc(rtb) && check_gateway_route(m, rtb, &key, err))) {
        return -1;
    }
    if (count_family(rtb, key.ipv6) >= ROUTES_PER_TABLE_LIMIT) {
        return err_set(err, ERR_ROUTE_LIMIT_EXCEEDED,
                       "The maximum number of routes has been reached for %s.", rtb->r.id);
    }
    if (model_dry_run(m, err)) {
        return -1;
    }
    struct route *route = append_route(rtb);
    *route = key;
    route->origin = ROUTE_ORIGIN_CREATE_ROUTE;
    model_touch(m, &rtb->r);
    return 0;
}

static int
route_not_found(const struct route_table *rtb, const struct route *key, struct error *err)
{
    char text[IP6_PREFIX_STRLEN];
    format_dst(key, text);
    return err_set(err, ERR_ROUTE_NOT_FOUND, "no route with %s %s in route table %s",
                   key->ipv6 ? "destination-ipv6-cidr-block" : "destination-cidr-block", text,
                   rtb->r.id);
}

int
route_table_replace_route(struct model *m, struct route_table *rtb,
                          const struct route_spec *spec, struct error *err)
{
    struct route key;
    enum route_target kind;
    if (spec_destination(spec, &key, err) || spec_target(spec, &kind, err)) {
        return -1;
    }
    struct route *route = find_route(rtb, &key);
    if (!route) {
        return route_not_found(rtb, &key, err);
    }
    if (resolve_target(m, rtb, kind, spec->targets[kind], &key, err)) {
        return -1;
    }
    char text[IP6_PREFIX_STRLEN];
    format_dst(&key, text);
    if (route_is_local(route)) {
        /* Section 7: the local route's target may become a middlebox
         * interface, and LocalTarget restores it. */
        if (key.target != ROUTE_TARGET_LOCAL && !is_middlebox(key.target, false)) {
            return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                           "Route target is not supported. The local route %s in route table "
                           "%s supports only network interface and Gateway Load Balancer "
                           "endpoint targets, or LocalTarget to restore it.", text, rtb->r.id);
        }
    } else if (key.target == ROUTE_TARGET_LOCAL) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "The target local is only valid for the local route of a VPC CIDR block; "
                       "%s is not one in route table %s.", text, rtb->r.id);
    } else if (check_more_specific(m, rtb, &key, err)) {
        return -1;
    }
    if (route_table_has_gateway_assoc(rtb) && check_gateway_route(m, rtb, &key, err)) {
        return -1;
    }
    if (model_dry_run(m, err)) {
        return -1;
    }
    set_target(route, &key);
    model_touch(m, &rtb->r);
    return 0;
}

int
route_table_delete_route(struct model *m, struct route_table *rtb, const struct route_spec *spec,
                         struct error *err)
{
    struct route key;
    if (spec_destination(spec, &key, err)) {
        return -1;
    }
    struct route *route = find_route(rtb, &key);
    if (!route) {
        return route_not_found(rtb, &key, err);
    }
    if (route_is_local(route)) {
        char text[IP6_PREFIX_STRLEN];
        format_dst(route, text);
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "cannot remove local route %s in route table %s", text, rtb->r.id);
    }
    if (model_dry_run(m, err)) {
        return -1;
    }
    size_t i = (size_t) (route - rtb->routes);
    memmove(route, route + 1, (rtb->n_routes - i - 1) * sizeof *route);
    rtb->n_routes--;
    model_touch(m, &rtb->r);
    return 0;
}

int
route_table_add_route(struct model *m, struct route_table *rtb, const struct ip4_prefix *dst,
                      enum route_target target, const char *target_id, struct error *err)
{
    struct route_spec spec = { .has_dst = true, .dst = *dst };
    spec.targets[target] = target_id;
    return route_table_create_route(m, rtb, &spec, err);
}

struct route *
route_table_find_route(struct route_table *rtb, const struct route_spec *spec)
{
    struct route key;
    if (spec_destination(spec, &key, NULL)) {
        return NULL;
    }
    return find_route(rtb, &key);
}

/* Section 7: a route is a blackhole while its target is gone or unusable;
 * it stays in the table and keeps matching. */
const char *
route_state(const struct model *m, const struct route_table *rtb, const struct route *route)
{
    const struct scope *scope = rtb->r.scope;
    bool active = false;
    switch (route->target) {
    case ROUTE_TARGET_LOCAL:
        active = true;
        break;
    case ROUTE_TARGET_GATEWAY: {
        struct resource *igw = model_find_in(m, scope, RES_INTERNET_GATEWAY, route->target_id);
        active = igw && !strcmp(internet_gateway_cast(igw)->attached_vpc_id, rtb->r.vpc_id);
        break;
    }
    case ROUTE_TARGET_NAT_GATEWAY: {
        struct resource *nat = model_find_in(m, scope, RES_NAT_GATEWAY, route->target_id);
        active = nat && nat_gateway_is_live(nat_gateway_cast(nat));
        break;
    }
    case ROUTE_TARGET_NETWORK_INTERFACE: {
        /* Section 7: detached or deleted interfaces, and those of a stopped
         * or terminated instance, are blackholes; the requester-managed ones
         * (endpoints, NAT) have no attachment. */
        struct resource *r = model_find_in(m, scope, RES_NETWORK_INTERFACE, route->target_id);
        const struct network_interface *eni = network_interface_cast(r);
        const struct instance *inst = eni ? instance_of_interface(m, eni) : NULL;
        bool up = !inst || instance_is_up(inst, model_now());
        active = eni && (eni->requester_managed || (eni->attachment.id[0] && up));
        break;
    }
    default:
        /* Instances, egress-only gateways, peerings, transit gateways and
         * endpoints don't exist in vpcd yet. */
        active = false;
        break;
    }
    return active ? "active" : "blackhole";
}

const char *
route_origin_name(enum route_origin origin)
{
    switch (origin) {
    case ROUTE_ORIGIN_CREATE_ROUTE_TABLE:
        return "CreateRouteTable";
    case ROUTE_ORIGIN_CREATE_ROUTE:
        return "CreateRoute";
    case ROUTE_ORIGIN_ENABLE_VGW_ROUTE_PROPAGATION:
        return "EnableVgwRoutePropagation";
    }
    return "CreateRoute";
}

const char *
route_instance_id(const struct model *m, const struct route *route)
{
    if (route->target != ROUTE_TARGET_NETWORK_INTERFACE
        && route->target != ROUTE_TARGET_INSTANCE) {
        return NULL;
    }
    struct resource *r = model_find(m, route->target_id);
    if (r && r->kind == RES_NETWORK_INTERFACE) {
        const struct network_interface *eni = network_interface_cast(r);
        if (eni->attachment.instance_id[0]) {
            return eni->attachment.instance_id;
        }
    }
    return route->instance_id[0] ? route->instance_id : NULL;
}

/* Associations. */

struct route_table *
route_table_find_assoc(const struct model *m, const struct scope *scope, const char *assoc_id,
                       size_t *index)
{
    (void) m;
    struct resource *r;
    LIST_FOR_EACH (r, scope_node, &scope->resources[RES_ROUTE_TABLE]) {
        struct route_table *rtb = route_table_cast(r);
        for (size_t i = 0; i < rtb->n_assocs; i++) {
            if (!strcmp(rtb->assocs[i].id, assoc_id)) {
                *index = i;
                return rtb;
            }
        }
    }
    return NULL;
}

struct route_table *
route_table_of_subnet(const struct model *m, const struct vpc *vpc, const char *subnet_id,
                      size_t *index)
{
    (void) m;
    struct resource *r;
    LIST_FOR_EACH (r, vpc_node, &vpc->children[RES_ROUTE_TABLE]) {
        struct route_table *rtb = route_table_cast(r);
        for (size_t i = 0; i < rtb->n_assocs; i++) {
            if (!strcmp(rtb->assocs[i].subnet_id, subnet_id)) {
                *index = i;
                return rtb;
            }
        }
    }
    return NULL;
}

static struct route_table *
table_of_gateway(const struct vpc *vpc, const char *gateway_id)
{
    struct resource *r;
    LIST_FOR_EACH (r, vpc_node, &vpc->children[RES_ROUTE_TABLE]) {
        struct route_table *rtb = route_table_cast(r);
        for (size_t i = 0; i < rtb->n_assocs; i++) {
            if (!strcmp(rtb->assocs[i].gateway_id, gateway_id)) {
                return rtb;
            }
        }
    }
    return NULL;
}

/* Section 7, gateway route tables: never the main table, and every route
 * must suit one. */
static int
check_gateway_table(const struct model *m, const struct route_table *rtb, struct error *err)
{
    if (route_table_is_main(rtb)) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "The main route table %s cannot be associated with a gateway.",
                       rtb->r.id);
    }
    for (size_t i = 0; i < rtb->n_routes; i++) {
        if (check_gateway_route(m, rtb, &rtb->routes[i], err)) {
            return -1;
        }
    }
    return 0;
}

int
route_table_associate(struct model *m, struct route_table *rtb, const char *subnet_id,
                      const char *gateway_id, struct route_table_assoc *out, struct error *err)
{
    if (subnet_id && gateway_id) {
        return err_set(err, ERR_INVALID_PARAMETER_COMBINATION,
                       "The parameter subnetId cannot be used with the parameter gatewayId");
    }
    if (!subnet_id && !gateway_id) {
        return err_set(err, ERR_MISSING_PARAMETER,
                       "The request must contain the parameter subnetId or gatewayId");
    }
    const struct vpc *vpc = vpc_of(m, rtb);
    struct route_table_assoc a = { .main = false };
    if (subnet_id) {
        struct resource *subnet = model_get(m, rtb->r.scope, RES_SUBNET, subnet_id, err);
        size_t index;
        if (!subnet) {
            return -1;
        }
        if (strcmp(subnet->vpc_id, rtb->r.vpc_id)) {
            return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                           "Route table %s and subnet %s belong to different networks",
                           rtb->r.id, subnet_id);
        }
        if (route_table_of_subnet(m, vpc, subnet_id, &index)) {
            return err_set(err, ERR_RESOURCE_ALREADY_ASSOCIATED,
                           "the specified association for route table %s conflicts with an "
                           "existing association", rtb->r.id);
        }
        str_copy(a.subnet_id, sizeof a.subnet_id, subnet_id);
    } else {
        /* XXX: virtual private gateways don't exist in vpcd yet. */
        struct resource *r = str_prefix(gateway_id, "igw-")
                                 ? model_find_in(m, rtb->r.scope, RES_INTERNET_GATEWAY,
                                                 gateway_id)
                                 : NULL;
        if (!r) {
            return err_set(err, ERR_GATEWAY_NOT_FOUND, "The gateway ID '%s' does not exist",
                           gateway_id);
        }
        if (strcmp(internet_gateway_cast(r)->attached_vpc_id, rtb->r.vpc_id)) {
            return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                           "route table %s and network gateway %s belong to different networks",
                           rtb->r.id, gateway_id);
        }
        if (table_of_gateway(vpc, gateway_id)) {
            return err_set(err, ERR_RESOURCE_ALREADY_ASSOCIATED,
                           "the specified association for route table %s conflicts with an "
                           "existing association", rtb->r.id);
        }
        if (check_gateway_table(m, rtb, err)) {
            return -1;
        }
        str_copy(a.gateway_id, sizeof a.gateway_id, gateway_id);
    }
    if (model_dry_run(m, err)) {
        return -1;
    }
    append_assoc(m, rtb, &a, out);
    return 0;
}

static int
assoc_not_found(const char *assoc_id, struct error *err)
{
    return err_set(err, ERR_ASSOCIATION_NOT_FOUND, "The association ID '%s' does not exist",
                   assoc_id);
}

int
route_table_disassociate(struct model *m, struct scope *scope, const char *assoc_id,
                         struct error *err)
{
    size_t index;
    struct route_table *rtb = route_table_find_assoc(m, scope, assoc_id, &index);
    if (!rtb) {
        return assoc_not_found(assoc_id, err);
    }
    /* Section 7 / 23.6: AWS answers InvalidParameterValue with this text. */
    if (rtb->assocs[index].main) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "cannot disassociate the main route table association %s", assoc_id);
    }
    if (model_dry_run(m, err)) {
        return -1;
    }
    remove_assoc(m, rtb, index);
    return 0;
}

int
route_table_replace_assoc(struct model *m, struct scope *scope, const char *assoc_id,
                          struct route_table *rtb, struct route_table_assoc *out,
                          struct error *err)
{
    size_t index;
    struct route_table *old = route_table_find_assoc(m, scope, assoc_id, &index);
    if (!old) {
        return assoc_not_found(assoc_id, err);
    }
    struct route_table_assoc a = old->assocs[index];
    if (strcmp(old->r.vpc_id, rtb->r.vpc_id)) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "Route table %s and association %s belong to different networks",
                       rtb->r.id, assoc_id);
    }
    if (a.main && route_table_has_gateway_assoc(rtb)) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "Route table %s is associated with a gateway and cannot be the main "
                       "route table.", rtb->r.id);
    }
    if (a.gateway_id[0] && rtb != old && check_gateway_table(m, rtb, err)) {
        return -1;
    }
    if (model_dry_run(m, err)) {
        return -1;
    }
    remove_assoc(m, old, index);
    append_assoc(m, rtb, &a, out);
    return 0;
}

/* DescribeRouteTables filters (as documented for the action). */
static struct route_table *
rtb_of(const struct resource *r)
{
    return route_table_cast((struct resource *) r);
}

static void
f_assoc_id(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    const struct route_table *rtb = rtb_of(r);
    for (size_t i = 0; i < rtb->n_assocs; i++) {
        filter_emit(fv, rtb->assocs[i].id);
    }
}

static void
f_assoc_rtb_id(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    if (rtb_of(r)->n_assocs) {
        filter_emit(fv, r->id);
    }
}

static void
f_assoc_subnet_id(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    const struct route_table *rtb = rtb_of(r);
    for (size_t i = 0; i < rtb->n_assocs; i++) {
        if (rtb->assocs[i].subnet_id[0]) {
            filter_emit(fv, rtb->assocs[i].subnet_id);
        }
    }
}

static void
f_assoc_gateway_id(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    const struct route_table *rtb = rtb_of(r);
    for (size_t i = 0; i < rtb->n_assocs; i++) {
        if (rtb->assocs[i].gateway_id[0]) {
            filter_emit(fv, rtb->assocs[i].gateway_id);
        }
    }
}

/* "Route tables that do not have an association ID are not returned." */
static void
f_assoc_main(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    const struct route_table *rtb = rtb_of(r);
    for (size_t i = 0; i < rtb->n_assocs; i++) {
        filter_emit_bool(fv, rtb->assocs[i].main);
    }
}

static void
f_route_dst(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    const struct route_table *rtb = rtb_of(r);
    for (size_t i = 0; i < rtb->n_routes; i++) {
        if (!rtb->routes[i].ipv6) {
            filter_emit_prefix4(fv, &rtb->routes[i].dst);
        }
    }
}

static void
f_route_dst6(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    const struct route_table *rtb = rtb_of(r);
    for (size_t i = 0; i < rtb->n_routes; i++) {
        if (rtb->routes[i].ipv6) {
            char text[IP6_PREFIX_STRLEN];
            ip6_prefix_format(&rtb->routes[i].dst6, text);
            filter_emit_copy(fv, text);
        }
    }
}

static void
f_route_prefix_list(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    (void) r;
    (void) fv;      /* no prefix-list routes yet */
}

static void
emit_targets(const struct resource *r, struct filter_values *fv, enum route_target a,
             enum route_target b)
{
    const struct route_table *rtb = rtb_of(r);
    for (size_t i = 0; i < rtb->n_routes; i++) {
        if (rtb->routes[i].target == a || rtb->routes[i].target == b) {
            filter_emit(fv, rtb->routes[i].target_id);
        }
    }
}

/* gatewayId shows "local", internet gateways and (section 7, UNCONFIRMED) endpoints. */
static void
f_route_gateway(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    emit_targets(r, fv, ROUTE_TARGET_LOCAL, ROUTE_TARGET_GATEWAY);
    emit_targets(r, fv, ROUTE_TARGET_VPC_ENDPOINT, ROUTE_TARGET_VPC_ENDPOINT);
}

static void
f_route_nat(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    emit_targets(r, fv, ROUTE_TARGET_NAT_GATEWAY, ROUTE_TARGET_NAT_GATEWAY);
}

static void
f_route_eni(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    emit_targets(r, fv, ROUTE_TARGET_NETWORK_INTERFACE, ROUTE_TARGET_NETWORK_INTERFACE);
}

static void
f_route_instance(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    const struct route_table *rtb = rtb_of(r);
    for (size_t i = 0; i < rtb->n_routes; i++) {
        const char *id = route_instance_id(m, &rtb->routes[i]);
        if (id) {
            filter_emit(fv, id);
        }
    }
}

static void
f_route_pcx(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    emit_targets(r, fv, ROUTE_TARGET_VPC_PEERING, ROUTE_TARGET_VPC_PEERING);
}

static void
f_route_tgw(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    emit_targets(r, fv, ROUTE_TARGET_TRANSIT_GATEWAY, ROUTE_TARGET_TRANSIT_GATEWAY);
}

static void
f_route_eigw(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    emit_targets(r, fv, ROUTE_TARGET_EGRESS_ONLY_GATEWAY, ROUTE_TARGET_EGRESS_ONLY_GATEWAY);
}

static void
f_route_origin(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    const struct route_table *rtb = rtb_of(r);
    for (size_t i = 0; i < rtb->n_routes; i++) {
        filter_emit(fv, route_origin_name(rtb->routes[i].origin));
    }
}

static void
f_route_state(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    const struct route_table *rtb = rtb_of(r);
    for (size_t i = 0; i < rtb->n_routes; i++) {
        filter_emit(fv, route_state(m, rtb, &rtb->routes[i]));
    }
}

const struct filter_def route_table_filters[] = {
    { "association.gateway-id", f_assoc_gateway_id },
    { "association.main", f_assoc_main },
    { "association.route-table-association-id", f_assoc_id },
    { "association.route-table-id", f_assoc_rtb_id },
    { "association.subnet-id", f_assoc_subnet_id },
    { "owner-id", filter_resource_owner_id },
    { "route-table-id", filter_resource_id },
    { "route.destination-cidr-block", f_route_dst },
    { "route.destination-ipv6-cidr-block", f_route_dst6 },
    { "route.destination-prefix-list-id", f_route_prefix_list },
    { "route.egress-only-internet-gateway-id", f_route_eigw },
    { "route.gateway-id", f_route_gateway },
    { "route.instance-id", f_route_instance },
    { "route.nat-gateway-id", f_route_nat },
    { "route.network-interface-id", f_route_eni },
    { "route.origin", f_route_origin },
    { "route.state", f_route_state },
    { "route.transit-gateway-id", f_route_tgw },
    { "route.vpc-peering-connection-id", f_route_pcx },
    { "vpc-id", filter_resource_vpc_id },
};
const size_t route_table_n_filters = ARRAY_SIZE(route_table_filters);
