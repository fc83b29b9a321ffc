/* EC2 actions of the Elastic IP family: decode, call model/address.h,
 * format. */
#include "api/api.h"

#include <string.h>

#include "lib/arena.h"
#include "model/address.h"
#include "model/instance.h"
#include "model/network_interface.h"

static void
format_address(struct api_request *req, struct oval *st, const struct address *a)
{
    api_set_ip4(st, "PublicIp", a->public_ip);
    oval_set_str(st, "AllocationId", a->r.id);
    oval_set_str(st, "Domain", "vpc");
    const struct network_interface *eni = address_interface(req->model, a);
    if (eni) {
        oval_set_str(st, "AssociationId", a->association_id);
        oval_set_str(st, "NetworkInterfaceId", eni->r.id);
        oval_set_str(st, "NetworkInterfaceOwnerId", eni->r.scope->account);
        api_set_ip4(st, "PrivateIpAddress", a->private_ip);
        if (eni->attachment.instance_id[0]) {
            oval_set_str(st, "InstanceId", eni->attachment.instance_id);
        }
    }
    oval_set_str(st, "PublicIpv4Pool", ADDRESS_POOL_AMAZON);
    oval_set_str(st, "NetworkBorderGroup", a->network_border_group);
    api_format_tags(st, "Tags", &a->r);
}

/* The scope's address with public IPv4 'text': InvalidParameterValue when
 * it is not an address, InvalidAddress.NotFound when none has it. */
static struct address *
find_by_public_ip(struct api_request *req, const char *text)
{
    uint32_t ip;
    if (!ip4_parse(text, &ip)) {
        err_set(req->err, ERR_INVALID_PARAMETER_VALUE,
                "Value (%s) for parameter publicIp is invalid. This is not a valid IP address.",
                text);
        return NULL;
    }
    struct address *a = address_find_by_public_ip(req->model, req->scope, ip);
    if (!a) {
        err_set(req->err, ERR_ADDRESS_NOT_FOUND, "Address '%s' not found.", text);
    }
    return a;
}

/* The address named by AllocationId, else by PublicIp; MissingParameter
 * without either. */
static struct address *
get_address(struct api_request *req)
{
    if (dval_str(req->in, "AllocationId")) {
        return address_cast(api_get(req, req->in, "AllocationId", RES_ADDRESS));
    }
    const char *public_ip = dval_str(req->in, "PublicIp");
    if (public_ip) {
        return find_by_public_ip(req, public_ip);
    }
    err_set(req->err, ERR_MISSING_PARAMETER,
            "The request must contain the parameter AllocationId or PublicIp");
    return NULL;
}

/* Elastic IPs live in the region's only network border group. */
static int
check_border_group(struct api_request *req)
{
    const char *group = dval_str(req->in, "NetworkBorderGroup");
    if (group && strcmp(group, req->scope->region)) {
        return err_set(req->err, ERR_INVALID_PARAMETER_VALUE,
                       "Value (%s) for parameter networkBorderGroup is invalid. The network "
                       "border group of region %s is %s.", group, req->scope->region,
                       req->scope->region);
    }
    return 0;
}

static int
allocate_address(struct api_request *req)
{
    const char *domain = dval_str(req->in, "Domain");
    const char *pool = dval_str(req->in, "PublicIpv4Pool");
    uint32_t want;
    struct address *a;

    /* EC2-Classic is retired: every address is a VPC address. */
    if (domain && strcmp(domain, "vpc")) {
        return err_set(req->err, ERR_INVALID_PARAMETER_VALUE,
                       "Value (%s) for parameter domain is invalid. Only vpc is supported.",
                       domain);
    }
    if (pool && strcmp(pool, ADDRESS_POOL_AMAZON)) {
        return err_set(req->err, ERR_INVALID_PARAMETER_VALUE,
                       "Value (%s) for parameter publicIpv4Pool is invalid. Only %s is "
                       "available.", pool, ADDRESS_POOL_AMAZON);
    }
    if (dval_str(req->in, "CustomerOwnedIpv4Pool")) {
        return err_set(req->err, ERR_INVALID_PARAMETER_VALUE,
                       "Customer-owned address pools are not available in region %s.",
                       req->scope->region);
    }
    if (check_border_group(req) || api_get_ip4(req, req->in, "Address", &want)
        || api_check_tag_specs(req, "elastic-ip")
        || address_allocate(req->model, req->scope, want, &a, req->err)) {
        return -1;
    }
    api_apply_tag_specs(req, &a->r, "elastic-ip");
    api_set_ip4(req->out, "PublicIp", a->public_ip);
    oval_set_str(req->out, "AllocationId", a->r.id);
    oval_set_str(req->out, "PublicIpv4Pool", ADDRESS_POOL_AMAZON);
    oval_set_str(req->out, "NetworkBorderGroup", a->network_border_group);
    oval_set_str(req->out, "Domain", "vpc");
    return 0;
}

