/* security_group.h: security groups and their rules (vpc-semantics.md
 * section 9.1): names and descriptions, rule validation, duplicates, the
 * per-direction quota, revoke by match or by id, dependencies on delete, the
 * grouping into permissions Describe shows, the filters, and the pure
 * per-packet match the data plane will use. */
#include "model/security_group.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/util.h"
#include "model/network_interface.h"
#include "model/schema.h"
#include "model/vpc.h"

static const struct field tag_fields[] = {
    F_PSTR(struct tag, key),
    F_PSTR(struct tag, value),
};

static const struct field rule_fields[] = {
    F_STR(struct sg_rule, id),
    F_BOOL(struct sg_rule, egress),
    F_INT(struct sg_rule, protocol),
    F_INT(struct sg_rule, from_port),
    F_INT(struct sg_rule, to_port),
    F_INT(struct sg_rule, peer),
    F_PREFIX4(struct sg_rule, cidr),
    F_PREFIX6(struct sg_rule, cidr6),
    F_STR(struct sg_rule, group_id),
    F_STR(struct sg_rule, group_owner),
    F_STR(struct sg_rule, prefix_list_id),
    F_PSTR(struct sg_rule, description),
    F_ARRAY(struct sg_rule, tags, n_tags, struct tag, tag_fields),
};

static const struct field security_group_fields[] = {
    F_PSTR(struct security_group, name),
    F_PSTR(struct security_group, description),
    F_ARRAY(struct security_group, rules, n_rules, struct sg_rule, rule_fields),
};

const struct schema security_group_schema = SCHEMA(struct security_group,
                                                   security_group_fields);

/* Names and descriptions */

/* Section 9.1: the characters AWS allows in VPC group names, group
 * descriptions and rule descriptions: a-zA-Z0-9, space and ._-:/()#,@[]+=&;{}!$* */
static bool
valid_text(const char *s)
{
    for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
        if (*p >= 0x80 || !(isalnum(*p) || strchr(" ._-:/()#,@[]+=&;{}!$*", *p))) {
            return false;
        }
    }
    return true;
}

static bool
has_non_ascii(const char *s)
{
    for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
        if (*p >= 0x80) {
            return true;
        }
    }
    return false;
}

static int
check_text(const char *s, const char *param, size_t max, struct error *err)
{
    if (has_non_ascii(s)) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "Value (%s) for parameter %s is invalid. Character sets beyond ASCII "
                       "are not supported.", s, param);
    }
    if (strlen(s) > max) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "Value (%.40s...) for parameter %s is invalid. Length exceeds maximum "
                       "of %zu.", s, param, max);
    }
    if (!valid_text(s)) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "Value (%s) for parameter %s is invalid. Valid values are strings of "
                       "up to %zu characters from the set a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*",
                       s, param, max);
    }
    return 0;
}

struct security_group *
security_group_find_by_name(const struct vpc *vpc, const char *name)
{
    struct resource *r;
    LIST_FOR_EACH (r, vpc_node, &vpc->children[RES_SECURITY_GROUP]) {
        if (!strcmp(security_group_cast(r)->name, name)) {
            return security_group_cast(r);
        }
    }
    return NULL;
}

struct security_group *
security_group_get_by_name(const struct model *m, const struct scope *scope, const char *name,
                           struct error *err)
{
    const struct vpc *vpc = vpc_find_default(m, scope);
    if (!vpc) {
        err_set(err, ERR_NO_DEFAULT_VPC, "No default VPC for this user. GroupName is only "
                "supported for EC2-Classic and default VPC.");
        return NULL;
    }
    struct security_group *sg = security_group_find_by_name(vpc, name);
    if (!sg) {
        err_set(err, ERR_GROUP_NOT_FOUND,
                "The security group '%s' does not exist in default VPC '%s'", name, vpc->r.id);
    }
    return sg;
}

/* Section 9.1: name unique per VPC, at most 255 characters, not "sg-*",
 * "default" reserved; trailing spaces are dropped into 'trimmed'. */
static int
check_name(const struct vpc *vpc, const char *name, char trimmed[SG_NAME_MAX + 1],
           struct error *err)
{
    size_t len = strlen(name);
    while (len && name[len - 1] == ' ') {
        len--;
    }
    if (!len) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "Value () for parameter GroupName is invalid. The value cannot be "
                       "empty");
    }
    if (check_text(name, "GroupName", SG_NAME_MAX, err)) {
        return -1;
    }
    memcpy(trimmed, name, len);
    trimmed[len] = '\0';
    if (!strncasecmp(trimmed, "sg-", 3)) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "Group names may not be in the format sg-*.");
    }
    if (!strcmp(trimmed, "default")) {
        return err_set(err, ERR_GROUP_RESERVED,
                       "The security group name 'default' is reserved for the VPC's default "
                       "security group.");
    }
    if (security_group_find_by_name(vpc, trimmed)) {
        return err_set(err, ERR_GROUP_DUPLICATE,
                       "The security group '%s' already exists for VPC '%s'", trimmed,
                       vpc->r.id);
    }
    return 0;
}

