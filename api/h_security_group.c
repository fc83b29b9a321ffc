/* EC2 actions of the security-group family: decode, call
 * model/security_group.h, format.  Requests state rules as IpPermissions
 * (one per protocol and ports, several peers each) or, for ingress, in the
 * legacy top-level form (CidrIp, IpProtocol, FromPort, ToPort,
 * SourceSecurityGroupName); both become one 'struct sg_rule_spec' per peer. */
#include "api/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/util.h"
#include "model/security_group.h"
#include "model/vpc.h"

/* Formatting */

/* Whether the botocore model the shapes were generated from has 'member' in
 * the output of 'action' (or in the items of its list 'list_member'):
 * SecurityGroupArn is newer than some botocore releases. */
static bool
output_has(const char *action, const char *list_member, const char *member)
{
    const struct api_operation *op = shapes_find_operation(action);
    const struct shape *st = op ? op->output : NULL;
    if (st && list_member) {
        const struct shape_member *sm = shape_find_member(st, list_member);
        st = sm ? sm->shape->member : NULL;
    }
    return st && shape_find_member(st, member);
}

static void
set_arn(struct api_request *req, struct oval *st, const struct security_group *sg)
{
    char *arn = arena_printf(req->arena, "arn:aws:ec2:%s:%s:security-group/%s",
                             sg->r.scope->region, sg->r.scope->account, sg->r.id);
    oval_set_str(st, "SecurityGroupArn", arn);
}

static void
set_prefix6(struct oval *st, const char *member, const struct ip6_prefix *p)
{
    char text[IP6_PREFIX_STRLEN];
    ip6_prefix_format(p, text);
    oval_set_str(st, member, text);
}

/* One IpPermission: protocol, ports (none for -1, section 9.1) and every peer
 * of 'rules' in its list; the four lists are always present, as AWS writes them. */
static void
format_permission(struct oval *st, int protocol, int from_port, int to_port,
                  const struct sg_rule *const *rules, size_t n_rules)
{
    char buf[SG_PROTOCOL_NAME_SIZE];
    oval_set_str(st, "IpProtocol", security_group_protocol_name(protocol, buf));
    if (protocol != SG_PROTO_ALL) {
        oval_set_int(st, "FromPort", from_port);
        oval_set_int(st, "ToPort", to_port);
    }
    struct oval *v4 = oval_set_list(st, "IpRanges");
    struct oval *v6 = oval_set_list(st, "Ipv6Ranges");
    struct oval *pls = oval_set_list(st, "PrefixListIds");
    struct oval *groups = oval_set_list(st, "UserIdGroupPairs");
    for (size_t i = 0; i < n_rules; i++) {
        const struct sg_rule *rule = rules[i];
        struct oval *item = NULL;
        switch (rule->peer) {
        case SG_PEER_CIDR4:
            item = oval_list_add_struct(v4);
            api_set_prefix4(item, "CidrIp", &rule->cidr);
            break;
        case SG_PEER_CIDR6:
            item = oval_list_add_struct(v6);
            set_prefix6(item, "CidrIpv6", &rule->cidr6);
            break;
        case SG_PEER_PREFIX_LIST:
            item = oval_list_add_struct(pls);
            oval_set_str(item, "PrefixListId", rule->prefix_list_id);
            break;
        case SG_PEER_GROUP:
            item = oval_list_add_struct(groups);
            oval_set_str(item, "GroupId", rule->group_id);
            oval_set_str(item, "UserId", rule->group_owner);
            break;
        }
        if (rule->description) {
            oval_set_str(item, "Description", rule->description);
        }
    }
}

static void
format_permissions(struct api_request *req, struct oval *list, const struct security_group *sg,
                   bool egress)
{
    struct sg_permission *perms = arena_alloc(req->arena, (sg->n_rules + 1) * sizeof *perms);
    const struct sg_rule **slots = arena_alloc(req->arena, (sg->n_rules + 1) * sizeof *slots);
    size_t n = security_group_permissions(sg, egress, perms, slots);
    for (size_t i = 0; i < n; i++) {
        format_permission(oval_list_add_struct(list), perms[i].protocol, perms[i].from_port,
                          perms[i].to_port, perms[i].rules, perms[i].n_rules);
    }
}

