/* Unit tests for model/network_acl.c: entry rules, ordering, limits,
 * associations, filters, and the evaluation (a table of cases and an oracle
 * against a naive sorted list on random rules and packets). */
#include "testlib.h"

#include <inttypes.h>
#include <time.h>

#include "lib/arena.h"
#include "lib/util.h"
#include "model/filter.h"
#include "model/network_acl.h"
#include "model/subnet.h"
#include "model/vpc.h"

struct fixture {
    struct model *m;
    struct scope *scope;
    struct vpc *vpc;
    struct network_acl *dflt;
};

static void
fixture_init(struct fixture *f)
{
    struct error err = { 0 };
    struct ip4_prefix cidr;
    f->m = model_create(&(struct model_config) { .public_pool = { 0xc6120000, 15 } });
    f->scope = model_scope(f->m, "000000000000", "us-east-1");
    ASSERT(ip4_prefix_parse("10.0.0.0/16", &cidr, NULL));
    ASSERT(!vpc_create(f->m, f->scope, &cidr, NULL, &f->vpc, &err));
    f->dflt = vpc_default_network_acl(f->vpc);
    ASSERT(f->dflt);
}

static void
fixture_uninit(struct fixture *f)
{
    model_destroy(f->m);
}

static struct network_acl *
custom_acl(struct fixture *f)
{
    struct error err = { 0 };
    struct network_acl *acl;
    ASSERT(!network_acl_create(f->m, f->vpc, false, &acl, &err));
    return acl;
}

/* A spec for 'rule' in one direction; TCP gets ports 'from'..'to'. */
static struct network_acl_entry_spec
spec_of(int rule, bool egress, const char *protocol, const char *action, const char *cidr)
{
    return (struct network_acl_entry_spec) {
        .rule_number = rule, .egress = egress, .protocol = protocol, .rule_action = action,
        .cidr = cidr,
    };
}

static struct network_acl_entry_spec
with_ports(struct network_acl_entry_spec s, int64_t from, int64_t to)
{
    s.has_port_range = s.has_port_from = s.has_port_to = true;
    s.port_from = from;
    s.port_to = to;
    return s;
}

static struct network_acl_entry_spec
with_icmp(struct network_acl_entry_spec s, int64_t type, int64_t code)
{
    s.has_icmp = s.has_icmp_type = s.has_icmp_code = true;
    s.icmp_type = type;
    s.icmp_code = code;
    return s;
}

static size_t
n_changes(struct model *m)
{
    size_t n;
    char **changes = model_take_changes(m, &n);
    for (size_t i = 0; i < n; i++) {
        free(changes[i]);
    }
    free(changes);
    return n;
}

TEST(default_acl_shows_aws_entries, "the default ACL lists 100 allow and * deny, egress first")
{
    struct fixture f;
    fixture_init(&f);
    const struct network_acl_entry *shown[2 + NACL_IMPLICIT_ENTRIES_MAX];
    size_t n = network_acl_shown_entries(f.dflt, shown);
    REQUIRE(n == 4);
    static const struct {
        bool egress;
        int rule;
        bool allow;
    } want[] = { { true, 100, true }, { true, 32767, false }, { false, 100, true },
                 { false, 32767, false } };
    for (size_t i = 0; i < n; i++) {
        CHECK(shown[i]->egress == want[i].egress);
        CHECK_INT(shown[i]->rule_number, want[i].rule);
        CHECK(shown[i]->allow == want[i].allow);
        CHECK_INT(shown[i]->protocol, -1);
        CHECK(!shown[i]->ipv6 && shown[i]->cidr.len == 0 && shown[i]->cidr.addr == 0);
        CHECK(!shown[i]->has_port_range && !shown[i]->has_icmp);
    }
    CHECK(f.dflt->is_default);
    fixture_uninit(&f);
}

TEST(custom_acl_denies_everything, "a new custom ACL has no entries and denies with rule *")
{
    struct fixture f;
    fixture_init(&f);
    struct network_acl *acl = custom_acl(&f);
    CHECK_INT(acl->n_entries, 0);
    const struct network_acl_entry *shown[NACL_IMPLICIT_ENTRIES_MAX];
    CHECK_INT(network_acl_shown_entries(acl, shown), 2);
    const struct network_acl_entry *matched = NULL;
    CHECK(!network_acl_evaluate(acl, false, 0x0a000005, 6, 22, 0, &matched));
    REQUIRE(matched);
    CHECK_INT(matched->rule_number, NACL_DEFAULT_RULE_V4);
    CHECK(!matched->egress);
    CHECK(!network_acl_evaluate(acl, true, 0x08080808, 17, 53, 0, &matched));
    CHECK(matched->egress);
    CHECK(network_acl_evaluate(f.dflt, true, 0x08080808, 17, 53, 0, &matched));
    CHECK_INT(matched->rule_number, 100);
    fixture_uninit(&f);
}