/* Create and delete */

static struct sg_rule *
append_rule(struct model *m, struct security_group *sg, bool egress)
{
    sg->rules = xrealloc(sg->rules, (sg->n_rules + 1) * sizeof *sg->rules);
    struct sg_rule *rule = &sg->rules[sg->n_rules++];
    memset(rule, 0, sizeof *rule);
    model_new_id(m, "sgr", rule->id);
    rule->egress = egress;
    rule->protocol = SG_PROTO_ALL;
    rule->from_port = rule->to_port = -1;
    return rule;
}

int
security_group_create(struct model *m, struct vpc *vpc, const char *name,
                      const char *description, bool is_default, struct security_group **out,
                      struct error *err)
{
    char trimmed[SG_NAME_MAX + 1];
    if (!is_default) {
        if (check_name(vpc, name, trimmed, err)
            || check_text(description, "GroupDescription", SG_DESCRIPTION_MAX, err)) {
            return -1;
        }
        name = trimmed;
    }
    if (vpc->r.scope->n_resources[RES_SECURITY_GROUP] >= SG_LIMIT_PER_REGION) {
        return err_set(err, ERR_SECURITY_GROUP_LIMIT_EXCEEDED,
                       "The maximum number of security groups has been reached.");
    }
    if (model_dry_run(m, err)) {
        return -1;
    }
    struct security_group *sg = xzalloc(sizeof *sg);
    model_new_id(m, "sg", sg->r.id);
    sg->name = xstrdup(name);
    sg->description = xstrdup(description);
    /* Section 9.1: no inbound rules, one outbound allow-all; the default group
     * also admits everything from its own members. */
    if (is_default) {
        struct sg_rule *in = append_rule(m, sg, false);
        in->peer = SG_PEER_GROUP;
        str_copy(in->group_id, sizeof in->group_id, sg->r.id);
        str_copy(in->group_owner, sizeof in->group_owner, vpc->r.scope->account);
    }
    struct sg_rule *out_rule = append_rule(m, sg, true);
    out_rule->peer = SG_PEER_CIDR4;
    out_rule->cidr = (struct ip4_prefix) { 0, 0 };
    model_add(m, vpc->r.scope, &sg->r, RES_SECURITY_GROUP, &vpc->r);
    *out = sg;
    return 0;
}

static bool
references(const struct security_group *sg, const char *group_id)
{
    for (size_t i = 0; i < sg->n_rules; i++) {
        if (sg->rules[i].peer == SG_PEER_GROUP && !strcmp(sg->rules[i].group_id, group_id)) {
            return true;
        }
    }
    return false;
}

/* Section 9.1, DeleteSecurityGroup: not the default group, not while an
 * interface of the VPC uses it or another group of the VPC references it (a
 * group's references to itself go with it). */
int
security_group_delete(struct model *m, struct security_group *sg, struct error *err)
{
    if (!strcmp(sg->name, "default")) {
        return err_set(err, ERR_CANNOT_DELETE, "the specified group: \"%s\" name: \"default\" "
                       "cannot be deleted by a user", sg->r.id);
    }
    const struct vpc *vpc = vpc_cast(model_find(m, sg->r.vpc_id));
    bool dependent = false;
    struct resource *r;
    LIST_FOR_EACH (r, vpc_node, &vpc->children[RES_NETWORK_INTERFACE]) {
        const struct network_interface *eni = network_interface_cast(r);
        for (size_t i = 0; i < eni->n_groups; i++) {
            dependent = dependent || !strcmp(eni->groups[i], sg->r.id);
        }
    }
    LIST_FOR_EACH (r, vpc_node, &vpc->children[RES_SECURITY_GROUP]) {
        dependent = dependent || (r != &sg->r && references(security_group_cast(r), sg->r.id));
    }
    if (dependent) {
        return err_set(err, ERR_DEPENDENCY_VIOLATION, "resource %s has a dependent object",
                       sg->r.id);
    }
    if (model_dry_run(m, err)) {
        return -1;
    }
    model_remove(m, &sg->r);
    return 0;
}

/* Rules */

