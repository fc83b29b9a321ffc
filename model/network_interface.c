/* network_interface.h: elastic network interfaces, their addresses, groups
 * and attributes, and the DescribeNetworkInterfaces filters
 * (vpc-semantics.md section 5). */
#include "model/network_interface.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "model/address.h"
#include "model/schema.h"
#include "model/security_group.h"
#include "model/subnet.h"
#include "model/vpc.h"

static const struct field ip_fields[] = {
    F_IP4(struct eni_private_ip, addr),
    F_BOOL(struct eni_private_ip, primary),
};

static const struct field group_fields[] = {
    { "id", FIELD_STR, 0, ID_SIZE, 0, 0, 0, 0 },
};

static const struct field network_interface_fields[] = {
    F_STR(struct network_interface, subnet_id),
    F_STR(struct network_interface, az),
    F_PSTR(struct network_interface, description),
    F_STR(struct network_interface, mac),
    F_STR(struct network_interface, interface_type),
    F_BOOL(struct network_interface, requester_managed),
    F_STR(struct network_interface, requester_id),
    F_BOOL(struct network_interface, source_dest_check),
    F_FIXED_ARRAY(struct network_interface, ips, n_ips, struct eni_private_ip, ip_fields),
    { "groups", FIELD_FIXED_ARRAY, offsetof(struct network_interface, groups), ID_SIZE,
      group_fields, ARRAY_SIZE(group_fields), offsetof(struct network_interface, n_groups),
      ENI_MAX_GROUPS },
    F_STR(struct network_interface, attachment.id),
    F_STR(struct network_interface, attachment.instance_id),
    F_INT(struct network_interface, attachment.device_index),
    F_BOOL(struct network_interface, attachment.delete_on_termination),
    F_I64(struct network_interface, attachment.attach_time),
    F_IP4(struct network_interface, public_ip),
};

const struct schema network_interface_schema = SCHEMA(struct network_interface,
                                                      network_interface_fields);

static void
make_mac(char out[MAC_SIZE])
{
    uint8_t b[6];
    random_bytes(b, sizeof b);
    b[0] = (uint8_t) ((b[0] & 0xfc) | 0x02);     /* locally administered, unicast */
    snprintf(out, MAC_SIZE, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
}

static struct subnet *
subnet_of(const struct model *m, const struct network_interface *eni)
{
    return subnet_cast(model_find(m, eni->subnet_id));
}

/* Section 5 and 9.1: 1 to ENI_MAX_GROUPS groups, each of the interface's VPC.
 * A group named twice counts once (AWS keeps a set). */
static int
check_groups(struct model *m, const struct resource *in_vpc, const char *const *group_ids,
             size_t n_groups, struct error *err)
{
    size_t n_distinct = 0;
    for (size_t i = 0; i < n_groups; i++) {
        struct resource *sg = model_get(m, in_vpc->scope, RES_SECURITY_GROUP, group_ids[i],
                                        err);
        if (!sg) {
            return -1;
        }
        if (strcmp(sg->vpc_id, in_vpc->vpc_id)) {
            return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                           "Security group %s and %s %s belong to different networks.",
                           group_ids[i], in_vpc->kind == RES_SUBNET ? "subnet" : "interface",
                           in_vpc->id);
        }
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++) {
            seen = !strcmp(group_ids[j], group_ids[i]);
        }
        n_distinct += !seen;
    }
    if (n_distinct > ENI_MAX_GROUPS) {
        return err_set(err, ERR_SECURITY_GROUPS_PER_INTERFACE_LIMIT_EXCEEDED,
                       "The maximum number of security groups per interface has been "
                       "reached.");
    }
    return 0;
}

static void
set_groups(struct network_interface *eni, const char *const *group_ids, size_t n_groups)
{
    eni->n_groups = 0;
    for (size_t i = 0; i < n_groups; i++) {
        bool seen = false;
        for (size_t j = 0; j < eni->n_groups && !seen; j++) {
            seen = !strcmp(eni->groups[j], group_ids[i]);
        }
        if (!seen) {
            str_copy(eni->groups[eni->n_groups++], ID_SIZE, group_ids[i]);
        }
    }
}