TEST(protocol_names_and_numbers, "protocols are -1..255 or tcp/udp/icmp/icmpv6/all")
{
    static const struct {
        const char *text;
        bool ok;
        int protocol;
    } cases[] = {
        { "-1", true, -1 },   { "all", true, -1 }, { "6", true, 6 },      { "tcp", true, 6 },
        { "TCP", true, 6 },   { "udp", true, 17 }, { "17", true, 17 },    { "icmp", true, 1 },
        { "1", true, 1 },     { "0", true, 0 },    { "255", true, 255 },  { "icmpv6", true, 58 },
        { "47", true, 47 },   { "256", false, 0 }, { "-2", false, 0 },    { "", false, 0 },
        { "6x", false, 0 },   { " 6", false, 0 },  { "1000", false, 0 },  { "gre", false, 0 },
        { "+6", false, 0 },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        int p = 12345;
        bool ok = network_acl_parse_protocol(cases[i].text, &p);
        if (ok != cases[i].ok || (ok && p != cases[i].protocol)) {
            fprintf(stderr, "    protocol '%s': ok=%d p=%d\n", cases[i].text, ok, p);
            test_failures++;
        }
    }
    CHECK(!network_acl_parse_protocol(NULL, &(int) { 0 }));
}

TEST(entry_validation, "each malformed entry is refused with AWS's code")
{
    const char *any = "0.0.0.0/0";
    static const char *v6 = "2001:db8::/32";
    struct network_acl_entry_spec both = spec_of(10, false, "-1", "allow", any);
    both.ipv6_cidr = v6;
    struct network_acl_entry_spec v6_icmp = spec_of(10, false, "58", "allow", NULL);
    v6_icmp.ipv6_cidr = v6;
    struct network_acl_entry_spec half_ports = spec_of(10, false, "6", "allow", any);
    half_ports.has_port_range = half_ports.has_port_from = true;
    struct network_acl_entry_spec half_icmp = spec_of(10, false, "1", "allow", any);
    half_icmp.has_icmp = half_icmp.has_icmp_code = true;
    const struct {
        struct network_acl_entry_spec spec;
        enum err_code code;
    } cases[] = {
        { spec_of(0, false, "-1", "allow", any), ERR_INVALID_PARAMETER_VALUE },
        { spec_of(32767, false, "-1", "allow", any), ERR_INVALID_PARAMETER_VALUE },
        { spec_of(-5, false, "-1", "allow", any), ERR_INVALID_PARAMETER_VALUE },
        { spec_of(70000, false, "-1", "allow", any), ERR_INVALID_PARAMETER_VALUE },
        { spec_of(1, false, "-1", "allow", any), ERR_NONE },
        { spec_of(32766, false, "-1", "allow", any), ERR_NONE },
        { spec_of(10, false, "300", "allow", any), ERR_INVALID_PARAMETER_VALUE },
        { spec_of(10, false, "-1", "permit", any), ERR_INVALID_PARAMETER_VALUE },
        { spec_of(10, false, "-1", NULL, any), ERR_INVALID_PARAMETER_VALUE },
        { spec_of(10, false, "-1", "allow", NULL), ERR_MISSING_PARAMETER },
        { both, ERR_INVALID_PARAMETER_COMBINATION },
        { spec_of(10, false, "-1", "allow", "10.0.0.0/33"), ERR_INVALID_PARAMETER_VALUE },
        { spec_of(10, false, "-1", "allow", "banana"), ERR_INVALID_PARAMETER_VALUE },
        { spec_of(10, false, "6", "allow", any), ERR_MISSING_PARAMETER },
        { spec_of(10, false, "17", "allow", any), ERR_MISSING_PARAMETER },
        { half_ports, ERR_MISSING_PARAMETER },
        { with_ports(spec_of(10, false, "6", "allow", any), 80, 79), ERR_INVALID_PARAMETER_VALUE },
        { with_ports(spec_of(10, false, "6", "allow", any), -1, 80), ERR_INVALID_PARAMETER_VALUE },
        { with_ports(spec_of(10, false, "6", "allow", any), 0, 65536),
          ERR_INVALID_PARAMETER_VALUE },
        { with_ports(spec_of(10, false, "udp", "deny", any), 0, 65535), ERR_NONE },
        { spec_of(10, false, "1", "allow", any), ERR_MISSING_PARAMETER },
        { half_icmp, ERR_MISSING_PARAMETER },
        { with_icmp(spec_of(10, false, "1", "allow", any), -2, 0), ERR_INVALID_PARAMETER_VALUE },
        { with_icmp(spec_of(10, false, "1", "allow", any), 3, 256), ERR_INVALID_PARAMETER_VALUE },
        { with_icmp(spec_of(10, false, "icmp", "allow", any), -1, -1), ERR_NONE },
        /* ICMPv6 needs type and code only with an IPv6 CIDR. */
        { spec_of(10, false, "58", "allow", any), ERR_NONE },
        { v6_icmp, ERR_MISSING_PARAMETER },
        { with_icmp(v6_icmp, 128, 0), ERR_NONE },
        /* Other protocols need neither ports nor ICMP. */
        { spec_of(10, false, "47", "allow", any), ERR_NONE },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct error err = { 0 };
        struct network_acl_entry e;
        int rc = network_acl_entry_parse(&cases[i].spec, &e, &err);
        if ((rc == 0) != (cases[i].code == ERR_NONE) || err.code != cases[i].code) {
            fprintf(stderr, "    case %zu: rc=%d code=%s (%s), expected %s\n", i, rc,
                    err_code_name(err.code), err.message, err_code_name(cases[i].code));
            test_failures++;
        }
    }
}

