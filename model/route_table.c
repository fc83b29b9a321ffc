/* route_table.h: route tables, routes and associations (vpc-semantics.md
 * section 7). */
#include "model/route_table.h"

#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "model/internet_gateway.h"
#include "model/schema.h"
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

static void
append_local_route(struct route_table *rtb, const struct ip4_prefix *cidr)
{
    rtb->routes = xrealloc(rtb->routes, (rtb->n_routes + 1) * sizeof *rtb->routes);
    struct route *route = &rtb->routes[rtb->n_routes++];
    memset(route, 0, sizeof *route);
    route->dst = *cidr;
    route->target = ROUTE_TARGET_LOCAL;
    str_copy(route->target_id, sizeof route->target_id, "local");
    route->origin = ROUTE_ORIGIN_CREATE_ROUTE_TABLE;
}

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

void
route_table_make_main(struct model *m, struct route_table *rtb)
{
    rtb->assocs = xrealloc(rtb->assocs, (rtb->n_assocs + 1) * sizeof *rtb->assocs);
    struct route_table_assoc *a = &rtb->assocs[rtb->n_assocs++];
    memset(a, 0, sizeof *a);
    model_new_id(m, "rtbassoc", a->id);
    a->main = true;
    model_touch(m, &rtb->r);
}

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
            if (!route->ipv6 && ip4_prefix_equal(&route->dst, cidr)
                && route->origin == ROUTE_ORIGIN_CREATE_ROUTE_TABLE) {
                memmove(route, route + 1, (rtb->n_routes - i - 1) * sizeof *route);
                rtb->n_routes--;
                model_touch(m, r);
                break;
            }
        }
    }
}

static struct route *
find_route(struct route_table *rtb, const struct ip4_prefix *dst)
{
    for (size_t i = 0; i < rtb->n_routes; i++) {
        if (!rtb->routes[i].ipv6 && ip4_prefix_equal(&rtb->routes[i].dst, dst)) {
            return &rtb->routes[i];
        }
    }
    return NULL;
}

int
route_table_add_route(struct model *m, struct route_table *rtb, const struct ip4_prefix *dst,
                      enum route_target target, const char *target_id, struct error *err)
{
    char text[IP4_PREFIX_STRLEN];
    ip4_prefix_format(dst, text);
    if (find_route(rtb, dst)) {
        return err_set(err, ERR_ROUTE_ALREADY_EXISTS,
                       "The route identified by %s already exists.", text);
    }
    if (rtb->n_routes >= ROUTES_PER_TABLE_LIMIT) {
        return err_set(err, ERR_ROUTE_LIMIT_EXCEEDED,
                       "The maximum number of routes has been reached for %s.", rtb->r.id);
    }
    if (target == ROUTE_TARGET_GATEWAY && str_prefix(target_id, "igw-")) {
        struct resource *igw = model_find_in(m, rtb->r.scope, RES_INTERNET_GATEWAY, target_id);
        if (!igw) {
            return err_set(err, ERR_INTERNET_GATEWAY_NOT_FOUND,
                           "The internetGateway ID '%s' does not exist", target_id);
        }
        if (strcmp(internet_gateway_cast(igw)->attached_vpc_id, rtb->r.vpc_id)) {
            return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                           "route table %s and network gateway %s belong to different "
                           "networks", rtb->r.id, target_id);
        }
    }
    if (model_dry_run(m, err)) {
        return -1;
    }
    rtb->routes = xrealloc(rtb->routes, (rtb->n_routes + 1) * sizeof *rtb->routes);
    struct route *route = &rtb->routes[rtb->n_routes++];
    memset(route, 0, sizeof *route);
    route->dst = *dst;
    route->target = target;
    str_copy(route->target_id, sizeof route->target_id, target_id);
    route->origin = ROUTE_ORIGIN_CREATE_ROUTE;
    model_touch(m, &rtb->r);
    return 0;
}

const char *
route_state(const struct model *m, const struct route_table *rtb, const struct route *route)
{
    switch (route->target) {
    case ROUTE_TARGET_LOCAL:
        return "active";
    case ROUTE_TARGET_GATEWAY: {
        struct resource *igw = model_find_in(m, rtb->r.scope, RES_INTERNET_GATEWAY,
                                             route->target_id);
        if (igw) {
            return !strcmp(internet_gateway_cast(igw)->attached_vpc_id, rtb->r.vpc_id)
                       ? "active" : "blackhole";
        }
        return "blackhole";
    }
    default: {
        struct resource *target = model_find(m, route->target_id);
        return target ? "active" : "blackhole";
    }
    }
}

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
