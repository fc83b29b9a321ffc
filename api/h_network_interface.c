/* EC2 actions of the network interface family: decode, call
 * model/network_interface.h, format. */
#include "api/api.h"

#include <string.h>

#include "lib/arena.h"
#include "lib/util.h"
#include "model/address.h"
#include "model/network_interface.h"
#include "model/security_group.h"
#include "model/subnet.h"

static void
format_groups(struct api_request *req, struct oval *st, const struct network_interface *eni)
{
    struct oval *groups = oval_set_list(st, "Groups");
    for (size_t i = 0; i < eni->n_groups; i++) {
        struct oval *g = oval_list_add_struct(groups);
        const struct security_group *sg = security_group_cast(
            model_find_in(req->model, eni->r.scope, RES_SECURITY_GROUP, eni->groups[i]));
        oval_set_str(g, "GroupId", eni->groups[i]);
        if (sg && sg->name) {
            oval_set_str(g, "GroupName", sg->name);
        }
    }
}

static void
format_attachment(struct oval *st, const struct network_interface *eni)
{
    const struct eni_attachment *at = &eni->attachment;
    api_set_time(st, "AttachTime", at->attach_time);
    oval_set_str(st, "AttachmentId", at->id);
    oval_set_bool(st, "DeleteOnTermination", at->delete_on_termination);
    oval_set_int(st, "DeviceIndex", at->device_index);
    oval_set_int(st, "NetworkCardIndex", 0);
    oval_set_str(st, "InstanceId", at->instance_id);
    oval_set_str(st, "InstanceOwnerId", eni->r.scope->account);
    oval_set_str(st, "Status", "attached");
}

/* Section 6: the public address on private address 'ip': its Elastic IP, or
 * for the primary the auto-assigned public IP.  Returns whether there is one. */
static bool
format_association(struct api_request *req, struct oval *parent,
                   const struct network_interface *eni, size_t ip_index)
{
    const struct address *a = address_of_private_ip(req->model, eni,
                                                    eni->ips[ip_index].addr);
    uint32_t public_ip = a ? a->public_ip : ip_index == 0 ? eni->public_ip : 0;
    if (!public_ip) {
        return false;
    }
    struct oval *st = oval_set_struct(parent, "Association");
    api_set_ip4(st, "PublicIp", public_ip);
    if (a) {
        oval_set_str(st, "AllocationId", a->r.id);
        oval_set_str(st, "AssociationId", a->association_id);
        oval_set_str(st, "IpOwnerId", eni->r.scope->account);
    } else {
        oval_set_str(st, "IpOwnerId", "amazon");
    }
    char name[ENI_DNS_NAME_SIZE] = "";
    if (network_interface_public_dns_enabled(req->model, eni)) {
        network_interface_public_dns_name(eni->r.scope->region, public_ip, name);
    }
    oval_set_str(st, "PublicDnsName", name);
    return true;
}

static void
format_eni(struct api_request *req, struct oval *st, const struct network_interface *eni,
           const char *status)
{
    const char *region = eni->r.scope->region;
    char name[ENI_DNS_NAME_SIZE];

    format_association(req, st, eni, 0);
    if (eni->attachment.id[0]) {
        format_attachment(oval_set_struct(st, "Attachment"), eni);
    }
    oval_set_str(st, "AvailabilityZone", eni->az);
    oval_set_str(st, "Description", eni->description ? eni->description : "");
    format_groups(req, st, eni);
    oval_set_str(st, "InterfaceType", eni->interface_type);
    oval_set_list(st, "Ipv6Addresses");
    oval_set_str(st, "MacAddress", eni->mac);
    oval_set_str(st, "NetworkInterfaceId", eni->r.id);
    oval_set_str(st, "OwnerId", eni->r.scope->account);
    network_interface_private_dns_name(region, eni->ips[0].addr, name);
    oval_set_str(st, "PrivateDnsName", name);
    api_set_ip4(st, "PrivateIpAddress", eni->ips[0].addr);
    struct oval *ips = oval_set_list(st, "PrivateIpAddresses");
    for (size_t i = 0; i < eni->n_ips; i++) {
        struct oval *ip = oval_list_add_struct(ips);
        format_association(req, ip, eni, i);
        oval_set_bool(ip, "Primary", eni->ips[i].primary);
        network_interface_private_dns_name(region, eni->ips[i].addr, name);
        oval_set_str(ip, "PrivateDnsName", name);
        api_set_ip4(ip, "PrivateIpAddress", eni->ips[i].addr);
    }
    if (eni->requester_managed) {
        oval_set_str(st, "RequesterId", eni->requester_id);
    }
    oval_set_bool(st, "RequesterManaged", eni->requester_managed);
    oval_set_bool(st, "SourceDestCheck", eni->source_dest_check);
    oval_set_str(st, "Status", status ? status : network_interface_status(eni));
    oval_set_str(st, "SubnetId", eni->subnet_id);
    api_format_tags(st, "TagSet", &eni->r);
    oval_set_str(st, "VpcId", eni->r.vpc_id);
}