TEST(entry_canonical_and_trimmed, "CIDRs are canonical; ports and ICMP kept only where used")
{
    struct error err = { 0 };
    struct network_acl_entry e;
    struct network_acl_entry_spec s = with_ports(spec_of(5, true, "tcp", "deny", "10.1.2.3/16"),
                                                 80, 443);
    REQUIRE(!network_acl_entry_parse(&s, &e, &err));
    CHECK_INT(e.protocol, 6);
    CHECK(e.egress && !e.allow && !e.ipv6);
    CHECK_INT(e.cidr.addr, 0x0a010000);
    CHECK_INT(e.cidr.len, 16);
    CHECK(e.has_port_range && e.port_from == 80 && e.port_to == 443 && !e.has_icmp);

    /* -1 and other protocols drop the ports and ICMP they were sent. */
    s = with_icmp(with_ports(spec_of(5, false, "-1", "allow", "0.0.0.0/0"), 1, 2), 3, 4);
    REQUIRE(!network_acl_entry_parse(&s, &e, &err));
    CHECK(!e.has_port_range && !e.has_icmp);
    s = with_ports(spec_of(5, false, "1", "allow", "0.0.0.0/0"), 1, 2);
    s = with_icmp(s, 8, -1);
    REQUIRE(!network_acl_entry_parse(&s, &e, &err));
    CHECK(!e.has_port_range && e.has_icmp && e.icmp_type == 8 && e.icmp_code == -1);
    s = spec_of(5, false, "all", "allow", NULL);
    s.ipv6_cidr = "2001:DB8::1/32";
    REQUIRE(!network_acl_entry_parse(&s, &e, &err));
    char text[IP6_PREFIX_STRLEN];
    ip6_prefix_format(&e.cidr6, text);
    CHECK(e.ipv6);
    CHECK_STR(text, "2001:db8::/32");
}

TEST(entries_stay_sorted_and_unique, "entries sort by direction then number; duplicates refused")
{
    struct fixture f;
    fixture_init(&f);
    struct network_acl *acl = custom_acl(&f);
    struct error err = { 0 };
    static const int rules[] = { 300, 100, 200, 50, 32766, 1, 150 };
    for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
        for (int egress = 1; egress >= 0; egress--) {
            struct network_acl_entry_spec s = spec_of(rules[i], egress, "-1", "allow",
                                                      "10.0.0.0/8");
            REQUIRE(!network_acl_add_entry(f.m, acl, &s, &err));
        }
    }
    REQUIRE(acl->n_entries == 2 * ARRAY_SIZE(rules));
    for (size_t i = 1; i < acl->n_entries; i++) {
        const struct network_acl_entry *a = &acl->entries[i - 1], *b = &acl->entries[i];
        CHECK(a->egress < b->egress || (a->egress == b->egress && a->rule_number < b->rule_number));
    }
    n_changes(f.m);
    struct network_acl_entry_spec dup = spec_of(100, false, "6", "deny", "1.2.3.4/32");
    dup = with_ports(dup, 1, 2);
    CHECK(network_acl_add_entry(f.m, acl, &dup, &err) == -1);
    CHECK_INT(err.code, ERR_NETWORK_ACL_ENTRY_ALREADY_EXISTS);
    CHECK_STR(err.message, "The network acl entry identified by 100 already exists.");
    CHECK_INT(n_changes(f.m), 0);
    CHECK(network_acl_find_entry(acl, false, 100)->protocol == -1);
    fixture_uninit(&f);
}