bool
security_group_parse_protocol(const char *s, int *protocol)
{
    static const struct {
        const char *name;
        int number;
    } names[] = {
        { "tcp", SG_PROTO_TCP }, { "udp", SG_PROTO_UDP }, { "icmp", SG_PROTO_ICMP },
        { "icmpv6", SG_PROTO_ICMPV6 }, { "all", SG_PROTO_ALL }, { "-1", SG_PROTO_ALL },
    };
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        if (!strcasecmp(s, names[i].name)) {
            *protocol = names[i].number;
            return true;
        }
    }
    /* A decimal number 0..255, no sign, no leading zeros. */
    size_t len = strspn(s, "0123456789");
    if (!len || s[len] || len > 3 || (s[0] == '0' && len > 1)) {
        return false;
    }
    int n = atoi(s);
    if (n > SG_PROTOCOL_MAX) {
        return false;
    }
    *protocol = n;
    return true;
}

const char *
security_group_protocol_name(int protocol, char buf[SG_PROTOCOL_NAME_SIZE])
{
    switch (protocol) {
    case SG_PROTO_ALL: return "-1";
    case SG_PROTO_TCP: return "tcp";
    case SG_PROTO_UDP: return "udp";
    case SG_PROTO_ICMP: return "icmp";
    case SG_PROTO_ICMPV6: return "icmpv6";
    default:
        snprintf(buf, SG_PROTOCOL_NAME_SIZE, "%d", protocol);
        return buf;
    }
}

static bool
is_icmp(int protocol)
{
    return protocol == SG_PROTO_ICMP || protocol == SG_PROTO_ICMPV6;
}

static bool
has_ports(int protocol)
{
    return protocol == SG_PROTO_TCP || protocol == SG_PROTO_UDP;
}

/* Section 9.1: tcp/udp take a port range 0..65535 (the CLI's "--port all"
 * sends -1/-1, which AWS stores as 0-65535); icmp/icmpv6 take type and code,
 * -1 for any (a type of -1 needs a code of -1; icmpv6 may omit both); every
 * other protocol ignores ports. */
static int
check_ports(const struct sg_rule_spec *spec, struct sg_rule *out, struct error *err)
{
    int64_t from = spec->from_port, to = spec->to_port;
    if (has_ports(out->protocol)) {
        const char *name = out->protocol == SG_PROTO_TCP ? "TCP" : "UDP";
        if (!spec->has_from_port || !spec->has_to_port) {
            return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                           "Invalid value 'Must specify both from and to ports with TCP/UDP.' "
                           "for portRange.");
        }
        if (from == -1 && to == -1) {
            from = 0;
            to = SG_PORT_MAX;
        }
        if (from < 0 || from > SG_PORT_MAX || to < 0 || to > SG_PORT_MAX) {
            return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                           "Invalid %s port range: from port %" PRId64 ", to port %" PRId64
                           ". Ports must be between 0 and %d.", name, from, to, SG_PORT_MAX);
        }
        if (from > to) {
            return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                           "Invalid %s port range: from port %" PRId64 " is greater than to "
                           "port %" PRId64 ".", name, from, to);
        }
    } else if (is_icmp(out->protocol)) {
        from = spec->has_from_port ? from : -1;
        to = spec->has_to_port ? to : -1;
        if (from < -1 || from > SG_ICMP_MAX) {
            return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                           "Invalid value '%" PRId64 "' for ICMP type. It must be between -1 "
                           "and %d.", from, SG_ICMP_MAX);
        }
        if (to < -1 || to > SG_ICMP_MAX) {
            return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                           "Invalid value '%" PRId64 "' for ICMP code. It must be between -1 "
                           "and %d.", to, SG_ICMP_MAX);
        }
        if (from == -1 && to != -1) {
            return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                           "Invalid ICMP code %" PRId64 " for ICMP type -1: all types "
                           "(-1) requires all codes (-1).", to);
        }
    } else {
        from = to = -1;
    }
    out->from_port = (int) from;
    out->to_port = (int) to;
    return 0;
}

static bool
prefix_list_id_well_formed(const char *id)
{
    if (strncmp(id, "pl-", 3)) {
        return false;
    }
    size_t n = strspn(id + 3, "0123456789abcdef");
    return !id[3 + n] && (n == 8 || n == ID_HEX_DIGITS);
}