static void
format_group(struct api_request *req, struct oval *st, const struct security_group *sg,
             bool with_arn)
{
    oval_set_str(st, "GroupId", sg->r.id);
    oval_set_str(st, "GroupName", sg->name);
    oval_set_str(st, "Description", sg->description);
    oval_set_str(st, "VpcId", sg->r.vpc_id);
    oval_set_str(st, "OwnerId", sg->r.scope->account);
    if (with_arn) {
        set_arn(req, st, sg);
    }
    format_permissions(req, oval_set_list(st, "IpPermissions"), sg, false);
    format_permissions(req, oval_set_list(st, "IpPermissionsEgress"), sg, true);
    api_format_tags(st, "Tags", &sg->r);
}

/* A SecurityGroupRule: ports always, -1/-1 where they do not apply. */
static void
format_rule(struct oval *st, const struct security_group *sg, const struct sg_rule *rule)
{
    char buf[SG_PROTOCOL_NAME_SIZE];
    oval_set_str(st, "SecurityGroupRuleId", rule->id);
    oval_set_str(st, "GroupId", sg->r.id);
    oval_set_str(st, "GroupOwnerId", sg->r.scope->account);
    oval_set_bool(st, "IsEgress", rule->egress);
    oval_set_str(st, "IpProtocol", security_group_protocol_name(rule->protocol, buf));
    oval_set_int(st, "FromPort", rule->from_port);
    oval_set_int(st, "ToPort", rule->to_port);
    switch (rule->peer) {
    case SG_PEER_CIDR4:
        api_set_prefix4(st, "CidrIpv4", &rule->cidr);
        break;
    case SG_PEER_CIDR6:
        set_prefix6(st, "CidrIpv6", &rule->cidr6);
        break;
    case SG_PEER_PREFIX_LIST:
        oval_set_str(st, "PrefixListId", rule->prefix_list_id);
        break;
    case SG_PEER_GROUP: {
        struct oval *ref = oval_set_struct(st, "ReferencedGroupInfo");
        oval_set_str(ref, "GroupId", rule->group_id);
        oval_set_str(ref, "UserId", rule->group_owner);
        break;
    }
    }
    if (rule->description) {
        oval_set_str(st, "Description", rule->description);
    }
    struct oval *tags = oval_set_list(st, "Tags");
    for (size_t i = 0; i < rule->n_tags; i++) {
        struct oval *tag = oval_list_add_struct(tags);
        oval_set_str(tag, "Key", rule->tags[i].key);
        oval_set_str(tag, "Value", rule->tags[i].value);
    }
}

/* Decoding rules */

struct spec_list {
    struct sg_rule_spec *items;
    size_t n, cap;
};

static struct sg_rule_spec *
spec_add(struct api_request *req, struct spec_list *l, const struct sg_rule_spec *base)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        struct sg_rule_spec *items = arena_alloc(req->arena, cap * sizeof *items);
        if (l->n) {
            memcpy(items, l->items, l->n * sizeof *items);
        }
        l->items = items;
        l->cap = cap;
    }
    struct sg_rule_spec *s = &l->items[l->n++];
    *s = *base;
    return s;
}

