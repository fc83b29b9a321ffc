/* EC2 actions of the VPC family: decode, call model/vpc.h, format. */
#include "api/api.h"

#include <string.h>

#include "lib/util.h"
#include "model/vpc.h"

static void
format_cidr_assoc(struct oval *st, const struct vpc_cidr *c, const char *state)
{
    oval_set_str(st, "AssociationId", c->assoc_id);
    api_set_prefix4(st, "CidrBlock", &c->cidr);
    oval_set_str(oval_set_struct(st, "CidrBlockState"), "State", state);
}

static void
format_vpc(struct oval *st, const struct vpc *vpc, const char *state)
{
    oval_set_str(st, "VpcId", vpc->r.id);
    oval_set_str(st, "OwnerId", vpc->r.scope->account);
    oval_set_str(st, "State", state);
    api_set_prefix4(st, "CidrBlock", &vpc->cidrs[0].cidr);
    struct oval *assocs = oval_set_list(st, "CidrBlockAssociationSet");
    for (size_t i = 0; i < vpc->n_cidrs; i++) {
        format_cidr_assoc(oval_list_add_struct(assocs), &vpc->cidrs[i], "associated");
    }
    oval_set_str(st, "DhcpOptionsId", vpc->dhcp_options_id);
    oval_set_str(st, "InstanceTenancy", vpc->tenancy);
    oval_set_bool(st, "IsDefault", vpc->is_default);
    api_format_tags(st, "Tags", &vpc->r);
}

static int
create_vpc(struct api_request *req)
{
    struct ip4_prefix cidr;
    struct vpc *vpc;

    if (dval_bool(req->in, "AmazonProvidedIpv6CidrBlock", false)) {
        return err_set(req->err, ERR_INVALID_PARAMETER_VALUE,
                       "IPv6 CIDR blocks are not supported by vpcd yet.");
    }
    if (api_get_prefix4(req, req->in, "CidrBlock", "cidrBlock", &cidr)
        || api_check_tag_specs(req, "vpc")
        || vpc_create(req->model, req->scope, &cidr, dval_str(req->in, "InstanceTenancy"), &vpc,
                      req->err)) {
        return -1;
    }
    api_apply_tag_specs(req, &vpc->r, "vpc");
    /* AWS answers CreateVpc while the VPC is still being set up. */
    format_vpc(oval_set_struct(req->out, "Vpc"), vpc, "pending");
    return 0;
}

static int
delete_vpc(struct api_request *req)
{
    struct resource *r = api_get(req, req->in, "VpcId", RES_VPC);
    return r ? vpc_delete(req->model, vpc_cast(r), req->err) : -1;
}

static int
describe_vpcs(struct api_request *req)
{
    struct resource **items;
    size_t n;
    const char *next;

    if (api_describe(req, RES_VPC, "VpcIds", vpc_filters, vpc_n_filters, &items, &n, &next)) {
        return -1;
    }
    struct oval *list = oval_set_list(req->out, "Vpcs");
    for (size_t i = 0; i < n; i++) {
        format_vpc(oval_list_add_struct(list), vpc_cast(items[i]), "available");
    }
    if (next) {
        oval_set_str(req->out, "NextToken", next);
    }
    return 0;
}

static int
describe_vpc_attribute(struct api_request *req)
{
    struct resource *r = api_get(req, req->in, "VpcId", RES_VPC);
    const char *attr = api_require_str(req, req->in, "Attribute");
    if (!r || !attr) {
        return -1;
    }
    if (model_dry_run(req->model, req->err)) {
        return -1;
    }
    const struct vpc *vpc = vpc_cast(r);
    oval_set_str(req->out, "VpcId", vpc->r.id);
    if (!strcmp(attr, "enableDnsSupport")) {
        oval_set_bool(oval_set_struct(req->out, "EnableDnsSupport"), "Value",
                      vpc->enable_dns_support);
    } else if (!strcmp(attr, "enableDnsHostnames")) {
        oval_set_bool(oval_set_struct(req->out, "EnableDnsHostnames"), "Value",
                      vpc->enable_dns_hostnames);
    } else {
        oval_set_bool(oval_set_struct(req->out, "EnableNetworkAddressUsageMetrics"), "Value",
                      vpc->enable_network_address_usage_metrics);
    }
    return 0;
}