/* Reads string list member 'member' of 'st' into an arena array. */
static const char **
get_str_list(struct api_request *req, const struct dval *st, const char *member, size_t *n)
{
    const struct dval *list = dval_get(st, member);
    *n = dval_list_len(list);
    const char **out = arena_alloc(req->arena, (*n + 1) * sizeof *out);
    for (size_t i = 0; i < *n; i++) {
        out[i] = dval_list_at(list, i)->u.str;
    }
    return out;
}

static int
parse_ip(struct api_request *req, const char *s, const char *wire_name, uint32_t *out)
{
    if (!s || !ip4_parse(s, out)) {
        return err_set(req->err, ERR_INVALID_PARAMETER_VALUE,
                       "Value (%s) for parameter %s is invalid. This is not a valid IP address.",
                       s ? s : "", wire_name);
    }
    return 0;
}

/* Reads a count member: absent is 0, negative is refused; the model judges
 * large ones against its limits. */
static int
get_count(struct api_request *req, const char *member, const char *wire_name, size_t *out)
{
    int64_t v = 0;
    *out = 0;
    if (shape_find_member(req->in->shape, member) && dval_int(req->in, member, &v)) {
        if (v < 0) {
            return err_set(req->err, ERR_INVALID_PARAMETER_VALUE,
                           "Value (%lld) for parameter %s is invalid.", (long long) v,
                           wire_name);
        }
        *out = (size_t) v;
    }
    return 0;
}

/* IPv6 addresses and prefix delegation are not served yet. */
static int
refuse_unsupported(struct api_request *req)
{
    static const char *const lists[] = { "Ipv6Addresses", "Ipv4Prefixes", "Ipv6Prefixes" };
    static const char *const counts[] = { "Ipv6AddressCount", "Ipv4PrefixCount",
                                          "Ipv6PrefixCount" };
    for (size_t i = 0; i < ARRAY_SIZE(lists); i++) {
        if (shape_find_member(req->in->shape, lists[i]) && dval_get(req->in, lists[i])) {
            return err_set(req->err, ERR_INVALID_PARAMETER_VALUE,
                           "The parameter %s is not supported by vpcd yet.", lists[i]);
        }
    }
    for (size_t i = 0; i < ARRAY_SIZE(counts); i++) {
        int64_t v;
        if (shape_find_member(req->in->shape, counts[i]) && dval_int(req->in, counts[i], &v)
            && v) {
            return err_set(req->err, ERR_INVALID_PARAMETER_VALUE,
                           "The parameter %s is not supported by vpcd yet.", counts[i]);
        }
    }
    return 0;
}

/* CreateNetworkInterface's addresses: PrivateIpAddress, and the
 * PrivateIpAddresses list whose entry marked Primary (else, when
 * PrivateIpAddress is absent, its first entry) is the primary. */
static int
decode_addresses(struct api_request *req, struct eni_spec *spec)
{
    if (api_get_ip4(req, req->in, "PrivateIpAddress", &spec->primary_ip)) {
        return -1;
    }
    const struct dval *list = dval_get(req->in, "PrivateIpAddresses");
    size_t n = dval_list_len(list);
    uint32_t *secondaries = arena_alloc(req->arena, (n + 1) * sizeof *secondaries);
    size_t n_secondaries = 0;
    bool have_primary = spec->primary_ip != 0;
    bool listed_primary = false;
    for (size_t i = 0; i < n; i++) {
        const struct dval *entry = dval_list_at(list, i);
        uint32_t addr;
        if (parse_ip(req, dval_str(entry, "PrivateIpAddress"), "privateIpAddresses", &addr)) {
            return -1;
        }
        bool primary = dval_bool(entry, "Primary", false);
        if (primary && listed_primary) {
            return err_set(req->err, ERR_INVALID_PARAMETER_VALUE,
                           "Only one primary private IP address can be specified.");
        }
        listed_primary = listed_primary || primary;
        if (primary && spec->primary_ip && spec->primary_ip != addr) {
            return err_set(req->err, ERR_INVALID_PARAMETER_COMBINATION,
                           "The primary private IP address in privateIpAddresses differs from "
                           "privateIpAddress.");
        }
        if (primary && spec->primary_ip == addr) {
            continue;
        }
        if (primary) {
            spec->primary_ip = addr;
            have_primary = true;
        } else {
            secondaries[n_secondaries++] = addr;
        }
    }
    if (!have_primary && n_secondaries) {
        spec->primary_ip = secondaries[0];
        memmove(secondaries, secondaries + 1, --n_secondaries * sizeof *secondaries);
    }
    spec->secondary_ips = secondaries;
    spec->n_secondary_ips = n_secondaries;
    return 0;
}