static int
check_description(const char *description, struct error *err)
{
    if (description && strlen(description) > ENI_DESCRIPTION_MAX) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "Value for parameter description is longer than %d characters",
                       ENI_DESCRIPTION_MAX);
    }
    return 0;
}

static int
limit_exceeded(const char *eni_id, struct error *err)
{
    return err_set(err, ERR_PRIVATE_IP_ADDRESS_LIMIT_EXCEEDED,
                   "Number of private addresses will exceed limit for %s (%d).",
                   eni_id ? eni_id : "the network interface", ENI_MAX_PRIVATE_IPS);
}

static int
duplicate_address(uint32_t addr, struct error *err)
{
    char text[IP4_STRLEN];
    ip4_format(addr, text);
    return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                   "The address %s is specified more than once.", text);
}

static bool
holds(const struct network_interface *eni, uint32_t addr)
{
    for (size_t i = 0; i < eni->n_ips; i++) {
        if (eni->ips[i].addr == addr) {
            return true;
        }
    }
    return false;
}

int
network_interface_create_spec(struct model *m, struct subnet *subnet,
                              const struct eni_spec *spec, struct network_interface **out,
                              struct error *err)
{
    if (check_groups(m, &subnet->r, spec->group_ids, spec->n_groups, err)
        || check_description(spec->description, err)) {
        return -1;
    }
    size_t n_explicit = (spec->primary_ip != 0) + spec->n_secondary_ips;
    if (spec->n_secondary_ips >= ENI_MAX_PRIVATE_IPS
        || spec->secondary_count >= ENI_MAX_PRIVATE_IPS
        || 1 + spec->n_secondary_ips + spec->secondary_count > ENI_MAX_PRIVATE_IPS) {
        return limit_exceeded(NULL, err);
    }
    /* Check the addresses without taking them, so a refusal or a dry run
     * changes nothing. */
    for (size_t i = 0; i < spec->n_secondary_ips + 1; i++) {
        uint32_t addr = i ? spec->secondary_ips[i - 1] : spec->primary_ip;
        if (!addr && !i) {
            continue;
        }
        if (subnet_check_addr(subnet, addr, err)) {
            return -1;
        }
        for (size_t j = 0; j < i; j++) {
            if (addr == (j ? spec->secondary_ips[j - 1] : spec->primary_ip)) {
                return duplicate_address(addr, err);
            }
        }
    }
    size_t n_auto = (spec->primary_ip == 0) + spec->secondary_count;
    if ((uint64_t) subnet_available_count(subnet) < n_explicit + n_auto) {
        return err_set(err, ERR_INSUFFICIENT_FREE_ADDRESSES,
                       "Insufficient free IP addresses in subnet %s.", subnet->r.id);
    }
    if (model_dry_run(m, err)) {
        return -1;
    }

    struct network_interface *eni = xzalloc(sizeof *eni);
    model_new_id(m, "eni", eni->r.id);
    str_copy(eni->subnet_id, sizeof eni->subnet_id, subnet->r.id);
    str_copy(eni->az, sizeof eni->az, subnet->az);
    eni->description = xstrdup(spec->description ? spec->description : "");
    make_mac(eni->mac);
    str_copy(eni->interface_type, sizeof eni->interface_type,
             spec->interface_type ? spec->interface_type : "interface");
    if (spec->requester_id) {
        eni->requester_managed = true;
        str_copy(eni->requester_id, sizeof eni->requester_id, spec->requester_id);
    }
    eni->source_dest_check = true;
    /* Explicit addresses first, so an automatic pick can't take one of them. */
    for (size_t i = 0; i < spec->n_secondary_ips; i++) {
        ASSERT(!subnet_take_addr(subnet, spec->secondary_ips[i], &eni->ips[1 + i].addr, NULL));
    }
    ASSERT(!subnet_take_addr(subnet, spec->primary_ip, &eni->ips[0].addr, NULL));
    eni->ips[0].primary = true;
    eni->n_ips = 1 + spec->n_secondary_ips;
    for (size_t i = 0; i < spec->secondary_count; i++) {
        ASSERT(!subnet_take_addr(subnet, 0, &eni->ips[eni->n_ips++].addr, NULL));
    }
    struct vpc *vpc = vpc_cast(model_find(m, subnet->r.vpc_id));
    if (spec->n_groups) {
        set_groups(eni, spec->group_ids, spec->n_groups);
    } else if (!spec->requester_id) {
        str_copy(eni->groups[eni->n_groups++], ID_SIZE, vpc_default_security_group(vpc)->r.id);
    }
    model_add(m, subnet->r.scope, &eni->r, RES_NETWORK_INTERFACE, &vpc->r);
    *out = eni;
    return 0;
}

