/* Elastic network interfaces: addresses, groups, source/dest check,
 * attachment, requester-managed interfaces (vpc-semantics.md section 5).
 *
 * An interface lives in one subnet and holds its private IPv4 addresses
 * there: ips[0] is the primary, fixed for the interface's life; the rest are
 * secondaries that Assign/UnassignPrivateIpAddresses add and remove.  Every
 * address an interface holds is marked in its subnet's address bitmap
 * (subnet.h), which is how AvailableIpAddressCount and address conflicts are
 * judged.  Elastic IPs point at an interface and one of its private
 * addresses (address.h); an interface's auto-assigned public IPv4 is its own
 * 'public_ip'. */
#ifndef VPCD_MODEL_NETWORK_INTERFACE_H
#define VPCD_MODEL_NETWORK_INTERFACE_H

#include "model/filter.h"
#include "model/model.h"

enum {
    ENI_MAX_PRIVATE_IPS = 50,       /* the largest instance types' IPv4 per interface */
    ENI_MAX_GROUPS = 16,            /* AWS default 5, adjustable to 16 */
    ENI_DESCRIPTION_MAX = 255,
    ENI_DNS_NAME_SIZE = 96,         /* "ip-255-255-255-255.ap-southeast-2.compute.internal" */
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

/* What CreateNetworkInterface asks for. */
struct eni_spec {
    uint32_t primary_ip;                /* 0: any free address */
    const uint32_t *secondary_ips;      /* explicit secondary addresses */
    size_t n_secondary_ips;
    size_t secondary_count;             /* secondaries more for vpcd to pick */
    const char *const *group_ids;       /* none: the VPC's default group */
    size_t n_groups;
    const char *description;            /* NULL: "" */
    const char *interface_type;         /* NULL: "interface" */
    const char *requester_id;           /* non-NULL: requester-managed, made by that service */
};

/* Creates an interface in 'subnet' as 'spec' says.  Groups must be of the
 * subnet's VPC (InvalidGroupId.NotFound / .Malformed, InvalidParameterValue);
 * addresses must be free (InvalidIPAddress.InUse), in the subnet and not
 * reserved (InvalidParameterValue), not repeated; at most ENI_MAX_PRIVATE_IPS
 * (PrivateIpAddressLimitExceeded); the subnet must have room
 * (InsufficientFreeAddressesInSubnet).  Returns 0 or -1. */
int network_interface_create_spec(struct model *, struct subnet *, const struct eni_spec *,
                                  struct network_interface **out, struct error *err);
/* The same with a primary address 'private_ip' (0: any free one) and no
 * secondaries. */
int network_interface_create(struct model *, struct subnet *, uint32_t private_ip,
                             const char *const *group_ids, size_t n_groups,
                             const char *description, const char *interface_type,
                             const char *requester_id, struct network_interface **out,
                             struct error *err);
/* InvalidNetworkInterface.InUse while attached, OperationNotPermitted for a
 * requester-managed interface; returns the addresses to the subnet, the
 * public IP to the pool, and disassociates its Elastic IPs. */
int network_interface_delete(struct model *, struct network_interface *, struct error *err);
/* Removes an interface whatever its state (its owner is going away). */
void network_interface_destroy(struct model *, struct network_interface *);

/* AssignPrivateIpAddresses: adds the addresses 'addrs' and 'count' more that
 * vpcd picks, as secondaries.  With 'allow_reassignment' an address held by
 * another interface of the subnet (not as its primary) moves here with its
 * Elastic IP.  Writes the addresses added to 'assigned' (room for
 * ENI_MAX_PRIVATE_IPS) and their number to '*n_assigned'. */
int network_interface_assign_ips(struct model *, struct network_interface *,
                                 const uint32_t *addrs, size_t n_addrs, size_t count,
                                 bool allow_reassignment, uint32_t *assigned,
                                 size_t *n_assigned, struct error *err);
/* UnassignPrivateIpAddresses: the primary can't go; every address must be a
 * secondary of the interface (InvalidParameterValue).  An Elastic IP on a
 * removed address is disassociated. */
int network_interface_unassign_ips(struct model *, struct network_interface *,
                                   const uint32_t *addrs, size_t n_addrs, struct error *err);

/* ModifyNetworkInterfaceAttribute, one attribute per call. */
int network_interface_set_groups(struct model *, struct network_interface *,
                                 const char *const *group_ids, size_t n_groups,
                                 struct error *err);
int network_interface_set_source_dest_check(struct model *, struct network_interface *,
                                            bool value, struct error *err);
int network_interface_set_description(struct model *, struct network_interface *,
                                      const char *description, struct error *err);
/* The attachment's DeleteOnTermination; 'attachment_id' must be the
 * interface's attachment (InvalidAttachmentID.NotFound). */
int network_interface_set_delete_on_termination(struct model *, struct network_interface *,
                                                const char *attachment_id, bool value,
                                                struct error *err);

/* "in-use" while attached, else "available". */
const char *network_interface_status(const struct network_interface *);
/* The interface holding 'addr' in 'subnet', or NULL. */
struct network_interface *network_interface_find_by_addr(const struct model *,
                                                         const struct subnet *, uint32_t addr);
/* Section 3's DNS names: "ip-10-0-0-5.ec2.internal" in us-east-1, else
 * "ip-10-0-0-5.<region>.compute.internal"; and for a public address
 * "ec2-203-0-113-25.compute-1.amazonaws.com" in us-east-1, else
 * "ec2-203-0-113-25.<region>.compute.amazonaws.com". */
void network_interface_private_dns_name(const char *region, uint32_t addr,
                                        char out[ENI_DNS_NAME_SIZE]);
void network_interface_public_dns_name(const char *region, uint32_t addr,
                                       char out[ENI_DNS_NAME_SIZE]);
/* Whether the interface's VPC gives public DNS names (enableDnsHostnames). */
bool network_interface_public_dns_enabled(const struct model *,
                                          const struct network_interface *);

/* DescribeNetworkInterfaces filters. */
extern const struct filter_def network_interface_filters[];
extern const size_t network_interface_n_filters;

#endif
