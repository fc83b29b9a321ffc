/* instance.h: instances, their life and their interfaces (issue 3,
 * vpc-semantics.md sections 5 and 6). */
#include "model/instance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/util.h"
#include "model/address.h"
#include "model/network_interface.h"
#include "model/schema.h"
#include "model/security_group.h"
#include "model/subnet.h"
#include "model/vpc.h"

static const struct field instance_fields[] = {
    F_STR(struct instance, reservation_id),
    F_STR(struct instance, image_id),
    F_STR(struct instance, instance_type),
    F_PSTR(struct instance, key_name),
    F_STR(struct instance, subnet_id),
    F_STR(struct instance, az),
    F_INT(struct instance, ami_launch_index),
    F_INT(struct instance, phase),
    F_I64(struct instance, phase_time),
    F_I64(struct instance, launch_time),
    F_BOOL(struct instance, auto_public_ip),
    F_PSTR(struct instance, user_data),
    F_BOOL(struct instance, user_data_done),
    F_PSTR(struct instance, console_output),
};

const struct schema instance_schema = SCHEMA(struct instance, instance_fields);

/* Instance types: the common families, each size with its interface limit
 * (AWS's "maximum network interfaces" per type).  Any listed family-size pair
 * is accepted. */
struct type_size {
    const char *size;
    int max_interfaces;
};

static const struct type_size burstable_sizes[] = {
    { "nano", 2 }, { "micro", 2 }, { "small", 3 }, { "medium", 3 }, { "large", 3 },
    { "xlarge", 4 }, { "2xlarge", 4 },
};

static const struct type_size general_sizes[] = {
    { "medium", 2 }, { "large", 3 }, { "xlarge", 4 }, { "2xlarge", 4 }, { "4xlarge", 8 },
    { "8xlarge", 8 }, { "9xlarge", 8 }, { "12xlarge", 8 }, { "16xlarge", 15 },
    { "18xlarge", 15 }, { "24xlarge", 15 }, { "metal", 15 },
};

static const char *const burstable_families[] = { "t2", "t3", "t3a", "t4g" };
static const char *const general_families[] = {
    "m1", "m4", "m5", "m5a", "m5n", "m6a", "m6g", "m6i", "m7a", "m7g", "m7i",
    "c4", "c5", "c5a", "c5n", "c6a", "c6g", "c6i", "c7a", "c7g", "c7i",
    "r4", "r5", "r5a", "r6a", "r6g", "r6i", "r7a", "r7g", "r7i",
};

static bool
find_size(const char *size, const struct type_size *sizes, size_t n, int *max_interfaces)
{
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(size, sizes[i].size)) {
            *max_interfaces = sizes[i].max_interfaces;
            return true;
        }
    }
    return false;
}

bool
instance_type_known(const char *type, int *max_interfaces)
{
    int dummy;
    if (!max_interfaces) {
        max_interfaces = &dummy;
    }
    const char *dot = strchr(type, '.');
    if (!dot) {
        return false;
    }
    size_t flen = (size_t) (dot - type);
    for (size_t i = 0; i < ARRAY_SIZE(burstable_families); i++) {
        if (strlen(burstable_families[i]) == flen && !strncmp(type, burstable_families[i], flen)) {
            return find_size(dot + 1, burstable_sizes, ARRAY_SIZE(burstable_sizes),
                             max_interfaces);
        }
    }
    for (size_t i = 0; i < ARRAY_SIZE(general_families); i++) {
        if (strlen(general_families[i]) == flen && !strncmp(type, general_families[i], flen)) {
            return find_size(dot + 1, general_sizes, ARRAY_SIZE(general_sizes), max_interfaces);
        }
    }
    return false;
}

static int
type_max_interfaces(const struct instance *inst)
{
    int n;
    return instance_type_known(inst->instance_type, &n) ? n : 2;
}

/* State over time. */

enum instance_state
instance_state(const struct instance *inst, int64_t now)
{
    bool settled = now >= inst->phase_time + INSTANCE_TRANSITION_SEC;
    switch (inst->phase) {
    case INSTANCE_PHASE_STOP:
        return settled ? INSTANCE_STOPPED : INSTANCE_STOPPING;
    case INSTANCE_PHASE_TERMINATE:
        return settled ? INSTANCE_TERMINATED : INSTANCE_SHUTTING_DOWN;
    default:
        return settled ? INSTANCE_RUNNING : INSTANCE_PENDING;
    }
}

const char *
instance_state_name(enum instance_state state)
{
    switch (state) {
    case INSTANCE_PENDING: return "pending";
    case INSTANCE_RUNNING: return "running";
    case INSTANCE_SHUTTING_DOWN: return "shutting-down";
    case INSTANCE_TERMINATED: return "terminated";
    case INSTANCE_STOPPING: return "stopping";
    case INSTANCE_STOPPED: return "stopped";
    }
    return "pending";
}

