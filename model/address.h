/* Elastic IP addresses: allocation from the public pool, association with a
 * network interface's private address (section 6).
 *
 * An address belongs to a scope (account + region), not to a VPC: it moves
 * between interfaces of any VPC of its account.  Its association names the
 * interface and the private address it maps to; one private address has at
 * most one Elastic IP.  The interface is the truth: an association whose
 * interface or private address has gone counts as no association (see
 * address_interface()), so a missed clean-up never blocks a release.
 *
 * When an Elastic IP lands on the primary private address of an interface
 * that holds an auto-assigned public IPv4, that public IPv4 goes back to the
 * pool; AWS gives the instance a new one when the Elastic IP leaves again,
 * unless the instance has several interfaces.  A lone interface (no
 * instance) gets none back. */
#ifndef VPCD_MODEL_ADDRESS_H
#define VPCD_MODEL_ADDRESS_H

#include "model/filter.h"
#include "model/model.h"

enum { ADDRESS_LIMIT_PER_REGION = 5000 };   /* AWS default 5; vpcd serves test rigs */

/* The pool name every Elastic IP reports (PublicIpv4Pool). */
#define ADDRESS_POOL_AMAZON "amazon"

struct address {
    struct resource r;              /* id is the allocation id "eipalloc-..." */
    uint32_t public_ip;
    char association_id[ID_SIZE];   /* "eipassoc-..." or "" */
    char network_interface_id[ID_SIZE];
    uint32_t private_ip;
    char network_border_group[REGION_SIZE];
    bool replaced_public_ip;        /* took the place of an auto-assigned public IPv4 */
};

static inline struct address *
address_cast(struct resource *r)
{
    return r ? CONTAINER_OF(r, struct address, r) : NULL;
}

/* AllocateAddress: the lowest free pool address, or 'want' (0: any) when it
 * is a free address of the pool.  AddressLimitExceeded past
 * ADDRESS_LIMIT_PER_REGION; InsufficientAddressCapacity when the pool is
 * exhausted. */
int address_allocate(struct model *, struct scope *, uint32_t want, struct address **out,
                     struct error *err);
/* ReleaseAddress: InvalidIPAddress.InUse while associated (AuthFailure when
 * a NAT gateway holds it); the public IPv4 returns to the pool. */
int address_release(struct model *, struct address *, struct error *err);

/* AssociateAddress with an interface: 'private_ip' 0 means the primary
 * address.  Gateway.NotAttached when the interface's VPC has no internet
 * gateway; Resource.AlreadyAssociated when the address is mapped elsewhere
 * and 'allow_reassociation' is false; AuthFailure for requester-managed
 * interfaces.  Moves the address (a new association id) and disassociates
 * whatever Elastic IP the target private address had. */
int address_associate(struct model *, struct address *, struct network_interface *,
                      uint32_t private_ip, bool allow_reassociation, struct error *err);
/* DisassociateAddress of an associated address (AuthFailure when a NAT
 * gateway holds it); an address without association is left as is. */
int address_disassociate(struct model *, struct address *, struct error *err);

/* For the NAT gateway: maps 'a' to 'eni''s primary address without the
 * user-facing rules (the caller checked them), and undoes it. */
void address_bind(struct model *, struct address *, struct network_interface *,
                  uint32_t private_ip);
void address_unbind(struct model *, struct address *);

/* The interface 'a' is associated with, or NULL when it is not (also when
 * that interface or private address is gone). */
struct network_interface *address_interface(const struct model *, const struct address *);
/* The Elastic IP mapped to 'private_ip' of 'eni', or NULL. */
struct address *address_of_private_ip(const struct model *, const struct network_interface *,
                                      uint32_t private_ip);
/* The address of the scope with public IPv4 'public_ip' / association id
 * 'assoc_id', or NULL. */
struct address *address_find_by_public_ip(const struct model *, const struct scope *,
                                          uint32_t public_ip);
struct address *address_find_by_association(const struct model *, const struct scope *,
                                            const char *assoc_id);

/* DescribeAddresses filters. */
extern const struct filter_def address_filters[];
extern const size_t address_n_filters;

#endif