static int
check_peer_group(const struct model *m, const struct security_group *sg,
                 const struct sg_rule_spec *spec, struct sg_rule *out, struct error *err)
{
    const struct scope *scope = sg->r.scope;
    const struct security_group *peer;
    if (spec->user_id && spec->user_id[0] && strcmp(spec->user_id, scope->account)) {
        /* XXX: groups of other accounts (across peering) are not served yet. */
        return err_set(err, ERR_GROUP_NOT_FOUND, "The security group '%s' does not exist",
                       spec->peer_value ? spec->peer_value : spec->group_name);
    }
    if (spec->peer_value) {
        struct resource *r = model_get(m, scope, RES_SECURITY_GROUP, spec->peer_value, err);
        if (!r) {
            return -1;
        }
        peer = security_group_cast(r);
        if (strcmp(peer->r.vpc_id, sg->r.vpc_id)) {
            /* Section 9.1: same VPC (peered VPCs are not served yet). */
            return err_set(err, ERR_GROUP_NOT_FOUND,
                           "You have specified two resources that belong to different "
                           "networks.");
        }
    } else if (spec->group_name) {
        peer = security_group_find_by_name(vpc_cast(model_find(m, sg->r.vpc_id)),
                                           spec->group_name);
        if (!peer) {
            return err_set(err, ERR_GROUP_NOT_FOUND,
                           "The security group '%s' does not exist in VPC '%s'",
                           spec->group_name, sg->r.vpc_id);
        }
    } else {
        return err_set(err, ERR_MISSING_PARAMETER,
                       "The request must contain the parameter groupId or groupName");
    }
    str_copy(out->group_id, sizeof out->group_id, peer->r.id);
    str_copy(out->group_owner, sizeof out->group_owner, scope->account);
    return 0;
}

static int
check_peer(const struct model *m, const struct security_group *sg,
           const struct sg_rule_spec *spec, struct sg_rule *out, struct error *err)
{
    const char *v = spec->peer_value;
    out->peer = spec->peer;
    switch (spec->peer) {
    case SG_PEER_CIDR4:
        if (!v || !ip4_prefix_parse(v, &out->cidr, NULL)) {
            return err_set(err, ERR_INVALID_PARAMETER_VALUE, "CIDR block %s is malformed",
                           v ? v : "");
        }
        return 0;
    case SG_PEER_CIDR6:
        if (!v || !ip6_prefix_parse(v, &out->cidr6, NULL)) {
            return err_set(err, ERR_INVALID_PARAMETER_VALUE, "CIDR block %s is malformed",
                           v ? v : "");
        }
        return 0;
    case SG_PEER_PREFIX_LIST:
        if (!v || !prefix_list_id_well_formed(v)) {
            return err_set(err, ERR_PREFIX_LIST_ID_MALFORMED,
                           "Invalid id: \"%s\" (expecting \"pl-...\")", v ? v : "");
        }
        /* XXX: no prefix-list family yet, so a well-formed id is taken on trust. */
        str_copy(out->prefix_list_id, sizeof out->prefix_list_id, v);
        return 0;
    case SG_PEER_GROUP:
        return check_peer_group(m, sg, spec, out, err);
    }
    NOT_REACHED();
}

int
security_group_rule_from_spec(const struct model *m, const struct security_group *sg,
                              bool egress, const struct sg_rule_spec *spec,
                              struct sg_rule *out, struct error *err)
{
    memset(out, 0, sizeof *out);
    out->egress = egress;
    if (!spec->protocol || !spec->protocol[0]) {
        return err_set(err, ERR_MISSING_PARAMETER,
                       "The request must contain the parameter ipProtocol");
    }
    if (!security_group_parse_protocol(spec->protocol, &out->protocol)) {
        return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                       "Invalid value '%s' for IP protocol. Unknown protocol.", spec->protocol);
    }
    if (check_ports(spec, out, err) || check_peer(m, sg, spec, out, err)) {
        return -1;
    }
    if (spec->description) {
        if (strlen(spec->description) > SG_RULE_DESCRIPTION_MAX
            || !valid_text(spec->description)) {
            return err_set(err, ERR_INVALID_PARAMETER_VALUE,
                           "Invalid rule description. Valid descriptions are strings less "
                           "than 256 characters from the following set:  "
                           "a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*");
        }
        out->description = (char *) spec->description;
    }
    return 0;
}

bool
security_group_rule_same(const struct sg_rule *a, const struct sg_rule *b)
{
    if (a->egress != b->egress || a->protocol != b->protocol || a->peer != b->peer) {
        return false;
    }
    if (a->protocol != SG_PROTO_ALL
        && (a->from_port != b->from_port || a->to_port != b->to_port)) {
        return false;
    }
    switch (a->peer) {
    case SG_PEER_CIDR4: return ip4_prefix_equal(&a->cidr, &b->cidr);
    case SG_PEER_CIDR6: return ip6_prefix_equal(&a->cidr6, &b->cidr6);
    case SG_PEER_GROUP: return !strcmp(a->group_id, b->group_id);
    case SG_PEER_PREFIX_LIST: return !strcmp(a->prefix_list_id, b->prefix_list_id);
    }
    NOT_REACHED();
}

