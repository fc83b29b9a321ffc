/* network_acl.h: network ACLs, their entries and associations, and the pure
 * evaluation the data plane follows (vpc-semantics.md section 8). */
#include "model/network_acl.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/util.h"
#include "model/schema.h"
#include "model/vpc.h"

static const struct field entry_fields[] = {
    F_INT(struct network_acl_entry, rule_number),
    F_BOOL(struct network_acl_entry, egress),
    F_INT(struct network_acl_entry, protocol),
    F_BOOL(struct network_acl_entry, allow),
    F_BOOL(struct network_acl_entry, ipv6),
    F_PREFIX4(struct network_acl_entry, cidr),
    F_PREFIX6(struct network_acl_entry, cidr6),
    F_BOOL(struct network_acl_entry, has_port_range),
    F_INT(struct network_acl_entry, port_from),
    F_INT(struct network_acl_entry, port_to),
    F_BOOL(struct network_acl_entry, has_icmp),
    F_INT(struct network_acl_entry, icmp_type),
    F_INT(struct network_acl_entry, icmp_code),
};

static const struct field assoc_fields[] = {
    F_STR(struct network_acl_assoc, id),
    F_STR(struct network_acl_assoc, subnet_id),
};

static const struct field network_acl_fields[] = {
    F_BOOL(struct network_acl, is_default),
    F_ARRAY(struct network_acl, entries, n_entries, struct network_acl_entry, entry_fields),
    F_ARRAY(struct network_acl, assocs, n_assocs, struct network_acl_assoc, assoc_fields),
};

const struct schema network_acl_schema = SCHEMA(struct network_acl, network_acl_fields);

/* The '*' rules: [egress][ipv6].  Section 8: every ACL ends each direction
 * with a deny of everything, shown as 32767 (0.0.0.0/0) and 32768 (::/0). */
static const struct network_acl_entry implicit_deny[2][2] = {
    {
        { .rule_number = NACL_DEFAULT_RULE_V4, .egress = false, .protocol = NACL_PROTO_ALL },
        { .rule_number = NACL_DEFAULT_RULE_V6, .egress = false, .protocol = NACL_PROTO_ALL,
          .ipv6 = true },
    },
    {
        { .rule_number = NACL_DEFAULT_RULE_V4, .egress = true, .protocol = NACL_PROTO_ALL },
        { .rule_number = NACL_DEFAULT_RULE_V6, .egress = true, .protocol = NACL_PROTO_ALL,
          .ipv6 = true },
    },
};

int
network_acl_create(struct model *m, struct vpc *vpc, bool is_default, struct network_acl **out,
                   struct error *err)
{
    if (list_size(&vpc->children[RES_NETWORK_ACL]) >= NACL_LIMIT_PER_VPC) {
        return err_set(err, ERR_NETWORK_ACL_LIMIT_EXCEEDED,
                       "The maximum number of network ACLs has been reached for %s.",
                       vpc->r.id);
    }
    if (model_dry_run(m, err)) {
        return -1;
    }
    struct network_acl *acl = xzalloc(sizeof *acl);
    model_new_id(m, "acl", acl->r.id);
    acl->is_default = is_default;
    if (is_default) {
        /* Section 8: the default ACL allows all in and out with rule 100
         * (ingress first, keeping the array's order). */
        acl->entries = xzalloc(2 * sizeof *acl->entries);
        for (int egress = 0; egress < 2; egress++) {
            struct network_acl_entry *e = &acl->entries[acl->n_entries++];
            e->rule_number = NACL_DEFAULT_ALLOW_RULE;
            e->egress = egress;
            e->protocol = NACL_PROTO_ALL;
            e->allow = true;
            e->cidr = (struct ip4_prefix) { 0, 0 };
        }
    }
    model_add(m, vpc->r.scope, &acl->r, RES_NETWORK_ACL, &vpc->r);
    *out = acl;
    return 0;
}