static int
create_network_interface(struct api_request *req)
{
    struct eni_spec spec = { 0 };
    struct network_interface *eni;

    struct resource *subnet = api_get(req, req->in, "SubnetId", RES_SUBNET);
    if (!subnet || refuse_unsupported(req) || decode_addresses(req, &spec)
        || get_count(req, "SecondaryPrivateIpAddressCount", "secondaryPrivateIpAddressCount",
                     &spec.secondary_count)) {
        return -1;
    }
    spec.group_ids = get_str_list(req, req->in, "Groups", &spec.n_groups);
    spec.description = dval_str(req->in, "Description");
    spec.interface_type = dval_str(req->in, "InterfaceType");
    if (api_check_tag_specs(req, "network-interface")
        || network_interface_create_spec(req->model, subnet_cast(subnet), &spec, &eni,
                                         req->err)) {
        return -1;
    }
    api_apply_tag_specs(req, &eni->r, "network-interface");
    /* AWS answers CreateNetworkInterface with the interface still "pending"
     * (CLI reference example); Describe shows "available". */
    format_eni(req, oval_set_struct(req->out, "NetworkInterface"), eni, "pending");
    const char *token = dval_str(req->in, "ClientToken");
    if (token) {
        oval_set_str(req->out, "ClientToken", token);
    }
    return 0;
}

static int
delete_network_interface(struct api_request *req)
{
    struct resource *r = api_get(req, req->in, "NetworkInterfaceId", RES_NETWORK_INTERFACE);
    return r ? network_interface_delete(req->model, network_interface_cast(r), req->err) : -1;
}

static int
describe_network_interfaces(struct api_request *req)
{
    struct resource **items;
    size_t n;
    const char *next;

    if (api_describe(req, RES_NETWORK_INTERFACE, "NetworkInterfaceIds",
                     network_interface_filters, network_interface_n_filters, &items, &n,
                     &next)) {
        return -1;
    }
    if (model_dry_run(req->model, req->err)) {
        return -1;
    }
    struct oval *list = oval_set_list(req->out, "NetworkInterfaces");
    for (size_t i = 0; i < n; i++) {
        format_eni(req, oval_list_add_struct(list), network_interface_cast(items[i]), NULL);
    }
    if (next) {
        oval_set_str(req->out, "NextToken", next);
    }
    return 0;
}

/* Reads the PrivateIpAddresses string list as addresses. */
static int
get_addresses(struct api_request *req, uint32_t **out, size_t *n)
{
    const char **texts = get_str_list(req, req->in, "PrivateIpAddresses", n);
    *out = arena_alloc(req->arena, (*n + 1) * sizeof **out);
    for (size_t i = 0; i < *n; i++) {
        if (parse_ip(req, texts[i], "privateIpAddress", &(*out)[i])) {
            return -1;
        }
    }
    return 0;
}

static int
assign_private_ip_addresses(struct api_request *req)
{
    uint32_t *addrs;
    size_t n_addrs, count, n_assigned;
    uint32_t assigned[ENI_MAX_PRIVATE_IPS];

    struct resource *r = api_get(req, req->in, "NetworkInterfaceId", RES_NETWORK_INTERFACE);
    if (!r || refuse_unsupported(req) || get_addresses(req, &addrs, &n_addrs)
        || get_count(req, "SecondaryPrivateIpAddressCount", "secondaryPrivateIpAddressCount",
                     &count)) {
        return -1;
    }
    if (dval_get(req->in, "SecondaryPrivateIpAddressCount") && !count) {
        return err_set(req->err, ERR_INVALID_PARAMETER_VALUE,
                       "Value (0) for parameter secondaryPrivateIpAddressCount is invalid. "
                       "It must be at least 1.");
    }
    if (network_interface_assign_ips(req->model, network_interface_cast(r), addrs, n_addrs,
                                     count, dval_bool(req->in, "AllowReassignment", false),
                                     assigned, &n_assigned, req->err)) {
        return -1;
    }
    oval_set_str(req->out, "NetworkInterfaceId", r->id);
    struct oval *list = oval_set_list(req->out, "AssignedPrivateIpAddresses");
    for (size_t i = 0; i < n_assigned; i++) {
        api_set_ip4(oval_list_add_struct(list), "PrivateIpAddress", assigned[i]);
    }
    return 0;
}

static int
unassign_private_ip_addresses(struct api_request *req)
{
    uint32_t *addrs;
    size_t n_addrs;

    struct resource *r = api_get(req, req->in, "NetworkInterfaceId", RES_NETWORK_INTERFACE);
    if (!r || refuse_unsupported(req) || get_addresses(req, &addrs, &n_addrs)) {
        return -1;
    }
    return network_interface_unassign_ips(req->model, network_interface_cast(r), addrs,
                                          n_addrs, req->err);
}