TEST(replace_and_delete_entries, "replace and delete need the entry; refusals change nothing")
{
    struct fixture f;
    fixture_init(&f);
    struct error err = { 0 };
    struct network_acl *acl = f.dflt;
    n_changes(f.m);
    struct network_acl_entry_spec s = with_ports(spec_of(100, false, "6", "deny", "0.0.0.0/0"),
                                                 22, 22);
    REQUIRE(!network_acl_replace_entry(f.m, acl, &s, &err));
    const struct network_acl_entry *e = network_acl_find_entry(acl, false, 100);
    REQUIRE(e);
    CHECK(e->protocol == 6 && !e->allow && e->port_from == 22);
    CHECK(network_acl_find_entry(acl, true, 100)->allow);
    CHECK_INT(n_changes(f.m), 1);

    err_clear(&err);
    s.rule_number = 101;
    CHECK(network_acl_replace_entry(f.m, acl, &s, &err) == -1);
    CHECK_INT(err.code, ERR_NETWORK_ACL_ENTRY_NOT_FOUND);
    err_clear(&err);
    CHECK(network_acl_delete_entry(f.m, acl, true, 101, &err) == -1);
    CHECK_INT(err.code, ERR_NETWORK_ACL_ENTRY_NOT_FOUND);
    err_clear(&err);
    CHECK(network_acl_delete_entry(f.m, acl, true, 32767, &err) == -1);
    CHECK_INT(err.code, ERR_INVALID_PARAMETER_VALUE);
    CHECK_INT(n_changes(f.m), 0);

    f.m->dry_run = true;
    err_clear(&err);
    CHECK(network_acl_delete_entry(f.m, acl, true, 100, &err) == -1);
    CHECK_INT(err.code, ERR_DRY_RUN_OPERATION);
    CHECK(network_acl_find_entry(acl, true, 100));
    f.m->dry_run = false;
    CHECK_INT(n_changes(f.m), 0);

    REQUIRE(!network_acl_delete_entry(f.m, acl, true, 100, &err));
    CHECK(!network_acl_find_entry(acl, true, 100));
    CHECK_INT(acl->n_entries, 1);
    /* With no egress rule left, everything out meets the '*' deny. */
    CHECK(!network_acl_evaluate(acl, true, 0x01020304, 6, 80, 0, NULL));
    fixture_uninit(&f);
}

TEST(entry_limit_per_direction_and_family, "39 user rules per direction and family, then refused")
{
    struct fixture f;
    fixture_init(&f);
    struct network_acl *acl = custom_acl(&f);
    struct error err = { 0 };
    for (int i = 1; i < NACL_RULES_PER_DIRECTION_LIMIT; i++) {
        struct network_acl_entry_spec s = spec_of(i, false, "-1", "allow", "10.0.0.0/8");
        REQUIRE(!network_acl_add_entry(f.m, acl, &s, &err));
    }
    struct network_acl_entry_spec s = spec_of(1000, false, "-1", "allow", "10.0.0.0/8");
    CHECK(network_acl_add_entry(f.m, acl, &s, &err) == -1);
    CHECK_INT(err.code, ERR_NETWORK_ACL_ENTRY_LIMIT_EXCEEDED);
    /* The other direction and the other family have their own quota. */
    s.egress = true;
    CHECK(!network_acl_add_entry(f.m, acl, &s, &err));
    s.egress = false;
    s.cidr = NULL;
    s.ipv6_cidr = "::/0";
    CHECK(!network_acl_add_entry(f.m, acl, &s, &err));
    /* Replacing an IPv6 rule by an IPv4 one would need a place there. */
    s.cidr = "1.0.0.0/8";
    s.ipv6_cidr = NULL;
    err_clear(&err);
    CHECK(network_acl_replace_entry(f.m, acl, &s, &err) == -1);
    CHECK_INT(err.code, ERR_NETWORK_ACL_ENTRY_LIMIT_EXCEEDED);
    /* In-family replacements are fine at the limit. */
    s.rule_number = 5;
    CHECK(!network_acl_replace_entry(f.m, acl, &s, &err));
    fixture_uninit(&f);
}

