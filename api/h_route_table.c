/* EC2 actions of the route-table family: decode, call model/route_table.h,
 * format. */
#include "api/api.h"

#include <string.h>

#include "lib/util.h"
#include "model/route_table.h"
#include "model/vpc.h"

static void
format_route(struct oval *st, const struct model *m, const struct route_table *rtb,
             const struct route *route)
{
    if (route->ipv6) {
        char text[IP6_PREFIX_STRLEN];
        ip6_prefix_format(&route->dst6, text);
        oval_set_str(st, "DestinationIpv6CidrBlock", text);
    } else {
        api_set_prefix4(st, "DestinationCidrBlock", &route->dst);
    }
    switch (route->target) {
    case ROUTE_TARGET_LOCAL:
    case ROUTE_TARGET_GATEWAY:
    case ROUTE_TARGET_VPC_ENDPOINT:     /* gatewayId=vpce-... (section 7, UNCONFIRMED) */
        oval_set_str(st, "GatewayId", route->target_id);
        break;
    case ROUTE_TARGET_EGRESS_ONLY_GATEWAY:
        oval_set_str(st, "EgressOnlyInternetGatewayId", route->target_id);
        break;
    case ROUTE_TARGET_NAT_GATEWAY:
        oval_set_str(st, "NatGatewayId", route->target_id);
        break;
    case ROUTE_TARGET_NETWORK_INTERFACE:
    case ROUTE_TARGET_INSTANCE: {
        const char *instance_id = route_instance_id(m, route);
        if (instance_id) {
            oval_set_str(st, "InstanceId", instance_id);
            oval_set_str(st, "InstanceOwnerId", rtb->r.scope->account);
        }
        if (route->target == ROUTE_TARGET_NETWORK_INTERFACE) {
            oval_set_str(st, "NetworkInterfaceId", route->target_id);
        }
        break;
    }
    case ROUTE_TARGET_VPC_PEERING:
        oval_set_str(st, "VpcPeeringConnectionId", route->target_id);
        break;
    case ROUTE_TARGET_TRANSIT_GATEWAY:
        oval_set_str(st, "TransitGatewayId", route->target_id);
        break;
    case N_ROUTE_TARGETS:
        break;
    }
    oval_set_str(st, "Origin", route_origin_name(route->origin));
    oval_set_str(st, "State", route_state(m, rtb, route));
}

static void
format_assoc(struct oval *st, const struct route_table *rtb, const struct route_table_assoc *a)
{
    oval_set_bool(st, "Main", a->main);
    oval_set_str(st, "RouteTableAssociationId", a->id);
    oval_set_str(st, "RouteTableId", rtb->r.id);
    if (a->subnet_id[0]) {
        oval_set_str(st, "SubnetId", a->subnet_id);
    }
    if (a->gateway_id[0]) {
        oval_set_str(st, "GatewayId", a->gateway_id);
    }
    oval_set_str(oval_set_struct(st, "AssociationState"), "State", "associated");
}

static void
format_route_table(struct oval *st, const struct model *m, const struct route_table *rtb)
{
    oval_set_str(st, "RouteTableId", rtb->r.id);
    oval_set_str(st, "VpcId", rtb->r.vpc_id);
    oval_set_str(st, "OwnerId", rtb->r.scope->account);
    struct oval *routes = oval_set_list(st, "Routes");
    for (size_t i = 0; i < rtb->n_routes; i++) {
        format_route(oval_list_add_struct(routes), m, rtb, &rtb->routes[i]);
    }
    struct oval *assocs = oval_set_list(st, "Associations");
    for (size_t i = 0; i < rtb->n_assocs; i++) {
        format_assoc(oval_list_add_struct(assocs), rtb, &rtb->assocs[i]);
    }
    oval_set_list(st, "PropagatingVgws");
    api_format_tags(st, "Tags", &rtb->r);
}

static int
create_route_table(struct api_request *req)
{
    struct resource *r = api_get(req, req->in, "VpcId", RES_VPC);
    struct route_table *rtb;
    if (!r || api_check_tag_specs(req, "route-table")
        || route_table_create(req->model, vpc_cast(r), &rtb, req->err)) {
        return -1;
    }
    api_apply_tag_specs(req, &rtb->r, "route-table");
    format_route_table(oval_set_struct(req->out, "RouteTable"), req->model, rtb);
    return 0;
}

static int
delete_route_table(struct api_request *req)
{
    struct resource *r = api_get(req, req->in, "RouteTableId", RES_ROUTE_TABLE);
    return r ? route_table_delete(req->model, route_table_cast(r), req->err) : -1;
}

static int
describe_route_tables(struct api_request *req)
{
    struct resource **items;
    size_t n;
    const char *next;

    if (api_describe(req, RES_ROUTE_TABLE, "RouteTableIds", route_table_filters,
                     route_table_n_filters, &items, &n, &next)) {
        return -1;
    }
    struct oval *list = oval_set_list(req->out, "RouteTables");
    for (size_t i = 0; i < n; i++) {
        format_route_table(oval_list_add_struct(list), req->model, route_table_cast(items[i]));
    }
    if (next) {
        oval_set_str(req->out, "NextToken", next);
    }
    return 0;
}

/* Request members naming a target, by the model's target kind. */
static const char *const target_members[N_ROUTE_TARGETS] = {
    [ROUTE_TARGET_GATEWAY] = "GatewayId",
    [ROUTE_TARGET_EGRESS_ONLY_GATEWAY] = "EgressOnlyInternetGatewayId",
    [ROUTE_TARGET_NAT_GATEWAY] = "NatGatewayId",
    [ROUTE_TARGET_NETWORK_INTERFACE] = "NetworkInterfaceId",
    [ROUTE_TARGET_INSTANCE] = "InstanceId",
    [ROUTE_TARGET_VPC_PEERING] = "VpcPeeringConnectionId",
    [ROUTE_TARGET_TRANSIT_GATEWAY] = "TransitGatewayId",
    [ROUTE_TARGET_VPC_ENDPOINT] = "VpcEndpointId",
};