/* One spec per peer of IpPermission 'perm' (IpPermissions.'index'). */
static int
add_permission(struct api_request *req, struct spec_list *l, const struct dval *perm,
               size_t index)
{
    struct sg_rule_spec base = { .protocol = dval_str(perm, "IpProtocol") };
    base.has_from_port = dval_int(perm, "FromPort", &base.from_port);
    base.has_to_port = dval_int(perm, "ToPort", &base.to_port);
    size_t before = l->n;

    const struct dval *list = dval_get(perm, "IpRanges");
    for (size_t i = 0; i < dval_list_len(list); i++) {
        struct sg_rule_spec *s = spec_add(req, l, &base);
        s->peer = SG_PEER_CIDR4;
        s->peer_value = dval_str(dval_list_at(list, i), "CidrIp");
        s->description = dval_str(dval_list_at(list, i), "Description");
    }
    list = dval_get(perm, "Ipv6Ranges");
    for (size_t i = 0; i < dval_list_len(list); i++) {
        struct sg_rule_spec *s = spec_add(req, l, &base);
        s->peer = SG_PEER_CIDR6;
        s->peer_value = dval_str(dval_list_at(list, i), "CidrIpv6");
        s->description = dval_str(dval_list_at(list, i), "Description");
    }
    list = dval_get(perm, "UserIdGroupPairs");
    for (size_t i = 0; i < dval_list_len(list); i++) {
        const struct dval *pair = dval_list_at(list, i);
        struct sg_rule_spec *s = spec_add(req, l, &base);
        s->peer = SG_PEER_GROUP;
        s->peer_value = dval_str(pair, "GroupId");
        s->group_name = dval_str(pair, "GroupName");
        s->user_id = dval_str(pair, "UserId");
        s->description = dval_str(pair, "Description");
    }
    list = dval_get(perm, "PrefixListIds");
    for (size_t i = 0; i < dval_list_len(list); i++) {
        struct sg_rule_spec *s = spec_add(req, l, &base);
        s->peer = SG_PEER_PREFIX_LIST;
        s->peer_value = dval_str(dval_list_at(list, i), "PrefixListId");
        s->description = dval_str(dval_list_at(list, i), "Description");
    }
    if (l->n == before) {
        return err_set(req->err, ERR_MISSING_PARAMETER,
                       "The request must contain one of IpPermissions.%zu.IpRanges, "
                       "Ipv6Ranges, Groups or PrefixListIds", index + 1);
    }
    return 0;
}

static bool
has_legacy(const struct dval *in)
{
    static const char *const members[] = {
        "CidrIp", "IpProtocol", "FromPort", "ToPort", "SourceSecurityGroupName",
        "SourceSecurityGroupOwnerId",
    };
    for (size_t i = 0; i < ARRAY_SIZE(members); i++) {
        if (dval_get(in, members[i])) {
            return true;
        }
    }
    return false;
}

/* The pre-IpPermissions form of AuthorizeSecurityGroupIngress: one CIDR
 * with a protocol and ports, or a source group by name, which grants all of
 * ICMP, TCP and UDP (AWS's documented behaviour for SourceSecurityGroupName). */
static int
add_legacy(struct api_request *req, struct spec_list *l, bool egress)
{
    const struct dval *in = req->in;
    if (!has_legacy(in)) {
        return 0;
    }
    if (egress) {
        return err_set(req->err, ERR_INVALID_PARAMETER_VALUE,
                       "CidrIp, IpProtocol, FromPort, ToPort and SourceSecurityGroup* are not "
                       "supported for egress rules; use IpPermissions.");
    }
    const char *source = dval_str(in, "SourceSecurityGroupName");
    if (source) {
        if (dval_get(in, "CidrIp") || dval_get(in, "IpProtocol") || dval_get(in, "FromPort")
            || dval_get(in, "ToPort")) {
            return err_set(req->err, ERR_INVALID_PARAMETER_COMBINATION,
                           "SourceSecurityGroupName cannot be combined with CidrIp, "
                           "IpProtocol, FromPort or ToPort.");
        }
        static const struct {
            const char *protocol;
            int from, to;
        } all[] = { { "icmp", -1, -1 }, { "tcp", 0, 65535 }, { "udp", 0, 65535 } };
        for (size_t i = 0; i < ARRAY_SIZE(all); i++) {
            struct sg_rule_spec s = {
                .protocol = all[i].protocol,
                .has_from_port = true, .from_port = all[i].from,
                .has_to_port = true, .to_port = all[i].to,
                .peer = SG_PEER_GROUP,
                .group_name = source,
                .user_id = dval_str(in, "SourceSecurityGroupOwnerId"),
            };
            spec_add(req, l, &s);
        }
        return 0;
    }
    const char *cidr = dval_str(in, "CidrIp");
    if (!cidr) {
        return err_set(req->err, ERR_MISSING_PARAMETER,
                       "The request must contain the parameter CidrIp");
    }
    struct sg_rule_spec s = {
        .protocol = dval_str(in, "IpProtocol"),
        .peer = SG_PEER_CIDR4,
        .peer_value = cidr,
    };
    s.has_from_port = dval_int(in, "FromPort", &s.from_port);
    s.has_to_port = dval_int(in, "ToPort", &s.to_port);
    spec_add(req, l, &s);
    return 0;
}