int
network_interface_create(struct model *m, struct subnet *subnet, uint32_t private_ip,
                         const char *const *group_ids, size_t n_groups,
                         const char *description, const char *interface_type,
                         const char *requester_id, struct network_interface **out,
                         struct error *err)
{
    const struct eni_spec spec = {
        .primary_ip = private_ip,
        .group_ids = group_ids,
        .n_groups = n_groups,
        .description = description,
        .interface_type = interface_type,
        .requester_id = requester_id,
    };
    return network_interface_create_spec(m, subnet, &spec, out, err);
}

void
network_interface_destroy(struct model *m, struct network_interface *eni)
{
    struct subnet *subnet = subnet_of(m, eni);
    for (size_t i = 0; i < eni->n_ips; i++) {
        /* Section 6: the Elastic IP is disassociated but stays allocated. */
        struct address *a = address_of_private_ip(m, eni, eni->ips[i].addr);
        if (a) {
            address_unbind(m, a);
        }
        if (subnet) {
            subnet_release_addr(subnet, eni->ips[i].addr);
        }
    }
    if (eni->public_ip) {
        model_public_ip_release(m, eni->public_ip);
    }
    model_remove(m, &eni->r);
}

/* Section 5: requester-managed interfaces belong to the service that made
 * them; the user may only tag them. */
static int
check_user_managed(const struct network_interface *eni, const char *what, struct error *err)
{
    if (eni->requester_managed) {
        return err_set(err, ERR_OPERATION_NOT_PERMITTED,
                       "You do not have permission to %s the network interface %s because it "
                       "is managed by %s.", what, eni->r.id, eni->requester_id);
    }
    return 0;
}

int
network_interface_delete(struct model *m, struct network_interface *eni, struct error *err)
{
    if (eni->attachment.id[0]) {
        return err_set(err, ERR_NETWORK_INTERFACE_IN_USE,
                       "The networkInterface ID '%s' is in use.", eni->r.id);
    }
    if (check_user_managed(eni, "delete", err) || model_dry_run(m, err)) {
        return -1;
    }
    network_interface_destroy(m, eni);
    return 0;
}

struct network_interface *
network_interface_find_by_addr(const struct model *m, const struct subnet *subnet,
                               uint32_t addr)
{
    if (!subnet_addr_in_use(subnet, addr)) {
        return NULL;
    }
    const struct vpc *vpc = vpc_cast(model_find(m, subnet->r.vpc_id));
    struct resource *r;
    LIST_FOR_EACH (r, vpc_node, &vpc->children[RES_NETWORK_INTERFACE]) {
        struct network_interface *eni = network_interface_cast(r);
        if (!strcmp(eni->subnet_id, subnet->r.id) && holds(eni, addr)) {
            return eni;
        }
    }
    return NULL;
}

/* Section 5: with AllowReassignment an address held by another interface of
 * the subnet moves, unless it is that interface's primary (fixed for life). */
static int
check_assign_addr(const struct model *m, const struct network_interface *eni,
                  const struct subnet *subnet, uint32_t addr, bool allow_reassignment,
                  struct network_interface **holder, struct error *err)
{
    char text[IP4_STRLEN];
    ip4_format(addr, text);
    *holder = NULL;
    if (holds(eni, addr)) {
        return err_set(err, ERR_IP_ADDRESS_IN_USE,
                       "The address %s is already assigned to %s.", text, eni->r.id);
    }
    struct error check;
    err_clear(&check);
    if (!subnet_check_addr(subnet, addr, &check)) {
        return 0;
    }
    struct network_interface *other = check.code == ERR_IP_ADDRESS_IN_USE
                                      ? network_interface_find_by_addr(m, subnet, addr) : NULL;
    if (!other || !allow_reassignment) {
        if (err) {
            *err = check;
        }
        return -1;
    }
    if (other->requester_managed || other->ips[0].addr == addr) {
        return err_set(err, ERR_IP_ADDRESS_IN_USE,
                       "The address %s is the primary private IP address of %s and cannot be "
                       "reassigned.", text, other->r.id);
    }
    *holder = other;
    return 0;
}