/* The rule as AWS quotes it in InvalidPermission.Duplicate:
 * peer: 0.0.0.0/0, TCP, from port: 22, to port: 22, ALLOW */
static void
format_rule(const struct sg_rule *rule, char *out, size_t size)
{
    char peer[IP6_PREFIX_STRLEN + ID_SIZE];
    switch (rule->peer) {
    case SG_PEER_CIDR4: ip4_prefix_format(&rule->cidr, peer); break;
    case SG_PEER_CIDR6: ip6_prefix_format(&rule->cidr6, peer); break;
    case SG_PEER_GROUP: str_copy(peer, sizeof peer, rule->group_id); break;
    case SG_PEER_PREFIX_LIST: str_copy(peer, sizeof peer, rule->prefix_list_id); break;
    }
    char proto[SG_PROTOCOL_NAME_SIZE];
    const char *name = rule->protocol == SG_PROTO_ALL
                           ? "ALL" : security_group_protocol_name(rule->protocol, proto);
    char upper[SG_PROTOCOL_NAME_SIZE];
    size_t i;
    for (i = 0; name[i] && i + 1 < sizeof upper; i++) {
        upper[i] = (char) toupper((unsigned char) name[i]);
    }
    upper[i] = '\0';
    if (has_ports(rule->protocol)) {
        snprintf(out, size, "peer: %s, %s, from port: %d, to port: %d, ALLOW", peer, upper,
                 rule->from_port, rule->to_port);
    } else if (is_icmp(rule->protocol)) {
        snprintf(out, size, "peer: %s, %s, type: %d, code: %d, ALLOW", peer, upper,
                 rule->from_port, rule->to_port);
    } else {
        snprintf(out, size, "peer: %s, %s, ALLOW", peer, upper);
    }
}

/* Section 9.1 quota: rules per direction and address family; a group or
 * prefix-list reference counts toward both families. */
static void
count_rule(const struct sg_rule *rule, size_t counts[2][2])
{
    size_t dir = rule->egress;
    if (rule->peer != SG_PEER_CIDR6) {
        counts[dir][0]++;
    }
    if (rule->peer != SG_PEER_CIDR4) {
        counts[dir][1]++;
    }
}

int
security_group_authorize(struct model *m, struct security_group *sg,
                         const struct sg_rule *rules, size_t n_rules,
                         const struct tag *tags, size_t n_tags, struct error *err)
{
    size_t counts[2][2] = { { 0, 0 }, { 0, 0 } };
    for (size_t i = 0; i < sg->n_rules; i++) {
        count_rule(&sg->rules[i], counts);
    }
    for (size_t i = 0; i < n_rules; i++) {
        const struct sg_rule *dup = NULL;
        for (size_t j = 0; j < sg->n_rules && !dup; j++) {
            dup = security_group_rule_same(&rules[i], &sg->rules[j]) ? &sg->rules[j] : NULL;
        }
        for (size_t j = 0; j < i && !dup; j++) {
            dup = security_group_rule_same(&rules[i], &rules[j]) ? &rules[j] : NULL;
        }
        if (dup) {
            char text[160];
            format_rule(&rules[i], text, sizeof text);
            return err_set(err, ERR_PERMISSION_DUPLICATE,
                           "the specified rule \"%s\" already exists", text);
        }
        count_rule(&rules[i], counts);
    }
    for (size_t dir = 0; dir < 2; dir++) {
        for (size_t fam = 0; fam < 2; fam++) {
            if (counts[dir][fam] > SG_RULES_PER_DIRECTION_LIMIT) {
                return err_set(err, ERR_RULES_PER_SECURITY_GROUP_LIMIT_EXCEEDED,
                               "The maximum number of rules per security group has been "
                               "reached.");
            }
        }
    }
    if (model_dry_run(m, err)) {
        return -1;
    }
    sg->rules = xrealloc(sg->rules, (sg->n_rules + n_rules) * sizeof *sg->rules);
    for (size_t i = 0; i < n_rules; i++) {
        struct sg_rule *rule = &sg->rules[sg->n_rules++];
        *rule = rules[i];
        model_new_id(m, "sgr", rule->id);
        rule->description = rules[i].description ? xstrdup(rules[i].description) : NULL;
        rule->tags = n_tags ? xmalloc(n_tags * sizeof *rule->tags) : NULL;
        rule->n_tags = n_tags;
        for (size_t t = 0; t < n_tags; t++) {
            rule->tags[t].key = xstrdup(tags[t].key);
            rule->tags[t].value = xstrdup(tags[t].value ? tags[t].value : "");
        }
    }
    model_touch(m, &sg->r);
    return 0;
}