bool
instance_is_up(const struct instance *inst, int64_t now)
{
    (void) now;
    return inst->phase == INSTANCE_PHASE_RUN;
}

int64_t
instance_next_transition(const struct instance *inst, int64_t now)
{
    int64_t settle = inst->phase_time + INSTANCE_TRANSITION_SEC;
    if (now < settle) {
        return settle;
    }
    if (inst->phase == INSTANCE_PHASE_TERMINATE) {
        int64_t gone = settle + INSTANCE_TERMINATED_VISIBLE_SEC;
        return now < gone ? gone : 0;
    }
    return 0;
}

void
instance_transition_reason(const struct instance *inst, char *out, size_t size)
{
    if (inst->phase == INSTANCE_PHASE_RUN) {
        str_copy(out, size, "");
        return;
    }
    time_t t = (time_t) inst->phase_time;
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, size, "User initiated (%04d-%02d-%02d %02d:%02d:%02d GMT)", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Interfaces. */

size_t
instance_interfaces(const struct model *m, const struct instance *inst,
                    struct network_interface **out, size_t max)
{
    const struct vpc *vpc = vpc_cast(model_find(m, inst->r.vpc_id));
    if (!vpc) {
        return 0;
    }
    size_t n = 0;
    struct resource *r;
    LIST_FOR_EACH (r, vpc_node, &vpc->children[RES_NETWORK_INTERFACE]) {
        struct network_interface *eni = network_interface_cast(r);
        if (n < max && eni->attachment.id[0] && !strcmp(eni->attachment.instance_id, inst->r.id)) {
            /* Insertion by device index: an instance has a handful. */
            size_t i = n++;
            while (i > 0 && out[i - 1]->attachment.device_index > eni->attachment.device_index) {
                out[i] = out[i - 1];
                i--;
            }
            out[i] = eni;
        }
    }
    return n;
}

struct network_interface *
instance_primary_interface(const struct model *m, const struct instance *inst)
{
    struct network_interface *enis[INSTANCE_MAX_INTERFACES];
    size_t n = instance_interfaces(m, inst, enis, ARRAY_SIZE(enis));
    return n && enis[0]->attachment.device_index == 0 ? enis[0] : NULL;
}

struct instance *
instance_of_interface(const struct model *m, const struct network_interface *eni)
{
    if (!eni->attachment.id[0]) {
        return NULL;
    }
    return instance_cast(model_find_in(m, eni->r.scope, RES_INSTANCE,
                                       eni->attachment.instance_id));
}

struct network_interface *
instance_only_interface(const struct model *m, const struct scope *scope, const char *id,
                        struct error *err)
{
    struct instance *inst = instance_cast(model_get(m, scope, RES_INSTANCE, id, err));
    if (!inst) {
        return NULL;
    }
    struct network_interface *enis[INSTANCE_MAX_INTERFACES];
    size_t n = instance_interfaces(m, inst, enis, ARRAY_SIZE(enis));
    if (!n) {
        err_set(err, ERR_INCORRECT_INSTANCE_STATE,
                "The instance '%s' is not in a valid state for this operation.", id);
        return NULL;
    }
    if (n > 1) {
        err_set(err, ERR_INSTANCE_ID_INVALID,
                "There are multiple interfaces attached to instance '%s'. Please specify an "
                "interface ID for the operation instead.", id);
        return NULL;
    }
    return enis[0];
}

/* Section 6: the auto-assigned public IPv4 of device 0, unless an Elastic IP
 * sits on its primary address (then the instance has that one). */
static void
give_public_ip(struct model *m, struct network_interface *eni)
{
    uint32_t ip;
    if (!eni->public_ip && !address_of_private_ip(m, eni, eni->ips[0].addr)
        && model_public_ip_alloc(m, &ip)) {
        eni->public_ip = ip;
        model_touch(m, &eni->r);
    }
}

static void
take_public_ip(struct model *m, struct network_interface *eni)
{
    if (eni->public_ip) {
        model_public_ip_release(m, eni->public_ip);
        eni->public_ip = 0;
        model_touch(m, &eni->r);
    }
}

static void
attach(struct model *m, struct network_interface *eni, const struct instance *inst,
       int device_index, bool delete_on_termination)
{
    model_new_id(m, "eni-attach", eni->attachment.id);
    str_copy(eni->attachment.instance_id, sizeof eni->attachment.instance_id, inst->r.id);
    eni->attachment.device_index = device_index;
    eni->attachment.delete_on_termination = delete_on_termination;
    eni->attachment.attach_time = model_now();
    model_touch(m, &eni->r);
}

static void
detach(struct model *m, struct network_interface *eni)
{
    memset(&eni->attachment, 0, sizeof eni->attachment);
    model_touch(m, &eni->r);
}

/* Launch. */

static bool
hex_id(const char *id, const char *prefix)
{
    size_t plen = strlen(prefix);
    if (strncmp(id, prefix, plen)) {
        return false;
    }
    size_t n = strspn(id + plen, "0123456789abcdef");
    return !id[plen + n] && (n == 8 || n == ID_HEX_DIGITS);
}

/* The decoded size of base64 'text', or -1 when it is not base64. */
static long
base64_decoded_size(const char *text)
{
    size_t len = 0, pad = 0;
    for (const char *p = text; *p; p++) {
        char c = *p;
        if (c == '\n' || c == '\r') {
            continue;
        }
        if (c == '=') {
            pad++;
        } else if (pad || !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
                             || (c >= '0' && c <= '9') || c == '+' || c == '/')) {
            return -1;
        }
        len++;
    }
    if (len % 4 || pad > 2) {
        return -1;
    }
    return (long) (len / 4 * 3 - pad);
}

