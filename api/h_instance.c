/* EC2 actions of the instance family: decode, call model/instance.h,
 * format. */
#include "api/api.h"

#include <string.h>

#include "lib/arena.h"
#include "lib/util.h"
#include "model/address.h"
#include "model/instance.h"
#include "model/network_interface.h"
#include "model/security_group.h"
#include "model/subnet.h"

/* RunInstances tags instances and their new interfaces; volumes don't exist
 * in vpcd, so their tags are accepted and dropped. */
static const char *const run_tag_types[] = { "instance", "network-interface", "volume" };

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

static void
format_state(struct oval *st, enum instance_state state)
{
    oval_set_int(st, "Code", state);
    oval_set_str(st, "Name", instance_state_name(state));
}

static void
format_groups(struct api_request *req, struct oval *list, const struct network_interface *eni)
{
    for (size_t i = 0; eni && i < eni->n_groups; i++) {
        struct oval *g = oval_list_add_struct(list);
        const struct security_group *sg = security_group_cast(
            model_find_in(req->model, eni->r.scope, RES_SECURITY_GROUP, eni->groups[i]));
        oval_set_str(g, "GroupId", eni->groups[i]);
        if (sg && sg->name) {
            oval_set_str(g, "GroupName", sg->name);
        }
    }
}

/* Section 6: the public address on private address 'ip_index' of 'eni' (its
 * Elastic IP, or for the primary the auto-assigned one), 0 if none. */
static uint32_t
public_ip_of(struct api_request *req, const struct network_interface *eni, size_t ip_index,
             const struct address **eip)
{
    *eip = address_of_private_ip(req->model, eni, eni->ips[ip_index].addr);
    return *eip ? (*eip)->public_ip : ip_index == 0 ? eni->public_ip : 0;
}

static void
public_dns(struct api_request *req, const struct network_interface *eni, uint32_t ip,
           char name[ENI_DNS_NAME_SIZE])
{
    name[0] = '\0';
    if (ip && network_interface_public_dns_enabled(req->model, eni)) {
        network_interface_public_dns_name(eni->r.scope->region, ip, name);
    }
}

static void
format_association(struct api_request *req, struct oval *parent,
                   const struct network_interface *eni, size_t ip_index)
{
    const struct address *eip;
    uint32_t ip = public_ip_of(req, eni, ip_index, &eip);
    if (!ip) {
        return;
    }
    char name[ENI_DNS_NAME_SIZE];
    public_dns(req, eni, ip, name);
    struct oval *st = oval_set_struct(parent, "Association");
    oval_set_str(st, "IpOwnerId", eip ? eni->r.scope->account : "amazon");
    oval_set_str(st, "PublicDnsName", name);
    api_set_ip4(st, "PublicIp", ip);
}

static void
format_interface(struct api_request *req, struct oval *st, const struct network_interface *eni)
{
    const char *region = eni->r.scope->region;
    char name[ENI_DNS_NAME_SIZE];

    format_association(req, st, eni, 0);
    struct oval *at = oval_set_struct(st, "Attachment");
    api_set_time(at, "AttachTime", eni->attachment.attach_time);
    oval_set_str(at, "AttachmentId", eni->attachment.id);
    oval_set_bool(at, "DeleteOnTermination", eni->attachment.delete_on_termination);
    oval_set_int(at, "DeviceIndex", eni->attachment.device_index);
    oval_set_str(at, "Status", "attached");
    oval_set_int(at, "NetworkCardIndex", 0);
    oval_set_str(st, "Description", eni->description ? eni->description : "");
    format_groups(req, oval_set_list(st, "Groups"), eni);
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
    oval_set_bool(st, "SourceDestCheck", eni->source_dest_check);
    oval_set_str(st, "Status", network_interface_status(eni));
    oval_set_str(st, "SubnetId", eni->subnet_id);
    oval_set_str(st, "VpcId", eni->r.vpc_id);
    oval_set_str(st, "InterfaceType", eni->interface_type);
}