int
security_group_revoke(struct model *m, struct security_group *sg, bool egress,
                      const struct sg_rule *rules, size_t n_rules,
                      const char *const *rule_ids, size_t n_rule_ids, bool *unknown,
                      struct error *err)
{
    const struct vpc *vpc = vpc_cast(model_find(m, sg->r.vpc_id));
    bool *doomed = xzalloc((sg->n_rules + 1) * sizeof *doomed);
    int rc = -1;

    for (size_t i = 0; i < n_rules; i++) {
        bool found = false;
        for (size_t j = 0; j < sg->n_rules; j++) {
            if (sg->rules[j].egress == egress && security_group_rule_same(&rules[i],
                                                                          &sg->rules[j])) {
                doomed[j] = found = true;
            }
        }
        unknown[i] = !found;
        /* Section 9.1: a default VPC skips what does not match, any other VPC
         * refuses the whole request. */
        if (!found && !vpc->is_default) {
            err_set(err, ERR_PERMISSION_NOT_FOUND,
                    "The specified rule does not exist in this security group.");
            goto out_free;
        }
    }
    for (size_t i = 0; i < n_rule_ids; i++) {
        size_t j;
        for (j = 0; j < sg->n_rules; j++) {
            if (sg->rules[j].egress == egress && !strcmp(sg->rules[j].id, rule_ids[i])) {
                break;
            }
        }
        if (j == sg->n_rules) {
            err_set(err, ERR_SECURITY_GROUP_RULE_NOT_FOUND,
                    "The security group rule ID '%s' does not exist in security group '%s'",
                    rule_ids[i], sg->r.id);
            goto out_free;
        }
        doomed[j] = true;
    }
    if (model_dry_run(m, err)) {
        goto out_free;
    }
    size_t kept = 0;
    for (size_t j = 0; j < sg->n_rules; j++) {
        if (doomed[j]) {
            schema_free_fields(rule_fields, ARRAY_SIZE(rule_fields), &sg->rules[j]);
        } else {
            sg->rules[kept++] = sg->rules[j];
        }
    }
    if (kept != sg->n_rules) {
        sg->n_rules = kept;
        model_touch(m, &sg->r);
    }
    rc = 0;
out_free:
    free(doomed);
    return rc;
}

struct security_group *
security_group_find_rule(const struct model *m, const struct scope *scope, const char *rule_id,
                         size_t *index)
{
    (void) m;
    struct resource *r;
    LIST_FOR_EACH (r, scope_node, &scope->resources[RES_SECURITY_GROUP]) {
        struct security_group *sg = security_group_cast(r);
        for (size_t i = 0; i < sg->n_rules; i++) {
            if (!strcmp(sg->rules[i].id, rule_id)) {
                *index = i;
                return sg;
            }
        }
    }
    return NULL;
}

struct security_group *
security_group_get_rule(const struct model *m, const struct scope *scope, const char *rule_id,
                        size_t *index, struct error *err)
{
    size_t n = strspn(rule_id + (strncmp(rule_id, "sgr-", 4) ? 0 : 4), "0123456789abcdef");
    if (strncmp(rule_id, "sgr-", 4) || rule_id[4 + n] || (n != 8 && n != ID_HEX_DIGITS)) {
        err_set(err, ERR_SECURITY_GROUP_RULE_ID_MALFORMED,
                "Invalid id: \"%s\" (expecting \"sgr-...\")", rule_id);
        return NULL;
    }
    struct security_group *sg = security_group_find_rule(m, scope, rule_id, index);
    if (!sg) {
        err_set(err, ERR_SECURITY_GROUP_RULE_NOT_FOUND,
                "The security group rule ID '%s' does not exist", rule_id);
    }
    return sg;
}

/* Permissions: DescribeSecurityGroups shows one IpPermission per (protocol,
 * ports) with all its peers, as AWS does. */
