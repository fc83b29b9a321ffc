/* nat_gateway.h: NAT gateways (vpc-semantics.md section 11). */
#include "model/nat_gateway.h"

#include "lib/util.h"
#include "model/schema.h"

static const struct field nat_gateway_fields[] = {
    F_STR(struct nat_gateway, subnet_id),
    F_STR(struct nat_gateway, connectivity_type),
    F_STR(struct nat_gateway, network_interface_id),
    F_STR(struct nat_gateway, allocation_id),
    F_STR(struct nat_gateway, association_id),
    F_IP4(struct nat_gateway, public_ip),
    F_IP4(struct nat_gateway, private_ip),
    F_I64(struct nat_gateway, create_time),
    F_I64(struct nat_gateway, delete_time),
    F_STR(struct nat_gateway, failure_code),
    F_PSTR(struct nat_gateway, failure_message),
};

const struct schema nat_gateway_schema = SCHEMA(struct nat_gateway, nat_gateway_fields);