int
network_acl_delete(struct model *m, struct network_acl *acl, struct error *err)
{
    /* Section 8 (code unconfirmed, section 23 item 6): AWS refuses with
     * InvalidParameterValue in practice. */
    if (acl->is_default) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "cannot delete default network ACL %s", acl->r.id);
    }
    if (acl->n_assocs) {
        return err_set(err, ERR_DEPENDENCY_VIOLATION,
                       "The networkAcl '%s' has dependencies and cannot be deleted.",
                       acl->r.id);
    }
    if (model_dry_run(m, err)) {
        return -1;
    }
    model_remove(m, &acl->r);
    return 0;
}

/* Entries */

bool
network_acl_parse_protocol(const char *s, int *protocol)
{
    static const struct {
        const char *name;
        int number;
    } names[] = {
        { "all", NACL_PROTO_ALL },
        { "tcp", NACL_PROTO_TCP },
        { "udp", NACL_PROTO_UDP },
        { "icmp", NACL_PROTO_ICMP },
        { "icmpv6", NACL_PROTO_ICMPV6 },
    };
    if (!s || !s[0]) {
        return false;
    }
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        if (!strcasecmp(s, names[i].name)) {
            *protocol = names[i].number;
            return true;
        }
    }
    if (!strcmp(s, "-1")) {
        *protocol = NACL_PROTO_ALL;
        return true;
    }
    /* Decimal 0..255: no sign, no spaces, no suffix. */
    size_t n = strspn(s, "0123456789");
    if (n == 0 || n > 3 || s[n]) {
        return false;
    }
    int v = atoi(s);
    if (v > NACL_PROTO_MAX) {
        return false;
    }
    *protocol = v;
    return true;
}

static int
check_rule_number(int64_t rule_number, struct error *err)
{
    if (rule_number < NACL_RULE_NUMBER_MIN || rule_number > NACL_RULE_NUMBER_MAX) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "Value (%" PRId64 ") for parameter ruleNumber is invalid. Rule numbers "
                       "must be between %d and %d.", rule_number, NACL_RULE_NUMBER_MIN,
                       NACL_RULE_NUMBER_MAX);
    }
    return 0;
}

static int
parse_cidr(const struct network_acl_entry_spec *spec, struct network_acl_entry *e,
           struct error *err)
{
    if (spec->cidr && spec->ipv6_cidr) {
        return err_set(err, ERR_INVALID_PARAMETER_COMBINATION,
                       "Only one of cidrBlock or ipv6CidrBlock may be specified.");
    }
    if (!spec->cidr && !spec->ipv6_cidr) {
        return err_set(err, ERR_MISSING_PARAMETER,
                       "Either 'cidrBlock' or 'ipv6CidrBlock' should be provided.");
    }
    if (spec->cidr) {
        if (!ip4_prefix_parse(spec->cidr, &e->cidr, NULL)) {
            return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                           "Value (%s) for parameter cidrBlock is invalid. This is not a valid "
                           "CIDR block.", spec->cidr);
        }
    } else {
        e->ipv6 = true;
        if (!ip6_prefix_parse(spec->ipv6_cidr, &e->cidr6, NULL)) {
            return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                           "Value (%s) for parameter ipv6CidrBlock is invalid. This is not a "
                           "valid IPv6 CIDR block.", spec->ipv6_cidr);
        }
    }
    return 0;
}

/* Section 8: TCP and UDP need PortRange.From/To, 0..65535, From <= To. */
static int
parse_ports(const struct network_acl_entry_spec *spec, struct network_acl_entry *e,
            struct error *err)
{
    if (!spec->has_port_range) {
        return err_set(err, ERR_MISSING_PARAMETER,
                       "The request must contain the parameter portRange");
    }
    if (!spec->has_port_from || !spec->has_port_to) {
        return err_set(err, ERR_MISSING_PARAMETER,
                       "The request must contain the parameter portRange.%s",
                       spec->has_port_from ? "to" : "from");
    }
    if (spec->port_from < 0 || spec->port_from > NACL_PORT_MAX) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "Value (%" PRId64 ") for parameter portRange.from is invalid. Ports "
                       "must be between 0 and %d.", spec->port_from, NACL_PORT_MAX);
    }
    if (spec->port_to < 0 || spec->port_to > NACL_PORT_MAX) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "Value (%" PRId64 ") for parameter portRange.to is invalid. Ports "
                       "must be between 0 and %d.", spec->port_to, NACL_PORT_MAX);
    }
    if (spec->port_from > spec->port_to) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "The port range %" PRId64 "-%" PRId64 " is invalid: the start of the "
                       "range must not exceed its end.", spec->port_from, spec->port_to);
    }
    e->has_port_range = true;
    e->port_from = (int) spec->port_from;
    e->port_to = (int) spec->port_to;
    return 0;
}