/* Section 5: one attribute per ModifyNetworkInterfaceAttribute call. */
static int
modify_network_interface_attribute(struct api_request *req)
{
    static const char *const members[] = {
        "Groups", "SourceDestCheck", "Description", "Attachment", "EnaSrdSpecification",
    };

    struct resource *r = api_get(req, req->in, "NetworkInterfaceId", RES_NETWORK_INTERFACE);
    if (!r) {
        return -1;
    }
    struct network_interface *eni = network_interface_cast(r);
    const char *which[ARRAY_SIZE(members)];
    size_t n = 0;
    for (size_t i = 0; i < ARRAY_SIZE(members); i++) {
        if (dval_get(req->in, members[i])) {
            which[n++] = members[i];
        }
    }
    if (n != 1) {
        return err_set(req->err, n ? ERR_INVALID_PARAMETER_COMBINATION : ERR_MISSING_PARAMETER,
                       n ? "Fields for multiple attribute types specified: %s, %s"
                         : "The request must contain exactly one attribute to modify%s%s",
                       n ? which[0] : "", n ? which[1] : "");
    }
    if (!strcmp(which[0], "Groups")) {
        size_t n_groups;
        const char **ids = get_str_list(req, req->in, "Groups", &n_groups);
        return network_interface_set_groups(req->model, eni, ids, n_groups, req->err);
    } else if (!strcmp(which[0], "SourceDestCheck")) {
        const struct dval *v = dval_get(req->in, "SourceDestCheck");
        if (!dval_get(v, "Value")) {
            return err_set(req->err, ERR_MISSING_PARAMETER,
                           "The request must contain the parameter SourceDestCheck.Value");
        }
        return network_interface_set_source_dest_check(req->model, eni,
                                                       dval_bool(v, "Value", true), req->err);
    } else if (!strcmp(which[0], "Description")) {
        const char *value = dval_str(dval_get(req->in, "Description"), "Value");
        return network_interface_set_description(req->model, eni, value ? value : "", req->err);
    } else if (!strcmp(which[0], "Attachment")) {
        const struct dval *v = dval_get(req->in, "Attachment");
        if (!dval_get(v, "DeleteOnTermination")) {
            return err_set(req->err, ERR_MISSING_PARAMETER,
                           "The request must contain the parameter "
                           "Attachment.DeleteOnTermination");
        }
        return network_interface_set_delete_on_termination(
            req->model, eni, dval_str(v, "AttachmentId"),
            dval_bool(v, "DeleteOnTermination", false), req->err);
    }
    return err_set(req->err, ERR_INVALID_PARAMETER_VALUE,
                   "The parameter EnaSrdSpecification is not supported by vpcd yet.");
}

static int
describe_network_interface_attribute(struct api_request *req)
{
    struct resource *r = api_get(req, req->in, "NetworkInterfaceId", RES_NETWORK_INTERFACE);
    const char *attr = r ? api_require_str(req, req->in, "Attribute") : NULL;
    if (!attr || model_dry_run(req->model, req->err)) {
        return -1;
    }
    const struct network_interface *eni = network_interface_cast(r);
    oval_set_str(req->out, "NetworkInterfaceId", eni->r.id);
    if (!strcmp(attr, "description")) {
        oval_set_str(oval_set_struct(req->out, "Description"), "Value",
                     eni->description ? eni->description : "");
    } else if (!strcmp(attr, "groupSet")) {
        format_groups(req, req->out, eni);
    } else if (!strcmp(attr, "sourceDestCheck")) {
        oval_set_bool(oval_set_struct(req->out, "SourceDestCheck"), "Value",
                      eni->source_dest_check);
    } else if (!strcmp(attr, "attachment")) {
        if (eni->attachment.id[0]) {
            format_attachment(oval_set_struct(req->out, "Attachment"), eni);
        }
    } else {
        return err_set(req->err, ERR_INVALID_PARAMETER_VALUE,
                       "Value (%s) for parameter attribute is invalid.", attr);
    }
    return 0;
}

const struct api_action api_actions_network_interface[] = {
    { "CreateNetworkInterface", create_network_interface },
    { "DeleteNetworkInterface", delete_network_interface },
    { "DescribeNetworkInterfaces", describe_network_interfaces },
    { "AssignPrivateIpAddresses", assign_private_ip_addresses },
    { "UnassignPrivateIpAddresses", unassign_private_ip_addresses },
    { "ModifyNetworkInterfaceAttribute", modify_network_interface_attribute },
    { "DescribeNetworkInterfaceAttribute", describe_network_interface_attribute },
    { NULL, NULL },
};