/* Decodes and checks every rule of the request against 'sg'. */
static int
decode_rules(struct api_request *req, const struct security_group *sg, bool egress,
             struct sg_rule **rules_out, size_t *n_out)
{
    struct spec_list l = { NULL, 0, 0 };
    const struct dval *perms = dval_get(req->in, "IpPermissions");
    for (size_t i = 0; i < dval_list_len(perms); i++) {
        if (add_permission(req, &l, dval_list_at(perms, i), i)) {
            return -1;
        }
    }
    if (add_legacy(req, &l, egress)) {
        return -1;
    }
    struct sg_rule *rules = arena_alloc(req->arena, (l.n + 1) * sizeof *rules);
    for (size_t i = 0; i < l.n; i++) {
        if (security_group_rule_from_spec(req->model, sg, egress, &l.items[i], &rules[i],
                                          req->err)) {
            return -1;
        }
    }
    *rules_out = rules;
    *n_out = l.n;
    return 0;
}

/* The group named by GroupId, else (the "[Default VPC]" form) GroupName. */
static struct security_group *
get_group(struct api_request *req)
{
    const char *id = dval_str(req->in, "GroupId");
    const struct shape_member *by_name = shape_find_member(req->in->shape, "GroupName");
    const char *name = by_name ? dval_str(req->in, "GroupName") : NULL;
    if (id && id[0]) {
        return security_group_cast(model_get(req->model, req->scope, RES_SECURITY_GROUP, id,
                                             req->err));
    }
    if (name && name[0]) {
        return security_group_get_by_name(req->model, req->scope, name, req->err);
    }
    err_set(req->err, ERR_MISSING_PARAMETER,
            by_name ? "The request must contain the parameter groupName or groupId"
                    : "The request must contain the parameter groupId");
    return NULL;
}

/* Actions */

static int
create_security_group(struct api_request *req)
{
    const char *name = api_require_str(req, req->in, "GroupName");
    const char *description = name ? api_require_str(req, req->in, "Description") : NULL;
    if (!description) {
        return -1;
    }
    struct vpc *vpc;
    if (dval_str(req->in, "VpcId")) {
        vpc = vpc_cast(api_get(req, req->in, "VpcId", RES_VPC));
        if (!vpc) {
            return -1;
        }
    } else {
        /* Section 9.1: no VpcId means the default VPC. */
        vpc = vpc_find_default(req->model, req->scope);
        if (!vpc) {
            return err_set(req->err, ERR_NO_DEFAULT_VPC, "No default VPC for this user");
        }
    }
    struct security_group *sg;
    if (api_check_tag_specs(req, "security-group")
        || security_group_create(req->model, vpc, name, description, false, &sg, req->err)) {
        return -1;
    }
    api_apply_tag_specs(req, &sg->r, "security-group");
    oval_set_str(req->out, "GroupId", sg->r.id);
    api_format_tags(req->out, "Tags", &sg->r);
    if (output_has(req->action, NULL, "SecurityGroupArn")) {
        set_arn(req, req->out, sg);
    }
    return 0;
}

static int
delete_security_group(struct api_request *req)
{
    struct security_group *sg = get_group(req);
    return sg ? security_group_delete(req->model, sg, req->err) : -1;
}

/* The request with GroupNames resolved (default VPC) and added to GroupIds,
 * so the generic Describe sees one id list. */
static const struct dval *
merge_group_names(struct api_request *req)
{
    const struct dval *names = dval_get(req->in, "GroupNames");
    if (!dval_list_len(names)) {
        return req->in;
    }
    const struct dval *ids = dval_get(req->in, "GroupIds");
    size_t n_ids = dval_list_len(ids), n_names = dval_list_len(names);
    const struct shape *shape = req->in->shape;
    size_t at = shape_member_index(shape, "GroupIds");
    const struct shape *list_shape = shape->members[at].shape;

    struct dval *list = arena_zalloc(req->arena, sizeof *list);
    list->shape = list_shape;
    list->u.list.items = arena_alloc(req->arena, (n_ids + n_names) * sizeof *list->u.list.items);
    for (size_t i = 0; i < n_ids; i++) {
        list->u.list.items[list->u.list.n++] = ids->u.list.items[i];
    }
    for (size_t i = 0; i < n_names; i++) {
        const char *name = dval_list_at(names, i)->u.str;
        const struct security_group *sg = security_group_get_by_name(req->model, req->scope,
                                                                     name, req->err);
        if (!sg) {
            return NULL;
        }
        bool seen = false;
        for (size_t j = 0; j < list->u.list.n && !seen; j++) {
            seen = !strcmp(list->u.list.items[j]->u.str, sg->r.id);
        }
        if (!seen) {
            struct dval *item = arena_zalloc(req->arena, sizeof *item);
            item->shape = list_shape->member;
            item->u.str = sg->r.id;
            list->u.list.items[list->u.list.n++] = item;
        }
    }
    struct dval *in = arena_alloc(req->arena, sizeof *in);
    *in = *req->in;
    in->u.members = arena_alloc(req->arena, shape->n_members * sizeof *in->u.members);
    memcpy(in->u.members, req->in->u.members, shape->n_members * sizeof *in->u.members);
    in->u.members[at] = list;
    return in;
}