static void
format_instance(struct api_request *req, struct oval *st, const struct instance *inst,
                int64_t now)
{
    enum instance_state state = instance_state(inst, now);
    struct network_interface *enis[INSTANCE_MAX_INTERFACES];
    size_t n_enis = instance_interfaces(req->model, inst, enis, ARRAY_SIZE(enis));
    const struct network_interface *eni0 = n_enis && !enis[0]->attachment.device_index
                                               ? enis[0] : NULL;
    char name[ENI_DNS_NAME_SIZE] = "";
    char reason[96];

    oval_set_int(st, "AmiLaunchIndex", inst->ami_launch_index);
    oval_set_str(st, "ImageId", inst->image_id);
    oval_set_str(st, "InstanceId", inst->r.id);
    oval_set_str(st, "InstanceType", inst->instance_type);
    if (inst->key_name) {
        oval_set_str(st, "KeyName", inst->key_name);
    }
    api_set_time(st, "LaunchTime", inst->launch_time);
    oval_set_str(oval_set_struct(st, "Monitoring"), "State", "disabled");
    struct oval *placement = oval_set_struct(st, "Placement");
    oval_set_str(placement, "AvailabilityZone", inst->az);
    oval_set_str(placement, "GroupName", "");
    oval_set_str(placement, "Tenancy", "default");
    if (eni0) {
        network_interface_private_dns_name(inst->r.scope->region, eni0->ips[0].addr, name);
    }
    oval_set_str(st, "PrivateDnsName", name);
    if (eni0) {
        api_set_ip4(st, "PrivateIpAddress", eni0->ips[0].addr);
    }
    oval_set_list(st, "ProductCodes");
    const struct address *eip;
    uint32_t public_ip = eni0 ? public_ip_of(req, eni0, 0, &eip) : 0;
    char dns[ENI_DNS_NAME_SIZE] = "";
    if (eni0) {
        public_dns(req, eni0, public_ip, dns);
    }
    oval_set_str(st, "PublicDnsName", dns);
    if (public_ip) {
        api_set_ip4(st, "PublicIpAddress", public_ip);
    }
    format_state(oval_set_struct(st, "State"), state);
    instance_transition_reason(inst, reason, sizeof reason);
    oval_set_str(st, "StateTransitionReason", reason);
    /* AWS stops naming the network of a terminated instance. */
    if (state != INSTANCE_TERMINATED) {
        oval_set_str(st, "SubnetId", inst->subnet_id);
        oval_set_str(st, "VpcId", inst->r.vpc_id);
    }
    oval_set_str(st, "Architecture", "x86_64");
    oval_set_list(st, "BlockDeviceMappings");
    oval_set_bool(st, "EbsOptimized", false);
    oval_set_bool(st, "EnaSupport", true);
    oval_set_str(st, "Hypervisor", "xen");
    struct oval *list = oval_set_list(st, "NetworkInterfaces");
    for (size_t i = 0; i < n_enis; i++) {
        format_interface(req, oval_list_add_struct(list), enis[i]);
    }
    oval_set_str(st, "RootDeviceName", "/dev/xvda");
    oval_set_str(st, "RootDeviceType", "ebs");
    format_groups(req, oval_set_list(st, "SecurityGroups"), eni0);
    if (eni0) {
        oval_set_bool(st, "SourceDestCheck", eni0->source_dest_check);
    }
    if (state == INSTANCE_PENDING) {
        struct oval *sr = oval_set_struct(st, "StateReason");
        oval_set_str(sr, "Code", "pending");
        oval_set_str(sr, "Message", "pending");
    } else if (inst->phase != INSTANCE_PHASE_RUN) {
        struct oval *sr = oval_set_struct(st, "StateReason");
        oval_set_str(sr, "Code", "Client.UserInitiatedShutdown");
        oval_set_str(sr, "Message", "Client.UserInitiatedShutdown: User initiated shutdown");
    }
    api_format_tags(st, "Tags", &inst->r);
    oval_set_str(st, "VirtualizationType", "hvm");
    oval_set_str(st, "PlatformDetails", "Linux/UNIX");
    oval_set_str(st, "UsageOperation", "RunInstances");
}

