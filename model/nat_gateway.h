/* NAT gateways: public (with an EIP) and private, their requester-managed
 * interface, and the pending -> available -> deleting -> deleted states
 * (section 11). */
#ifndef VPCD_MODEL_NAT_GATEWAY_H
#define VPCD_MODEL_NAT_GATEWAY_H

#include "model/model.h"

enum {
    NAT_GATEWAY_LIMIT_PER_AZ = 5,
    NAT_GATEWAY_PENDING_SEC = 1,    /* AWS takes minutes; tools poll, so be quick */
    NAT_GATEWAY_DELETING_SEC = 1,
    NAT_GATEWAY_DELETED_VISIBLE_SEC = 3600,
};

struct nat_gateway {
    struct resource r;
    char subnet_id[ID_SIZE];
    char connectivity_type[8];      /* "public" | "private" */
    char network_interface_id[ID_SIZE];
    char allocation_id[ID_SIZE];    /* public only */
    char association_id[ID_SIZE];
    uint32_t public_ip;
    uint32_t private_ip;
    int64_t create_time;
    int64_t delete_time;            /* 0 unless deleting/deleted */
    char failure_code[64];
    char *failure_message;          /* heap or NULL */
};

static inline struct nat_gateway *
nat_gateway_cast(struct resource *r)
{
    return r ? CONTAINER_OF(r, struct nat_gateway, r) : NULL;
}

#endif