/* Section 8: ICMP (and ICMPv6 with an IPv6 CIDR) needs Icmp.Type/Code,
 * each -1 (any) or 0..255. */
static int
parse_icmp(const struct network_acl_entry_spec *spec, struct network_acl_entry *e,
           struct error *err)
{
    if (!spec->has_icmp) {
        return err_set(err, ERR_MISSING_PARAMETER,
                       "The request must contain the parameter icmpTypeCode");
    }
    if (!spec->has_icmp_type || !spec->has_icmp_code) {
        return err_set(err, ERR_MISSING_PARAMETER,
                       "The request must contain the parameter icmpTypeCode.%s",
                       spec->has_icmp_type ? "code" : "type");
    }
    if (spec->icmp_type < -1 || spec->icmp_type > NACL_ICMP_MAX) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "Value (%" PRId64 ") for parameter icmpTypeCode.type is invalid. It "
                       "must be -1 or between 0 and %d.", spec->icmp_type, NACL_ICMP_MAX);
    }
    if (spec->icmp_code < -1 || spec->icmp_code > NACL_ICMP_MAX) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "Value (%" PRId64 ") for parameter icmpTypeCode.code is invalid. It "
                       "must be -1 or between 0 and %d.", spec->icmp_code, NACL_ICMP_MAX);
    }
    e->has_icmp = true;
    e->icmp_type = (int) spec->icmp_type;
    e->icmp_code = (int) spec->icmp_code;
    return 0;
}

int
network_acl_entry_parse(const struct network_acl_entry_spec *spec, struct network_acl_entry *out,
                        struct error *err)
{
    struct network_acl_entry e;
    memset(&e, 0, sizeof e);
    if (check_rule_number(spec->rule_number, err)) {
        return -1;
    }
    e.rule_number = (int) spec->rule_number;
    e.egress = spec->egress;
    if (!network_acl_parse_protocol(spec->protocol, &e.protocol)) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "Value (%s) for parameter protocol is invalid. It must be a protocol "
                       "number between -1 and 255, or tcp, udp, icmp, all.",
                       spec->protocol ? spec->protocol : "");
    }
    if (!spec->rule_action || (strcmp(spec->rule_action, "allow")
                               && strcmp(spec->rule_action, "deny"))) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "Value (%s) for parameter ruleAction is invalid. It must be allow or "
                       "deny.", spec->rule_action ? spec->rule_action : "");
    }
    e.allow = !strcmp(spec->rule_action, "allow");
    if (parse_cidr(spec, &e, err)) {
        return -1;
    }
    /* Section 8 / the API reference: other protocols match every port,
     * whatever ports or ICMP values were sent; ICMPv6 with an IPv4 CIDR
     * matches every type and code. */
    if (e.protocol == NACL_PROTO_TCP || e.protocol == NACL_PROTO_UDP) {
        if (parse_ports(spec, &e, err)) {
            return -1;
        }
    } else if (e.protocol == NACL_PROTO_ICMP || (e.protocol == NACL_PROTO_ICMPV6 && e.ipv6)) {
        if (parse_icmp(spec, &e, err)) {
            return -1;
        }
    }
    *out = e;
    return 0;
}

/* The index of the user entry (egress, rule_number), or where it would go. */
static size_t
entry_position(const struct network_acl *acl, bool egress, int rule_number, bool *found)
{
    size_t lo = 0, hi = acl->n_entries;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct network_acl_entry *e = &acl->entries[mid];
        if (e->egress < egress || (e->egress == egress && e->rule_number < rule_number)) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    *found = lo < acl->n_entries && acl->entries[lo].egress == egress
             && acl->entries[lo].rule_number == rule_number;
    return lo;
}