struct subnet *
instance_default_subnet(const struct model *m, const struct scope *scope, const char *az,
                        struct error *err)
{
    struct vpc *vpc = vpc_find_default(m, scope);
    if (!vpc) {
        err_set(err, ERR_NO_DEFAULT_VPC, "No default VPC for this user. GroupName is only "
                "supported for EC2-Classic and default VPC.");
        return NULL;
    }
    struct subnet *best = NULL;
    struct resource *r;
    LIST_FOR_EACH (r, vpc_node, &vpc->children[RES_SUBNET]) {
        struct subnet *s = subnet_cast(r);
        if (!s->default_for_az || (az && strcmp(s->az, az))) {
            continue;
        }
        if (!best || strcmp(s->az, best->az) < 0) {
            best = s;
        }
    }
    if (!best) {
        err_set(err, ERR_INVALID_PARAMETER_VALUE, "No default subnet for availability zone: "
                "'%s'.", az ? az : scope->region);
    }
    return best;
}

/* Section 9.1 as CreateNetworkInterface checks it, without making anything. */
static int
check_groups(const struct model *m, const struct subnet *subnet, const char *const *ids,
             size_t n, struct error *err)
{
    size_t distinct = 0;
    for (size_t i = 0; i < n; i++) {
        struct resource *sg = model_get(m, subnet->r.scope, RES_SECURITY_GROUP, ids[i], err);
        if (!sg) {
            return -1;
        }
        if (strcmp(sg->vpc_id, subnet->r.vpc_id)) {
            return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                           "Security group %s and subnet %s belong to different networks.",
                           ids[i], subnet->r.id);
        }
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++) {
            seen = !strcmp(ids[i], ids[j]);
        }
        distinct += !seen;
    }
    if (distinct > ENI_MAX_GROUPS) {
        return err_set(err, ERR_SECURITY_GROUPS_PER_INTERFACE_LIMIT_EXCEEDED,
                       "The maximum number of security groups per interface has been reached.");
    }
    return 0;
}

static int
check_existing(const struct instance_launch *l, const struct instance_launch_interface *li,
               struct error *err)
{
    const struct network_interface *eni = li->existing;
    if (li->subnet || li->n_groups || li->private_ip || li->secondary_count || li->description) {
        return err_set(err, ERR_INVALID_PARAMETER_COMBINATION,
                       "A network interface ID may not be specified with a subnet, security "
                       "groups, private addresses or a description for the same interface.");
    }
    if (l->max_count != 1) {
        return err_set(err, ERR_INVALID_PARAMETER_COMBINATION,
                       "Network interface %s can only be attached to a single instance; "
                       "MaxCount must be 1.", eni->r.id);
    }
    if (eni->requester_managed) {
        return err_set(err, ERR_OPERATION_NOT_PERMITTED,
                       "You do not have permission to attach the network interface %s because "
                       "it is managed by %s.", eni->r.id, eni->requester_id);
    }
    if (eni->attachment.id[0]) {
        return err_set(err, ERR_NETWORK_INTERFACE_IN_USE, "Interface: [%s] in use.", eni->r.id);
    }
    return 0;
}

/* The zone, VPC and subnet of interface 'li'. */
static void
where(const struct model *m, const struct instance_launch_interface *li, const char **az,
      const char **vpc_id, struct subnet **subnet)
{
    if (li->existing) {
        *az = li->existing->az;
        *vpc_id = li->existing->r.vpc_id;
        *subnet = subnet_cast(model_find(m, li->existing->subnet_id));
    } else {
        *az = li->subnet->az;
        *vpc_id = li->subnet->r.vpc_id;
        *subnet = li->subnet;
    }
}

