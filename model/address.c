/* address.h: Elastic IP addresses (vpc-semantics.md section 6). */
#include "model/address.h"

#include <string.h>

#include "lib/util.h"
#include "model/instance.h"
#include "model/internet_gateway.h"
#include "model/network_interface.h"
#include "model/schema.h"
#include "model/vpc.h"

static const struct field address_fields[] = {
    F_IP4(struct address, public_ip),
    F_STR(struct address, association_id),
    F_STR(struct address, network_interface_id),
    F_IP4(struct address, private_ip),
    F_STR(struct address, network_border_group),
    F_BOOL(struct address, replaced_public_ip),
};

const struct schema address_schema = SCHEMA(struct address, address_fields);

/* Whether 'addr' is a usable pool address nobody holds.  The pool's own
 * network and broadcast addresses are never handed out (model.c). */
static bool
pool_addr_free(const struct model *m, uint32_t addr)
{
    const struct ip4_prefix *pool = &m->config.public_pool;
    if (!ip4_prefix_has(pool, addr)) {
        return false;
    }
    uint64_t i = addr - pool->addr;
    if (i == 0 || i + 1 >= ip4_prefix_size(pool)) {
        return false;
    }
    return !(m->public_ips_used[i / 64] & (1ULL << (i % 64)));
}

int
address_allocate(struct model *m, struct scope *scope, uint32_t want, struct address **out,
                 struct error *err)
{
    char text[IP4_STRLEN];
    if (scope->n_resources[RES_ADDRESS] >= ADDRESS_LIMIT_PER_REGION) {
        return err_set(err, ERR_ADDRESS_LIMIT_EXCEEDED,
                       "The maximum number of addresses has been reached.");
    }
    if (want) {
        ip4_format(want, text);
        if (!ip4_prefix_has(&m->config.public_pool, want)) {
            return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                           "Value (%s) for parameter address is invalid. The address is not "
                           "in the public address pool.", text);
        }
        if (!pool_addr_free(m, want)) {
            return err_set(err, ERR_IP_ADDRESS_IN_USE,
                           "The address %s is not available to allocate.", text);
        }
    } else {
        /* Probe without taking, so a dry run changes nothing. */
        uint32_t probe;
        if (!model_public_ip_alloc(m, &probe)) {
            return err_set(err, ERR_INSUFFICIENT_ADDRESS_CAPACITY,
                           "There are not enough free addresses in the public pool to "
                           "satisfy the request.");
        }
        model_public_ip_release(m, probe);
        want = probe;
    }
    if (model_dry_run(m, err)) {
        return -1;
    }
    model_public_ip_mark(m, want);
    struct address *a = xzalloc(sizeof *a);
    model_new_id(m, "eipalloc", a->r.id);
    a->public_ip = want;
    str_copy(a->network_border_group, sizeof a->network_border_group, scope->region);
    model_add(m, scope, &a->r, RES_ADDRESS, NULL);
    *out = a;
    return 0;
}

static struct eni_private_ip *
eni_find_ip(const struct network_interface *eni, uint32_t private_ip)
{
    for (size_t i = 0; i < eni->n_ips; i++) {
        if (eni->ips[i].addr == private_ip) {
            return (struct eni_private_ip *) &eni->ips[i];
        }
    }
    return NULL;
}

struct network_interface *
address_interface(const struct model *m, const struct address *a)
{
    if (!a->association_id[0]) {
        return NULL;
    }
    struct resource *r = model_find(m, a->network_interface_id);
    if (!r || r->kind != RES_NETWORK_INTERFACE || r->scope != a->r.scope) {
        return NULL;
    }
    struct network_interface *eni = network_interface_cast(r);
    return eni_find_ip(eni, a->private_ip) ? eni : NULL;
}

struct address *
address_of_private_ip(const struct model *m, const struct network_interface *eni,
                      uint32_t private_ip)
{
    (void) m;
    struct resource *r;
    /* Addresses are few per scope (ADDRESS_LIMIT_PER_REGION). */
    LIST_FOR_EACH (r, scope_node, &eni->r.scope->resources[RES_ADDRESS]) {
        struct address *a = address_cast(r);
        if (a->association_id[0] && a->private_ip == private_ip
            && !strcmp(a->network_interface_id, eni->r.id)) {
            return a;
        }
    }
    return NULL;
}