size_t
security_group_permissions(const struct security_group *sg, bool egress,
                           struct sg_permission *perms, const struct sg_rule **slots)
{
    size_t n_perms = 0;
    for (size_t i = 0; i < sg->n_rules; i++) {
        const struct sg_rule *rule = &sg->rules[i];
        if (rule->egress != egress) {
            continue;
        }
        size_t p;
        for (p = 0; p < n_perms; p++) {
            if (perms[p].protocol == rule->protocol && perms[p].from_port == rule->from_port
                && perms[p].to_port == rule->to_port) {
                break;
            }
        }
        if (p == n_perms) {
            perms[n_perms++] = (struct sg_permission) {
                .protocol = rule->protocol,
                .from_port = rule->from_port,
                .to_port = rule->to_port,
            };
        }
        perms[p].n_rules++;
    }
    /* Second pass: each permission gets a run of 'slots' in rule order. */
    size_t offset = 0;
    for (size_t p = 0; p < n_perms; p++) {
        perms[p].rules = slots + offset;
        offset += perms[p].n_rules;
        perms[p].n_rules = 0;
    }
    for (size_t i = 0; i < sg->n_rules; i++) {
        const struct sg_rule *rule = &sg->rules[i];
        for (size_t p = 0; rule->egress == egress && p < n_perms; p++) {
            if (perms[p].protocol == rule->protocol && perms[p].from_port == rule->from_port
                && perms[p].to_port == rule->to_port) {
                perms[p].rules[perms[p].n_rules++] = rule;
                break;
            }
        }
    }
    return n_perms;
}

/* The data plane's question. */
bool
security_group_rule_matches(const struct sg_rule *rule, int protocol, int port_or_type,
                            int icmp_code, uint32_t remote_addr,
                            bool (*is_member)(void *ctx, const char *id, uint32_t addr),
                            void *ctx)
{
    if (rule->protocol != SG_PROTO_ALL) {
        if (rule->protocol != protocol) {
            return false;
        }
        if (has_ports(protocol)
            && (port_or_type < rule->from_port || port_or_type > rule->to_port)) {
            return false;
        }
        if (is_icmp(protocol) && ((rule->from_port != -1 && rule->from_port != port_or_type)
                                  || (rule->to_port != -1 && rule->to_port != icmp_code))) {
            return false;
        }
    }
    switch (rule->peer) {
    case SG_PEER_CIDR4:
        return ip4_prefix_has(&rule->cidr, remote_addr);
    case SG_PEER_CIDR6:
        return false;               /* an IPv4 packet */
    case SG_PEER_GROUP:
        return is_member && is_member(ctx, rule->group_id, remote_addr);
    case SG_PEER_PREFIX_LIST:
        return is_member && is_member(ctx, rule->prefix_list_id, remote_addr);
    }
    NOT_REACHED();
}

/* DescribeSecurityGroups filters (as documented for the action). */

static const struct security_group *
sg_of(const struct resource *r)
{
    return security_group_cast((struct resource *) r);
}

static void
f_group_name(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit(fv, sg_of(r)->name);
}

static void
f_description(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit(fv, sg_of(r)->description);
}

/* What an ip-permission.* filter reads from each rule. */
enum perm_field {
    PF_CIDR, PF_IPV6_CIDR, PF_FROM, PF_TO, PF_PROTOCOL, PF_GROUP_ID, PF_GROUP_NAME,
    PF_USER_ID, PF_PREFIX_LIST,
};

static void
emit_rules(const struct model *m, const struct resource *r, struct filter_values *fv,
           bool egress, enum perm_field what)
{
    const struct security_group *sg = sg_of(r);
    for (size_t i = 0; i < sg->n_rules; i++) {
        const struct sg_rule *rule = &sg->rules[i];
        char text[IP6_PREFIX_STRLEN];
        if (rule->egress != egress) {
            continue;
        }
        switch (what) {
        case PF_CIDR:
            if (rule->peer == SG_PEER_CIDR4) {
                filter_emit_prefix4(fv, &rule->cidr);
            }
            break;
        case PF_IPV6_CIDR:
            if (rule->peer == SG_PEER_CIDR6) {
                ip6_prefix_format(&rule->cidr6, text);
                filter_emit_copy(fv, text);
            }
            break;
        case PF_FROM:
        case PF_TO:
            /* -1 rules show no ports (section 9.1). */
            if (rule->protocol != SG_PROTO_ALL) {
                filter_emit_int(fv, what == PF_FROM ? rule->from_port : rule->to_port);
            }
            break;
        case PF_PROTOCOL: {
            char buf[SG_PROTOCOL_NAME_SIZE];
            filter_emit_copy(fv, security_group_protocol_name(rule->protocol, buf));
            if (rule->protocol >= 0) {
                filter_emit_int(fv, rule->protocol);
            }
            break;
        }
        case PF_GROUP_ID:
        case PF_GROUP_NAME:
        case PF_USER_ID:
            if (rule->peer == SG_PEER_GROUP) {
                if (what == PF_GROUP_ID) {
                    filter_emit(fv, rule->group_id);
                } else if (what == PF_USER_ID) {
                    filter_emit(fv, rule->group_owner);
                } else {
                    const struct security_group *peer = sg_of(model_find(m, rule->group_id));
                    if (peer) {
                        filter_emit(fv, peer->name);
                    }
                }
            }
            break;
        case PF_PREFIX_LIST:
            if (rule->peer == SG_PEER_PREFIX_LIST) {
                filter_emit(fv, rule->prefix_list_id);
            }
            break;
        }
    }
}

