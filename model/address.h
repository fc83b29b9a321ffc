/* Elastic IP addresses: allocation from the public pool, association with a
 * network interface's private address (section 6). */
#ifndef VPCD_MODEL_ADDRESS_H
#define VPCD_MODEL_ADDRESS_H

#include "model/model.h"

enum { ADDRESS_LIMIT_PER_REGION = 5000 };

struct address {
    struct resource r;              /* id is the allocation id "eipalloc-..." */
    uint32_t public_ip;
    char association_id[ID_SIZE];   /* "eipassoc-..." or "" */
    char network_interface_id[ID_SIZE];
    uint32_t private_ip;
    char network_border_group[REGION_SIZE];
};

static inline struct address *
address_cast(struct resource *r)
{
    return r ? CONTAINER_OF(r, struct address, r) : NULL;
}

#endif