TEST(delete_acl_rules, "default ACL never deletable; an associated ACL only after moving")
{
    struct fixture f;
    fixture_init(&f);
    struct error err = { 0 };
    CHECK(network_acl_delete(f.m, f.dflt, &err) == -1);
    CHECK_INT(err.code, ERR_INVALID_PARAMETER_VALUE);

    struct ip4_prefix cidr = { 0x0a000100, 24 };
    struct subnet *subnet;
    REQUIRE(!subnet_create(f.m, f.vpc, &cidr, NULL, &subnet, &err));
    REQUIRE(f.dflt->n_assocs == 1);
    CHECK(subnet_network_acl(f.m, subnet) == f.dflt);
    char old_id[ID_SIZE];
    str_copy(old_id, sizeof old_id, f.dflt->assocs[0].id);

    struct network_acl *acl = custom_acl(&f);
    char new_id[ID_SIZE];
    REQUIRE(!network_acl_replace_association(f.m, f.scope, old_id, acl, new_id, &err));
    CHECK(strncmp(new_id, "aclassoc-", 9) == 0 && strcmp(new_id, old_id));
    CHECK_INT(f.dflt->n_assocs, 0);
    REQUIRE(acl->n_assocs == 1);
    CHECK_STR(acl->assocs[0].subnet_id, subnet->r.id);
    CHECK(subnet_network_acl(f.m, subnet) == acl);

    /* The old id is gone. */
    err_clear(&err);
    CHECK(network_acl_replace_association(f.m, f.scope, old_id, f.dflt, new_id, &err) == -1);
    CHECK_INT(err.code, ERR_ASSOCIATION_NOT_FOUND);

    err_clear(&err);
    CHECK(network_acl_delete(f.m, acl, &err) == -1);
    CHECK_INT(err.code, ERR_DEPENDENCY_VIOLATION);

    /* An ACL of another VPC is refused and nothing moves. */
    struct vpc *other;
    struct ip4_prefix other_cidr = { 0x0a010000, 16 };
    REQUIRE(!vpc_create(f.m, f.scope, &other_cidr, NULL, &other, &err));
    str_copy(old_id, sizeof old_id, acl->assocs[0].id);
    n_changes(f.m);
    err_clear(&err);
    CHECK(network_acl_replace_association(f.m, f.scope, old_id, vpc_default_network_acl(other),
                                          new_id, &err) == -1);
    CHECK_INT(err.code, ERR_INVALID_PARAMETER_VALUE);
    CHECK_INT(n_changes(f.m), 0);
    CHECK(subnet_network_acl(f.m, subnet) == acl);

    /* Same ACL again: a new id all the same. */
    REQUIRE(!network_acl_replace_association(f.m, f.scope, old_id, acl, new_id, &err));
    CHECK(strcmp(new_id, old_id) && acl->n_assocs == 1);

    /* Deleting the subnet frees the ACL. */
    REQUIRE(!subnet_delete(f.m, subnet, &err));
    CHECK_INT(acl->n_assocs, 0);
    REQUIRE(!network_acl_delete(f.m, acl, &err));
    fixture_uninit(&f);
}

static bool
matches_filter(struct model *m, const struct network_acl *acl, const char *name,
               const char *value)
{
    struct filter flt;
    struct error err = { 0 };
    const char *patterns[] = { value };
    ASSERT(!filter_init(&flt, network_acl_filters, network_acl_n_filters, name, patterns, 1,
                        &err));
    struct arena *arena = arena_create();
    bool ok = filter_match_all(m, &flt, 1, &acl->r, arena);
    arena_destroy(arena);
    return ok;
}

