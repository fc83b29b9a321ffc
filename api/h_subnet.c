/* EC2 actions of the subnet family: decode, call model/subnet.h, format. */
#include "api/api.h"

#include <string.h>

#include "lib/util.h"
#include "model/subnet.h"
#include "model/vpc.h"

/* Section 4: the Subnet structure as AWS reports it.  vpcd's subnets are
 * IPv4-only and not on an Outpost, so the IPv6 and customer-owned members
 * have their off values. */
static void
format_subnet(struct oval *st, const struct subnet *subnet)
{
    char arn[128];
    oval_set_str(st, "SubnetId", subnet->r.id);
    oval_set_str(st, "VpcId", subnet->r.vpc_id);
    oval_set_str(st, "OwnerId", subnet->r.scope->account);
    /* AWS answers "available" from CreateSubnet too (CLI reference example). */
    oval_set_str(st, "State", "available");
    api_set_prefix4(st, "CidrBlock", &subnet->cidr);
    oval_set_str(st, "AvailabilityZone", subnet->az);
    oval_set_str(st, "AvailabilityZoneId", subnet->az_id);
    oval_set_int(st, "AvailableIpAddressCount", subnet_available_count(subnet));
    oval_set_bool(st, "DefaultForAz", subnet->default_for_az);
    oval_set_bool(st, "MapPublicIpOnLaunch", subnet->map_public_ip_on_launch);
    oval_set_bool(st, "MapCustomerOwnedIpOnLaunch", false);
    oval_set_bool(st, "AssignIpv6AddressOnCreation", false);
    oval_set_list(st, "Ipv6CidrBlockAssociationSet");
    subnet_format_arn(subnet, arn, sizeof arn);
    oval_set_str(st, "SubnetArn", arn);
    oval_set_bool(st, "EnableDns64", subnet->enable_dns64);
    oval_set_bool(st, "Ipv6Native", false);
    struct oval *dns = oval_set_struct(st, "PrivateDnsNameOptionsOnLaunch");
    oval_set_str(dns, "HostnameType", subnet_hostname_type(subnet));
    oval_set_bool(dns, "EnableResourceNameDnsARecord", subnet->enable_resource_name_dns_a_record);
    oval_set_bool(dns, "EnableResourceNameDnsAAAARecord", false);
    api_format_tags(st, "Tags", &subnet->r);
}

/* IPv6 blocks, IPv6-only subnets and Outposts are not served yet. */
static int
refuse_unsupported(struct api_request *req)
{
    static const char *const members[] = { "Ipv6CidrBlock", "OutpostArn" };
    for (size_t i = 0; i < ARRAY_SIZE(members); i++) {
        if (shape_find_member(req->in->shape, members[i]) && dval_str(req->in, members[i])) {
            return err_set(req->err, ERR_INVALID_PARAMETER_VALUE,
                           "The parameter %s is not supported by vpcd yet.", members[i]);
        }
    }
    if (dval_bool(req->in, "Ipv6Native", false)) {
        return err_set(req->err, ERR_INVALID_PARAMETER_VALUE,
                       "IPv6-only subnets are not supported by vpcd yet.");
    }
    return 0;
}

static int
create_subnet(struct api_request *req)
{
    struct ip4_prefix cidr;
    struct subnet *subnet;

    if (refuse_unsupported(req)) {
        return -1;
    }
    struct resource *vpc = api_get(req, req->in, "VpcId", RES_VPC);
    if (!vpc) {
        return -1;
    }
    if (!dval_str(req->in, "CidrBlock")) {
        return err_set(req->err, ERR_MISSING_PARAMETER,
                       "Either 'cidrBlock' or 'ipv6CidrBlock' should be provided.");
    }
    const char *az = dval_str(req->in, "AvailabilityZone");
    const char *az_id = dval_str(req->in, "AvailabilityZoneId");
    if (az && az_id) {
        return err_set(req->err, ERR_INVALID_PARAMETER_COMBINATION,
                       "Only one of availabilityZone or availabilityZoneId can be specified.");
    }
    if (api_get_prefix4(req, req->in, "CidrBlock", "cidrBlock", &cidr)
        || api_check_tag_specs(req, "subnet")
        || subnet_create(req->model, vpc_cast(vpc), &cidr, az ? az : az_id, &subnet, req->err)) {
        return -1;
    }
    api_apply_tag_specs(req, &subnet->r, "subnet");
    format_subnet(oval_set_struct(req->out, "Subnet"), subnet);
    return 0;
}

static int
delete_subnet(struct api_request *req)
{
    struct resource *r = api_get(req, req->in, "SubnetId", RES_SUBNET);
    return r ? subnet_delete(req->model, subnet_cast(r), req->err) : -1;
}

