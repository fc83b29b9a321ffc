/* EC2 actions of the network ACL family: decode, call model/network_acl.h,
 * format. */
#include "api/api.h"

#include <stdio.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/util.h"
#include "model/network_acl.h"
#include "model/vpc.h"

static void
format_entry(struct oval *st, const struct network_acl_entry *e)
{
    if (e->ipv6) {
        char text[IP6_PREFIX_STRLEN];
        ip6_prefix_format(&e->cidr6, text);
        oval_set_str(st, "Ipv6CidrBlock", text);
    } else {
        api_set_prefix4(st, "CidrBlock", &e->cidr);
    }
    oval_set_bool(st, "Egress", e->egress);
    if (e->has_icmp) {
        struct oval *icmp = oval_set_struct(st, "IcmpTypeCode");
        oval_set_int(icmp, "Code", e->icmp_code);
        oval_set_int(icmp, "Type", e->icmp_type);
    }
    if (e->has_port_range) {
        struct oval *ports = oval_set_struct(st, "PortRange");
        oval_set_int(ports, "From", e->port_from);
        oval_set_int(ports, "To", e->port_to);
    }
    /* AWS shows the protocol as its number, "-1" for all. */
    char protocol[8];
    snprintf(protocol, sizeof protocol, "%d", e->protocol);
    oval_set_str(st, "Protocol", protocol);
    oval_set_str(st, "RuleAction", e->allow ? "allow" : "deny");
    oval_set_int(st, "RuleNumber", e->rule_number);
}

static void
format_acl(struct api_request *req, struct oval *st, const struct network_acl *acl)
{
    oval_set_str(st, "NetworkAclId", acl->r.id);
    oval_set_str(st, "VpcId", acl->r.vpc_id);
    oval_set_bool(st, "IsDefault", acl->is_default);
    oval_set_str(st, "OwnerId", acl->r.scope->account);

    const struct network_acl_entry **shown =
        arena_alloc(req->arena, (acl->n_entries + NACL_IMPLICIT_ENTRIES_MAX) * sizeof *shown);
    size_t n = network_acl_shown_entries(acl, shown);
    struct oval *entries = oval_set_list(st, "Entries");
    for (size_t i = 0; i < n; i++) {
        format_entry(oval_list_add_struct(entries), shown[i]);
    }

    struct oval *assocs = oval_set_list(st, "Associations");
    for (size_t i = 0; i < acl->n_assocs; i++) {
        struct oval *a = oval_list_add_struct(assocs);
        oval_set_str(a, "NetworkAclAssociationId", acl->assocs[i].id);
        oval_set_str(a, "NetworkAclId", acl->r.id);
        oval_set_str(a, "SubnetId", acl->assocs[i].subnet_id);
    }
    api_format_tags(st, "Tags", &acl->r);
}

static int
create_network_acl(struct api_request *req)
{
    struct resource *vpc = api_get(req, req->in, "VpcId", RES_VPC);
    struct network_acl *acl;
    if (!vpc || api_check_tag_specs(req, "network-acl")
        || network_acl_create(req->model, vpc_cast(vpc), false, &acl, req->err)) {
        return -1;
    }
    api_apply_tag_specs(req, &acl->r, "network-acl");
    format_acl(req, oval_set_struct(req->out, "NetworkAcl"), acl);
    return 0;
}

static int
delete_network_acl(struct api_request *req)
{
    struct resource *r = api_get(req, req->in, "NetworkAclId", RES_NETWORK_ACL);
    return r ? network_acl_delete(req->model, network_acl_cast(r), req->err) : -1;
}

static int
describe_network_acls(struct api_request *req)
{
    struct resource **items;
    size_t n;
    const char *next;

    if (api_describe(req, RES_NETWORK_ACL, "NetworkAclIds", network_acl_filters,
                     network_acl_n_filters, &items, &n, &next)
        || model_dry_run(req->model, req->err)) {
        return -1;
    }
    struct oval *list = oval_set_list(req->out, "NetworkAcls");
    for (size_t i = 0; i < n; i++) {
        format_acl(req, oval_list_add_struct(list), network_acl_cast(items[i]));
    }
    if (next) {
        oval_set_str(req->out, "NextToken", next);
    }
    return 0;
}

