/* network_interface.h: elastic network interfaces (vpc-semantics.md section 5). */
#include "model/network_interface.h"

#include "lib/util.h"
#include "model/schema.h"

static const struct field ip_fields[] = {
    F_IP4(struct eni_private_ip, addr),
    F_BOOL(struct eni_private_ip, primary),
};

static const struct field group_fields[] = {
    { "id", FIELD_STR, 0, ID_SIZE, 0, 0, 0, 0 },
};

static const struct field network_interface_fields[] = {
    F_STR(struct network_interface, subnet_id),
    F_STR(struct network_interface, az),
    F_PSTR(struct network_interface, description),
    F_STR(struct network_interface, mac),
    F_STR(struct network_interface, interface_type),
    F_BOOL(struct network_interface, requester_managed),
    F_STR(struct network_interface, requester_id),
    F_BOOL(struct network_interface, source_dest_check),
    F_FIXED_ARRAY(struct network_interface, ips, n_ips, struct eni_private_ip, ip_fields),
    { "groups", FIELD_FIXED_ARRAY, offsetof(struct network_interface, groups), ID_SIZE,
      group_fields, ARRAY_SIZE(group_fields), offsetof(struct network_interface, n_groups),
      ENI_MAX_GROUPS },
    F_STR(struct network_interface, attachment.id),
    F_STR(struct network_interface, attachment.instance_id),
    F_INT(struct network_interface, attachment.device_index),
    F_BOOL(struct network_interface, attachment.delete_on_termination),
    F_I64(struct network_interface, attachment.attach_time),
    F_IP4(struct network_interface, public_ip),
};

const struct schema network_interface_schema = SCHEMA(struct network_interface,
                                                      network_interface_fields);