struct address *
address_find_by_public_ip(const struct model *m, const struct scope *scope, uint32_t public_ip)
{
    (void) m;
    struct resource *r;
    LIST_FOR_EACH (r, scope_node, &scope->resources[RES_ADDRESS]) {
        if (address_cast(r)->public_ip == public_ip) {
            return address_cast(r);
        }
    }
    return NULL;
}

struct address *
address_find_by_association(const struct model *m, const struct scope *scope,
                            const char *assoc_id)
{
    struct resource *r;
    LIST_FOR_EACH (r, scope_node, &scope->resources[RES_ADDRESS]) {
        struct address *a = address_cast(r);
        if (!strcmp(a->association_id, assoc_id) && address_interface(m, a)) {
            return a;
        }
    }
    return NULL;
}

/* Section 6: the auto-assigned public IPv4 comes back when the Elastic IP
 * leaves the primary interface of an instance that has only that one
 * interface.  A lone interface (no instance) gets none. */
static bool
restores_public_ip(const struct model *m, const struct network_interface *eni)
{
    (void) m;
    if (!eni->attachment.instance_id[0] || eni->attachment.device_index != 0) {
        return false;
    }
    /* A stopped instance gets its new one when it starts. */
    const struct instance *inst = instance_of_interface(m, eni);
    if (inst && !instance_is_up(inst, model_now())) {
        return false;
    }
    size_t n = 0;
    struct resource *r;
    LIST_FOR_EACH (r, scope_node, &eni->r.scope->resources[RES_NETWORK_INTERFACE]) {
        if (!strcmp(network_interface_cast(r)->attachment.instance_id,
                    eni->attachment.instance_id)) {
            n++;
        }
    }
    return n == 1;
}

void
address_unbind(struct model *m, struct address *a)
{
    struct network_interface *eni = address_interface(m, a);
    if (eni && a->replaced_public_ip && !eni->public_ip && a->private_ip == eni->ips[0].addr
        && restores_public_ip(m, eni)) {
        uint32_t ip;
        /* An exhausted pool leaves the instance without one, as a failed
         * start would. */
        if (model_public_ip_alloc(m, &ip)) {
            eni->public_ip = ip;
            model_touch(m, &eni->r);
        }
    }
    a->association_id[0] = '\0';
    a->network_interface_id[0] = '\0';
    a->private_ip = 0;
    a->replaced_public_ip = false;
    model_touch(m, &a->r);
}

void
address_bind(struct model *m, struct address *a, struct network_interface *eni,
             uint32_t private_ip)
{
    if (a->association_id[0]) {
        address_unbind(m, a);
    }
    struct address *previous = address_of_private_ip(m, eni, private_ip);
    if (previous) {
        address_unbind(m, previous);
    }
    a->replaced_public_ip = false;
    /* Section 6: an Elastic IP on the primary address replaces the
     * auto-assigned public IPv4. */
    if (private_ip == eni->ips[0].addr && eni->public_ip) {
        model_public_ip_release(m, eni->public_ip);
        eni->public_ip = 0;
        a->replaced_public_ip = true;
        model_touch(m, &eni->r);
    }
    model_new_id(m, "eipassoc", a->association_id);
    str_copy(a->network_interface_id, sizeof a->network_interface_id, eni->r.id);
    a->private_ip = private_ip;
    model_touch(m, &a->r);
}

/* An address mapped to a requester-managed interface belongs to the service
 * that made it (a NAT gateway); EC2 answers AuthFailure to anyone else. */
static int
check_not_managed(const struct model *m, const struct address *a, struct error *err)
{
    const struct network_interface *eni = address_interface(m, a);
    if (eni && eni->requester_managed) {
        return err_set(err, ERR_RESOURCE_AUTH_FAILURE,
                       "You do not have permission to access the specified resource.");
    }
    return 0;
}