static int
describe_security_groups(struct api_request *req)
{
    struct resource **items;
    size_t n;
    const char *next;
    const struct dval *orig = req->in;
    const struct dval *in = merge_group_names(req);
    if (!in) {
        return -1;
    }
    req->in = in;
    int rc = api_describe(req, RES_SECURITY_GROUP, "GroupIds", security_group_filters,
                          security_group_n_filters, &items, &n, &next);
    req->in = orig;
    if (rc || model_dry_run(req->model, req->err)) {
        return -1;
    }
    bool with_arn = output_has(req->action, "SecurityGroups", "SecurityGroupArn");
    struct oval *list = oval_set_list(req->out, "SecurityGroups");
    for (size_t i = 0; i < n; i++) {
        format_group(req, oval_list_add_struct(list), security_group_cast(items[i]), with_arn);
    }
    if (next) {
        oval_set_str(req->out, "NextToken", next);
    }
    return 0;
}

/* TagSpecifications of ResourceType security-group-rule, as tags for the
 * new rules (checked by api_check_tag_specs() first). */
static struct tag *
rule_tags(struct api_request *req, size_t *n_out)
{
    const struct dval *specs = dval_get(req->in, "TagSpecifications");
    size_t n = 0;
    for (size_t i = 0; i < dval_list_len(specs); i++) {
        n += dval_list_len(dval_get(dval_list_at(specs, i), "Tags"));
    }
    struct tag *tags = arena_alloc(req->arena, (n + 1) * sizeof *tags);
    *n_out = 0;
    for (size_t i = 0; i < dval_list_len(specs); i++) {
        const struct dval *list = dval_get(dval_list_at(specs, i), "Tags");
        for (size_t j = 0; j < dval_list_len(list); j++) {
            const char *key = dval_str(dval_list_at(list, j), "Key");
            const char *value = dval_str(dval_list_at(list, j), "Value");
            if (!key) {
                continue;
            }
            /* A later value for the same key wins, as CreateTags does. */
            size_t k;
            for (k = 0; k < *n_out && strcmp(tags[k].key, key); k++) {
            }
            tags[k].key = (char *) key;
            tags[k].value = (char *) (value ? value : "");
            *n_out += k == *n_out;
        }
    }
    return tags;
}

static int
authorize(struct api_request *req, bool egress)
{
    struct security_group *sg = get_group(req);
    struct sg_rule *rules;
    size_t n_rules, n_tags;
    if (!sg || api_check_tag_specs(req, "security-group-rule")
        || decode_rules(req, sg, egress, &rules, &n_rules)) {
        return -1;
    }
    if (!n_rules) {
        return err_set(req->err, ERR_MISSING_PARAMETER,
                       "The request must contain the parameter IpPermissions");
    }
    struct tag *tags = rule_tags(req, &n_tags);
    if (security_group_authorize(req->model, sg, rules, n_rules, tags, n_tags, req->err)) {
        return -1;
    }
    oval_set_bool(req->out, "Return", true);
    struct oval *list = oval_set_list(req->out, "SecurityGroupRules");
    for (size_t i = sg->n_rules - n_rules; i < sg->n_rules; i++) {
        format_rule(oval_list_add_struct(list), sg, &sg->rules[i]);
    }
    return 0;
}

static int
authorize_ingress(struct api_request *req)
{
    return authorize(req, false);
}

static int
authorize_egress(struct api_request *req)
{
    return authorize(req, true);
}