static void
remove_ip(struct network_interface *eni, uint32_t addr)
{
    for (size_t i = 1; i < eni->n_ips; i++) {
        if (eni->ips[i].addr == addr) {
            memmove(&eni->ips[i], &eni->ips[i + 1], (eni->n_ips - i - 1) * sizeof eni->ips[0]);
            eni->n_ips--;
            return;
        }
    }
}

static void
add_secondary(struct network_interface *eni, uint32_t addr)
{
    ASSERT(eni->n_ips < ENI_MAX_PRIVATE_IPS);
    eni->ips[eni->n_ips].addr = addr;
    eni->ips[eni->n_ips].primary = false;
    eni->n_ips++;
}

int
network_interface_assign_ips(struct model *m, struct network_interface *eni,
                             const uint32_t *addrs, size_t n_addrs, size_t count,
                             bool allow_reassignment, uint32_t *assigned, size_t *n_assigned,
                             struct error *err)
{
    struct subnet *subnet = subnet_of(m, eni);
    ASSERT(subnet);
    *n_assigned = 0;
    if (check_user_managed(eni, "modify", err)) {
        return -1;
    }
    if (!n_addrs && !count) {
        return err_set(err, ERR_MISSING_PARAMETER,
                       "The request must contain the parameter privateIpAddress or "
                       "secondaryPrivateIpAddressCount");
    }
    if (n_addrs > ENI_MAX_PRIVATE_IPS || count > ENI_MAX_PRIVATE_IPS
        || eni->n_ips + n_addrs + count > ENI_MAX_PRIVATE_IPS) {
        return limit_exceeded(eni->r.id, err);
    }
    size_t n_moved = 0;
    for (size_t i = 0; i < n_addrs; i++) {
        for (size_t j = 0; j < i; j++) {
            if (addrs[i] == addrs[j]) {
                return duplicate_address(addrs[i], err);
            }
        }
        struct network_interface *holder;
        if (check_assign_addr(m, eni, subnet, addrs[i], allow_reassignment, &holder, err)) {
            return -1;
        }
        n_moved += holder != NULL;
    }
    if ((uint64_t) subnet_available_count(subnet) < n_addrs - n_moved + count) {
        return err_set(err, ERR_INSUFFICIENT_FREE_ADDRESSES,
                       "Insufficient free IP addresses in subnet %s.", subnet->r.id);
    }
    if (model_dry_run(m, err)) {
        return -1;
    }

    for (size_t i = 0; i < n_addrs; i++) {
        struct network_interface *holder;
        ASSERT(!check_assign_addr(m, eni, subnet, addrs[i], allow_reassignment, &holder, NULL));
        if (holder) {
            /* Section 5: the address moves with its Elastic IP. */
            struct address *a = address_of_private_ip(m, holder, addrs[i]);
            if (a) {
                str_copy(a->network_interface_id, sizeof a->network_interface_id, eni->r.id);
                model_touch(m, &a->r);
            }
            remove_ip(holder, addrs[i]);
            model_touch(m, &holder->r);
        } else {
            uint32_t got;
            ASSERT(!subnet_take_addr(subnet, addrs[i], &got, NULL));
        }
        add_secondary(eni, addrs[i]);
        assigned[(*n_assigned)++] = addrs[i];
    }
    for (size_t i = 0; i < count; i++) {
        uint32_t got;
        ASSERT(!subnet_take_addr(subnet, 0, &got, NULL));
        add_secondary(eni, got);
        assigned[(*n_assigned)++] = got;
    }
    model_touch(m, &eni->r);
    return 0;
}