/* TagSpecifications of RunInstances: instance, network-interface, volume. */
static int
check_run_tag_specs(struct api_request *req)
{
    const struct dval *specs = dval_get(req->in, "TagSpecifications");
    for (size_t i = 0; i < dval_list_len(specs); i++) {
        const struct dval *spec = dval_list_at(specs, i);
        const char *type = dval_str(spec, "ResourceType");
        bool known = false;
        for (size_t k = 0; type && k < ARRAY_SIZE(run_tag_types); k++) {
            known = known || !strcmp(type, run_tag_types[k]);
        }
        if (!known) {
            return err_set(req->err, ERR_INVALID_PARAMETER_VALUE,
                           "'%s' is not a valid taggable resource type for this operation.",
                           type ? type : "");
        }
        const struct dval *tags = dval_get(spec, "Tags");
        size_t n = dval_list_len(tags);
        const char **keys = arena_alloc(req->arena, (n + 1) * sizeof *keys);
        const char **values = arena_alloc(req->arena, (n + 1) * sizeof *values);
        for (size_t j = 0; j < n; j++) {
            keys[j] = dval_str(dval_list_at(tags, j), "Key");
            values[j] = dval_str(dval_list_at(tags, j), "Value");
        }
        if (tags_validate(keys, values, n, 0, req->err)) {
            return -1;
        }
    }
    return 0;
}

/* The subnet an interface without SubnetId goes to. */
static struct subnet *
default_subnet(struct api_request *req)
{
    const struct dval *placement = dval_get(req->in, "Placement");
    const char *az = placement ? dval_str(placement, "AvailabilityZone") : NULL;
    return instance_default_subnet(req->model, req->scope, az, req->err);
}

/* Security groups by name (SecurityGroups): groups of the default VPC. */
static int
resolve_group_names(struct api_request *req, const char ***ids, size_t *n_ids)
{
    size_t n_names;
    const char **names = get_str_list(req, req->in, "SecurityGroups", &n_names);
    if (!n_names) {
        return 0;
    }
    const char **all = arena_alloc(req->arena, (*n_ids + n_names + 1) * sizeof *all);
    memcpy(all, *ids, *n_ids * sizeof *all);
    for (size_t i = 0; i < n_names; i++) {
        const struct security_group *sg = security_group_get_by_name(req->model, req->scope,
                                                                     names[i], req->err);
        if (!sg) {
            return -1;
        }
        all[(*n_ids)++] = sg->r.id;
    }
    *ids = all;
    return 0;
}

/* The instance-level SubnetId / SecurityGroupIds / SecurityGroups /
 * PrivateIpAddress as device 0. */
static int
decode_instance_level(struct api_request *req, struct instance_launch_interface *li)
{
    memset(li, 0, sizeof *li);
    li->associate_public_ip = -1;
    li->delete_on_termination = -1;
    if (dval_str(req->in, "SubnetId")) {
        li->subnet = subnet_cast(api_get(req, req->in, "SubnetId", RES_SUBNET));
    } else {
        li->subnet = default_subnet(req);
    }
    if (!li->subnet) {
        return -1;
    }
    const char **groups = get_str_list(req, req->in, "SecurityGroupIds", &li->n_groups);
    if (resolve_group_names(req, &groups, &li->n_groups)) {
        return -1;
    }
    li->group_ids = groups;
    return api_get_ip4(req, req->in, "PrivateIpAddress", &li->private_ip);
}