static int
revoke(struct api_request *req, bool egress)
{
    struct security_group *sg = get_group(req);
    struct sg_rule *rules;
    size_t n_rules;
    if (!sg || decode_rules(req, sg, egress, &rules, &n_rules)) {
        return -1;
    }
    const struct dval *ids = dval_get(req->in, "SecurityGroupRuleIds");
    size_t n_ids = dval_list_len(ids);
    const char **rule_ids = arena_alloc(req->arena, (n_ids + 1) * sizeof *rule_ids);
    for (size_t i = 0; i < n_ids; i++) {
        rule_ids[i] = dval_list_at(ids, i)->u.str;
    }
    if (!n_rules && !n_ids) {
        return err_set(req->err, ERR_MISSING_PARAMETER,
                       "The request must contain the parameter IpPermissions or "
                       "SecurityGroupRuleIds");
    }
    bool *unknown = arena_zalloc(req->arena, (n_rules + 1) * sizeof *unknown);
    if (security_group_revoke(req->model, sg, egress, rules, n_rules, rule_ids, n_ids, unknown,
                              req->err)) {
        return -1;
    }
    oval_set_bool(req->out, "Return", true);
    struct oval *list = NULL;
    for (size_t i = 0; i < n_rules; i++) {
        if (unknown[i]) {
            const struct sg_rule *rule = &rules[i];
            list = list ? list : oval_set_list(req->out, "UnknownIpPermissions");
            format_permission(oval_list_add_struct(list), rule->protocol, rule->from_port,
                              rule->to_port, &rule, 1);
        }
    }
    return 0;
}

static int
revoke_ingress(struct api_request *req)
{
    return revoke(req, false);
}

static int
revoke_egress(struct api_request *req)
{
    return revoke(req, true);
}

/* DescribeSecurityGroupRules: candidates are (group, rule index) pairs in
 * group creation order then rule order; the page token is "SEQ.INDEX" of the
 * first pair not yet returned. */
struct rule_ref {
    const struct security_group *sg;
    size_t index;
};

struct rule_refs {
    struct rule_ref *items;
    size_t n, cap;
};

static void
ref_add(struct api_request *req, struct rule_refs *refs, const struct security_group *sg,
        size_t index)
{
    if (refs->n == refs->cap) {
        size_t cap = refs->cap ? refs->cap * 2 : 64;
        struct rule_ref *items = arena_alloc(req->arena, cap * sizeof *items);
        if (refs->n) {
            memcpy(items, refs->items, refs->n * sizeof *items);
        }
        refs->items = items;
        refs->cap = cap;
    }
    refs->items[refs->n++] = (struct rule_ref) { sg, index };
}

static int
ref_cmp(uint64_t seq_a, size_t index_a, uint64_t seq_b, size_t index_b)
{
    if (seq_a != seq_b) {
        return seq_a < seq_b ? -1 : 1;
    }
    return index_a < index_b ? -1 : index_a > index_b;
}

static int
by_position(const void *a_, const void *b_)
{
    const struct rule_ref *a = a_, *b = b_;
    return ref_cmp(a->sg->r.seq, a->index, b->sg->r.seq, b->index);
}

static int
decode_rule_filters(struct api_request *req, struct filter **out, size_t *n_out,
                    const struct filter **group_filter)
{
    struct api_filter_spec *specs;
    size_t n;

    *group_filter = NULL;
    if (api_decode_filter_specs(req, &specs, &n)) {
        return -1;
    }
    struct filter *filters = arena_zalloc(req->arena, (n + 1) * sizeof *filters);
    for (size_t i = 0; i < n; i++) {
        if (filter_init(&filters[i], security_group_rule_filters,
                        security_group_rule_n_filters, specs[i].name, specs[i].patterns,
                        specs[i].n_patterns, req->err)) {
            return -1;
        }
        if (!strcmp(specs[i].name, "group-id") && !specs[i].has_wildcard && !*group_filter) {
            *group_filter = &filters[i];
        }
    }
    *out = filters;
    *n_out = n;
    return 0;
}

static void
collect_group_rules(struct api_request *req, struct rule_refs *refs,
                    const struct security_group *sg)
{
    for (size_t i = 0; i < sg->n_rules; i++) {
        ref_add(req, refs, sg, i);
    }
}