/* Targets EC2 has that vpcd does not model (Outposts, Wavelength, Cloud WAN). */
static const char *const unsupported_members[] = {
    "LocalGatewayId", "CarrierGatewayId", "CoreNetworkArn",
};

/* Decodes the destination and, with 'targets', the target members of
 * CreateRoute / ReplaceRoute / DeleteRoute into 'spec'. */
static int
decode_route_spec(struct api_request *req, bool targets, struct route_spec *spec)
{
    memset(spec, 0, sizeof *spec);
    const char *s = dval_str(req->in, "DestinationCidrBlock");
    if (s) {
        if (!ip4_prefix_parse(s, &spec->dst, NULL)) {
            return err_set(req->err, ERR_INVALID_PARAMETER_VALUE,
                           "Value (%s) for parameter destinationCidrBlock is invalid. This is "
                           "not a valid CIDR block.", s);
        }
        spec->has_dst = true;
    }
    s = dval_str(req->in, "DestinationIpv6CidrBlock");
    if (s) {
        if (!ip6_prefix_parse(s, &spec->dst6, NULL)) {
            return err_set(req->err, ERR_INVALID_PARAMETER_VALUE,
                           "Value (%s) for parameter destinationIpv6CidrBlock is invalid. This "
                           "is not a valid IPv6 CIDR block.", s);
        }
        spec->has_dst6 = true;
    }
    spec->prefix_list_id = dval_str(req->in, "DestinationPrefixListId");
    if (!targets) {
        return 0;
    }
    for (size_t i = 0; i < ARRAY_SIZE(unsupported_members); i++) {
        if (dval_str(req->in, unsupported_members[i])) {
            return err_set(req->err, ERR_INVALID_PARAMETER_VALUE,
                           "The parameter %s is not supported by vpcd.", unsupported_members[i]);
        }
    }
    for (int k = 0; k < N_ROUTE_TARGETS; k++) {
        if (target_members[k]) {
            spec->targets[k] = dval_str(req->in, target_members[k]);
        }
    }
    if (shape_find_member(req->in->shape, "LocalTarget")
        && dval_bool(req->in, "LocalTarget", false)) {
        spec->targets[ROUTE_TARGET_LOCAL] = "local";
    }
    return 0;
}

static int
create_route(struct api_request *req)
{
    struct resource *r = api_get(req, req->in, "RouteTableId", RES_ROUTE_TABLE);
    struct route_spec spec;
    if (!r || decode_route_spec(req, true, &spec)
        || route_table_create_route(req->model, route_table_cast(r), &spec, req->err)) {
        return -1;
    }
    oval_set_bool(req->out, "Return", true);
    return 0;
}

static int
replace_route(struct api_request *req)
{
    struct resource *r = api_get(req, req->in, "RouteTableId", RES_ROUTE_TABLE);
    struct route_spec spec;
    if (!r || decode_route_spec(req, true, &spec)) {
        return -1;
    }
    return route_table_replace_route(req->model, route_table_cast(r), &spec, req->err);
}

static int
delete_route(struct api_request *req)
{
    struct resource *r = api_get(req, req->in, "RouteTableId", RES_ROUTE_TABLE);
    struct route_spec spec;
    if (!r || decode_route_spec(req, false, &spec)) {
        return -1;
    }
    return route_table_delete_route(req->model, route_table_cast(r), &spec, req->err);
}

static void
format_assoc_state(struct oval *out)
{
    oval_set_str(oval_set_struct(out, "AssociationState"), "State", "associated");
}

static int
associate_route_table(struct api_request *req)
{
    struct resource *r = api_get(req, req->in, "RouteTableId", RES_ROUTE_TABLE);
    struct route_table_assoc a;
    if (!r
        || route_table_associate(req->model, route_table_cast(r), dval_str(req->in, "SubnetId"),
                                 dval_str(req->in, "GatewayId"), &a, req->err)) {
        return -1;
    }
    oval_set_str(req->out, "AssociationId", a.id);
    format_assoc_state(req->out);
    return 0;
}

static int
disassociate_route_table(struct api_request *req)
{
    const char *assoc_id = api_require_str(req, req->in, "AssociationId");
    return assoc_id ? route_table_disassociate(req->model, req->scope, assoc_id, req->err) : -1;
}

static int
replace_route_table_association(struct api_request *req)
{
    const char *assoc_id = api_require_str(req, req->in, "AssociationId");
    struct resource *r = assoc_id ? api_get(req, req->in, "RouteTableId", RES_ROUTE_TABLE)
                                  : NULL;
    struct route_table_assoc a;
    if (!r
        || route_table_replace_assoc(req->model, req->scope, assoc_id, route_table_cast(r), &a,
                                     req->err)) {
        return -1;
    }
    oval_set_str(req->out, "NewAssociationId", a.id);
    format_assoc_state(req->out);
    return 0;
}

const struct api_action api_actions_route_table[] = {
    { "CreateRouteTable", create_route_table },
    { "DeleteRouteTable", delete_route_table },
    { "DescribeRouteTables", describe_route_tables },
    { "CreateRoute", create_route },
    { "ReplaceRoute", replace_route },
    { "DeleteRoute", delete_route },
    { "AssociateRouteTable", associate_route_table },
    { "DisassociateRouteTable", disassociate_route_table },
    { "ReplaceRouteTableAssociation", replace_route_table_association },
    { NULL, NULL },
};
