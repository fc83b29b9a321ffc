/* internet_gateway.h: internet gateways and their attachment (vpc-semantics.md
 * section 10). */
#include "model/internet_gateway.h"

#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "model/address.h"
#include "model/nat_gateway.h"
#include "model/network_interface.h"
#include "model/schema.h"
#include "model/vpc.h"

static const struct field internet_gateway_fields[] = {
    F_STR(struct internet_gateway, attached_vpc_id),
};

const struct schema internet_gateway_schema = SCHEMA(struct internet_gateway,
                                                     internet_gateway_fields);

int
internet_gateway_create(struct model *m, struct scope *scope, struct internet_gateway **out,
                        struct error *err)
{
    if (scope->n_resources[RES_INTERNET_GATEWAY] >= IGW_LIMIT_PER_REGION) {
        return err_set(err, ERR_INTERNET_GATEWAY_LIMIT_EXCEEDED,
                       "The maximum number of internet gateways has been reached.");
    }
    if (model_dry_run(m, err)) {
        return -1;
    }
    struct internet_gateway *igw = xzalloc(sizeof *igw);
    model_new_id(m, "igw", igw->r.id);
    model_add(m, scope, &igw->r, RES_INTERNET_GATEWAY, NULL);
    *out = igw;
    return 0;
}

int
internet_gateway_delete(struct model *m, struct internet_gateway *igw, struct error *err)
{
    if (igw->attached_vpc_id[0]) {
        return err_set(err, ERR_DEPENDENCY_VIOLATION,
                       "The internetGateway '%s' has dependencies and cannot be deleted.",
                       igw->r.id);
    }
    if (model_dry_run(m, err)) {
        return -1;
    }
    model_remove(m, &igw->r);
    return 0;
}

struct internet_gateway *
internet_gateway_of_vpc(const struct model *m, const struct vpc *vpc)
{
    (void) m;
    struct resource *r;
    /* Gateways are few per scope; a VPC has at most one. */
    LIST_FOR_EACH (r, scope_node, &vpc->r.scope->resources[RES_INTERNET_GATEWAY]) {
        if (!strcmp(internet_gateway_cast(r)->attached_vpc_id, vpc->r.id)) {
            return internet_gateway_cast(r);
        }
    }
    return NULL;
}

/* Section 10: one gateway per VPC and one VPC per gateway. */
int
internet_gateway_attach(struct model *m, struct internet_gateway *igw, struct vpc *vpc,
                        struct error *err)
{
    if (igw->attached_vpc_id[0]) {
        return err_set(err, ERR_RESOURCE_ALREADY_ASSOCIATED,
                       "resource %s is already attached to network %s", igw->r.id,
                       igw->attached_vpc_id);
    }
    struct internet_gateway *other = internet_gateway_of_vpc(m, vpc);
    if (other) {
        return err_set(err, ERR_RESOURCE_ALREADY_ASSOCIATED,
                       "network %s already has an internet gateway attached", vpc->r.id);
    }
    if (model_dry_run(m, err)) {
        return -1;
    }
    str_copy(igw->attached_vpc_id, sizeof igw->attached_vpc_id, vpc->r.id);
    model_touch(m, &igw->r);
    return 0;
}

int
internet_gateway_detach(struct model *m, struct internet_gateway *igw, struct vpc *vpc,
                        struct error *err)
{
    if (strcmp(igw->attached_vpc_id, vpc->r.id)) {
        return err_set(err, ERR_GATEWAY_NOT_ATTACHED,
                       "resource %s is not attached to network %s", igw->r.id, vpc->r.id);
    }
    /* Section 10: the gateway is what makes those addresses reachable. */
    if (internet_gateway_vpc_has_public_mappings(m, vpc)) {
        return err_set(err, ERR_DEPENDENCY_VIOLATION,
                       "Network %s has some mapped public address(es). Please unmap those "
                       "public address(es) before detaching the gateway.", vpc->r.id);
    }
    if (model_dry_run(m, err)) {
        return -1;
    }
    igw->attached_vpc_id[0] = '\0';
    model_touch(m, &igw->r);
    return 0;
}

bool
internet_gateway_vpc_has_public_mappings(const struct model *m, const struct vpc *vpc)
{
    struct resource *r;
    LIST_FOR_EACH (r, vpc_node, &vpc->children[RES_NETWORK_INTERFACE]) {
        if (network_interface_cast(r)->public_ip) {
            return true;
        }
    }
    LIST_FOR_EACH (r, vpc_node, &vpc->children[RES_NAT_GATEWAY]) {
        const struct nat_gateway *nat = nat_gateway_cast(r);
        if (nat_gateway_is_live(nat) && !strcmp(nat->connectivity_type, "public")) {
            return true;
        }
    }
    LIST_FOR_EACH (r, scope_node, &vpc->r.scope->resources[RES_ADDRESS]) {
        const struct network_interface *eni = address_interface(m, address_cast(r));
        if (eni && !strcmp(eni->r.vpc_id, vpc->r.id)) {
            return true;
        }
    }
    return false;
}

/* DescribeInternetGateways filters (as documented for the action). */
static void
f_attachment_state(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    /* AWS reports an attached gateway's attachment as "available". */
    if (internet_gateway_cast((struct resource *) r)->attached_vpc_id[0]) {
        filter_emit(fv, "available");
    }
}

static void
f_attachment_vpc_id(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    const struct internet_gateway *igw = internet_gateway_cast((struct resource *) r);
    if (igw->attached_vpc_id[0]) {
        filter_emit(fv, igw->attached_vpc_id);
    }
}

const struct filter_def internet_gateway_filters[] = {
    { "attachment.state", f_attachment_state },
    { "attachment.vpc-id", f_attachment_vpc_id },
    { "internet-gateway-id", filter_resource_id },
    { "owner-id", filter_resource_owner_id },
};
const size_t internet_gateway_n_filters = ARRAY_SIZE(internet_gateway_filters);