int
address_associate(struct model *m, struct address *a, struct network_interface *eni,
                  uint32_t private_ip, bool allow_reassociation, struct error *err)
{
    char text[IP4_STRLEN];
    if (check_not_managed(m, a, err)) {
        return -1;
    }
    if (eni->requester_managed) {
        return err_set(err, ERR_RESOURCE_AUTH_FAILURE,
                       "You do not have permission to access the specified resource.");
    }
    if (!private_ip) {
        private_ip = eni->ips[0].addr;
    } else if (!eni_find_ip(eni, private_ip)) {
        ip4_format(private_ip, text);
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "Value (%s) for parameter privateIpAddress is invalid. The address is "
                       "not assigned to network interface %s.", text, eni->r.id);
    }
    /* Section 6 (UNCONFIRMED in AWS's docs, chosen here): a VPC without an
     * internet gateway cannot map public addresses. */
    struct vpc *vpc = vpc_cast(model_find(m, eni->r.vpc_id));
    if (!vpc || !internet_gateway_of_vpc(m, vpc)) {
        return err_set(err, ERR_GATEWAY_NOT_ATTACHED,
                       "Network %s is not attached to any internet gateway.", eni->r.vpc_id);
    }
    struct network_interface *current = address_interface(m, a);
    bool same = current == eni && a->private_ip == private_ip;
    if (current && !same && !allow_reassociation) {
        return err_set(err, ERR_RESOURCE_ALREADY_ASSOCIATED,
                       "resource %s is already associated with associate-id %s", a->r.id,
                       a->association_id);
    }
    if (model_dry_run(m, err)) {
        return -1;
    }
    /* AWS calls this idempotent: mapping it again where it is changes
     * nothing and answers with the same association. */
    if (!same) {
        address_bind(m, a, eni, private_ip);
    }
    return 0;
}

int
address_disassociate(struct model *m, struct address *a, struct error *err)
{
    if (check_not_managed(m, a, err)) {
        return -1;
    }
    if (model_dry_run(m, err)) {
        return -1;
    }
    if (a->association_id[0]) {
        address_unbind(m, a);
    }
    return 0;
}

int
address_release(struct model *m, struct address *a, struct error *err)
{
    if (check_not_managed(m, a, err)) {
        return -1;
    }
    if (address_interface(m, a)) {
        char text[IP4_STRLEN];
        ip4_format(a->public_ip, text);
        return err_set(err, ERR_IP_ADDRESS_IN_USE,
                       "The address with allocation id [%s] is in use. Address %s is "
                       "associated with association id %s.", a->r.id, text, a->association_id);
    }
    if (model_dry_run(m, err)) {
        return -1;
    }
    model_public_ip_release(m, a->public_ip);
    model_remove(m, &a->r);
    return 0;
}

/* DescribeAddresses filters (as documented for the action). */
static void
f_association_id(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    const struct address *a = address_cast((struct resource *) r);
    if (address_interface(m, a)) {
        filter_emit(fv, a->association_id);
    }
}

static void
f_domain(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    (void) r;
    filter_emit(fv, "vpc");
}

static void
f_instance_id(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    const struct network_interface *eni = address_interface(m, address_cast((struct resource *) r));
    if (eni && eni->attachment.instance_id[0]) {
        filter_emit(fv, eni->attachment.instance_id);
    }
}

static void
f_border_group(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit(fv, address_cast((struct resource *) r)->network_border_group);
}

static void
f_eni_id(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    const struct network_interface *eni = address_interface(m, address_cast((struct resource *) r));
    if (eni) {
        filter_emit(fv, eni->r.id);
    }
}

static void
f_eni_owner(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    const struct network_interface *eni = address_interface(m, address_cast((struct resource *) r));
    if (eni) {
        filter_emit(fv, eni->r.scope->account);
    }
}

static void
f_private_ip(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    const struct address *a = address_cast((struct resource *) r);
    if (address_interface(m, a)) {
        filter_emit_ip4(fv, a->private_ip);
    }
}

static void
f_public_ip(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit_ip4(fv, address_cast((struct resource *) r)->public_ip);
}

static void
f_pool(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    (void) r;
    filter_emit(fv, ADDRESS_POOL_AMAZON);
}

const struct filter_def address_filters[] = {
    { "allocation-id", filter_resource_id },
    { "association-id", f_association_id },
    { "domain", f_domain },
    { "instance-id", f_instance_id },
    { "network-border-group", f_border_group },
    { "network-interface-id", f_eni_id },
    { "network-interface-owner-id", f_eni_owner },
    { "private-ip-address", f_private_ip },
    { "public-ip", f_public_ip },
    { "public-ipv4-pool", f_pool },
};
const size_t address_n_filters = ARRAY_SIZE(address_filters);