const struct network_acl_entry *
network_acl_find_entry(const struct network_acl *acl, bool egress, int rule_number)
{
    bool found;
    size_t i = entry_position(acl, egress, rule_number, &found);
    return found ? &acl->entries[i] : NULL;
}

/* User entries of one direction and family. */
static size_t
count_entries(const struct network_acl *acl, bool egress, bool ipv6)
{
    size_t n = 0;
    for (size_t i = 0; i < acl->n_entries; i++) {
        n += acl->entries[i].egress == egress && acl->entries[i].ipv6 == ipv6;
    }
    return n;
}

static int
check_limit(const struct network_acl *acl, const struct network_acl_entry *e, struct error *err)
{
    /* The quota counts the '*' rule of the direction and family too. */
    if (count_entries(acl, e->egress, e->ipv6) + 1 >= NACL_RULES_PER_DIRECTION_LIMIT) {
        return err_set(err, ERR_NETWORK_ACL_ENTRY_LIMIT_EXCEEDED,
                       "The maximum number of network acl entries (%d per direction) has "
                       "been reached for %s.", NACL_RULES_PER_DIRECTION_LIMIT, acl->r.id);
    }
    return 0;
}

int
network_acl_add_entry(struct model *m, struct network_acl *acl,
                      const struct network_acl_entry_spec *spec, struct error *err)
{
    struct network_acl_entry e;
    bool found;
    if (network_acl_entry_parse(spec, &e, err)) {
        return -1;
    }
    size_t pos = entry_position(acl, e.egress, e.rule_number, &found);
    if (found) {
        return err_set(err, ERR_NETWORK_ACL_ENTRY_ALREADY_EXISTS,
                       "The network acl entry identified by %d already exists.", e.rule_number);
    }
    if (check_limit(acl, &e, err) || model_dry_run(m, err)) {
        return -1;
    }
    acl->entries = xrealloc(acl->entries, (acl->n_entries + 1) * sizeof *acl->entries);
    memmove(&acl->entries[pos + 1], &acl->entries[pos],
            (acl->n_entries - pos) * sizeof *acl->entries);
    acl->entries[pos] = e;
    acl->n_entries++;
    model_touch(m, &acl->r);
    return 0;
}

static int
entry_not_found(const struct network_acl *acl, bool egress, int64_t rule_number,
                struct error *err)
{
    return err_set(err, ERR_NETWORK_ACL_ENTRY_NOT_FOUND,
                   "The network acl entry identified by %" PRId64 " (%s) does not exist in %s.",
                   rule_number, egress ? "egress" : "ingress", acl->r.id);
}

int
network_acl_replace_entry(struct model *m, struct network_acl *acl,
                          const struct network_acl_entry_spec *spec, struct error *err)
{
    struct network_acl_entry e;
    bool found;
    if (network_acl_entry_parse(spec, &e, err)) {
        return -1;
    }
    size_t pos = entry_position(acl, e.egress, e.rule_number, &found);
    if (!found) {
        return entry_not_found(acl, e.egress, e.rule_number, err);
    }
    /* Moving the rule to the other family takes a place there. */
    if ((acl->entries[pos].ipv6 != e.ipv6 && check_limit(acl, &e, err))
        || model_dry_run(m, err)) {
        return -1;
    }
    acl->entries[pos] = e;
    model_touch(m, &acl->r);
    return 0;
}

int
network_acl_delete_entry(struct model *m, struct network_acl *acl, bool egress,
                         int64_t rule_number, struct error *err)
{
    bool found;
    if (check_rule_number(rule_number, err)) {
        return -1;
    }
    size_t pos = entry_position(acl, egress, (int) rule_number, &found);
    if (!found) {
        return entry_not_found(acl, egress, rule_number, err);
    }
    if (model_dry_run(m, err)) {
        return -1;
    }
    memmove(&acl->entries[pos], &acl->entries[pos + 1],
            (acl->n_entries - pos - 1) * sizeof *acl->entries);
    acl->n_entries--;
    model_touch(m, &acl->r);
    return 0;
}