static int
check_interfaces(const struct model *m, const struct instance_launch *l, int max_interfaces,
                 struct error *err)
{
    if (!l->n_interfaces) {
        return err_set(err, ERR_MISSING_PARAMETER,
                       "The request must contain the parameter SubnetId or NetworkInterface");
    }
    if ((int) l->n_interfaces > max_interfaces) {
        return err_set(err, ERR_ATTACHMENT_LIMIT_EXCEEDED,
                       "Interface count %zu exceeds the limit for %s", l->n_interfaces,
                       l->instance_type);
    }
    const struct instance_launch_interface *primary = NULL;
    for (size_t i = 0; i < l->n_interfaces; i++) {
        const struct instance_launch_interface *li = &l->interfaces[i];
        if (li->device_index < 0 || li->device_index > INSTANCE_MAX_DEVICE_INDEX) {
            return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                           "Value (%d) for parameter deviceIndex is invalid.", li->device_index);
        }
        for (size_t j = 0; j < i; j++) {
            if (l->interfaces[j].device_index == li->device_index) {
                return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                               "Each network interface requires a unique device index.");
            }
        }
        if (li->device_index == 0) {
            primary = li;
        }
    }
    if (!primary) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "When specifying network interfaces, one must have device index 0.");
    }
    const char *az0, *vpc0;
    struct subnet *subnet0;
    where(m, primary, &az0, &vpc0, &subnet0);

    for (size_t i = 0; i < l->n_interfaces; i++) {
        const struct instance_launch_interface *li = &l->interfaces[i];
        if (li->associate_public_ip >= 0
            && (l->n_interfaces > 1 || li->device_index != 0 || li->existing)) {
            return err_set(err, ERR_INVALID_PARAMETER_COMBINATION,
                           "The associatePublicIPAddress parameter can only be specified for "
                           "a single, new network interface with DeviceIndex 0.");
        }
        if (li->existing && check_existing(l, li, err)) {
            return -1;
        }
        const char *az, *vpc_id;
        struct subnet *subnet;
        where(m, li, &az, &vpc_id, &subnet);
        if (strcmp(az, az0)) {
            return err_set(err, ERR_INVALID_PARAMETER_COMBINATION,
                           "All network interfaces of an instance must be in the same "
                           "availability zone (%s, %s).", az0, az);
        }
        if (strcmp(vpc_id, vpc0)) {
            return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                           "All network interfaces of an instance must be in the same VPC "
                           "(%s, %s).", vpc0, vpc_id);
        }
        if (li->existing) {
            continue;
        }
        if (check_groups(m, li->subnet, li->group_ids, li->n_groups, err)) {
            return -1;
        }
        if (li->description && strlen(li->description) > ENI_DESCRIPTION_MAX) {
            return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                           "Value for parameter description is longer than %d characters",
                           ENI_DESCRIPTION_MAX);
        }
        if (li->secondary_count >= ENI_MAX_PRIVATE_IPS) {
            return err_set(err, ERR_PRIVATE_IP_ADDRESS_LIMIT_EXCEEDED,
                           "Number of private addresses will exceed limit for the network "
                           "interface (%d).", ENI_MAX_PRIVATE_IPS);
        }
        if (li->private_ip) {
            if (l->max_count != 1) {
                return err_set(err, ERR_INVALID_PARAMETER_COMBINATION,
                               "A private IP address can only be specified when launching a "
                               "single instance.");
            }
            if (subnet_check_addr(li->subnet, li->private_ip, err)) {
                return -1;
            }
            for (size_t j = 0; j < i; j++) {
                if (l->interfaces[j].private_ip == li->private_ip) {
                    char text[IP4_STRLEN];
                    ip4_format(li->private_ip, text);
                    return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                                   "The address %s is specified more than once.", text);
                }
            }
        }
    }
    return 0;
}

/* How many instances the subnets have room for (each needs its new
 * interfaces' addresses). */
static size_t
room_for(const struct instance_launch *l, const char **full_subnet)
{
    size_t fits = INSTANCE_LAUNCH_MAX;
    *full_subnet = NULL;
    for (size_t i = 0; i < l->n_interfaces; i++) {
        const struct subnet *s = l->interfaces[i].subnet;
        if (l->interfaces[i].existing || !s) {
            continue;
        }
        size_t need = 0;
        for (size_t j = 0; j < l->n_interfaces; j++) {
            if (!l->interfaces[j].existing && l->interfaces[j].subnet == s) {
                need += 1 + l->interfaces[j].secondary_count;
            }
        }
        size_t here = subnet_available_count(s) / need;
        if (here < fits) {
            fits = here;
            *full_subnet = s->r.id;
        }
    }
    return fits;
}

