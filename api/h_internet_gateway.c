/* EC2 actions of the internet gateway family: decode, call
 * model/internet_gateway.h, format. */
#include "api/api.h"

#include "model/internet_gateway.h"
#include "model/vpc.h"

static void
format_internet_gateway(struct oval *st, const struct internet_gateway *igw)
{
    oval_set_str(st, "InternetGatewayId", igw->r.id);
    oval_set_str(st, "OwnerId", igw->r.scope->account);
    struct oval *attachments = oval_set_list(st, "Attachments");
    if (igw->attached_vpc_id[0]) {
        struct oval *a = oval_list_add_struct(attachments);
        oval_set_str(a, "VpcId", igw->attached_vpc_id);
        /* What AWS reports for an attached gateway, though the model's
         * enum says "attached" (section 10). */
        oval_set_str(a, "State", "available");
    }
    api_format_tags(st, "Tags", &igw->r);
}

static int
create_internet_gateway(struct api_request *req)
{
    struct internet_gateway *igw;
    if (api_check_tag_specs(req, "internet-gateway")
        || internet_gateway_create(req->model, req->scope, &igw, req->err)) {
        return -1;
    }
    api_apply_tag_specs(req, &igw->r, "internet-gateway");
    format_internet_gateway(oval_set_struct(req->out, "InternetGateway"), igw);
    return 0;
}

static int
delete_internet_gateway(struct api_request *req)
{
    struct resource *r = api_get(req, req->in, "InternetGatewayId", RES_INTERNET_GATEWAY);
    return r ? internet_gateway_delete(req->model, internet_gateway_cast(r), req->err) : -1;
}

static int
attach_or_detach(struct api_request *req, bool attach)
{
    struct resource *igw = api_get(req, req->in, "InternetGatewayId", RES_INTERNET_GATEWAY);
    if (!igw) {
        return -1;
    }
    struct resource *vpc = api_get(req, req->in, "VpcId", RES_VPC);
    if (!vpc) {
        return -1;
    }
    return attach ? internet_gateway_attach(req->model, internet_gateway_cast(igw),
                                            vpc_cast(vpc), req->err)
                  : internet_gateway_detach(req->model, internet_gateway_cast(igw),
                                            vpc_cast(vpc), req->err);
}

static int
attach_internet_gateway(struct api_request *req)
{
    return attach_or_detach(req, true);
}

static int
detach_internet_gateway(struct api_request *req)
{
    return attach_or_detach(req, false);
}

static int
describe_internet_gateways(struct api_request *req)
{
    struct resource **items;
    size_t n;
    const char *next;

    if (api_describe(req, RES_INTERNET_GATEWAY, "InternetGatewayIds", internet_gateway_filters,
                     internet_gateway_n_filters, &items, &n, &next)) {
        return -1;
    }
    struct oval *list = oval_set_list(req->out, "InternetGateways");
    for (size_t i = 0; i < n; i++) {
        format_internet_gateway(oval_list_add_struct(list), internet_gateway_cast(items[i]));
    }
    if (next) {
        oval_set_str(req->out, "NextToken", next);
    }
    return 0;
}

const struct api_action api_actions_internet_gateway[] = {
    { "CreateInternetGateway", create_internet_gateway },
    { "DeleteInternetGateway", delete_internet_gateway },
    { "AttachInternetGateway", attach_internet_gateway },
    { "DetachInternetGateway", detach_internet_gateway },
    { "DescribeInternetGateways", describe_internet_gateways },
    { NULL, NULL },
};