/* Whether the ACL's VPC has an IPv6 block, which makes AWS show the ::/0
 * '*' rule.  XXX: vpcd's VPCs have no IPv6 blocks yet; answer from the VPC
 * once they do. */
static bool
shows_ipv6_deny(const struct network_acl *acl)
{
    (void) acl;
    return false;
}

size_t
network_acl_shown_entries(const struct network_acl *acl, const struct network_acl_entry **out)
{
    /* AWS lists the egress entries first, as its DescribeNetworkAcls
     * examples show. */
    size_t n = 0;
    for (int pass = 0; pass < 2; pass++) {
        bool egress = pass == 0;
        for (size_t i = 0; i < acl->n_entries; i++) {
            if (acl->entries[i].egress == egress) {
                out[n++] = &acl->entries[i];
            }
        }
        out[n++] = &implicit_deny[egress][0];
        if (shows_ipv6_deny(acl)) {
            out[n++] = &implicit_deny[egress][1];
        }
    }
    return n;
}

/* Evaluation */

static bool
entry_matches(const struct network_acl_entry *e, uint32_t addr, int protocol, int port_or_type,
              int icmp_code)
{
    if (e->ipv6 || !ip4_prefix_has(&e->cidr, addr)) {
        return false;
    }
    if (e->protocol == NACL_PROTO_ALL) {
        return true;
    }
    if (e->protocol != protocol) {
        return false;
    }
    if (e->has_port_range) {
        return port_or_type >= e->port_from && port_or_type <= e->port_to;
    }
    if (e->has_icmp) {
        return (e->icmp_type == -1 || e->icmp_type == port_or_type)
               && (e->icmp_code == -1 || e->icmp_code == icmp_code);
    }
    return true;
}

bool
network_acl_evaluate(const struct network_acl *acl, bool egress, uint32_t remote_addr,
                     int protocol, int port_or_type, int icmp_code,
                     const struct network_acl_entry **matched)
{
    /* The array is sorted by (egress, rule number): one ascending pass. */
    for (size_t i = 0; i < acl->n_entries; i++) {
        const struct network_acl_entry *e = &acl->entries[i];
        if (e->egress == egress
            && entry_matches(e, remote_addr, protocol, port_or_type, icmp_code)) {
            if (matched) {
                *matched = e;
            }
            return e->allow;
        }
    }
    if (matched) {
        *matched = &implicit_deny[egress][0];
    }
    return false;
}

/* Associations */

void
network_acl_associate_new_subnet(struct model *m, struct vpc *vpc, const char *subnet_id)
{
    struct network_acl *acl = vpc_default_network_acl(vpc);
    ASSERT(acl);
    acl->assocs = xrealloc(acl->assocs, (acl->n_assocs + 1) * sizeof *acl->assocs);
    struct network_acl_assoc *a = &acl->assocs[acl->n_assocs++];
    memset(a, 0, sizeof *a);
    model_new_id(m, "aclassoc", a->id);
    str_copy(a->subnet_id, sizeof a->subnet_id, subnet_id);
    model_touch(m, &acl->r);
}

static void
remove_assoc(struct model *m, struct network_acl *acl, size_t i)
{
    memmove(&acl->assocs[i], &acl->assocs[i + 1], (acl->n_assocs - i - 1) * sizeof acl->assocs[0]);
    acl->n_assocs--;
    model_touch(m, &acl->r);
}

void
network_acl_forget_subnet(struct model *m, struct vpc *vpc, const char *subnet_id)
{
    struct resource *r;
    LIST_FOR_EACH (r, vpc_node, &vpc->children[RES_NETWORK_ACL]) {
        struct network_acl *acl = network_acl_cast(r);
        for (size_t i = 0; i < acl->n_assocs; i++) {
            if (!strcmp(acl->assocs[i].subnet_id, subnet_id)) {
                remove_assoc(m, acl, i);
                return;
            }
        }
    }
}