int
network_interface_unassign_ips(struct model *m, struct network_interface *eni,
                               const uint32_t *addrs, size_t n_addrs, struct error *err)
{
    if (check_user_managed(eni, "modify", err)) {
        return -1;
    }
    if (!n_addrs) {
        return err_set(err, ERR_MISSING_PARAMETER,
                       "The request must contain the parameter privateIpAddress");
    }
    for (size_t i = 0; i < n_addrs; i++) {
        char text[IP4_STRLEN];
        ip4_format(addrs[i], text);
        if (addrs[i] == eni->ips[0].addr) {
            return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                           "The primary private IP address %s of %s cannot be unassigned.",
                           text, eni->r.id);
        }
        if (!holds(eni, addrs[i])) {
            return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                           "Some of the specified addresses are not assigned to interface "
                           "%s: %s", eni->r.id, text);
        }
    }
    if (model_dry_run(m, err)) {
        return -1;
    }
    struct subnet *subnet = subnet_of(m, eni);
    for (size_t i = 0; i < n_addrs; i++) {
        if (!holds(eni, addrs[i])) {
            continue;       /* named twice */
        }
        struct address *a = address_of_private_ip(m, eni, addrs[i]);
        if (a) {
            address_unbind(m, a);
        }
        remove_ip(eni, addrs[i]);
        if (subnet) {
            subnet_release_addr(subnet, addrs[i]);
        }
    }
    model_touch(m, &eni->r);
    return 0;
}

int
network_interface_set_groups(struct model *m, struct network_interface *eni,
                             const char *const *group_ids, size_t n_groups, struct error *err)
{
    if (check_user_managed(eni, "modify", err)) {
        return -1;
    }
    if (!n_groups) {
        return err_set(err, ERR_MISSING_PARAMETER,
                       "The request must contain the parameter groupId");
    }
    if (check_groups(m, &eni->r, group_ids, n_groups, err) || model_dry_run(m, err)) {
        return -1;
    }
    set_groups(eni, group_ids, n_groups);
    model_touch(m, &eni->r);
    return 0;
}

int
network_interface_set_source_dest_check(struct model *m, struct network_interface *eni,
                                        bool value, struct error *err)
{
    if (check_user_managed(eni, "modify", err) || model_dry_run(m, err)) {
        return -1;
    }
    eni->source_dest_check = value;
    model_touch(m, &eni->r);
    return 0;
}

int
network_interface_set_description(struct model *m, struct network_interface *eni,
                                  const char *description, struct error *err)
{
    if (check_user_managed(eni, "modify", err) || check_description(description, err)
        || model_dry_run(m, err)) {
        return -1;
    }
    free(eni->description);
    eni->description = xstrdup(description ? description : "");
    model_touch(m, &eni->r);
    return 0;
}

int
network_interface_set_delete_on_termination(struct model *m, struct network_interface *eni,
                                            const char *attachment_id, bool value,
                                            struct error *err)
{
    if (!attachment_id || !attachment_id[0]) {
        return err_set(err, ERR_MISSING_PARAMETER,
                       "The request must contain the parameter attachment.attachmentId");
    }
    if (!eni->attachment.id[0] || strcmp(eni->attachment.id, attachment_id)) {
        return err_set(err, ERR_ATTACHMENT_NOT_FOUND,
                       "The attachment ID '%s' does not exist", attachment_id);
    }
    if (model_dry_run(m, err)) {
        return -1;
    }
    eni->attachment.delete_on_termination = value;
    model_touch(m, &eni->r);
    return 0;
}

const char *
network_interface_status(const struct network_interface *eni)
{
    return eni->attachment.id[0] ? "in-use" : "available";
}

void
network_interface_private_dns_name(const char *region, uint32_t addr,
                                   char out[ENI_DNS_NAME_SIZE])
{
    if (!strcmp(region, "us-east-1")) {
        snprintf(out, ENI_DNS_NAME_SIZE, "ip-%u-%u-%u-%u.ec2.internal", addr >> 24,
                 (addr >> 16) & 255, (addr >> 8) & 255, addr & 255);
    } else {
        snprintf(out, ENI_DNS_NAME_SIZE, "ip-%u-%u-%u-%u.%s.compute.internal", addr >> 24,
                 (addr >> 16) & 255, (addr >> 8) & 255, addr & 255, region);
    }
}

