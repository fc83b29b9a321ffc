/* address.h: Elastic IP addresses (vpc-semantics.md section 6). */
#include "model/address.h"

#include "lib/util.h"
#include "model/schema.h"

static const struct field address_fields[] = {
    F_IP4(struct address, public_ip),
    F_STR(struct address, association_id),
    F_STR(struct address, network_interface_id),
    F_IP4(struct address, private_ip),
    F_STR(struct address, network_border_group),
};

const struct schema address_schema = SCHEMA(struct address, address_fields);