struct network_acl *
network_acl_find_assoc(const struct model *m, const struct scope *scope, const char *assoc_id,
                       size_t *index)
{
    (void) m;
    struct resource *r;
    LIST_FOR_EACH (r, scope_node, &scope->resources[RES_NETWORK_ACL]) {
        struct network_acl *acl = network_acl_cast(r);
        for (size_t i = 0; i < acl->n_assocs; i++) {
            if (!strcmp(acl->assocs[i].id, assoc_id)) {
                *index = i;
                return acl;
            }
        }
    }
    return NULL;
}

int
network_acl_replace_association(struct model *m, const struct scope *scope,
                                const char *assoc_id, struct network_acl *acl,
                                char new_id[ID_SIZE], struct error *err)
{
    size_t index;
    struct network_acl *old = network_acl_find_assoc(m, scope, assoc_id, &index);
    if (!old) {
        return err_set(err, ERR_ASSOCIATION_NOT_FOUND,
                       "The association ID '%s' does not exist", assoc_id);
    }
    const char *subnet_id = old->assocs[index].subnet_id;
    /* Section 8: a subnet's ACL is one of its own VPC's. */
    if (strcmp(old->r.vpc_id, acl->r.vpc_id)) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "The network ACL '%s' and the subnet '%s' belong to different VPCs "
                       "('%s' and '%s').", acl->r.id, subnet_id, acl->r.vpc_id, old->r.vpc_id);
    }
    if (model_dry_run(m, err)) {
        return -1;
    }
    char subnet[ID_SIZE];
    str_copy(subnet, sizeof subnet, subnet_id);
    remove_assoc(m, old, index);
    acl->assocs = xrealloc(acl->assocs, (acl->n_assocs + 1) * sizeof *acl->assocs);
    struct network_acl_assoc *a = &acl->assocs[acl->n_assocs++];
    memset(a, 0, sizeof *a);
    model_new_id(m, "aclassoc", a->id);
    str_copy(a->subnet_id, sizeof a->subnet_id, subnet);
    model_touch(m, &acl->r);
    str_copy(new_id, ID_SIZE, a->id);
    return 0;
}

/* DescribeNetworkAcls filters (as documented for the action).  The entry.*
 * filters see the entries as shown, '*' rules included; each filter matches
 * when any entry matches it (AWS does not tie two filters to one entry). */
static const struct network_acl *
acl_of(const struct resource *r)
{
    return network_acl_cast((struct resource *) r);
}

typedef void entry_emit_fn(const struct network_acl_entry *, struct filter_values *);

static void
for_each_shown(const struct resource *r, struct filter_values *fv, entry_emit_fn *emit)
{
    const struct network_acl *acl = acl_of(r);
    const struct network_acl_entry *stack[64];
    const struct network_acl_entry **shown = stack;
    size_t cap = acl->n_entries + NACL_IMPLICIT_ENTRIES_MAX;
    if (cap > ARRAY_SIZE(stack)) {
        shown = xmalloc(cap * sizeof *shown);
    }
    size_t n = network_acl_shown_entries(acl, shown);
    for (size_t i = 0; i < n; i++) {
        emit(shown[i], fv);
    }
    if (shown != stack) {
        free(shown);
    }
}

static void
f_default(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit_bool(fv, acl_of(r)->is_default);
}

static void
f_assoc_id(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    const struct network_acl *acl = acl_of(r);
    for (size_t i = 0; i < acl->n_assocs; i++) {
        filter_emit(fv, acl->assocs[i].id);
    }
}

static void
f_assoc_acl_id(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    if (acl_of(r)->n_assocs) {
        filter_emit(fv, r->id);
    }
}

static void
f_assoc_subnet_id(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    const struct network_acl *acl = acl_of(r);
    for (size_t i = 0; i < acl->n_assocs; i++) {
        filter_emit(fv, acl->assocs[i].subnet_id);
    }
}

static void
emit_cidr(const struct network_acl_entry *e, struct filter_values *fv)
{
    if (!e->ipv6) {
        filter_emit_prefix4(fv, &e->cidr);
    }
}

static void
emit_ipv6_cidr(const struct network_acl_entry *e, struct filter_values *fv)
{
    if (e->ipv6) {
        char text[IP6_PREFIX_STRLEN];
        ip6_prefix_format(&e->cidr6, text);
        filter_emit_copy(fv, text);
    }
}

