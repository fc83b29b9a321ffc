/* network_acl.h: network ACLs and their entries (vpc-semantics.md section 8). */
#include "model/network_acl.h"

#include <stdlib.h>
#include <string.h>

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
        /* Section 8: the default ACL allows all in and out with rule 100. */
        acl->entries = xzalloc(2 * sizeof *acl->entries);
        for (int egress = 0; egress < 2; egress++) {
            struct network_acl_entry *e = &acl->entries[acl->n_entries++];
            e->rule_number = 100;
            e->egress = egress;
            e->protocol = -1;
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

void
network_acl_forget_subnet(struct model *m, struct vpc *vpc, const char *subnet_id)
{
    struct resource *r;
    LIST_FOR_EACH (r, vpc_node, &vpc->children[RES_NETWORK_ACL]) {
        struct network_acl *acl = network_acl_cast(r);
        for (size_t i = 0; i < acl->n_assocs; i++) {
            if (!strcmp(acl->assocs[i].subnet_id, subnet_id)) {
                memmove(&acl->assocs[i], &acl->assocs[i + 1],
                        (acl->n_assocs - i - 1) * sizeof acl->assocs[0]);
                acl->n_assocs--;
                model_touch(m, r);
                return;
            }
        }
    }
}