static int
decode_interface(struct api_request *req, const struct dval *spec,
                 struct instance_launch_interface *li)
{
    int64_t v;
    memset(li, 0, sizeof *li);
    li->device_index = dval_int(spec, "DeviceIndex", &v) ? (int) (v < -1 ? -1 : v > 1000 ? 1000
                                                                      : v) : 0;
    li->associate_public_ip = dval_get(spec, "AssociatePublicIpAddress")
                                  ? dval_bool(spec, "AssociatePublicIpAddress", false) : -1;
    li->delete_on_termination = dval_get(spec, "DeleteOnTermination")
                                    ? dval_bool(spec, "DeleteOnTermination", true) : -1;
    li->description = dval_str(spec, "Description");
    li->group_ids = get_str_list(req, spec, "Groups", &li->n_groups);
    if (dval_int(spec, "SecondaryPrivateIpAddressCount", &v)) {
        if (v < 0 || v >= ENI_MAX_PRIVATE_IPS) {
            return err_set(req->err, ERR_INVALID_PARAMETER_VALUE,
                           "Value (%lld) for parameter secondaryPrivateIpAddressCount is "
                           "invalid.", (long long) v);
        }
        li->secondary_count = (size_t) v;
    }
    if (api_get_ip4(req, spec, "PrivateIpAddress", &li->private_ip)) {
        return -1;
    }
    if (dval_str(spec, "NetworkInterfaceId")) {
        li->existing = network_interface_cast(
            api_get(req, spec, "NetworkInterfaceId", RES_NETWORK_INTERFACE));
        if (!li->existing) {
            return -1;
        }
        if (dval_str(spec, "SubnetId")) {
            li->subnet = subnet_cast(api_get(req, spec, "SubnetId", RES_SUBNET));
            return li->subnet ? 0 : -1;
        }
        return 0;
    }
    li->subnet = dval_str(spec, "SubnetId")
                     ? subnet_cast(api_get(req, spec, "SubnetId", RES_SUBNET))
                     : default_subnet(req);
    return li->subnet ? 0 : -1;
}

static int
decode_launch(struct api_request *req, struct instance_launch *l)
{
    memset(l, 0, sizeof *l);
    l->image_id = dval_str(req->in, "ImageId");
    /* AWS's default type when none is given. */
    l->instance_type = dval_str(req->in, "InstanceType");
    if (!l->instance_type) {
        l->instance_type = "m1.small";
    }
    l->key_name = dval_str(req->in, "KeyName");
    l->user_data = dval_str(req->in, "UserData");
    if (!dval_int(req->in, "MinCount", &l->min_count)
        || !dval_int(req->in, "MaxCount", &l->max_count)) {
        return err_set(req->err, ERR_MISSING_PARAMETER,
                       "The request must contain the parameters MinCount and MaxCount");
    }
    const struct dval *specs = dval_get(req->in, "NetworkInterfaces");
    size_t n_specs = dval_list_len(specs);
    if (!n_specs) {
        l->n_interfaces = 1;
        return decode_instance_level(req, &l->interfaces[0]);
    }
    static const char *const exclusive[] = {
        "SubnetId", "PrivateIpAddress",
    };
    for (size_t i = 0; i < ARRAY_SIZE(exclusive); i++) {
        if (dval_str(req->in, exclusive[i])) {
            return err_set(req->err, ERR_INVALID_PARAMETER_COMBINATION,
                           "Network interfaces and an instance-level %s may not be specified "
                           "on the same request", exclusive[i]);
        }
    }
    if (dval_list_len(dval_get(req->in, "SecurityGroupIds"))
        || dval_list_len(dval_get(req->in, "SecurityGroups"))) {
        return err_set(req->err, ERR_INVALID_PARAMETER_COMBINATION,
                       "Network interfaces and an instance-level security groups may not be "
                       "specified on the same request");
    }
    if (n_specs > INSTANCE_MAX_INTERFACES) {
        return err_set(req->err, ERR_ATTACHMENT_LIMIT_EXCEEDED,
                       "Interface count %zu exceeds the limit for %s", n_specs,
                       l->instance_type);
    }
    for (size_t i = 0; i < n_specs; i++) {
        if (decode_interface(req, dval_list_at(specs, i), &l->interfaces[i])) {
            return -1;
        }
    }
    l->n_interfaces = n_specs;
    return 0;
}

static void
apply_run_tags(struct api_request *req, struct instance *inst,
               const struct instance_launch *l)
{
    api_apply_tag_specs(req, &inst->r, "instance");
    struct network_interface *enis[INSTANCE_MAX_INTERFACES];
    size_t n = instance_interfaces(req->model, inst, enis, ARRAY_SIZE(enis));
    for (size_t i = 0; i < n; i++) {
        bool existing = false;
        for (size_t j = 0; j < l->n_interfaces; j++) {
            existing = existing || l->interfaces[j].existing == enis[i];
        }
        if (!existing) {
            api_apply_tag_specs(req, &enis[i]->r, "network-interface");
        }
    }
}