static int
describe_subnets(struct api_request *req)
{
    struct resource **items;
    size_t n;
    const char *next;

    if (api_describe(req, RES_SUBNET, "SubnetIds", subnet_filters, subnet_n_filters, &items, &n,
                     &next)) {
        return -1;
    }
    if (model_dry_run(req->model, req->err)) {
        return -1;
    }
    struct oval *list = oval_set_list(req->out, "Subnets");
    for (size_t i = 0; i < n; i++) {
        format_subnet(oval_list_add_struct(list), subnet_cast(items[i]));
    }
    if (next) {
        oval_set_str(req->out, "NextToken", next);
    }
    return 0;
}

/* Section 4: one attribute per ModifySubnetAttribute call. */
static int
modify_subnet_attribute(struct api_request *req)
{
    static const struct {
        const char *member;
        enum subnet_attr attr;
    } flags[] = {
        { "MapPublicIpOnLaunch", SUBNET_ATTR_MAP_PUBLIC_IP_ON_LAUNCH },
        { "AssignIpv6AddressOnCreation", SUBNET_ATTR_ASSIGN_IPV6_ADDRESS_ON_CREATION },
        { "MapCustomerOwnedIpOnLaunch", SUBNET_ATTR_MAP_CUSTOMER_OWNED_IP_ON_LAUNCH },
        { "EnableDns64", SUBNET_ATTR_ENABLE_DNS64 },
        { "EnableResourceNameDnsARecordOnLaunch",
          SUBNET_ATTR_ENABLE_RESOURCE_NAME_DNS_A_RECORD },
        { "EnableResourceNameDnsAAAARecordOnLaunch",
          SUBNET_ATTR_ENABLE_RESOURCE_NAME_DNS_AAAA_RECORD },
    };
    /* Outposts-only attributes. */
    static const char *const outposts[] = {
        "CustomerOwnedIpv4Pool", "EnableLniAtDeviceIndex", "DisableLniAtDeviceIndex",
    };

    struct resource *r = api_get(req, req->in, "SubnetId", RES_SUBNET);
    if (!r) {
        return -1;
    }
    for (size_t i = 0; i < ARRAY_SIZE(outposts); i++) {
        if (dval_get(req->in, outposts[i])) {
            return err_set(req->err, ERR_INVALID_PARAMETER_VALUE,
                           "The parameter %s is only supported for subnets on an Outpost; "
                           "subnet '%s' is not.", outposts[i], r->id);
        }
    }
    size_t n = 0;
    const char *names[ARRAY_SIZE(flags) + 1];
    enum subnet_attr attr = SUBNET_ATTR_MAP_PUBLIC_IP_ON_LAUNCH;
    bool value = false;
    for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
        const struct dval *v = dval_get(req->in, flags[i].member);
        if (v) {
            if (!dval_get(v, "Value")) {
                return err_set(req->err, ERR_MISSING_PARAMETER,
                               "The request must contain the parameter %s.Value",
                               flags[i].member);
            }
            names[n++] = flags[i].member;
            attr = flags[i].attr;
            value = dval_bool(v, "Value", false);
        }
    }
    const char *hostname_type = dval_str(req->in, "PrivateDnsHostnameTypeOnLaunch");
    if (hostname_type) {
        names[n++] = "PrivateDnsHostnameTypeOnLaunch";
    }
    if (n != 1) {
        return err_set(req->err, n ? ERR_INVALID_PARAMETER_COMBINATION : ERR_MISSING_PARAMETER,
                       n ? "Fields for multiple attribute types specified: %s, %s"
                         : "The request must contain exactly one attribute to modify%s%s",
                       n ? names[0] : "", n ? names[1] : "");
    }
    struct subnet *subnet = subnet_cast(r);
    return hostname_type ? subnet_set_hostname_type(req->model, subnet, hostname_type, req->err)
                         : subnet_set_attribute(req->model, subnet, attr, value, req->err);
}

static int
create_default_subnet(struct api_request *req)
{
    struct subnet *subnet;
    const char *az = api_require_str(req, req->in, "AvailabilityZone");
    if (!az || refuse_unsupported(req)
        || subnet_create_default(req->model, req->scope, az, &subnet, req->err)) {
        return -1;
    }
    format_subnet(oval_set_struct(req->out, "Subnet"), subnet);
    return 0;
}

const struct api_action api_actions_subnet[] = {
    { "CreateSubnet", create_subnet },
    { "DeleteSubnet", delete_subnet },
    { "DescribeSubnets", describe_subnets },
    { "ModifySubnetAttribute", modify_subnet_attribute },
    { "CreateDefaultSubnet", create_default_subnet },
    { NULL, NULL },
};
