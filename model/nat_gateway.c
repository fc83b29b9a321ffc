/* nat_gateway.h: NAT gateways (vpc-semantics.md section 11). */
#include "model/nat_gateway.h"

#include <stdio.h>
#include <string.h>

#include "lib/util.h"
#include "model/address.h"
#include "model/internet_gateway.h"
#include "model/network_interface.h"
#include "model/schema.h"
#include "model/subnet.h"
#include "model/vpc.h"

static const struct field nat_gateway_fields[] = {
    F_STR(struct nat_gateway, subnet_id),
    F_STR(struct nat_gateway, connectivity_type),
    F_STR(struct nat_gateway, network_interface_id),
    F_STR(struct nat_gateway, allocation_id),
    F_STR(struct nat_gateway, association_id),
    F_IP4(struct nat_gateway, public_ip),
    F_IP4(struct nat_gateway, private_ip),
    F_I64(struct nat_gateway, create_time),
    F_I64(struct nat_gateway, delete_time),
    F_STR(struct nat_gateway, failure_code),
    F_PSTR(struct nat_gateway, failure_message),
};

const struct schema nat_gateway_schema = SCHEMA(struct nat_gateway, nat_gateway_fields);

const char *
nat_gateway_state(const struct nat_gateway *nat, int64_t now)
{
    if (nat->delete_time) {
        return now < nat->delete_time + NAT_GATEWAY_DELETING_SEC ? "deleting" : "deleted";
    }
    if (nat->failure_code[0]) {
        return "failed";
    }
    return now < nat->create_time + NAT_GATEWAY_PENDING_SEC ? "pending" : "available";
}

bool
nat_gateway_is_live(const struct nat_gateway *nat)
{
    return !nat->delete_time && !nat->failure_code[0];
}

/* Whether the gateway has been gone long enough to vanish from Describe. */
static bool
expired(const struct nat_gateway *nat, int64_t now)
{
    if (nat->delete_time) {
        return now >= nat->delete_time + NAT_GATEWAY_DELETING_SEC
                          + NAT_GATEWAY_DELETED_VISIBLE_SEC;
    }
    return nat->failure_code[0] && now >= nat->create_time + NAT_GATEWAY_DELETED_VISIBLE_SEC;
}

void
nat_gateway_prune(struct model *m, struct scope *scope, int64_t now)
{
    struct resource *r, *next;
    LIST_FOR_EACH_SAFE (r, next, scope_node, &scope->resources[RES_NAT_GATEWAY]) {
        if (expired(nat_gateway_cast(r), now)) {
            model_remove(m, r);
        }
    }
}

/* Section 11, NatGatewayLimitExceeded: gateways that are not failed or
 * deleted count against their zone. */
static size_t
count_in_az(const struct model *m, const struct scope *scope, const char *az)
{
    size_t n = 0;
    struct resource *r;
    LIST_FOR_EACH (r, scope_node, &scope->resources[RES_NAT_GATEWAY]) {
        const struct nat_gateway *nat = nat_gateway_cast(r);
        struct subnet *subnet = subnet_cast(model_find(m, nat->subnet_id));
        if (nat_gateway_is_live(nat) && subnet && !strcmp(subnet->az, az)) {
            n++;
        }
    }
    return n;
}

/* What AWS would report as the gateway's failure (section 11 table), or
 * ERR_NONE with '*eip' set to the address to use (public gateways). */
static enum err_code
find_failure(const struct model *m, const struct subnet *subnet, bool public,
             const char *allocation_id, struct address **eip, char *message, size_t size)
{
    *eip = NULL;
    if (public) {
        struct vpc *vpc = vpc_cast(model_find(m, subnet->r.vpc_id));
        if (!vpc || !internet_gateway_of_vpc(m, vpc)) {
            snprintf(message, size, "Network %s has no Internet gateway attached",
                     subnet->r.vpc_id);
            return ERR_GATEWAY_NOT_ATTACHED;
        }
        struct address *a = address_cast(model_find_in(m, subnet->r.scope, RES_ADDRESS,
                                                       allocation_id));
        if (!a) {
            snprintf(message, size, "Elastic IP address %s could not be associated with this "
                     "NAT gateway", allocation_id);
            return ERR_ALLOCATION_NOT_FOUND;
        }
        if (address_interface(m, a)) {
            snprintf(message, size, "Elastic IP address %s is already associated",
                     allocation_id);
            return ERR_RESOURCE_ALREADY_ASSOCIATED;
        }
        *eip = a;
    }
    return ERR_NONE;
}

/* Whether 'id' has the form of an allocation id ("eipalloc-" + 8 or 17 hex). */
static bool
allocation_id_well_formed(const char *id)
{
    static const char prefix[] = "eipalloc-";
    if (strncmp(id, prefix, sizeof prefix - 1)) {
        return false;
    }
    const char *hex = id + sizeof prefix - 1;
    size_t n = strspn(hex, "0123456789abcdef");
    return !hex[n] && (n == 8 || n == ID_HEX_DIGITS);
}

int
nat_gateway_create(struct model *m, struct subnet *subnet, const char *connectivity_type,
                   const char *allocation_id, uint32_t private_ip, struct nat_gateway **out,
                   struct error *err)
{
    struct scope *scope = subnet->r.scope;
    bool public = !connectivity_type || !strcmp(connectivity_type, "public");
    if (allocation_id && !allocation_id[0]) {
        allocation_id = NULL;
    }