static struct instance *
launch_one(struct model *m, struct scope *scope, const struct instance_launch *l,
           const char *reservation_id, int index)
{
    const struct instance_launch_interface *primary = NULL;
    for (size_t i = 0; i < l->n_interfaces; i++) {
        if (l->interfaces[i].device_index == 0) {
            primary = &l->interfaces[i];
        }
    }
    struct instance *inst = xzalloc(sizeof *inst);
    model_new_id(m, "i", inst->r.id);
    str_copy(inst->reservation_id, sizeof inst->reservation_id, reservation_id);
    str_copy(inst->image_id, sizeof inst->image_id, l->image_id);
    str_copy(inst->instance_type, sizeof inst->instance_type, l->instance_type);
    inst->key_name = l->key_name ? xstrdup(l->key_name) : NULL;
    inst->user_data = l->user_data ? xstrdup(l->user_data) : NULL;
    inst->ami_launch_index = index;
    inst->phase = INSTANCE_PHASE_RUN;
    inst->phase_time = inst->launch_time = model_now();

    struct network_interface *eni0 = NULL;
    for (size_t i = 0; i < l->n_interfaces; i++) {
        const struct instance_launch_interface *li = &l->interfaces[i];
        struct network_interface *eni = li->existing;
        bool dot = li->delete_on_termination >= 0 ? li->delete_on_termination : !eni;
        if (!eni) {
            const struct eni_spec spec = {
                .primary_ip = li->private_ip,
                .secondary_count = li->secondary_count,
                .group_ids = li->group_ids,
                .n_groups = li->n_groups,
                .description = li->description,
            };
            /* Checked above: it can't fail. */
            ASSERT(!network_interface_create_spec(m, li->subnet, &spec, &eni, NULL));
        }
        attach(m, eni, inst, li->device_index, dot);
        if (li == primary) {
            eni0 = eni;
        }
    }
    const struct subnet *subnet0 = subnet_cast(model_find(m, eni0->subnet_id));
    str_copy(inst->subnet_id, sizeof inst->subnet_id, eni0->subnet_id);
    str_copy(inst->az, sizeof inst->az, eni0->az);
    /* Section 6: the launch's AssociatePublicIpAddress wins over the
     * subnet's MapPublicIpOnLaunch; several interfaces get none. */
    inst->auto_public_ip = primary->associate_public_ip >= 0
                               ? primary->associate_public_ip == 1
                               : !primary->existing && l->n_interfaces == 1 && subnet0
                                     && subnet0->map_public_ip_on_launch;
    if (inst->auto_public_ip) {
        give_public_ip(m, eni0);
    }
    model_add(m, scope, &inst->r, RES_INSTANCE, model_find(m, eni0->r.vpc_id));
    return inst;
}

int
instance_run(struct model *m, struct scope *scope, const struct instance_launch *l,
             struct instance **out, size_t *n_out, struct error *err)
{
    *n_out = 0;
    int max_interfaces;
    if (!l->image_id) {
        return err_set(err, ERR_MISSING_PARAMETER,
                       "The request must contain the parameter ImageId");
    }
    if (!hex_id(l->image_id, "ami-")) {
        return err_set(err, ERR_AMI_ID_MALFORMED, "Invalid id: \"%s\" (expecting \"ami-...\")",
                       l->image_id);
    }
    if (!l->instance_type || !instance_type_known(l->instance_type, &max_interfaces)) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE, "Invalid value '%s' for InstanceType.",
                       l->instance_type ? l->instance_type : "");
    }
    if (l->min_count < 1) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "Value (%lld) for parameter minCount is invalid. Expected a positive "
                       "integer.", (long long) l->min_count);
    }
    if (l->max_count < l->min_count) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "Value (%lld) for parameter maxCount is invalid. It must be greater "
                       "than or equal to minCount (%lld).", (long long) l->max_count,
                       (long long) l->min_count);
    }
    if (l->min_count > INSTANCE_LAUNCH_MAX) {
        return err_set(err, ERR_INSTANCE_LIMIT_EXCEEDED,
                       "You have requested more instances (%lld) than your current instance "
                       "limit of %d allows for the specified instance type.",
                       (long long) l->min_count, INSTANCE_LAUNCH_MAX);
    }
    if (l->key_name && strlen(l->key_name) > INSTANCE_KEY_NAME_MAX) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "Value for parameter keyName is longer than %d characters",
                       INSTANCE_KEY_NAME_MAX);
    }
    if (l->user_data) {
        long size = base64_decoded_size(l->user_data);
        if (size < 0) {
            return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                           "Invalid BASE64 encoding of user data.");
        }
        if (size > INSTANCE_USER_DATA_MAX) {
            return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                           "User data is limited to %d bytes.", INSTANCE_USER_DATA_MAX);
        }
    }
    if (check_interfaces(m, l, max_interfaces, err)) {
        return -1;
    }
    const char *full;
    size_t n = room_for(l, &full);
    if (n > (size_t) l->max_count) {
        n = (size_t) l->max_count;
    }
    if (n < (size_t) l->min_count) {
        return err_set(err, ERR_INSUFFICIENT_FREE_ADDRESSES,
                       "There are not enough free addresses in subnet '%s' to satisfy the "
                       "requested number of instances.", full ? full : "");
    }
    if (model_dry_run(m, err)) {
        return -1;
    }
    char reservation_id[ID_SIZE];
    model_new_id(m, "r", reservation_id);
    for (size_t i = 0; i < n; i++) {
        out[i] = launch_one(m, scope, l, reservation_id, (int) i);
    }
    *n_out = n;
    return 0;
}