#define PERM_FILTER(NAME, EGRESS, WHAT) \
    static void \
    NAME(const struct model *m, const struct resource *r, struct filter_values *fv) \
    { \
        emit_rules(m, r, fv, EGRESS, WHAT); \
    }
PERM_FILTER(f_in_cidr, false, PF_CIDR)
PERM_FILTER(f_in_ipv6_cidr, false, PF_IPV6_CIDR)
PERM_FILTER(f_in_from, false, PF_FROM)
PERM_FILTER(f_in_to, false, PF_TO)
PERM_FILTER(f_in_protocol, false, PF_PROTOCOL)
PERM_FILTER(f_in_group_id, false, PF_GROUP_ID)
PERM_FILTER(f_in_group_name, false, PF_GROUP_NAME)
PERM_FILTER(f_in_user_id, false, PF_USER_ID)
PERM_FILTER(f_in_prefix_list, false, PF_PREFIX_LIST)
PERM_FILTER(f_out_cidr, true, PF_CIDR)
PERM_FILTER(f_out_ipv6_cidr, true, PF_IPV6_CIDR)
PERM_FILTER(f_out_from, true, PF_FROM)
PERM_FILTER(f_out_to, true, PF_TO)
PERM_FILTER(f_out_protocol, true, PF_PROTOCOL)
PERM_FILTER(f_out_group_id, true, PF_GROUP_ID)
PERM_FILTER(f_out_group_name, true, PF_GROUP_NAME)
PERM_FILTER(f_out_user_id, true, PF_USER_ID)
PERM_FILTER(f_out_prefix_list, true, PF_PREFIX_LIST)
#undef PERM_FILTER

const struct filter_def security_group_filters[] = {
    { "description", f_description },
    { "group-id", filter_resource_id },
    { "group-name", f_group_name },
    { "owner-id", filter_resource_owner_id },
    { "vpc-id", filter_resource_vpc_id },
    { "ip-permission.cidr", f_in_cidr },
    { "ip-permission.ipv6-cidr", f_in_ipv6_cidr },
    { "ip-permission.from-port", f_in_from },
    { "ip-permission.to-port", f_in_to },
    { "ip-permission.protocol", f_in_protocol },
    { "ip-permission.group-id", f_in_group_id },
    { "ip-permission.group-name", f_in_group_name },
    { "ip-permission.user-id", f_in_user_id },
    { "ip-permission.prefix-list-id", f_in_prefix_list },
    { "egress.ip-permission.cidr", f_out_cidr },
    { "egress.ip-permission.ipv6-cidr", f_out_ipv6_cidr },
    { "egress.ip-permission.from-port", f_out_from },
    { "egress.ip-permission.to-port", f_out_to },
    { "egress.ip-permission.protocol", f_out_protocol },
    { "egress.ip-permission.group-id", f_out_group_id },
    { "egress.ip-permission.group-name", f_out_group_name },
    { "egress.ip-permission.user-id", f_out_user_id },
    { "egress.ip-permission.prefix-list-id", f_out_prefix_list },
};
const size_t security_group_n_filters = ARRAY_SIZE(security_group_filters);

/* DescribeSecurityGroupRules filters. */

void
security_group_rule_view_init(struct sg_rule_view *view, const struct security_group *sg,
                              const struct sg_rule *rule)
{
    memset(view, 0, sizeof *view);
    str_copy(view->r.id, sizeof view->r.id, rule->id);
    view->r.kind = RES_SECURITY_GROUP;
    view->r.scope = sg->r.scope;
    str_copy(view->r.vpc_id, sizeof view->r.vpc_id, sg->r.vpc_id);
    view->r.tags = rule->tags;
    view->r.n_tags = rule->n_tags;
    view->sg = sg;
    view->rule = rule;
}

static const struct sg_rule_view *
view_of(const struct resource *r)
{
    return CONTAINER_OF(r, const struct sg_rule_view, r);
}

static void
f_rule_group_id(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit(fv, view_of(r)->sg->r.id);
}

static void
f_rule_id(const struct model *m, const struct resource *r, struct filter_values *fv)
{
    (void) m;
    filter_emit(fv, view_of(r)->rule->id);
}

const struct filter_def security_group_rule_filters[] = {
    { "group-id", f_rule_group_id },
    { "security-group-rule-id", f_rule_id },
};
const size_t security_group_rule_n_filters = ARRAY_SIZE(security_group_rule_filters);
