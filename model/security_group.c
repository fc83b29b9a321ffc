/* security_group.h: security groups and their rules (vpc-semantics.md
 * section 9). */
#include "model/security_group.h"

#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "model/schema.h"
#include "model/vpc.h"

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
};

static const struct field security_group_fields[] = {
    F_PSTR(struct security_group, name),
    F_PSTR(struct security_group, description),
    F_ARRAY(struct security_group, rules, n_rules, struct sg_rule, rule_fields),
};

const struct schema security_group_schema = SCHEMA(struct security_group,
                                                   security_group_fields);

static struct sg_rule *
append_rule(struct model *m, struct security_group *sg, bool egress)
{
    sg->rules = xrealloc(sg->rules, (sg->n_rules + 1) * sizeof *sg->rules);
    struct sg_rule *rule = &sg->rules[sg->n_rules++];
    memset(rule, 0, sizeof *rule);
    model_new_id(m, "sgr", rule->id);
    rule->egress = egress;
    rule->protocol = -1;
    rule->from_port = rule->to_port = -1;
    return rule;
}

int
security_group_create(struct model *m, struct vpc *vpc, const char *name,
                      const char *description, bool is_default, struct security_group **out,
                      struct error *err)
{
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

int
security_group_delete(struct model *m, struct security_group *sg, struct error *err)
{
    if (!strcmp(sg->name, "default")) {
        return err_set(err, ERR_CANNOT_DELETE, "the specified group: \"%s\" name: \"default\" "
                       "cannot be deleted by a user", sg->r.id);
    }
    if (model_dry_run(m, err)) {
        return -1;
    }
    model_remove(m, &sg->r);
    return 0;
}