static int
run_instances(struct api_request *req)
{
    struct instance_launch l;
    struct instance *made[INSTANCE_LAUNCH_MAX];
    size_t n;

    /* A replayed ClientToken never gets here: api/service.c answers it. */
    if (check_run_tag_specs(req) || decode_launch(req, &l)
        || instance_run(req->model, req->scope, &l, made, &n, req->err)) {
        return -1;
    }
    int64_t now = model_now();
    oval_set_list(req->out, "Groups");
    struct oval *list = oval_set_list(req->out, "Instances");
    for (size_t i = 0; i < n; i++) {
        apply_run_tags(req, made[i], &l);
        format_instance(req, oval_list_add_struct(list), made[i], now);
    }
    oval_set_str(req->out, "OwnerId", req->scope->account);
    oval_set_str(req->out, "ReservationId", made[0]->reservation_id);
    return 0;
}

static int
describe_instances(struct api_request *req)
{
    struct resource **items;
    size_t n;
    const char *next;
    int64_t now = model_now();
    int64_t max_results;

    if (dval_list_len(dval_get(req->in, "InstanceIds"))
        && dval_int(req->in, "MaxResults", &max_results)) {
        return err_set(req->err, ERR_INVALID_PARAMETER_COMBINATION,
                       "The parameter instancesSet cannot be used with the parameter "
                       "maxResults");
    }
    /* Instances terminated an hour ago vanish here, lazily. */
    instance_prune(req->model, req->scope, now);
    if (api_describe(req, RES_INSTANCE, "InstanceIds", instance_filters, instance_n_filters,
                     &items, &n, &next)) {
        return -1;
    }
    /* One reservation per launch: its instances are consecutive by
     * creation. */
    struct oval *reservations = oval_set_list(req->out, "Reservations");
    struct oval *instances = NULL;
    const char *current = NULL;
    for (size_t i = 0; i < n; i++) {
        const struct instance *inst = instance_cast(items[i]);
        if (!current || strcmp(current, inst->reservation_id)) {
            struct oval *res = oval_list_add_struct(reservations);
            oval_set_list(res, "Groups");
            instances = oval_set_list(res, "Instances");
            oval_set_str(res, "OwnerId", inst->r.scope->account);
            oval_set_str(res, "ReservationId", inst->reservation_id);
            current = inst->reservation_id;
        }
        format_instance(req, oval_list_add_struct(instances), inst, now);
    }
    if (next) {
        oval_set_str(req->out, "NextToken", next);
    }
    return 0;
}

static void
format_status_summary(struct oval *st, bool running)
{
    oval_set_str(st, "Status", running ? "ok" : "not-applicable");
    if (running) {
        struct oval *d = oval_list_add_struct(oval_set_list(st, "Details"));
        oval_set_str(d, "Name", "reachability");
        oval_set_str(d, "Status", "passed");
    }
}

static int
describe_instance_status(struct api_request *req)
{
    struct resource **items;
    size_t n;
    const char *next;
    int64_t now = model_now();
    bool all = dval_bool(req->in, "IncludeAllInstances", false);

    instance_prune(req->model, req->scope, now);
    if (api_describe(req, RES_INSTANCE, "InstanceIds", instance_filters, instance_n_filters,
                     &items, &n, &next)) {
        return -1;
    }
    struct oval *list = oval_set_list(req->out, "InstanceStatuses");
    for (size_t i = 0; i < n; i++) {
        const struct instance *inst = instance_cast(items[i]);
        enum instance_state state = instance_state(inst, now);
        bool running = state == INSTANCE_RUNNING;
        if (!running && !all) {
            continue;
        }
        struct oval *st = oval_list_add_struct(list);
        oval_set_str(st, "AvailabilityZone", inst->az);
        oval_set_list(st, "Events");
        oval_set_str(st, "InstanceId", inst->r.id);
        format_state(oval_set_struct(st, "InstanceState"), state);
        format_status_summary(oval_set_struct(st, "InstanceStatus"), running);
        format_status_summary(oval_set_struct(st, "SystemStatus"), running);
    }
    if (next) {
        oval_set_str(req->out, "NextToken", next);
    }
    return 0;
}

typedef int change_fn(struct model *, struct instance **, size_t, enum instance_state *,
                      enum instance_state *, struct error *);

/* Start/Stop/Terminate: every id must exist; the answer lists each
 * instance's previous and current state. */
