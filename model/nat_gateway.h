/* NAT gateways: public (with an EIP) and private, their requester-managed
 * interface, and the pending -> available -> deleting -> deleted states
 * (section 11).
 *
 * State is a function of time, not of timers: a gateway is "pending" for
 * NAT_GATEWAY_PENDING_SEC after its create_time, then "available";
 * DeleteNatGateway sets delete_time, after which it is "deleting" for
 * NAT_GATEWAY_DELETING_SEC, then "deleted", and it stays visible for
 * NAT_GATEWAY_DELETED_VISIBLE_SEC more before nat_gateway_prune() removes it.
 * So a restart neither loses nor replays a transition.
 *
 * Failures AWS reports asynchronously (no internet gateway, Elastic IP
 * missing or taken, subnet full) make a gateway that is "failed" from the
 * start, with failure_code and failure_message and neither interface nor
 * Elastic IP; CreateNatGateway itself succeeds, as on AWS.  A failed gateway
 * stays visible for NAT_GATEWAY_DELETED_VISIBLE_SEC after creation.
 *
 * A live gateway (not failed, not deleted) owns a requester-managed interface
 * (interface_type "nat_gateway") holding its private address; a public one
 * has its Elastic IP associated with that interface's primary address. */
#ifndef VPCD_MODEL_NAT_GATEWAY_H
#define VPCD_MODEL_NAT_GATEWAY_H

#include "model/filter.h"
#include "model/model.h"

enum {
    NAT_GATEWAY_LIMIT_PER_AZ = 5,
    NAT_GATEWAY_PENDING_SEC = 1,    /* AWS takes minutes; tools poll, so be quick */
    NAT_GATEWAY_DELETING_SEC = 1,
    NAT_GATEWAY_DELETED_VISIBLE_SEC = 3600,
};

/* The RequesterId AWS shows on a NAT gateway's interface (an account-like
 * id, as captured from real describe-network-interfaces output). */
#define NAT_GATEWAY_REQUESTER_ID "036872051663"

struct nat_gateway {
    struct resource r;
    char subnet_id[ID_SIZE];
    char connectivity_type[8];      /* "public" | "private" */
    char network_interface_id[ID_SIZE];     /* "" when failed */
    char allocation_id[ID_SIZE];    /* public only */
    char association_id[ID_SIZE];
    uint32_t public_ip;
    uint32_t private_ip;
    int64_t create_time;            /* seconds since the epoch */
    int64_t delete_time;            /* 0 unless deleting/deleted */
    char failure_code[64];          /* "" unless failed */
    char *failure_message;          /* heap or NULL */
};

static inline struct nat_gateway *
nat_gateway_cast(struct resource *r)
{
    return r ? CONTAINER_OF(r, struct nat_gateway, r) : NULL;
}

/* CreateNatGateway in 'subnet'.  'connectivity_type' NULL means "public".
 * Refused outright (returns -1): a public gateway without 'allocation_id'
 * (MissingParameter), a private one with one (InvalidParameterCombination), a
 * malformed allocation id, a bad 'private_ip' (0: any free address),
 * NatGatewayLimitExceeded.  Failures AWS reports later give a gateway in
 * state "failed" and return 0. */
int nat_gateway_create(struct model *, struct subnet *, const char *connectivity_type,
                       const char *allocation_id, uint32_t private_ip, struct nat_gateway **out,
                       struct error *err);
/* DeleteNatGateway: removes the interface, disassociates (does not release)
 * the Elastic IP, starts "deleting".  Deleting a gateway that is already
 * deleting or deleted changes nothing. */
int nat_gateway_delete(struct model *, struct nat_gateway *, struct error *err);

/* "pending", "available", "failed", "deleting" or "deleted" at time 'now'. */
const char *nat_gateway_state(const struct nat_gateway *, int64_t now);
/* Whether the gateway still does its work (or is about to): neither failed
 * nor deleted.  Such a gateway owns its interface. */
bool nat_gateway_is_live(const struct nat_gateway *);
/* Removes the scope's gateways that have been deleted or failed for longer
 * than NAT_GATEWAY_DELETED_VISIBLE_SEC (recorded as changes). */
void nat_gateway_prune(struct model *, struct scope *, int64_t now);

/* DescribeNatGateways filters. */
extern const struct filter_def nat_gateway_filters[];
extern const size_t nat_gateway_n_filters;

#endif