    /* Section 11: a public gateway needs an Elastic IP, a private one takes
     * none. */
    if (connectivity_type && strcmp(connectivity_type, "public")
        && strcmp(connectivity_type, "private")) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "Value (%s) for parameter connectivityType is invalid.",
                       connectivity_type);
    }
    if (public && !allocation_id) {
        return err_set(err, ERR_MISSING_PARAMETER,
                       "The request must contain the parameter AllocationId");
    }
    if (!public && allocation_id) {
        return err_set(err, ERR_INVALID_PARAMETER_COMBINATION,
                       "AllocationId cannot be specified for a private NAT gateway.");
    }
    if (allocation_id && !allocation_id_well_formed(allocation_id)) {
        return err_set(err, ERR_ALLOCATION_ID_MALFORMED,
                       "Invalid id: \"%s\" (expecting \"eipalloc-...\")", allocation_id);
    }
    if (private_ip) {
        char text[IP4_STRLEN];
        ip4_format(private_ip, text);
        if (!ip4_prefix_has(&subnet->cidr, private_ip)
            || subnet_addr_reserved(subnet, private_ip)) {
            return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                           "Value (%s) for parameter privateIpAddress is invalid. The address "
                           "is not a usable address of subnet %s.", text, subnet->r.id);
        }
        if (subnet_addr_in_use(subnet, private_ip)) {
            return err_set(err, ERR_IP_ADDRESS_IN_USE,
                           "The specified address %s is already in use.", text);
        }
    }
    if (count_in_az(m, scope, subnet->az) >= NAT_GATEWAY_LIMIT_PER_AZ) {
        return err_set(err, ERR_NAT_GATEWAY_LIMIT_EXCEEDED,
                       "The maximum number of NAT Gateways has been reached in availability "
                       "zone %s.", subnet->az);
    }

    struct address *eip;
    char message[256];
    enum err_code failure = find_failure(m, subnet, public, allocation_id, &eip, message,
                                         sizeof message);
    if (failure == ERR_NONE && !private_ip && !subnet_available_count(subnet)) {
        failure = ERR_INSUFFICIENT_FREE_ADDRESSES;
        snprintf(message, sizeof message,
                 "Subnet has insufficient free addresses to create this NAT gateway");
    }

    char id[ID_SIZE];
    model_new_id(m, "nat", id);
    struct network_interface *eni = NULL;
    if (failure == ERR_NONE) {
        /* network_interface_create checks what is left and the dry run, and
         * changes nothing when it refuses. */
        char description[64 + ID_SIZE];
        snprintf(description, sizeof description, "Interface for NAT Gateway %s", id);
        if (network_interface_create(m, subnet, private_ip, NULL, 0, description, "nat_gateway",
                                     NAT_GATEWAY_REQUESTER_ID, &eni, err)) {
            return -1;
        }
    } else if (model_dry_run(m, err)) {
        return -1;
    }

    struct nat_gateway *nat = xzalloc(sizeof *nat);
    str_copy(nat->r.id, sizeof nat->r.id, id);
    str_copy(nat->subnet_id, sizeof nat->subnet_id, subnet->r.id);
    str_copy(nat->connectivity_type, sizeof nat->connectivity_type,
             public ? "public" : "private");
    if (allocation_id) {
        str_copy(nat->allocation_id, sizeof nat->allocation_id, allocation_id);
    }
    nat->create_time = model_now();
    if (eni) {
        /* A NAT gateway forwards for others: its interface never checks
         * source and destination (as AWS shows it). */
        eni->source_dest_check = false;
        model_touch(m, &eni->r);
        str_copy(nat->network_interface_id, sizeof nat->network_interface_id, eni->r.id);
        nat->private_ip = eni->ips[0].addr;
        if (eip) {
            address_bind(m, eip, eni, nat->private_ip);
            str_copy(nat->association_id, sizeof nat->association_id, eip->association_id);
            nat->public_ip = eip->public_ip;
        }
    } else {
        str_copy(nat->failure_code, sizeof nat->failure_code, err_code_name(failure));
        nat->failure_message = xstrdup(message);
    }
    model_add(m, scope, &nat->r, RES_NAT_GATEWAY, model_find(m, subnet->r.vpc_id));
    *out = nat;
    return 0;
}

int
nat_gateway_delete(struct model *m, struct nat_gateway *nat, struct error *err)
{
    if (model_dry_run(m, err)) {
        return -1;
    }
    if (nat->delete_time) {
        return 0;
    }
    if (nat_gateway_is_live(nat)) {
        struct address *eip = address_cast(model_find_in(m, nat->r.scope, RES_ADDRESS,
                                                         nat->allocation_id));
        if (eip && !strcmp(eip->association_id, nat->association_id)) {
            /* Section 11: disassociated, not released. */
            address_unbind(m, eip);
        }
        struct network_interface *eni = network_interface_cast(
            model_find_in(m, nat->r.scope, RES_NETWORK_INTERFACE, nat->network_interface_id));
        if (eni) {
            network_interface_destroy(m, eni);
        }
    }
    nat->delete_time = model_now();
    model_touch(m, &nat->r);
    return 0;
}

/* DescribeNatGateways filters (as documented for the action). */
static void
f_state(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit(fv, nat_gateway_state(nat_gateway_cast((struct resource *) r), model_now()));
}

static void
f_subnet_id(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit(fv, nat_gateway_cast((struct resource *) r)->subnet_id);
}

static void
f_connectivity_type(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit(fv, nat_gateway_cast((struct resource *) r)->connectivity_type);
}

const struct filter_def nat_gateway_filters[] = {
    { "connectivity-type", f_connectivity_type },
    { "nat-gateway-id", filter_resource_id },
    { "state", f_state },
    { "subnet-id", f_subnet_id },
    { "vpc-id", filter_resource_vpc_id },
};
const size_t nat_gateway_n_filters = ARRAY_SIZE(nat_gateway_filters);
