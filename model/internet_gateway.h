/* Internet gateways: one per VPC and a VPC per gateway (section 10). */
#ifndef VPCD_MODEL_INTERNET_GATEWAY_H
#define VPCD_MODEL_INTERNET_GATEWAY_H

#include "model/filter.h"
#include "model/model.h"

enum { IGW_LIMIT_PER_REGION = 5000 };   /* AWS default 5; vpcd serves test rigs */

struct internet_gateway {
    struct resource r;
    char attached_vpc_id[ID_SIZE];  /* "" when detached */
};

static inline struct internet_gateway *
internet_gateway_cast(struct resource *r)
{
    return r ? CONTAINER_OF(r, struct internet_gateway, r) : NULL;
}

/* CreateInternetGateway: a detached gateway; InternetGatewayLimitExceeded
 * past IGW_LIMIT_PER_REGION. */
int internet_gateway_create(struct model *, struct scope *, struct internet_gateway **out,
                            struct error *err);
/* DependencyViolation while attached. */
int internet_gateway_delete(struct model *, struct internet_gateway *, struct error *err);
/* Resource.AlreadyAssociated when either side already has an attachment. */
int internet_gateway_attach(struct model *, struct internet_gateway *, struct vpc *,
                            struct error *err);
/* Gateway.NotAttached unless attached to 'vpc'; DependencyViolation while the
 * VPC has public addresses mapped (internet_gateway_vpc_has_public_mappings). */
int internet_gateway_detach(struct model *, struct internet_gateway *, struct vpc *,
                            struct error *err);
/* The gateway attached to 'vpc', or NULL. */
struct internet_gateway *internet_gateway_of_vpc(const struct model *, const struct vpc *);
/* Whether anything in 'vpc' is reachable from the internet through a public
 * IPv4: an interface with an auto-assigned public IPv4, an Elastic IP mapped
 * to an interface of the VPC, a public NAT gateway that is not deleted. */
bool internet_gateway_vpc_has_public_mappings(const struct model *, const struct vpc *);

/* DescribeInternetGateways filters. */
extern const struct filter_def internet_gateway_filters[];
extern const size_t internet_gateway_n_filters;

#endif