/* Start, stop, terminate. */

static int
wrong_state(const struct instance *inst, const char *what, struct error *err)
{
    return err_set(err, ERR_INCORRECT_INSTANCE_STATE,
                   "The instance '%s' is not in a state from which it can be %s.", inst->r.id,
                   what);
}

int
instance_start(struct model *m, struct instance **v, size_t n, enum instance_state *previous,
               enum instance_state *current, struct error *err)
{
    int64_t now = model_now();
    for (size_t i = 0; i < n; i++) {
        enum instance_state s = instance_state(v[i], now);
        if (s != INSTANCE_STOPPED && s != INSTANCE_PENDING && s != INSTANCE_RUNNING) {
            return wrong_state(v[i], "started", err);
        }
    }
    if (model_dry_run(m, err)) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        struct instance *inst = v[i];
        previous[i] = instance_state(inst, now);
        if (previous[i] == INSTANCE_STOPPED) {
            inst->phase = INSTANCE_PHASE_RUN;
            inst->phase_time = inst->launch_time = now;
            struct network_interface *eni0 = instance_primary_interface(m, inst);
            /* Section 6: a new public IPv4 on each start. */
            if (eni0 && inst->auto_public_ip) {
                give_public_ip(m, eni0);
            }
            model_touch(m, &inst->r);
        }
        current[i] = instance_state(inst, now);
    }
    return 0;
}

int
instance_stop(struct model *m, struct instance **v, size_t n, enum instance_state *previous,
              enum instance_state *current, struct error *err)
{
    int64_t now = model_now();
    for (size_t i = 0; i < n; i++) {
        if (v[i]->phase == INSTANCE_PHASE_TERMINATE) {
            return wrong_state(v[i], "stopped", err);
        }
    }
    if (model_dry_run(m, err)) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        struct instance *inst = v[i];
        previous[i] = instance_state(inst, now);
        if (inst->phase == INSTANCE_PHASE_RUN) {
            inst->phase = INSTANCE_PHASE_STOP;
            inst->phase_time = now;
            /* Section 6: the auto-assigned public IPv4 goes; an Elastic IP
             * stays. */
            struct network_interface *eni0 = instance_primary_interface(m, inst);
            if (eni0) {
                take_public_ip(m, eni0);
            }
            model_touch(m, &inst->r);
        }
        current[i] = instance_state(inst, now);
    }
    return 0;
}

int
instance_terminate(struct model *m, struct instance **v, size_t n,
                   enum instance_state *previous, enum instance_state *current,
                   struct error *err)
{
    int64_t now = model_now();
    if (model_dry_run(m, err)) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        struct instance *inst = v[i];
        previous[i] = instance_state(inst, now);
        if (inst->phase != INSTANCE_PHASE_TERMINATE) {
            struct network_interface *enis[INSTANCE_MAX_INTERFACES];
            size_t n_enis = instance_interfaces(m, inst, enis, ARRAY_SIZE(enis));
            for (size_t j = 0; j < n_enis; j++) {
                if (enis[j]->attachment.delete_on_termination) {
                    /* Its Elastic IPs are disassociated, its addresses freed. */
                    network_interface_destroy(m, enis[j]);
                } else {
                    /* It survives, with its Elastic IPs (they belong to the
                     * interface), without the instance's public IPv4. */
                    take_public_ip(m, enis[j]);
                    detach(m, enis[j]);
                }
            }
            inst->phase = INSTANCE_PHASE_TERMINATE;
            inst->phase_time = now;
            model_touch(m, &inst->r);
        }
        current[i] = instance_state(inst, now);
    }
    return 0;
}

/* Attach and detach. */

int
instance_attach_interface(struct model *m, struct instance *inst, struct network_interface *eni,
                          int64_t device_index, struct error *err)
{
    if (inst->phase == INSTANCE_PHASE_TERMINATE) {
        return err_set(err, ERR_INCORRECT_INSTANCE_STATE,
                       "The instance '%s' is not in a valid state for this operation.",
                       inst->r.id);
    }
    if (eni->requester_managed) {
        return err_set(err, ERR_OPERATION_NOT_PERMITTED,
                       "You do not have permission to attach the network interface %s because "
                       "it is managed by %s.", eni->r.id, eni->requester_id);
    }
    if (eni->attachment.id[0]) {
        return err_set(err, ERR_NETWORK_INTERFACE_IN_USE, "Interface: [%s] in use.", eni->r.id);
    }
    if (strcmp(eni->az, inst->az)) {
        return err_set(err, ERR_INVALID_PARAMETER_COMBINATION,
                       "You may not attach a network interface to an instance if they are not "
                       "in the same availability zone");
    }
    if (strcmp(eni->r.vpc_id, inst->r.vpc_id)) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "The network interface %s and instance %s are in different VPCs.",
                       eni->r.id, inst->r.id);
    }
    if (device_index < 0 || device_index > INSTANCE_MAX_DEVICE_INDEX) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "Value (%lld) for parameter deviceIndex is invalid.",
                       (long long) device_index);
    }
    struct network_interface *enis[INSTANCE_MAX_INTERFACES];
    size_t n = instance_interfaces(m, inst, enis, ARRAY_SIZE(enis));
    for (size_t i = 0; i < n; i++) {
        if (enis[i]->attachment.device_index == device_index) {
            return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                           "Instance '%s' already has an interface attached at device index "
                           "'%lld'.", inst->r.id, (long long) device_index);
        }
    }
    if ((int) n >= type_max_interfaces(inst)) {
        return err_set(err, ERR_ATTACHMENT_LIMIT_EXCEEDED,
                       "Interface count %zu exceeds the limit for %s", n + 1,
                       inst->instance_type);
    }
    if (model_dry_run(m, err)) {
        return -1;
    }
    attach(m, eni, inst, (int) device_index, false);
    return 0;
}