static int
change_state(struct api_request *req, change_fn *fn, const char *out_member)
{
    const struct dval *ids = dval_get(req->in, "InstanceIds");
    size_t n = dval_list_len(ids);
    if (!n) {
        return err_set(req->err, ERR_MISSING_PARAMETER,
                       "The request must contain the parameter InstanceId");
    }
    struct instance **v = arena_alloc(req->arena, n * sizeof *v);
    enum instance_state *previous = arena_alloc(req->arena, n * sizeof *previous);
    enum instance_state *current = arena_alloc(req->arena, n * sizeof *current);
    size_t n_distinct = 0;
    for (size_t i = 0; i < n; i++) {
        struct instance *inst = instance_cast(model_get(req->model, req->scope, RES_INSTANCE,
                                                        dval_list_at(ids, i)->u.str,
                                                        req->err));
        if (!inst) {
            return -1;
        }
        bool seen = false;
        for (size_t j = 0; j < n_distinct && !seen; j++) {
            seen = v[j] == inst;
        }
        if (!seen) {
            v[n_distinct++] = inst;
        }
    }
    if (fn(req->model, v, n_distinct, previous, current, req->err)) {
        return -1;
    }
    struct oval *list = oval_set_list(req->out, out_member);
    for (size_t i = 0; i < n_distinct; i++) {
        struct oval *st = oval_list_add_struct(list);
        format_state(oval_set_struct(st, "CurrentState"), current[i]);
        oval_set_str(st, "InstanceId", v[i]->r.id);
        format_state(oval_set_struct(st, "PreviousState"), previous[i]);
    }
    return 0;
}

static int
start_instances(struct api_request *req)
{
    return change_state(req, instance_start, "StartingInstances");
}

static int
stop_instances(struct api_request *req)
{
    return change_state(req, instance_stop, "StoppingInstances");
}

static int
terminate_instances(struct api_request *req)
{
    return change_state(req, instance_terminate, "TerminatingInstances");
}

static int
get_console_output(struct api_request *req)
{
    struct instance *inst = instance_cast(api_get(req, req->in, "InstanceId", RES_INSTANCE));
    if (!inst || model_dry_run(req->model, req->err)) {
        return -1;
    }
    oval_set_str(req->out, "InstanceId", inst->r.id);
    /* Empty until the data plane runs the instance and captures its output. */
    oval_set_str(req->out, "Output", inst->console_output ? inst->console_output : "");
    api_set_time(req->out, "Timestamp", model_now());
    return 0;
}

static int
attach_network_interface(struct api_request *req)
{
    struct instance *inst = instance_cast(api_get(req, req->in, "InstanceId", RES_INSTANCE));
    if (!inst) {
        return -1;
    }
    struct network_interface *eni = network_interface_cast(
        api_get(req, req->in, "NetworkInterfaceId", RES_NETWORK_INTERFACE));
    int64_t device_index;
    if (!eni) {
        return -1;
    }
    if (!dval_int(req->in, "DeviceIndex", &device_index)) {
        return err_set(req->err, ERR_MISSING_PARAMETER,
                       "The request must contain the parameter DeviceIndex");
    }
    if (instance_attach_interface(req->model, inst, eni, device_index, req->err)) {
        return -1;
    }
    oval_set_str(req->out, "AttachmentId", eni->attachment.id);
    oval_set_int(req->out, "NetworkCardIndex", 0);
    return 0;
}

static int
detach_network_interface(struct api_request *req)
{
    const char *id = api_require_str(req, req->in, "AttachmentId");
    if (!id) {
        return -1;
    }
    return instance_detach_interface(req->model, req->scope, id,
                                     dval_bool(req->in, "Force", false), req->err);
}

const struct api_action api_actions_instance[] = {
    { "RunInstances", run_instances },
    { "DescribeInstances", describe_instances },
    { "DescribeInstanceStatus", describe_instance_status },
    { "StartInstances", start_instances },
    { "StopInstances", stop_instances },
    { "TerminateInstances", terminate_instances },
    { "GetConsoleOutput", get_console_output },
    { "AttachNetworkInterface", attach_network_interface },
    { "DetachNetworkInterface", detach_network_interface },
    { NULL, NULL },
};