void
network_interface_public_dns_name(const char *region, uint32_t addr,
                                  char out[ENI_DNS_NAME_SIZE])
{
    if (!strcmp(region, "us-east-1")) {
        snprintf(out, ENI_DNS_NAME_SIZE, "ec2-%u-%u-%u-%u.compute-1.amazonaws.com", addr >> 24,
                 (addr >> 16) & 255, (addr >> 8) & 255, addr & 255);
    } else {
        snprintf(out, ENI_DNS_NAME_SIZE, "ec2-%u-%u-%u-%u.%s.compute.amazonaws.com", addr >> 24,
                 (addr >> 16) & 255, (addr >> 8) & 255, addr & 255, region);
    }
}

/* Section 3: public DNS names need both enableDnsHostnames and
 * enableDnsSupport. */
bool
network_interface_public_dns_enabled(const struct model *m,
                                     const struct network_interface *eni)
{
    const struct vpc *vpc = vpc_cast(model_find(m, eni->r.vpc_id));
    return vpc && vpc->enable_dns_hostnames && vpc->enable_dns_support;
}

/* DescribeNetworkInterfaces filters (as documented for the action, with the
 * camel-case alias AWS still accepts). */
static const struct network_interface *
as_eni(const struct resource *r)
{
    return network_interface_cast((struct resource *) r);
}

static void
f_subnet_id(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit(fv, as_eni(r)->subnet_id);
}

static void
f_az(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit(fv, as_eni(r)->az);
}

static void
f_private_ip(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    const struct network_interface *eni = as_eni(r);
    for (size_t i = 0; i < eni->n_ips; i++) {
        filter_emit_ip4(fv, eni->ips[i].addr);
    }
}

static void
f_private_dns(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    const struct network_interface *eni = as_eni(r);
    for (size_t i = 0; i < eni->n_ips; i++) {
        char name[ENI_DNS_NAME_SIZE];
        network_interface_private_dns_name(r->scope->region, eni->ips[i].addr, name);
        filter_emit_copy(fv, name);
    }
}

static void
f_addr_primary(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    const struct network_interface *eni = as_eni(r);
    for (size_t i = 0; i < eni->n_ips; i++) {
        filter_emit_bool(fv, eni->ips[i].primary);
    }
}

/* Every public address of the interface: its Elastic IPs and its
 * auto-assigned public IP. */
static void
f_public_ip(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    const struct network_interface *eni = as_eni(r);
    for (size_t i = 0; i < eni->n_ips; i++) {
        const struct address *a = address_of_private_ip(m, eni, eni->ips[i].addr);
        if (a) {
            filter_emit_ip4(fv, a->public_ip);
        } else if (i == 0 && eni->public_ip) {
            filter_emit_ip4(fv, eni->public_ip);
        }
    }
}

static void
f_public_ip_owner(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    const struct network_interface *eni = as_eni(r);
    for (size_t i = 0; i < eni->n_ips; i++) {
        if (address_of_private_ip(m, eni, eni->ips[i].addr)) {
            filter_emit(fv, r->scope->account);
        } else if (i == 0 && eni->public_ip) {
            filter_emit(fv, "amazon");
        }
    }
}

static void
f_allocation_id(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    const struct network_interface *eni = as_eni(r);
    for (size_t i = 0; i < eni->n_ips; i++) {
        const struct address *a = address_of_private_ip(m, eni, eni->ips[i].addr);
        if (a) {
            filter_emit(fv, a->r.id);
        }
    }
}

static void
f_association_id(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    const struct network_interface *eni = as_eni(r);
    for (size_t i = 0; i < eni->n_ips; i++) {
        const struct address *a = address_of_private_ip(m, eni, eni->ips[i].addr);
        if (a) {
            filter_emit(fv, a->association_id);
        }
    }
}