int
instance_detach_interface(struct model *m, struct scope *scope, const char *attachment_id,
                          bool force, struct error *err)
{
    (void) force;       /* nothing in vpcd waits on the guest */
    struct network_interface *eni = NULL;
    struct resource *r;
    LIST_FOR_EACH (r, scope_node, &scope->resources[RES_NETWORK_INTERFACE]) {
        if (!strcmp(network_interface_cast(r)->attachment.id, attachment_id)) {
            eni = network_interface_cast(r);
            break;
        }
    }
    if (!eni || !attachment_id[0]) {
        return err_set(err, ERR_ATTACHMENT_NOT_FOUND, "The attachment ID '%s' does not exist",
                       attachment_id);
    }
    if (eni->attachment.device_index == 0) {
        return err_set(err, ERR_OPERATION_NOT_PERMITTED,
                       "The network interface at device index 0 cannot be detached.");
    }
    if (model_dry_run(m, err)) {
        return -1;
    }
    detach(m, eni);
    return 0;
}

void
instance_set_console_output(struct model *m, struct instance *inst, const void *data,
                            size_t size)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *in = data;
    char *out = xmalloc((size + 2) / 3 * 4 + 1);
    size_t o = 0;
    for (size_t i = 0; i < size; i += 3) {
        uint32_t v = (uint32_t) in[i] << 16;
        if (i + 1 < size) {
            v |= (uint32_t) in[i + 1] << 8;
        }
        if (i + 2 < size) {
            v |= in[i + 2];
        }
        out[o++] = alphabet[(v >> 18) & 63];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = i + 1 < size ? alphabet[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < size ? alphabet[v & 63] : '=';
    }
    out[o] = '\0';
    free(inst->console_output);
    inst->console_output = out;
    model_touch(m, &inst->r);
}

void
instance_prune(struct model *m, struct scope *scope, int64_t now)
{
    struct resource *r, *next;
    LIST_FOR_EACH_SAFE (r, next, scope_node, &scope->resources[RES_INSTANCE]) {
        const struct instance *inst = instance_cast(r);
        if (inst->phase == INSTANCE_PHASE_TERMINATE
            && now >= inst->phase_time + INSTANCE_TRANSITION_SEC
                          + INSTANCE_TERMINATED_VISIBLE_SEC) {
            model_remove(m, r);
        }
    }
}

/* DescribeInstances filters (as documented for the action). */
static const struct instance *
as_instance(const struct resource *r)
{
    return instance_cast((struct resource *) r);
}

static void
f_state_name(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit(fv, instance_state_name(instance_state(as_instance(r), model_now())));
}

static void
f_state_code(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit_int(fv, instance_state(as_instance(r), model_now()));
}

static void
f_subnet_id(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit(fv, as_instance(r)->subnet_id);
}

static void
f_az(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit(fv, as_instance(r)->az);
}

static void
f_type(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit(fv, as_instance(r)->instance_type);
}

static void
f_image(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit(fv, as_instance(r)->image_id);
}

static void
f_reservation(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit(fv, as_instance(r)->reservation_id);
}

static void
f_key_name(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    if (as_instance(r)->key_name) {
        filter_emit(fv, as_instance(r)->key_name);
    }
}

static void
f_launch_index(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit_int(fv, as_instance(r)->ami_launch_index);
}

static void
f_constant(const struct model *m, const struct resource *r, struct filter_values *fv,
           const char *value)
{
    (void) m;
    (void) r;
    filter_emit(fv, value);
}

static void
f_architecture(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    f_constant(m, r, fv, "x86_64");
}

static void
f_root_device_type(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    f_constant(m, r, fv, "ebs");
}

static void
f_tenancy(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    f_constant(m, r, fv, "default");
}