TEST(filters_see_shown_entries, "entry.* filters see user and '*' entries; protocol by name too")
{
    struct fixture f;
    fixture_init(&f);
    struct error err = { 0 };
    struct network_acl *acl = custom_acl(&f);
    struct network_acl_entry_spec s = with_ports(spec_of(120, true, "6", "allow", "10.9.0.0/16"),
                                                 1024, 65535);
    REQUIRE(!network_acl_add_entry(f.m, acl, &s, &err));
    s = with_icmp(spec_of(130, false, "1", "deny", "0.0.0.0/0"), 3, 4);
    REQUIRE(!network_acl_add_entry(f.m, acl, &s, &err));
    CHECK(matches_filter(f.m, acl, "entry.rule-number", "32767"));
    CHECK(matches_filter(f.m, acl, "entry.rule-number", "120"));
    CHECK(!matches_filter(f.m, f.dflt, "entry.rule-number", "120"));
    CHECK(matches_filter(f.m, acl, "entry.protocol", "tcp"));
    CHECK(matches_filter(f.m, acl, "entry.protocol", "6"));
    CHECK(matches_filter(f.m, acl, "entry.protocol", "icmp"));
    CHECK(!matches_filter(f.m, acl, "entry.protocol", "udp"));
    CHECK(matches_filter(f.m, acl, "entry.cidr", "10.9.0.0/16"));
    CHECK(matches_filter(f.m, acl, "entry.port-range.from", "1024"));
    CHECK(matches_filter(f.m, acl, "entry.port-range.to", "65535"));
    CHECK(matches_filter(f.m, acl, "entry.icmp.type", "3"));
    CHECK(matches_filter(f.m, acl, "entry.icmp.code", "4"));
    CHECK(!matches_filter(f.m, f.dflt, "entry.icmp.code", "*"));
    CHECK(matches_filter(f.m, acl, "entry.rule-action", "allow"));
    CHECK(matches_filter(f.m, acl, "entry.egress", "true"));
    CHECK(matches_filter(f.m, acl, "default", "false"));
    CHECK(matches_filter(f.m, f.dflt, "default", "true"));
    CHECK(!matches_filter(f.m, acl, "entry.ipv6-cidr", "*"));
    CHECK(matches_filter(f.m, acl, "vpc-id", f.vpc->r.id));
    CHECK(matches_filter(f.m, acl, "owner-id", "000000000000"));
    CHECK(!matches_filter(f.m, acl, "association.network-acl-id", acl->r.id));
    fixture_uninit(&f);
}

/* A table of rules and the verdicts they give. */
TEST(evaluate_table, "first match in ascending rule number, source in / destination out")
{
    struct fixture f;
    fixture_init(&f);
    struct error err = { 0 };
    struct network_acl *acl = custom_acl(&f);
    const struct network_acl_entry_spec rules[] = {
        /* inbound */
        with_ports(spec_of(100, false, "6", "allow", "0.0.0.0/0"), 80, 80),
        with_ports(spec_of(90, false, "6", "deny", "203.0.113.0/24"), 0, 65535),
        with_ports(spec_of(110, false, "6", "allow", "10.0.0.0/16"), 22, 22),
        with_ports(spec_of(120, false, "udp", "allow", "0.0.0.0/0"), 1024, 65535),
        with_icmp(spec_of(130, false, "1", "allow", "0.0.0.0/0"), 3, 4),
        with_icmp(spec_of(140, false, "1", "allow", "10.0.0.0/8"), 8, -1),
        spec_of(150, false, "47", "allow", "192.0.2.1/32"),
        spec_of(160, false, "58", "allow", "0.0.0.0/0"),
        spec_of(170, false, "-1", "deny", "198.51.100.0/24"),
        spec_of(180, false, "-1", "allow", "198.51.0.0/16"),
        /* outbound */
        with_ports(spec_of(100, true, "6", "allow", "0.0.0.0/0"), 1024, 65535),
        with_ports(spec_of(200, true, "6", "allow", "10.0.0.0/8"), 0, 65535),
    };
    for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
        REQUIRE(!network_acl_add_entry(f.m, acl, &rules[i], &err));
    }
    struct network_acl_entry_spec v6 = spec_of(1, false, "-1", "allow", NULL);
    v6.ipv6_cidr = "::/0";
    REQUIRE(!network_acl_add_entry(f.m, acl, &v6, &err));     /* never matches IPv4 */

    static const struct {
        bool egress;
        const char *addr;
        int protocol, port_or_type, code;
        bool allow;
        int rule;
    } cases[] = {
        { false, "1.2.3.4", 6, 80, 0, true, 100 },
        { false, "203.0.113.9", 6, 80, 0, false, 90 },      /* lower number wins */
        { false, "1.2.3.4", 6, 81, 0, false, 32767 },
        { false, "10.0.5.5", 6, 22, 0, true, 110 },
        { false, "10.1.5.5", 6, 22, 0, false, 32767 },
        { false, "1.2.3.4", 17, 1024, 0, true, 120 },
        { false, "1.2.3.4", 17, 1023, 0, false, 32767 },
        { false, "1.2.3.4", 17, 65535, 0, true, 120 },
        { false, "1.2.3.4", 1, 3, 4, true, 130 },
        { false, "1.2.3.4", 1, 3, 3, false, 32767 },
        { false, "10.200.0.1", 1, 8, 0, true, 140 },
        { false, "10.200.0.1", 1, 8, 99, true, 140 },
        { false, "11.0.0.1", 1, 8, 0, false, 32767 },
        { false, "192.0.2.1", 47, 0, 0, true, 150 },
        { false, "192.0.2.2", 47, 0, 0, false, 32767 },
        { false, "8.8.8.8", 58, 128, 0, true, 160 },     /* ICMPv6 + IPv4 CIDR: any type */
        { false, "198.51.100.7", 6, 80, 0, true, 100 },  /* 100 comes before 170 */
        { false, "198.51.100.7", 6, 443, 0, false, 170 },
        { false, "198.51.7.7", 6, 443, 0, true, 180 },
        { false, "198.51.7.7", 132, 0, 0, true, 180 },
        { true, "1.2.3.4", 6, 40000, 0, true, 100 },
        { true, "1.2.3.4", 6, 443, 0, false, 32767 },
        { true, "10.3.3.3", 6, 443, 0, true, 200 },
        { true, "10.3.3.3", 17, 443, 0, false, 32767 },
        { true, "1.2.3.4", 6, 80, 0, false, 32767 },     /* inbound 100 is not outbound */
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        uint32_t addr;
        REQUIRE(ip4_parse(cases[i].addr, &addr));
        const struct network_acl_entry *matched = NULL;
        bool allow = network_acl_evaluate(acl, cases[i].egress, addr, cases[i].protocol,
                                          cases[i].port_or_type, cases[i].code, &matched);
        if (allow != cases[i].allow || !matched || matched->rule_number != cases[i].rule
            || matched->egress != cases[i].egress) {
            fprintf(stderr, "    case %zu (%s %s proto %d port %d): allow=%d rule=%d\n", i,
                    cases[i].egress ? "out" : "in", cases[i].addr, cases[i].protocol,
                    cases[i].port_or_type, allow, matched ? matched->rule_number : -1);
            test_failures++;
        }
    }
    fixture_uninit(&f);
}