/* Decodes the members CreateNetworkAclEntry and ReplaceNetworkAclEntry
 * share; the model checks them. */
static void
decode_entry(const struct dval *in, struct network_acl_entry_spec *spec)
{
    memset(spec, 0, sizeof *spec);
    dval_int(in, "RuleNumber", &spec->rule_number);
    spec->egress = dval_bool(in, "Egress", false);
    spec->protocol = dval_str(in, "Protocol");
    spec->rule_action = dval_str(in, "RuleAction");
    spec->cidr = dval_str(in, "CidrBlock");
    spec->ipv6_cidr = dval_str(in, "Ipv6CidrBlock");
    const struct dval *ports = dval_get(in, "PortRange");
    if (ports) {
        spec->has_port_range = true;
        spec->has_port_from = dval_int(ports, "From", &spec->port_from);
        spec->has_port_to = dval_int(ports, "To", &spec->port_to);
    }
    const struct dval *icmp = dval_get(in, "IcmpTypeCode");
    if (icmp) {
        spec->has_icmp = true;
        spec->has_icmp_type = dval_int(icmp, "Type", &spec->icmp_type);
        spec->has_icmp_code = dval_int(icmp, "Code", &spec->icmp_code);
    }
}

static int
create_network_acl_entry(struct api_request *req)
{
    struct resource *r = api_get(req, req->in, "NetworkAclId", RES_NETWORK_ACL);
    struct network_acl_entry_spec spec;
    if (!r) {
        return -1;
    }
    decode_entry(req->in, &spec);
    return network_acl_add_entry(req->model, network_acl_cast(r), &spec, req->err);
}

static int
replace_network_acl_entry(struct api_request *req)
{
    struct resource *r = api_get(req, req->in, "NetworkAclId", RES_NETWORK_ACL);
    struct network_acl_entry_spec spec;
    if (!r) {
        return -1;
    }
    decode_entry(req->in, &spec);
    return network_acl_replace_entry(req->model, network_acl_cast(r), &spec, req->err);
}

static int
delete_network_acl_entry(struct api_request *req)
{
    struct resource *r = api_get(req, req->in, "NetworkAclId", RES_NETWORK_ACL);
    int64_t rule_number = 0;
    if (!r) {
        return -1;
    }
    dval_int(req->in, "RuleNumber", &rule_number);
    return network_acl_delete_entry(req->model, network_acl_cast(r),
                                    dval_bool(req->in, "Egress", false), rule_number, req->err);
}

static int
replace_network_acl_association(struct api_request *req)
{
    const char *assoc_id = api_require_str(req, req->in, "AssociationId");
    struct resource *r = assoc_id ? api_get(req, req->in, "NetworkAclId", RES_NETWORK_ACL)
                                  : NULL;
    char new_id[ID_SIZE];
    if (!r || network_acl_replace_association(req->model, req->scope, assoc_id,
                                              network_acl_cast(r), new_id, req->err)) {
        return -1;
    }
    oval_set_str(req->out, "NewAssociationId", new_id);
    return 0;
}

const struct api_action api_actions_network_acl[] = {
    { "CreateNetworkAcl", create_network_acl },
    { "DeleteNetworkAcl", delete_network_acl },
    { "DescribeNetworkAcls", describe_network_acls },
    { "CreateNetworkAclEntry", create_network_acl_entry },
    { "ReplaceNetworkAclEntry", replace_network_acl_entry },
    { "DeleteNetworkAclEntry", delete_network_acl_entry },
    { "ReplaceNetworkAclAssociation", replace_network_acl_association },
    { NULL, NULL },
};
