/* Elastic network interfaces: addresses, groups, source/dest check,
 * attachment, requester-managed interfaces (section 5). */
#ifndef VPCD_MODEL_NETWORK_INTERFACE_H
#define VPCD_MODEL_NETWORK_INTERFACE_H

#include "model/model.h"

enum {
    ENI_MAX_PRIVATE_IPS = 50,
    ENI_MAX_GROUPS = 16,            /* AWS default 5, adjustable to 16 */
    ENI_DESCRIPTION_MAX = 255,
};

struct eni_private_ip {
    uint32_t addr;
    bool primary;
};

struct eni_attachment {
    char id[ID_SIZE];               /* "eni-attach-..." or "" when detached */
    char instance_id[ID_SIZE];
    int device_index;
    bool delete_on_termination;
    int64_t attach_time;
};

struct network_interface {
    struct resource r;
    char subnet_id[ID_SIZE];
    char az[AZ_SIZE];
    char *description;              /* heap or NULL */
    char mac[MAC_SIZE];
    char interface_type[24];        /* "interface", "nat_gateway", ... */
    bool requester_managed;
    char requester_id[32];
    bool source_dest_check;
    struct eni_private_ip ips[ENI_MAX_PRIVATE_IPS];     /* [0] is the primary */
    size_t n_ips;
    char groups[ENI_MAX_GROUPS][ID_SIZE];
    size_t n_groups;
    struct eni_attachment attachment;
    uint32_t public_ip;             /* auto-assigned public IPv4 of the primary, or 0 */
};

static inline struct network_interface *
network_interface_cast(struct resource *r)
{
    return r ? CONTAINER_OF(r, struct network_interface, r) : NULL;
}

#endif