static void
f_public_dns(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    const struct network_interface *eni = as_eni(r);
    if (!network_interface_public_dns_enabled(m, eni)) {
        return;
    }
    for (size_t i = 0; i < eni->n_ips; i++) {
        const struct address *a = address_of_private_ip(m, eni, eni->ips[i].addr);
        uint32_t ip = a ? a->public_ip : i == 0 ? eni->public_ip : 0;
        if (ip) {
            char name[ENI_DNS_NAME_SIZE];
            network_interface_public_dns_name(r->scope->region, ip, name);
            filter_emit_copy(fv, name);
        }
    }
}

static void
f_attachment_id(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    if (as_eni(r)->attachment.id[0]) {
        filter_emit(fv, as_eni(r)->attachment.id);
    }
}

static void
f_attachment_instance(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    if (as_eni(r)->attachment.id[0]) {
        filter_emit(fv, as_eni(r)->attachment.instance_id);
    }
}

static void
f_attachment_owner(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    if (as_eni(r)->attachment.id[0]) {
        filter_emit(fv, r->scope->account);
    }
}

static void
f_attachment_status(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    if (as_eni(r)->attachment.id[0]) {
        filter_emit(fv, "attached");
    }
}

static void
f_attachment_device(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    if (as_eni(r)->attachment.id[0]) {
        filter_emit_int(fv, as_eni(r)->attachment.device_index);
    }
}

static void
f_attachment_dot(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    if (as_eni(r)->attachment.id[0]) {
        filter_emit_bool(fv, as_eni(r)->attachment.delete_on_termination);
    }
}

static void
f_group_id(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    const struct network_interface *eni = as_eni(r);
    for (size_t i = 0; i < eni->n_groups; i++) {
        filter_emit(fv, eni->groups[i]);
    }
}

static void
f_group_name(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    const struct network_interface *eni = as_eni(r);
    for (size_t i = 0; i < eni->n_groups; i++) {
        const struct security_group *sg = security_group_cast(model_find(m, eni->groups[i]));
        if (sg && sg->name) {
            filter_emit(fv, sg->name);
        }
    }
}

static void
f_status(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit(fv, network_interface_status(as_eni(r)));
}

static void
f_requester_managed(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit_bool(fv, as_eni(r)->requester_managed);
}

static void
f_requester_id(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    if (as_eni(r)->requester_managed) {
        filter_emit(fv, as_eni(r)->requester_id);
    }
}

static void
f_interface_type(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit(fv, as_eni(r)->interface_type);
}

static void
f_mac(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit(fv, as_eni(r)->mac);
}

static void
f_description(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit(fv, as_eni(r)->description ? as_eni(r)->description : "");
}

static void
f_source_dest_check(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit_bool(fv, as_eni(r)->source_dest_check);
}

const struct filter_def network_interface_filters[] = {
    { "addresses.private-ip-address", f_private_ip },
    { "addresses.primary", f_addr_primary },
    { "addresses.association.public-ip", f_public_ip },
    { "addresses.association.owner-id", f_public_ip_owner },
    { "association.association-id", f_association_id },
    { "association.allocation-id", f_allocation_id },
    { "association.ip-owner-id", f_public_ip_owner },
    { "association.public-ip", f_public_ip },
    { "association.public-dns-name", f_public_dns },
    { "attachment.attachment-id", f_attachment_id },
    { "attachment.delete-on-termination", f_attachment_dot },
    { "attachment.device-index", f_attachment_device },
    { "attachment.instance-id", f_attachment_instance },
    { "attachment.instance-owner-id", f_attachment_owner },
    { "attachment.status", f_attachment_status },
    { "availability-zone", f_az },
    { "description", f_description },
    { "group-id", f_group_id },
    { "group-name", f_group_name },
    { "interface-type", f_interface_type },
    { "mac-address", f_mac },
    { "network-interface-id", filter_resource_id },
    { "owner-id", filter_resource_owner_id },
    { "private-ip-address", f_private_ip },
    { "private-dns-name", f_private_dns },
    { "requester-id", f_requester_id },
    { "requester-managed", f_requester_managed },
    { "source-dest-check", f_source_dest_check },
    { "sourceDestCheck", f_source_dest_check },
    { "status", f_status },
    { "subnet-id", f_subnet_id },
    { "vpc-id", filter_resource_vpc_id },
};
const size_t network_interface_n_filters = ARRAY_SIZE(network_interface_filters);