static int
release_address(struct api_request *req)
{
    struct address *a = get_address(req);
    if (!a || check_border_group(req)) {
        return -1;
    }
    return address_release(req->model, a, req->err);
}

static int
associate_address(struct api_request *req)
{
    const char *instance_id = dval_str(req->in, "InstanceId");
    const char *eni_id = dval_str(req->in, "NetworkInterfaceId");
    uint32_t private_ip;

    if (instance_id && eni_id) {
        return err_set(req->err, ERR_INVALID_PARAMETER_COMBINATION,
                       "You may specify either an instance ID or a network interface ID, but "
                       "not both.");
    }
    struct address *a = get_address(req);
    if (!a) {
        return -1;
    }
    if (instance_id) {
        /* Section 6: an instance with exactly one interface; its primary
         * address unless PrivateIpAddress names another. */
        struct network_interface *eni = instance_only_interface(req->model, req->scope,
                                                                instance_id, req->err);
        if (!eni || api_get_ip4(req, req->in, "PrivateIpAddress", &private_ip)
            || address_associate(req->model, a, eni, private_ip,
                                 dval_bool(req->in, "AllowReassociation", true), req->err)) {
            return -1;
        }
        oval_set_str(req->out, "AssociationId", a->association_id);
        return 0;
    }
    if (!eni_id) {
        return err_set(req->err, ERR_MISSING_PARAMETER,
                       "The request must contain the parameter InstanceId or "
                       "NetworkInterfaceId");
    }
    struct resource *eni = api_get(req, req->in, "NetworkInterfaceId", RES_NETWORK_INTERFACE);
    if (!eni || api_get_ip4(req, req->in, "PrivateIpAddress", &private_ip)
        || address_associate(req->model, a, network_interface_cast(eni), private_ip,
                             dval_bool(req->in, "AllowReassociation", true), req->err)) {
        return -1;
    }
    oval_set_str(req->out, "AssociationId", a->association_id);
    return 0;
}

static int
disassociate_address(struct api_request *req)
{
    const char *assoc_id = dval_str(req->in, "AssociationId");
    const char *public_ip = dval_str(req->in, "PublicIp");
    struct address *a;

    if (assoc_id) {
        /* AWS answers InvalidAssociationID.NotFound for an association that
         * is not (or no longer) there, so a repeat is an error there too;
         * tools treat it as "already disassociated". */
        a = address_find_by_association(req->model, req->scope, assoc_id);
        if (!a) {
            return err_set(req->err, ERR_ASSOCIATION_NOT_FOUND,
                           "The association ID '%s' does not exist", assoc_id);
        }
    } else if (public_ip) {
        a = find_by_public_ip(req, public_ip);
        if (!a) {
            return -1;
        }
    } else {
        return err_set(req->err, ERR_MISSING_PARAMETER,
                       "The request must contain the parameter AssociationId or PublicIp");
    }
    return address_disassociate(req->model, a, req->err);
}

static bool
has_public_ip(const struct address *a, uint32_t *ips, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (ips[i] == a->public_ip) {
            return true;
        }
    }
    return false;
}

static int
describe_addresses(struct api_request *req)
{
    const struct dval *public_ips = dval_get(req->in, "PublicIps");
    size_t n_ips = dval_list_len(public_ips);
    uint32_t *ips = arena_alloc(req->arena, (n_ips + 1) * sizeof *ips);
    struct resource **items;
    size_t n;
    const char *next;

    /* Each public IP named must be one of the account's. */
    for (size_t i = 0; i < n_ips; i++) {
        const struct address *a = find_by_public_ip(req, dval_list_at(public_ips, i)->u.str);
        if (!a) {
            return -1;
        }
        ips[i] = a->public_ip;
    }
    if (api_describe(req, RES_ADDRESS, "AllocationIds", address_filters, address_n_filters,
                     &items, &n, &next)) {
        return -1;
    }
    /* Not paginated: DescribeAddresses has no MaxResults. */
    struct oval *list = oval_set_list(req->out, "Addresses");
    for (size_t i = 0; i < n; i++) {
        const struct address *a = address_cast(items[i]);
        if (!n_ips || has_public_ip(a, ips, n_ips)) {
            format_address(req, oval_list_add_struct(list), a);
        }
    }
    return 0;
}

const struct api_action api_actions_address[] = {
    { "AllocateAddress", allocate_address },
    { "ReleaseAddress", release_address },
    { "DescribeAddresses", describe_addresses },
    { "AssociateAddress", associate_address },
    { "DisassociateAddress", disassociate_address },
    { NULL, NULL },
};