/* Over every interface of the instance. */
static size_t
enis_of(const struct model *m, const struct resource *r, struct network_interface **out)
{
    return instance_interfaces(m, as_instance(r), out, INSTANCE_MAX_INTERFACES);
}

static void
f_private_ip(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    struct network_interface *eni0 = instance_primary_interface(m, as_instance(r));
    if (eni0) {
        filter_emit_ip4(fv, eni0->ips[0].addr);
    }
}

static void
f_private_dns(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    struct network_interface *eni0 = instance_primary_interface(m, as_instance(r));
    if (eni0) {
        char name[ENI_DNS_NAME_SIZE];
        network_interface_private_dns_name(r->scope->region, eni0->ips[0].addr, name);
        filter_emit_copy(fv, name);
    }
}

/* The instance's public IPv4: the Elastic IP on its primary address, else
 * the auto-assigned one; 0 when none. */
static uint32_t
public_ip(const struct model *m, const struct instance *inst)
{
    struct network_interface *eni0 = instance_primary_interface(m, inst);
    if (!eni0) {
        return 0;
    }
    const struct address *a = address_of_private_ip(m, eni0, eni0->ips[0].addr);
    return a ? a->public_ip : eni0->public_ip;
}

static void
f_ip_address(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    uint32_t ip = public_ip(m, as_instance(r));
    if (ip) {
        filter_emit_ip4(fv, ip);
    }
}

static void
f_eni_id(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    struct network_interface *enis[INSTANCE_MAX_INTERFACES];
    size_t n = enis_of(m, r, enis);
    for (size_t i = 0; i < n; i++) {
        filter_emit(fv, enis[i]->r.id);
    }
}

static void
f_eni_subnet(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    struct network_interface *enis[INSTANCE_MAX_INTERFACES];
    size_t n = enis_of(m, r, enis);
    for (size_t i = 0; i < n; i++) {
        filter_emit(fv, enis[i]->subnet_id);
    }
}

static void
f_eni_private_ip(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    struct network_interface *enis[INSTANCE_MAX_INTERFACES];
    size_t n = enis_of(m, r, enis);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < enis[i]->n_ips; j++) {
            filter_emit_ip4(fv, enis[i]->ips[j].addr);
        }
    }
}

static void
f_eni_attachment_id(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    struct network_interface *enis[INSTANCE_MAX_INTERFACES];
    size_t n = enis_of(m, r, enis);
    for (size_t i = 0; i < n; i++) {
        filter_emit(fv, enis[i]->attachment.id);
    }
}

static void
f_group_id(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    struct network_interface *eni0 = instance_primary_interface(m, as_instance(r));
    for (size_t i = 0; eni0 && i < eni0->n_groups; i++) {
        filter_emit(fv, eni0->groups[i]);
    }
}

static void
f_group_name(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    struct network_interface *eni0 = instance_primary_interface(m, as_instance(r));
    for (size_t i = 0; eni0 && i < eni0->n_groups; i++) {
        const struct security_group *sg = security_group_cast(model_find(m, eni0->groups[i]));
        if (sg && sg->name) {
            filter_emit(fv, sg->name);
        }
    }
}

static void
f_source_dest_check(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    struct network_interface *eni0 = instance_primary_interface(m, as_instance(r));
    if (eni0) {
        filter_emit_bool(fv, eni0->source_dest_check);
    }
}

static void
f_status_ok(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit(fv, instance_state(as_instance(r), model_now()) == INSTANCE_RUNNING
                        ? "ok" : "not-applicable");
}

const struct filter_def instance_filters[] = {
    { "architecture", f_architecture },
    { "availability-zone", f_az },
    { "group-id", f_group_id },
    { "group-name", f_group_name },
    { "image-id", f_image },
    { "instance-id", filter_resource_id },
    { "instance-state-code", f_state_code },
    { "instance-state-name", f_state_name },
    { "instance-status.status", f_status_ok },
    { "instance-type", f_type },
    { "instance.group-id", f_group_id },
    { "instance.group-name", f_group_name },
    { "ip-address", f_ip_address },
    { "key-name", f_key_name },
    { "launch-index", f_launch_index },
    { "network-interface.addresses.private-ip-address", f_eni_private_ip },
    { "network-interface.attachment.attachment-id", f_eni_attachment_id },
    { "network-interface.network-interface-id", f_eni_id },
    { "network-interface.subnet-id", f_eni_subnet },
    { "owner-id", filter_resource_owner_id },
    { "placement-tenancy", f_tenancy },
    { "private-dns-name", f_private_dns },
    { "private-ip-address", f_private_ip },
    { "reservation-id", f_reservation },
    { "root-device-type", f_root_device_type },
    { "source-dest-check", f_source_dest_check },
    { "subnet-id", f_subnet_id },
    { "system-status.status", f_status_ok },
    { "tenancy", f_tenancy },
    { "vpc-id", filter_resource_vpc_id },
};
const size_t instance_n_filters = ARRAY_SIZE(instance_filters);