/* The oracle: a naive evaluator on a sorted copy, with its own matcher
 * written from section 8's words rather than from the model's flags. */
static uint64_t
rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static int
rng_range(uint64_t *s, int lo, int hi)
{
    return lo + (int) (rng_next(s) % (uint64_t) (hi - lo + 1));
}

static bool
naive_match(const struct network_acl_entry *e, uint32_t addr, int protocol, int port, int code)
{
    if (e->ipv6) {
        return false;
    }
    uint64_t first = e->cidr.addr, last = first + ((uint64_t) 1 << (32 - e->cidr.len)) - 1;
    if (addr < first || addr > last) {
        return false;
    }
    if (e->protocol == -1) {
        return true;
    }
    if (e->protocol != protocol) {
        return false;
    }
    switch (protocol) {
    case 6:
    case 17:
        return e->port_from <= port && port <= e->port_to;
    case 1:
        return (e->icmp_type < 0 || e->icmp_type == port)
               && (e->icmp_code < 0 || e->icmp_code == code);
    default:
        return true;
    }
}

static bool
naive_evaluate(const struct network_acl *acl, bool egress, uint32_t addr, int protocol,
               int port, int code, int *rule)
{
    const struct network_acl_entry *list[256];
    size_t n = 0;
    for (size_t i = 0; i < acl->n_entries; i++) {
        if (acl->entries[i].egress == egress) {
            list[n++] = &acl->entries[i];
        }
    }
    for (size_t i = 1; i < n; i++) {            /* insertion sort by rule number */
        for (size_t j = i; j > 0 && list[j - 1]->rule_number > list[j]->rule_number; j--) {
            const struct network_acl_entry *t = list[j];
            list[j] = list[j - 1];
            list[j - 1] = t;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (naive_match(list[i], addr, protocol, port, code)) {
            *rule = list[i]->rule_number;
            return list[i]->allow;
        }
    }
    *rule = 32767;
    return false;
}

static const int oracle_protocols[] = { -1, 1, 6, 17, 47, 58 };

static struct network_acl_entry_spec
random_spec(uint64_t *s, char *cidr_buf, size_t size)
{
    static const char *const actions[] = { "allow", "deny" };
    static const char *const names[] = { "-1", "1", "6", "17", "47", "58", "tcp", "all" };
    struct network_acl_entry_spec spec = {
        .rule_number = rng_range(s, 1, 60) * (rng_range(s, 0, 9) ? 1 : 500),
        .egress = rng_range(s, 0, 1),
        .protocol = names[rng_range(s, 0, ARRAY_SIZE(names) - 1)],
        .rule_action = actions[rng_range(s, 0, 1)],
    };
    /* Few distinct addresses and many lengths, so rules overlap. */
    snprintf(cidr_buf, size, "10.%d.%d.%d/%d", rng_range(s, 0, 3), rng_range(s, 0, 3),
             rng_range(s, 0, 7), rng_range(s, 0, 10) ? rng_range(s, 8, 32) : 0);
    if (rng_range(s, 0, 15)) {
        spec.cidr = cidr_buf;
    } else {
        spec.ipv6_cidr = "::/0";
    }
    int from = rng_range(s, 0, 40), to = from + rng_range(s, 0, 30);
    spec = with_ports(spec, from, to);
    spec = with_icmp(spec, rng_range(s, -1, 5), rng_range(s, -1, 3));
    return spec;
}

TEST(evaluate_matches_naive_sorted_list, "random rules and packets agree with a sorted scan")
{
    uint64_t seed = (uint64_t) time(NULL) * 2654435761u ^ (uint64_t) getpid();
    const char *env = getenv("NACL_ORACLE_SEED");
    if (env) {
        seed = strtoull(env, NULL, 0);
    }
    seed = seed ? seed : 1;
    fprintf(stderr, "    oracle seed %" PRIu64 " (NACL_ORACLE_SEED to replay)\n", seed);
    uint64_t s = seed;

    for (int round = 0; round < 200; round++) {
        struct fixture f;
        fixture_init(&f);
        struct network_acl *acl = custom_acl(&f);
        int n_ops = rng_range(&s, 0, 80);
        for (int op = 0; op < n_ops; op++) {
            char cidr[32];
            struct network_acl_entry_spec spec = random_spec(&s, cidr, sizeof cidr);
            struct error err = { 0 };
            int kind = rng_range(&s, 0, 9);
            if (kind < 7) {
                network_acl_add_entry(f.m, acl, &spec, &err);
            } else if (kind < 9) {
                network_acl_replace_entry(f.m, acl, &spec, &err);
            } else {
                network_acl_delete_entry(f.m, acl, spec.egress, spec.rule_number, &err);
            }
        }
        for (size_t i = 1; i < acl->n_entries; i++) {
            const struct network_acl_entry *a = &acl->entries[i - 1], *b = &acl->entries[i];
            REQUIRE(a->egress < b->egress
                    || (a->egress == b->egress && a->rule_number < b->rule_number));
        }
        for (int p = 0; p < 500; p++) {
            bool egress = rng_range(&s, 0, 1);
            uint32_t addr = 0x0a000000 | (uint32_t) rng_range(&s, 0, 3) << 16
                            | (uint32_t) rng_range(&s, 0, 3) << 8 | (uint32_t) rng_range(&s, 0, 9);
            if (!rng_range(&s, 0, 20)) {
                addr = (uint32_t) rng_next(&s);
            }
            int protocol = oracle_protocols[rng_range(&s, 1, ARRAY_SIZE(oracle_protocols) - 1)];
            if (!rng_range(&s, 0, 10)) {
                protocol = rng_range(&s, 0, 255);
            }
            int port = protocol == 1 ? rng_range(&s, 0, 6) : rng_range(&s, 0, 80);
            int code = rng_range(&s, 0, 4);
            const struct network_acl_entry *matched = NULL;
            int want_rule;
            bool want = naive_evaluate(acl, egress, addr, protocol, port, code, &want_rule);
            bool got = network_acl_evaluate(acl, egress, addr, protocol, port, code, &matched);
            if (got != want || !matched || matched->rule_number != want_rule) {
                fprintf(stderr, "    seed %" PRIu64 " round %d: %s %08x proto %d port %d "
                        "code %d: got %d rule %d, naive %d rule %d\n", seed, round,
                        egress ? "out" : "in", addr, protocol, port, code, got,
                        matched ? matched->rule_number : -1, want, want_rule);
                test_failures++;
                fixture_uninit(&f);
                return;
            }
        }
        fixture_uninit(&f);
    }
}
