/* EC2 actions of the NAT gateway family: decode, call model/nat_gateway.h,
 * format. */
#include "api/api.h"

#include "model/nat_gateway.h"
#include "model/subnet.h"

static void
format_nat_gateway(struct oval *st, const struct nat_gateway *nat, const char *state)
{
    api_set_time(st, "CreateTime", nat->create_time);
    if (nat->delete_time) {
        api_set_time(st, "DeleteTime", nat->delete_time);
    }
    if (nat->failure_code[0]) {
        oval_set_str(st, "FailureCode", nat->failure_code);
        oval_set_str(st, "FailureMessage", nat->failure_message ? nat->failure_message : "");
    }
    /* The model this build serves has AllocationId, NetworkInterfaceId,
     * PrivateIp and PublicIp per address (no AssociationId/IsPrimary/Status). */
    struct oval *addresses = oval_set_list(st, "NatGatewayAddresses");
    if (nat->network_interface_id[0]) {
        struct oval *a = oval_list_add_struct(addresses);
        if (nat->allocation_id[0]) {
            oval_set_str(a, "AllocationId", nat->allocation_id);
        }
        oval_set_str(a, "NetworkInterfaceId", nat->network_interface_id);
        api_set_ip4(a, "PrivateIp", nat->private_ip);
        if (nat->public_ip) {
            api_set_ip4(a, "PublicIp", nat->public_ip);
        }
    } else if (nat->allocation_id[0]) {
        /* A failed public gateway still names the address it was given. */
        oval_set_str(oval_list_add_struct(addresses), "AllocationId", nat->allocation_id);
    }
    oval_set_str(st, "NatGatewayId", nat->r.id);
    oval_set_str(st, "State", state);
    oval_set_str(st, "SubnetId", nat->subnet_id);
    oval_set_str(st, "VpcId", nat->r.vpc_id);
    api_format_tags(st, "Tags", &nat->r);
    oval_set_str(st, "ConnectivityType", nat->connectivity_type);
}

static int
create_nat_gateway(struct api_request *req)
{
    struct resource *subnet = api_get(req, req->in, "SubnetId", RES_SUBNET);
    uint32_t private_ip;
    struct nat_gateway *nat;

    /* A replayed ClientToken never gets here: api/service.c answers it. */
    if (!subnet || api_get_ip4(req, req->in, "PrivateIpAddress", &private_ip)
        || api_check_tag_specs(req, "natgateway")
        || nat_gateway_create(req->model, subnet_cast(subnet),
                              dval_str(req->in, "ConnectivityType"),
                              dval_str(req->in, "AllocationId"), private_ip, &nat, req->err)) {
        return -1;
    }
    api_apply_tag_specs(req, &nat->r, "natgateway");
    /* Section 11: AWS answers "pending" even for a gateway that will fail. */
    format_nat_gateway(oval_set_struct(req->out, "NatGateway"), nat, "pending");
    const char *token = dval_str(req->in, "ClientToken");
    if (token) {
        oval_set_str(req->out, "ClientToken", token);
    }
    return 0;
}

static int
delete_nat_gateway(struct api_request *req)
{
    struct resource *r = api_get(req, req->in, "NatGatewayId", RES_NAT_GATEWAY);
    if (!r || nat_gateway_delete(req->model, nat_gateway_cast(r), req->err)) {
        return -1;
    }
    oval_set_str(req->out, "NatGatewayId", r->id);
    return 0;
}

static int
describe_nat_gateways(struct api_request *req)
{
    struct resource **items;
    size_t n;
    const char *next;
    int64_t now = model_now();

    /* Gateways deleted (or failed) an hour ago vanish here, lazily. */
    nat_gateway_prune(req->model, req->scope, now);
    if (api_describe(req, RES_NAT_GATEWAY, "NatGatewayIds", nat_gateway_filters,
                     nat_gateway_n_filters, &items, &n, &next)) {
        return -1;
    }
    struct oval *list = oval_set_list(req->out, "NatGateways");
    for (size_t i = 0; i < n; i++) {
        const struct nat_gateway *nat = nat_gateway_cast(items[i]);
        format_nat_gateway(oval_list_add_struct(list), nat, nat_gateway_state(nat, now));
    }
    if (next) {
        oval_set_str(req->out, "NextToken", next);
    }
    return 0;
}

const struct api_action api_actions_nat_gateway[] = {
    { "CreateNatGateway", create_nat_gateway },
    { "DeleteNatGateway", delete_nat_gateway },
    { "DescribeNatGateways", describe_nat_gateways },
    { NULL, NULL },
};