static int
modify_vpc_attribute(struct api_request *req)
{
    struct resource *r = api_get(req, req->in, "VpcId", RES_VPC);
    if (!r) {
        return -1;
    }
    static const char *const attrs[] = {
        "EnableDnsSupport", "EnableDnsHostnames", "EnableNetworkAddressUsageMetrics",
    };
    const char *which = NULL;
    bool value = false;
    size_t n = 0;
    for (size_t i = 0; i < ARRAY_SIZE(attrs); i++) {
        const struct dval *v = dval_get(req->in, attrs[i]);
        if (v) {
            n++;
            which = attrs[i];
            value = dval_bool(v, "Value", false);
            if (!dval_get(v, "Value")) {
                return err_set(req->err, ERR_MISSING_PARAMETER,
                               "The request must contain the parameter %s.Value", attrs[i]);
            }
        }
    }
    /* Section 3: one attribute per call. */
    if (n != 1) {
        return err_set(req->err, n ? ERR_INVALID_PARAMETER_COMBINATION : ERR_MISSING_PARAMETER,
                       n ? "Fields for multiple attribute types specified: "
                           "enableDnsHostnames, enableDnsSupport"
                         : "The request must contain exactly one attribute to modify");
    }
    return vpc_set_attribute(req->model, vpc_cast(r), which, value, req->err);
}

static int
associate_vpc_cidr_block(struct api_request *req)
{
    struct resource *r = api_get(req, req->in, "VpcId", RES_VPC);
    struct ip4_prefix cidr;
    const struct vpc_cidr *c;
    if (!r) {
        return -1;
    }
    if (dval_bool(req->in, "AmazonProvidedIpv6CidrBlock", false)) {
        return err_set(req->err, ERR_INVALID_PARAMETER_VALUE,
                       "IPv6 CIDR blocks are not supported by vpcd yet.");
    }
    if (api_get_prefix4(req, req->in, "CidrBlock", "cidrBlock", &cidr)
        || vpc_associate_cidr(req->model, vpc_cast(r), &cidr, &c, req->err)) {
        return -1;
    }
    oval_set_str(req->out, "VpcId", r->id);
    format_cidr_assoc(oval_set_struct(req->out, "CidrBlockAssociation"), c, "associating");
    return 0;
}

static int
disassociate_vpc_cidr_block(struct api_request *req)
{
    const char *assoc_id = api_require_str(req, req->in, "AssociationId");
    struct vpc *vpc;
    struct vpc_cidr removed;
    if (!assoc_id
        || vpc_disassociate_cidr(req->model, req->scope, assoc_id, &vpc, &removed, req->err)) {
        return -1;
    }
    oval_set_str(req->out, "VpcId", vpc->r.id);
    format_cidr_assoc(oval_set_struct(req->out, "CidrBlockAssociation"), &removed,
                      "disassociating");
    return 0;
}

static int
create_default_vpc(struct api_request *req)
{
    struct vpc *vpc;
    if (vpc_create_default(req->model, req->scope, &vpc, req->err)) {
        return -1;
    }
    format_vpc(oval_set_struct(req->out, "Vpc"), vpc, "pending");
    return 0;
}

const struct api_action api_actions_vpc[] = {
    { "CreateVpc", create_vpc },
    { "DeleteVpc", delete_vpc },
    { "DescribeVpcs", describe_vpcs },
    { "DescribeVpcAttribute", describe_vpc_attribute },
    { "ModifyVpcAttribute", modify_vpc_attribute },
    { "AssociateVpcCidrBlock", associate_vpc_cidr_block },
    { "DisassociateVpcCidrBlock", disassociate_vpc_cidr_block },
    { "CreateDefaultVpc", create_default_vpc },
    { NULL, NULL },
};