static int
describe_security_group_rules(struct api_request *req)
{
    struct filter *filters;
    size_t n_filters;
    const struct filter *group_filter;
    struct rule_refs refs = { NULL, 0, 0 };

    if (decode_rule_filters(req, &filters, &n_filters, &group_filter)) {
        return -1;
    }
    const struct dval *ids = dval_get(req->in, "SecurityGroupRuleIds");
    if (dval_list_len(ids)) {
        for (size_t i = 0; i < dval_list_len(ids); i++) {
            size_t index;
            const struct security_group *sg = security_group_get_rule(
                req->model, req->scope, dval_list_at(ids, i)->u.str, &index, req->err);
            if (!sg) {
                return -1;
            }
            ref_add(req, &refs, sg, index);
        }
    } else if (group_filter) {
        /* Only the named groups: no scan of the account's rules. */
        for (size_t i = 0; i < group_filter->n_patterns; i++) {
            struct resource *r = model_find_in(req->model, req->scope, RES_SECURITY_GROUP,
                                               group_filter->patterns[i]);
            if (r) {
                collect_group_rules(req, &refs, security_group_cast(r));
            }
        }
    } else {
        struct resource *r;
        LIST_FOR_EACH (r, scope_node, &req->scope->resources[RES_SECURITY_GROUP]) {
            collect_group_rules(req, &refs, security_group_cast(r));
        }
    }
    if (refs.n) {
        qsort(refs.items, refs.n, sizeof *refs.items, by_position);
    }

    /* Filter in place, dropping repeats of one rule. */
    size_t kept = 0;
    for (size_t i = 0; i < refs.n; i++) {
        struct sg_rule_view view;
        const struct rule_ref *ref = &refs.items[i];
        if (kept && !by_position(&refs.items[kept - 1], ref)) {
            continue;
        }
        security_group_rule_view_init(&view, ref->sg, &ref->sg->rules[ref->index]);
        if (filter_match_all(req->model, filters, n_filters, &view.r, req->arena)) {
            refs.items[kept++] = *ref;
        }
    }
    refs.n = kept;

    size_t start = 0;
    const char *token = dval_str(req->in, "NextToken");
    if (token && token[0]) {
        unsigned long long seq, index;
        int used = 0;
        if (token[0] < '0' || token[0] > '9'
            || sscanf(token, "%llu.%llu%n", &seq, &index, &used) != 2 || token[used]) {
            return err_set(req->err, ERR_INVALID_NEXT_TOKEN, "The token '%s' is invalid.",
                           token);
        }
        while (start < refs.n && ref_cmp(refs.items[start].sg->r.seq, refs.items[start].index,
                                         seq, index) < 0) {
            start++;
        }
    }
    int64_t max_results;
    if (dval_int(req->in, "MaxResults", &max_results)) {
        if (max_results < 5 || max_results > 1000) {
            return err_set(req->err, ERR_INVALID_PARAMETER_VALUE,
                           "Value ( %" PRId64 " ) for parameter maxResults is invalid. "
                           "Parameter must be between 5 and 1000.", max_results);
        }
        if ((int64_t) (refs.n - start) > max_results) {
            const struct rule_ref *first = &refs.items[start + (size_t) max_results];
            oval_set_str(req->out, "NextToken",
                         arena_printf(req->arena, "%" PRIu64 ".%zu", first->sg->r.seq,
                                      first->index));
            refs.n = start + (size_t) max_results;
        }
    }
    if (model_dry_run(req->model, req->err)) {
        return -1;
    }
    struct oval *list = oval_set_list(req->out, "SecurityGroupRules");
    for (size_t i = start; i < refs.n; i++) {
        const struct rule_ref *ref = &refs.items[i];
        format_rule(oval_list_add_struct(list), ref->sg, &ref->sg->rules[ref->index]);
    }
    return 0;
}

const struct api_action api_actions_security_group[] = {
    { "CreateSecurityGroup", create_security_group },
    { "DeleteSecurityGroup", delete_security_group },
    { "DescribeSecurityGroups", describe_security_groups },
    { "AuthorizeSecurityGroupIngress", authorize_ingress },
    { "AuthorizeSecurityGroupEgress", authorize_egress },
    { "RevokeSecurityGroupIngress", revoke_ingress },
    { "RevokeSecurityGroupEgress", revoke_egress },
    { "DescribeSecurityGroupRules", describe_security_group_rules },
    { NULL, NULL },
};
