/* Internet gateways: one per VPC and a VPC per gateway (section 10). */
#ifndef VPCD_MODEL_INTERNET_GATEWAY_H
#define VPCD_MODEL_INTERNET_GATEWAY_H

#include "model/model.h"

enum { IGW_LIMIT_PER_REGION = 5000 };

struct internet_gateway {
    struct resource r;
    char attached_vpc_id[ID_SIZE];  /* "" when detached */
};

static inline struct internet_gateway *
internet_gateway_cast(struct resource *r)
{
    return r ? CONTAINER_OF(r, struct internet_gateway, r) : NULL;
}

int internet_gateway_create(struct model *, struct scope *, struct internet_gateway **out,
                            struct error *err);
int internet_gateway_delete(struct model *, struct internet_gateway *, struct error *err);
int internet_gateway_attach(struct model *, struct internet_gateway *, struct vpc *,
                            struct error *err);
int internet_gateway_detach(struct model *, struct internet_gateway *, struct vpc *,
                            struct error *err);
/* The gateway attached to 'vpc', or NULL. */
struct internet_gateway *internet_gateway_of_vpc(const struct model *, const struct vpc *);

#endif