static void
emit_egress(const struct network_acl_entry *e, struct filter_values *fv)
{
    filter_emit_bool(fv, e->egress);
}

static void
emit_icmp_code(const struct network_acl_entry *e, struct filter_values *fv)
{
    if (e->has_icmp) {
        filter_emit_int(fv, e->icmp_code);
    }
}

static void
emit_icmp_type(const struct network_acl_entry *e, struct filter_values *fv)
{
    if (e->has_icmp) {
        filter_emit_int(fv, e->icmp_type);
    }
}

static void
emit_port_from(const struct network_acl_entry *e, struct filter_values *fv)
{
    if (e->has_port_range) {
        filter_emit_int(fv, e->port_from);
    }
}

static void
emit_port_to(const struct network_acl_entry *e, struct filter_values *fv)
{
    if (e->has_port_range) {
        filter_emit_int(fv, e->port_to);
    }
}

/* "tcp | udp | icmp or a protocol number": both spellings match. */
static void
emit_protocol(const struct network_acl_entry *e, struct filter_values *fv)
{
    filter_emit_int(fv, e->protocol);
    switch (e->protocol) {
    case NACL_PROTO_ALL:
        filter_emit(fv, "all");
        break;
    case NACL_PROTO_TCP:
        filter_emit(fv, "tcp");
        break;
    case NACL_PROTO_UDP:
        filter_emit(fv, "udp");
        break;
    case NACL_PROTO_ICMP:
        filter_emit(fv, "icmp");
        break;
    case NACL_PROTO_ICMPV6:
        filter_emit(fv, "icmpv6");
        break;
    }
}

static void
emit_rule_action(const struct network_acl_entry *e, struct filter_values *fv)
{
    filter_emit(fv, e->allow ? "allow" : "deny");
}

static void
emit_rule_number(const struct network_acl_entry *e, struct filter_values *fv)
{
    filter_emit_int(fv, e->rule_number);
}

#define ENTRY_FILTER(NAME, EMIT) \
    static void \
    NAME(const struct model *m, const struct resource *r, struct filter_values *fv) \
    { \
        (void) m; \
        for_each_shown(r, fv, EMIT); \
    }

ENTRY_FILTER(f_entry_cidr, emit_cidr)
ENTRY_FILTER(f_entry_ipv6_cidr, emit_ipv6_cidr)
ENTRY_FILTER(f_entry_egress, emit_egress)
ENTRY_FILTER(f_entry_icmp_code, emit_icmp_code)
ENTRY_FILTER(f_entry_icmp_type, emit_icmp_type)
ENTRY_FILTER(f_entry_port_from, emit_port_from)
ENTRY_FILTER(f_entry_port_to, emit_port_to)
ENTRY_FILTER(f_entry_protocol, emit_protocol)
ENTRY_FILTER(f_entry_rule_action, emit_rule_action)
ENTRY_FILTER(f_entry_rule_number, emit_rule_number)

const struct filter_def network_acl_filters[] = {
    { "association.association-id", f_assoc_id },
    { "association.network-acl-id", f_assoc_acl_id },
    { "association.subnet-id", f_assoc_subnet_id },
    { "default", f_default },
    { "entry.cidr", f_entry_cidr },
    { "entry.egress", f_entry_egress },
    { "entry.icmp.code", f_entry_icmp_code },
    { "entry.icmp.type", f_entry_icmp_type },
    { "entry.ipv6-cidr", f_entry_ipv6_cidr },
    { "entry.port-range.from", f_entry_port_from },
    { "entry.port-range.to", f_entry_port_to },
    { "entry.protocol", f_entry_protocol },
    { "entry.rule-action", f_entry_rule_action },
    { "entry.rule-number", f_entry_rule_number },
    { "network-acl-id", filter_resource_id },
    { "owner-id", filter_resource_owner_id },
    { "vpc-id", filter_resource_vpc_id },
};
const size_t network_acl_n_filters = ARRAY_SIZE(network_acl_filters);
