/* Unit tests for model/security_group.c: names and descriptions, rule
 * validation (a table of specs), duplicates, the quota, revoke in default and
 * other VPCs, dependencies on delete, the grouping into permissions, filters,
 * and the per-packet match (a table of cases). */
#include "testlib.h"

#include "lib/arena.h"
#include "lib/util.h"
#include "model/filter.h"
#include "model/network_interface.h"
#include "model/security_group.h"
#include "model/subnet.h"
#include "model/vpc.h"

struct fixture {
    struct model *m;
    struct scope *scope;
    struct vpc *vpc;
    struct security_group *dflt;
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
    f->dflt = vpc_default_security_group(f->vpc);
    ASSERT(f->dflt);
}

static void
fixture_uninit(struct fixture *f)
{
    model_destroy(f->m);
}

static struct security_group *
make_group(struct fixture *f, struct vpc *vpc, const char *name)
{
    struct error err = { 0 };
    struct security_group *sg;
    ASSERT(!security_group_create(f->m, vpc ? vpc : f->vpc, name, "test group", false, &sg,
                                  &err));
    return sg;
}

static struct sg_rule_spec
cidr_spec(const char *protocol, int from, int to, const char *cidr)
{
    return (struct sg_rule_spec) {
        .protocol = protocol, .has_from_port = true, .from_port = from,
        .has_to_port = true, .to_port = to, .peer = SG_PEER_CIDR4, .peer_value = cidr,
    };
}

/* Validates 'spec' and authorises it; returns the error code. */
static enum err_code
add(struct fixture *f, struct security_group *sg, bool egress, struct sg_rule_spec spec)
{
    struct error err = { 0 };
    struct sg_rule rule;
    if (security_group_rule_from_spec(f->m, sg, egress, &spec, &rule, &err)
        || security_group_authorize(f->m, sg, &rule, 1, NULL, 0, &err)) {
        return err.code;
    }
    return ERR_NONE;
}

TEST(default_group_has_self_rule_and_egress_all,
     "a VPC's default group admits its own members in and everything out")
{
    struct fixture f;
    fixture_init(&f);
    REQUIRE(f.dflt->n_rules == 2);
    const struct sg_rule *in = &f.dflt->rules[0], *out = &f.dflt->rules[1];
    CHECK(!in->egress && in->peer == SG_PEER_GROUP && !strcmp(in->group_id, f.dflt->r.id));
    CHECK_INT(in->protocol, -1);
    CHECK(out->egress && out->peer == SG_PEER_CIDR4 && out->cidr.len == 0);
    CHECK(!strncmp(in->id, "sgr-", 4) && strcmp(in->id, out->id));
    struct security_group *sg = make_group(&f, NULL, "web");
    REQUIRE(sg->n_rules == 1);
    CHECK(sg->rules[0].egress && sg->rules[0].protocol == -1);
    fixture_uninit(&f);
}

TEST(group_names_follow_section_9_1, "names: unique per VPC, no sg-*, default reserved, charset")
{
    struct fixture f;
    fixture_init(&f);
    static const struct {
        const char *name, *description;
        enum err_code code;
    } cases[] = {
        { "web", "ok", ERR_NONE },
        { "web", "again", ERR_GROUP_DUPLICATE },
        { "web  ", "trailing spaces are trimmed, so a duplicate", ERR_GROUP_DUPLICATE },
        { "sg-123", "x", ERR_INVALID_PARAMETER_VALUE },
        { "SG-123", "x", ERR_INVALID_PARAMETER_VALUE },
        { "default", "x", ERR_GROUP_RESERVED },
        { "   ", "x", ERR_INVALID_PARAMETER_VALUE },
        { "semi;colon [ok] {x}!$*", "x", ERR_NONE },
        { "bad\"quote", "x", ERR_INVALID_PARAMETER_VALUE },
        { "caf\xc3\xa9", "x", ERR_INVALID_PARAMETER_VALUE },
        { "db", "tab\tnot allowed", ERR_INVALID_PARAMETER_VALUE },
        { "db", "a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*", ERR_NONE },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct error err = { 0 };
        struct security_group *sg;
        int rc = security_group_create(f.m, f.vpc, cases[i].name, cases[i].description, false,
                                       &sg, &err);
        if (rc ? err.code != cases[i].code : cases[i].code != ERR_NONE) {
            fprintf(stderr, "    case %zu (%s): got %s\n", i, cases[i].name,
                    err_code_name(err.code));
            test_failures++;
        }
    }
    char long_name[SG_NAME_MAX + 2];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    struct error err = { 0 };
    struct security_group *sg;
    CHECK(security_group_create(f.m, f.vpc, long_name, "x", false, &sg, &err) == -1);
    CHECK_INT(err.code, ERR_INVALID_PARAMETER_VALUE);
    long_name[SG_NAME_MAX] = '\0';
    CHECK(!security_group_create(f.m, f.vpc, long_name, "x", false, &sg, &err));
    /* The same name is fine in another VPC. */
    struct ip4_prefix cidr = { 0x0a010000, 16 };
    struct vpc *other;
    REQUIRE(!vpc_create(f.m, f.scope, &cidr, NULL, &other, &err));
    CHECK(!security_group_create(f.m, other, "web", "x", false, &sg, &err));
    CHECK(security_group_find_by_name(other, "web") == sg);
    fixture_uninit(&f);
}

TEST(protocols_parse_by_name_and_number, "tcp/udp/icmp/icmpv6/all/-1 and 0..255")
{
    static const struct {
        const char *text;
        bool ok;
        int protocol;
    } cases[] = {
        { "tcp", true, 6 }, { "TCP", true, 6 }, { "udp", true, 17 }, { "icmp", true, 1 },
        { "icmpv6", true, 58 }, { "all", true, -1 }, { "-1", true, -1 }, { "6", true, 6 },
        { "0", true, 0 }, { "255", true, 255 }, { "47", true, 47 }, { "256", false, 0 },
        { "-2", false, 0 }, { "06", false, 0 }, { "", false, 0 }, { "tcpx", false, 0 },
        { "1000", false, 0 }, { " 6", false, 0 },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        int p = 12345;
        bool ok = security_group_parse_protocol(cases[i].text, &p);
        if (ok != cases[i].ok || (ok && p != cases[i].protocol)) {
            fprintf(stderr, "    case '%s': ok=%d p=%d\n", cases[i].text, ok, p);
            test_failures++;
        }
    }
    char buf[SG_PROTOCOL_NAME_SIZE];
    CHECK_STR(security_group_protocol_name(6, buf), "tcp");
    CHECK_STR(security_group_protocol_name(17, buf), "udp");
    CHECK_STR(security_group_protocol_name(1, buf), "icmp");
    CHECK_STR(security_group_protocol_name(58, buf), "icmpv6");
    CHECK_STR(security_group_protocol_name(-1, buf), "-1");
    CHECK_STR(security_group_protocol_name(47, buf), "47");
}

TEST(rule_specs_are_validated, "ports, ICMP type/code, CIDRs, groups, prefix lists, descriptions")
{
    struct fixture f;
    fixture_init(&f);
    struct security_group *sg = make_group(&f, NULL, "web");
    struct ip4_prefix cidr = { 0x0a010000, 16 };
    struct vpc *other_vpc;
    struct error e = { 0 };
    REQUIRE(!vpc_create(f.m, f.scope, &cidr, NULL, &other_vpc, &e));
    struct security_group *elsewhere = make_group(&f, other_vpc, "far");
    char long_desc[SG_RULE_DESCRIPTION_MAX + 2];
    memset(long_desc, 'd', sizeof long_desc - 1);
    long_desc[sizeof long_desc - 1] = '\0';

    struct sg_rule_spec tcp_no_ports = { .protocol = "tcp", .peer = SG_PEER_CIDR4,
                                         .peer_value = "0.0.0.0/0" };
    struct sg_rule_spec icmpv6_no_ports = { .protocol = "icmpv6", .peer = SG_PEER_CIDR6,
                                            .peer_value = "::/0" };
    struct sg_rule_spec v6 = cidr_spec("tcp", 443, 443, "2001:db8::1/32");
    v6.peer = SG_PEER_CIDR6;
    struct sg_rule_spec bad_v6 = cidr_spec("tcp", 443, 443, "2001:db8::/129");
    bad_v6.peer = SG_PEER_CIDR6;
    struct sg_rule_spec group = { .protocol = "-1", .peer = SG_PEER_GROUP,
                                  .peer_value = f.dflt->r.id };
    struct sg_rule_spec group_by_name = { .protocol = "-1", .peer = SG_PEER_GROUP,
                                          .group_name = "default" };
    struct sg_rule_spec group_missing = { .protocol = "-1", .peer = SG_PEER_GROUP,
                                          .peer_value = "sg-0123456789abcdef0" };
    struct sg_rule_spec group_malformed = { .protocol = "-1", .peer = SG_PEER_GROUP,
                                            .peer_value = "sg-xyz" };
    struct sg_rule_spec group_other_vpc = { .protocol = "-1", .peer = SG_PEER_GROUP,
                                            .peer_value = elsewhere->r.id };
    struct sg_rule_spec group_other_account = group;
    group_other_account.user_id = "111122223333";
    struct sg_rule_spec pl = { .protocol = "tcp", .has_from_port = true, .from_port = 443,
                               .has_to_port = true, .to_port = 443,
                               .peer = SG_PEER_PREFIX_LIST, .peer_value = "pl-63a5400a" };
    struct sg_rule_spec bad_pl = pl;
    bad_pl.peer_value = "pl-xyz";
    struct sg_rule_spec described = cidr_spec("tcp", 22, 22, "0.0.0.0/0");
    described.description = "SSH from anywhere (admin) #1";
    struct sg_rule_spec bad_description = described;
    bad_description.description = "no <angle> brackets";
    struct sg_rule_spec too_long = described;
    too_long.description = long_desc;
    struct sg_rule_spec no_protocol = cidr_spec(NULL, 22, 22, "0.0.0.0/0");

    static const int none = -2;     /* ports not checked */
    struct {
        const char *what;
        struct sg_rule_spec spec;
        enum err_code code;
        int from, to;
    } cases[] = {
        { "tcp 22", cidr_spec("tcp", 22, 22, "0.0.0.0/0"), ERR_NONE, 22, 22 },
        { "tcp range", cidr_spec("6", 1000, 2000, "10.0.0.0/8"), ERR_NONE, 1000, 2000 },
        { "tcp 0-65535", cidr_spec("tcp", 0, 65535, "10.0.0.0/8"), ERR_NONE, 0, 65535 },
        { "tcp -1 is all ports", cidr_spec("tcp", -1, -1, "10.0.0.0/8"), ERR_NONE, 0, 65535 },
        { "tcp from > to", cidr_spec("tcp", 80, 22, "0.0.0.0/0"), ERR_INVALID_PARAMETER_VALUE,
          none, none },
        { "tcp port 65536", cidr_spec("tcp", 1, 65536, "0.0.0.0/0"),
          ERR_INVALID_PARAMETER_VALUE, none, none },
        { "udp -5", cidr_spec("udp", -5, 10, "0.0.0.0/0"), ERR_INVALID_PARAMETER_VALUE, none,
          none },
        { "tcp without ports", tcp_no_ports, ERR_INVALID_PARAMETER_VALUE, none, none },
        { "icmp echo", cidr_spec("icmp", 8, -1, "0.0.0.0/0"), ERR_NONE, 8, -1 },
        { "icmp all", cidr_spec("icmp", -1, -1, "0.0.0.0/0"), ERR_NONE, -1, -1 },
        { "icmp type -1 code 0", cidr_spec("icmp", -1, 0, "0.0.0.0/0"),
          ERR_INVALID_PARAMETER_VALUE, none, none },
        { "icmp type 256", cidr_spec("icmp", 256, -1, "0.0.0.0/0"),
          ERR_INVALID_PARAMETER_VALUE, none, none },
        { "icmpv6 without ports", icmpv6_no_ports, ERR_NONE, -1, -1 },
        { "gre ignores ports", cidr_spec("47", 5, 6, "0.0.0.0/0"), ERR_NONE, -1, -1 },
        { "all ignores ports", cidr_spec("-1", 5, 6, "0.0.0.0/0"), ERR_NONE, -1, -1 },
        { "unknown protocol", cidr_spec("bogus", 1, 1, "0.0.0.0/0"),
          ERR_INVALID_PARAMETER_VALUE, none, none },
        { "missing protocol", no_protocol, ERR_MISSING_PARAMETER, none, none },
        { "bad cidr", cidr_spec("tcp", 22, 22, "10.0.0.0/33"), ERR_INVALID_PARAMETER_VALUE,
          none, none },
        { "not a cidr", cidr_spec("tcp", 22, 22, "10.0.0.1"), ERR_INVALID_PARAMETER_VALUE,
          none, none },
        { "ipv6", v6, ERR_NONE, 443, 443 },
        { "bad ipv6", bad_v6, ERR_INVALID_PARAMETER_VALUE, none, none },
        { "group", group, ERR_NONE, -1, -1 },
        { "group by name", group_by_name, ERR_NONE, -1, -1 },
        { "missing group", group_missing, ERR_GROUP_NOT_FOUND, none, none },
        { "malformed group", group_malformed, ERR_GROUP_ID_MALFORMED, none, none },
        { "group of another VPC", group_other_vpc, ERR_GROUP_NOT_FOUND, none, none },
        { "group of another account", group_other_account, ERR_GROUP_NOT_FOUND, none, none },
        { "prefix list", pl, ERR_NONE, 443, 443 },
        { "bad prefix list", bad_pl, ERR_PREFIX_LIST_ID_MALFORMED, none, none },
        { "description", described, ERR_NONE, 22, 22 },
        { "bad description", bad_description, ERR_INVALID_PARAMETER_VALUE, none, none },
        { "long description", too_long, ERR_INVALID_PARAMETER_VALUE, none, none },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct error err = { 0 };
        struct sg_rule rule;
        int rc = security_group_rule_from_spec(f.m, sg, false, &cases[i].spec, &rule, &err);
        bool ok = rc ? err.code == cases[i].code : cases[i].code == ERR_NONE;
        if (ok && !rc && cases[i].from != none) {
            ok = rule.from_port == cases[i].from && rule.to_port == cases[i].to;
        }
        if (!ok) {
            fprintf(stderr, "    case '%s': rc %d %s (%s) ports %d..%d\n", cases[i].what, rc,
                    err_code_name(err.code), err.message, rule.from_port, rule.to_port);
            test_failures++;
        }
    }
    /* CIDRs are kept canonical. */
    struct sg_rule rule;
    struct sg_rule_spec s = cidr_spec("tcp", 22, 22, "10.1.2.3/8");
    REQUIRE(!security_group_rule_from_spec(f.m, sg, false, &s, &rule, &e));
    CHECK_INT(rule.cidr.addr, 0x0a000000);
    REQUIRE(!security_group_rule_from_spec(f.m, sg, false, &v6, &rule, &e));
    char text[IP6_PREFIX_STRLEN];
    ip6_prefix_format(&rule.cidr6, text);
    CHECK_STR(text, "2001:db8::/32");
    fixture_uninit(&f);
}

TEST(duplicates_refuse_the_whole_request,
     "an identical rule (description ignored) is InvalidPermission.Duplicate, nothing added")
{
    struct fixture f;
    fixture_init(&f);
    struct security_group *sg = make_group(&f, NULL, "web");
    CHECK_INT(add(&f, sg, false, cidr_spec("tcp", 22, 22, "0.0.0.0/0")), ERR_NONE);
    size_t n = sg->n_rules;

    struct sg_rule_spec again = cidr_spec("6", 22, 22, "0.0.0.0/0");
    again.description = "other words";
    struct error err = { 0 };
    struct sg_rule rules[2];
    struct sg_rule_spec fresh = cidr_spec("tcp", 80, 80, "0.0.0.0/0");
    REQUIRE(!security_group_rule_from_spec(f.m, sg, false, &fresh, &rules[0], &err));
    REQUIRE(!security_group_rule_from_spec(f.m, sg, false, &again, &rules[1], &err));
    CHECK(security_group_authorize(f.m, sg, rules, 2, NULL, 0, &err) == -1);
    CHECK_INT(err.code, ERR_PERMISSION_DUPLICATE);
    CHECK_STR(err.message, "the specified rule \"peer: 0.0.0.0/0, TCP, from port: 22, to port: "
                           "22, ALLOW\" already exists");
    CHECK_INT(sg->n_rules, n);

    /* Twice in one request. */
    rules[1] = rules[0];
    CHECK(security_group_authorize(f.m, sg, rules, 2, NULL, 0, &err) == -1);
    CHECK_INT(err.code, ERR_PERMISSION_DUPLICATE);
    CHECK_INT(sg->n_rules, n);

    /* The same rule in the other direction, or another peer, is not a duplicate. */
    CHECK_INT(add(&f, sg, true, cidr_spec("tcp", 22, 22, "0.0.0.0/0")), ERR_NONE);
    CHECK_INT(add(&f, sg, false, cidr_spec("tcp", 22, 22, "10.0.0.0/8")), ERR_NONE);
    CHECK_INT(add(&f, sg, false, cidr_spec("tcp", 22, 23, "0.0.0.0/0")), ERR_NONE);
    /* -1 rules compare without ports. */
    CHECK_INT(add(&f, sg, false, cidr_spec("-1", 0, 0, "1.2.3.0/24")), ERR_NONE);
    CHECK_INT(add(&f, sg, false, cidr_spec("all", 5, 9, "1.2.3.0/24")), ERR_PERMISSION_DUPLICATE);
    /* The egress allow-all of a new group is there already. */
    CHECK_INT(add(&f, sg, true, cidr_spec("-1", -1, -1, "0.0.0.0/0")), ERR_PERMISSION_DUPLICATE);
    fixture_uninit(&f);
}

TEST(rules_quota_per_direction_and_family,
     "60 IPv4 rules per direction, then RulesPerSecurityGroupLimitExceeded; IPv6 counts apart")
{
    struct fixture f;
    fixture_init(&f);
    struct security_group *sg = make_group(&f, NULL, "web");
    for (int i = 0; i < SG_RULES_PER_DIRECTION_LIMIT; i++) {
        CHECK_INT(add(&f, sg, false, cidr_spec("tcp", 1000 + i, 1000 + i, "0.0.0.0/0")),
                  ERR_NONE);
    }
    CHECK_INT(add(&f, sg, false, cidr_spec("tcp", 5, 5, "0.0.0.0/0")),
              ERR_RULES_PER_SECURITY_GROUP_LIMIT_EXCEEDED);
    struct sg_rule_spec v6 = cidr_spec("tcp", 5, 5, "::/0");
    v6.peer = SG_PEER_CIDR6;
    CHECK_INT(add(&f, sg, false, v6), ERR_NONE);
    /* A group reference counts toward both families. */
    struct sg_rule_spec grp = { .protocol = "-1", .peer = SG_PEER_GROUP,
                                .peer_value = sg->r.id };
    CHECK_INT(add(&f, sg, false, grp), ERR_RULES_PER_SECURITY_GROUP_LIMIT_EXCEEDED);
    /* Egress has its own count: the allow-all plus 59 more. */
    for (int i = 0; i < SG_RULES_PER_DIRECTION_LIMIT - 1; i++) {
        CHECK_INT(add(&f, sg, true, cidr_spec("udp", 1000 + i, 1000 + i, "0.0.0.0/0")),
                  ERR_NONE);
    }
    CHECK_INT(add(&f, sg, true, cidr_spec("udp", 5, 5, "0.0.0.0/0")),
              ERR_RULES_PER_SECURITY_GROUP_LIMIT_EXCEEDED);
    fixture_uninit(&f);
}

TEST(authorize_copies_descriptions_and_tags, "new rules own their description and tags")
{
    struct fixture f;
    fixture_init(&f);
    struct security_group *sg = make_group(&f, NULL, "web");
    char desc[] = "temporary text";
    struct sg_rule_spec s = cidr_spec("tcp", 443, 443, "0.0.0.0/0");
    s.description = desc;
    struct sg_rule rule;
    struct error err = { 0 };
    REQUIRE(!security_group_rule_from_spec(f.m, sg, false, &s, &rule, &err));
    struct tag tags[] = { { "Name", "https" }, { "env", "" } };
    REQUIRE(!security_group_authorize(f.m, sg, &rule, 1, tags, 2, &err));
    desc[0] = 'X';
    const struct sg_rule *added = &sg->rules[sg->n_rules - 1];
    CHECK_STR(added->description, "temporary text");
    REQUIRE(added->n_tags == 2);
    CHECK_STR(added->tags[0].key, "Name");
    CHECK_STR(added->tags[0].value, "https");
    CHECK_STR(added->tags[1].value, "");
    CHECK(!strncmp(added->id, "sgr-", 4));
    size_t index;
    CHECK(security_group_find_rule(f.m, f.scope, added->id, &index) == sg);
    CHECK(&sg->rules[index] == added);
    CHECK(!security_group_get_rule(f.m, f.scope, "sgr-0123456789abcdef0", &index, &err));
    CHECK_INT(err.code, ERR_SECURITY_GROUP_RULE_NOT_FOUND);
    CHECK(!security_group_get_rule(f.m, f.scope, "sgr-nope", &index, &err));
    CHECK_INT(err.code, ERR_SECURITY_GROUP_RULE_ID_MALFORMED);
    fixture_uninit(&f);
}

TEST(dry_run_changes_nothing, "DryRun checks everything and adds, removes and creates nothing")
{
    struct fixture f;
    fixture_init(&f);
    struct security_group *sg = make_group(&f, NULL, "web");
    struct sg_rule rule;
    struct error err = { 0 };
    struct sg_rule_spec s = cidr_spec("tcp", 22, 22, "0.0.0.0/0");
    REQUIRE(!security_group_rule_from_spec(f.m, sg, false, &s, &rule, &err));
    f.m->dry_run = true;
    CHECK(security_group_authorize(f.m, sg, &rule, 1, NULL, 0, &err) == -1);
    CHECK_INT(err.code, ERR_DRY_RUN_OPERATION);
    CHECK_INT(sg->n_rules, 1);
    bool unknown[1];
    CHECK(security_group_revoke(f.m, sg, true, NULL, 0, (const char *[]) { sg->rules[0].id }, 1,
                                unknown, &err) == -1);
    CHECK_INT(err.code, ERR_DRY_RUN_OPERATION);
    CHECK_INT(sg->n_rules, 1);
    struct security_group *made;
    size_t before = f.scope->n_resources[RES_SECURITY_GROUP];
    CHECK(security_group_create(f.m, f.vpc, "other", "x", false, &made, &err) == -1);
    CHECK_INT(f.scope->n_resources[RES_SECURITY_GROUP], before);
    CHECK(security_group_delete(f.m, sg, &err) == -1);
    CHECK_INT(err.code, ERR_DRY_RUN_OPERATION);
    f.m->dry_run = false;
    fixture_uninit(&f);
}

TEST(revoke_in_a_custom_vpc_is_all_or_nothing,
     "an unmatched permission is InvalidPermission.NotFound and nothing is removed")
{
    struct fixture f;
    fixture_init(&f);
    struct security_group *sg = make_group(&f, NULL, "web");
    CHECK_INT(add(&f, sg, false, cidr_spec("tcp", 22, 22, "0.0.0.0/0")), ERR_NONE);
    CHECK_INT(add(&f, sg, false, cidr_spec("tcp", 80, 80, "0.0.0.0/0")), ERR_NONE);
    size_t n = sg->n_rules;
    struct sg_rule rules[2];
    struct error err = { 0 };
    struct sg_rule_spec hit = cidr_spec("tcp", 22, 22, "0.0.0.0/0");
    hit.description = "descriptions do not count";
    struct sg_rule_spec miss = cidr_spec("tcp", 81, 81, "0.0.0.0/0");
    REQUIRE(!security_group_rule_from_spec(f.m, sg, false, &hit, &rules[0], &err));
    REQUIRE(!security_group_rule_from_spec(f.m, sg, false, &miss, &rules[1], &err));
    bool unknown[2];
    CHECK(security_group_revoke(f.m, sg, false, rules, 2, NULL, 0, unknown, &err) == -1);
    CHECK_INT(err.code, ERR_PERMISSION_NOT_FOUND);
    CHECK_INT(sg->n_rules, n);
    /* The ingress rule does not match in the egress direction either. */
    CHECK(security_group_revoke(f.m, sg, true, rules, 1, NULL, 0, unknown, &err) == -1);
    CHECK_INT(sg->n_rules, n);
    CHECK(!security_group_revoke(f.m, sg, false, rules, 1, NULL, 0, unknown, &err));
    CHECK_INT(sg->n_rules, n - 1);
    CHECK(!unknown[0]);
    /* By id: the egress rule's id in an ingress revoke is not found. */
    const char *egress_id = sg->rules[0].egress ? sg->rules[0].id : sg->rules[1].id;
    CHECK(security_group_revoke(f.m, sg, false, NULL, 0, &egress_id, 1, NULL, &err) == -1);
    CHECK_INT(err.code, ERR_SECURITY_GROUP_RULE_NOT_FOUND);
    CHECK(!security_group_revoke(f.m, sg, true, NULL, 0, &egress_id, 1, NULL, &err));
    CHECK_INT(sg->n_rules, n - 2);
    for (size_t i = 0; i < sg->n_rules; i++) {
        CHECK(!sg->rules[i].egress && sg->rules[i].from_port == 80);
    }
    fixture_uninit(&f);
}

TEST(revoke_in_the_default_vpc_reports_unknown,
     "in a default VPC unmatched permissions come back as unknown, the rest are removed")
{
    struct fixture f;
    fixture_init(&f);
    struct error err = { 0 };
    struct vpc *dvpc;
    REQUIRE(!vpc_create_default(f.m, f.scope, &dvpc, &err));
    struct security_group *sg = make_group(&f, dvpc, "web");
    CHECK_INT(add(&f, sg, false, cidr_spec("tcp", 22, 22, "0.0.0.0/0")), ERR_NONE);
    struct sg_rule rules[2];
    struct sg_rule_spec miss = cidr_spec("tcp", 81, 81, "0.0.0.0/0");
    struct sg_rule_spec hit = cidr_spec("tcp", 22, 22, "0.0.0.0/0");
    REQUIRE(!security_group_rule_from_spec(f.m, sg, false, &miss, &rules[0], &err));
    REQUIRE(!security_group_rule_from_spec(f.m, sg, false, &hit, &rules[1], &err));
    bool unknown[2];
    CHECK(!security_group_revoke(f.m, sg, false, rules, 2, NULL, 0, unknown, &err));
    CHECK(unknown[0] && !unknown[1]);
    CHECK_INT(sg->n_rules, 1);
    CHECK(!security_group_revoke(f.m, sg, false, rules, 1, NULL, 0, unknown, &err));
    CHECK(unknown[0]);
    struct security_group *found = security_group_get_by_name(f.m, f.scope, "web", &err);
    CHECK(found == sg);
    CHECK(!security_group_get_by_name(f.m, f.scope, "nope", &err));
    CHECK_INT(err.code, ERR_GROUP_NOT_FOUND);
    fixture_uninit(&f);
}

TEST(delete_checks_dependencies,
     "default group: CannotDelete; used by an ENI or referenced by another group: "
     "DependencyViolation; a self-reference does not count")
{
    struct fixture f;
    fixture_init(&f);
    struct error err = { 0 };
    CHECK(security_group_delete(f.m, f.dflt, &err) == -1);
    CHECK_INT(err.code, ERR_CANNOT_DELETE);

    struct security_group *a = make_group(&f, NULL, "a"), *b = make_group(&f, NULL, "b");
    struct sg_rule_spec from_a = { .protocol = "tcp", .has_from_port = true, .from_port = 5432,
                                   .has_to_port = true, .to_port = 5432, .peer = SG_PEER_GROUP,
                                   .peer_value = a->r.id };
    CHECK_INT(add(&f, b, false, from_a), ERR_NONE);
    CHECK_INT(add(&f, a, false, from_a), ERR_NONE);        /* a references itself */
    CHECK(security_group_delete(f.m, a, &err) == -1);
    CHECK_INT(err.code, ERR_DEPENDENCY_VIOLATION);
    char expected[128];
    snprintf(expected, sizeof expected, "resource %s has a dependent object", a->r.id);
    CHECK_STR(err.message, expected);
    REQUIRE(b->n_rules == 2 && !b->rules[1].egress);
    const char *ref_id = b->rules[1].id;
    REQUIRE(!security_group_revoke(f.m, b, false, NULL, 0, &ref_id, 1, NULL, &err));
    char a_id[ID_SIZE];
    str_copy(a_id, sizeof a_id, a->r.id);
    CHECK(!security_group_delete(f.m, a, &err));
    CHECK(!model_find(f.m, a_id));

    /* An interface using a group. */
    struct ip4_prefix cidr = { 0x0a000000, 24 };
    struct subnet *subnet;
    REQUIRE(!subnet_create(f.m, f.vpc, &cidr, NULL, &subnet, &err));
    struct network_interface *eni;
    const char *groups[] = { b->r.id };
    REQUIRE(!network_interface_create(f.m, subnet, 0, groups, 1, NULL, NULL, NULL, &eni, &err));
    CHECK(security_group_delete(f.m, b, &err) == -1);
    CHECK_INT(err.code, ERR_DEPENDENCY_VIOLATION);
    REQUIRE(!network_interface_delete(f.m, eni, &err));
    CHECK(!security_group_delete(f.m, b, &err));
    fixture_uninit(&f);
}

TEST(permissions_group_rules_by_protocol_and_ports,
     "rules with the same protocol and ports fold into one permission, in first-seen order")
{
    struct fixture f;
    fixture_init(&f);
    struct security_group *sg = make_group(&f, NULL, "web");
    struct sg_rule_spec v6 = cidr_spec("tcp", 22, 22, "::/0");
    v6.peer = SG_PEER_CIDR6;
    struct sg_rule_spec grp = { .protocol = "6", .has_from_port = true, .from_port = 22,
                                .has_to_port = true, .to_port = 22, .peer = SG_PEER_GROUP,
                                .peer_value = f.dflt->r.id };
    CHECK_INT(add(&f, sg, false, cidr_spec("tcp", 22, 22, "0.0.0.0/0")), ERR_NONE);
    CHECK_INT(add(&f, sg, false, cidr_spec("udp", 53, 53, "10.0.0.0/8")), ERR_NONE);
    CHECK_INT(add(&f, sg, false, cidr_spec("tcp", 22, 22, "10.0.0.0/8")), ERR_NONE);
    CHECK_INT(add(&f, sg, false, v6), ERR_NONE);
    CHECK_INT(add(&f, sg, false, grp), ERR_NONE);
    CHECK_INT(add(&f, sg, false, cidr_spec("-1", 0, 0, "192.168.0.0/16")), ERR_NONE);

    struct sg_permission perms[16];
    const struct sg_rule *slots[16];
    REQUIRE(sg->n_rules <= 16);
    size_t n = security_group_permissions(sg, false, perms, slots);
    REQUIRE(n == 3);
    CHECK(perms[0].protocol == 6 && perms[0].from_port == 22 && perms[0].n_rules == 4);
    CHECK(perms[0].rules[0]->cidr.len == 0 && perms[0].rules[1]->cidr.len == 8);
    CHECK(perms[0].rules[2]->peer == SG_PEER_CIDR6 && perms[0].rules[3]->peer == SG_PEER_GROUP);
    CHECK(perms[1].protocol == 17 && perms[1].n_rules == 1);
    CHECK(perms[2].protocol == -1 && perms[2].n_rules == 1);
    n = security_group_permissions(sg, true, perms, slots);
    REQUIRE(n == 1);
    CHECK(perms[0].protocol == -1 && perms[0].rules[0]->egress);
    fixture_uninit(&f);
}

/* Membership for the match table: sg-aaa holds 10.0.0.5, pl-11111111 holds
 * 52.0.0.0/8. */
static bool
member(void *ctx, const char *id, uint32_t addr)
{
    (void) ctx;
    if (!strcmp(id, "sg-0000000000000000a")) {
        return addr == 0x0a000005;
    }
    if (!strcmp(id, "pl-11111111")) {
        return (addr >> 24) == 52;
    }
    return false;
}

static struct sg_rule
rule_of(int protocol, int from, int to, enum sg_peer peer, const char *value)
{
    struct sg_rule r;
    memset(&r, 0, sizeof r);
    r.protocol = protocol;
    r.from_port = from;
    r.to_port = to;
    r.peer = peer;
    if (peer == SG_PEER_CIDR4) {
        ASSERT(ip4_prefix_parse(value, &r.cidr, NULL));
    } else if (peer == SG_PEER_CIDR6) {
        ASSERT(ip6_prefix_parse(value, &r.cidr6, NULL));
    } else if (peer == SG_PEER_GROUP) {
        str_copy(r.group_id, sizeof r.group_id, value);
    } else {
        str_copy(r.prefix_list_id, sizeof r.prefix_list_id, value);
    }
    return r;
}

TEST(rule_match_table, "the per-packet match: protocol, ports, ICMP type/code and every peer")
{
    const uint32_t a5 = 0x0a000005, a6 = 0x0a000006, ext = 0x08080808, aws = 0x34010203;
    struct {
        const char *what;
        struct sg_rule rule;
        int protocol, port, code;
        uint32_t addr;
        bool expect;
    } cases[] = {
        { "tcp 22 hit", rule_of(6, 22, 22, SG_PEER_CIDR4, "0.0.0.0/0"), 6, 22, 0, ext, true },
        { "tcp 22 other port", rule_of(6, 22, 22, SG_PEER_CIDR4, "0.0.0.0/0"), 6, 23, 0, ext,
          false },
        { "tcp rule, udp packet", rule_of(6, 0, 65535, SG_PEER_CIDR4, "0.0.0.0/0"), 17, 53, 0,
          ext, false },
        { "range low edge", rule_of(6, 1000, 2000, SG_PEER_CIDR4, "0.0.0.0/0"), 6, 1000, 0, ext,
          true },
        { "range high edge", rule_of(6, 1000, 2000, SG_PEER_CIDR4, "0.0.0.0/0"), 6, 2000, 0,
          ext, true },
        { "range past", rule_of(6, 1000, 2000, SG_PEER_CIDR4, "0.0.0.0/0"), 6, 2001, 0, ext,
          false },
        { "udp in cidr", rule_of(17, 53, 53, SG_PEER_CIDR4, "10.0.0.0/8"), 17, 53, 0, a6, true },
        { "udp outside cidr", rule_of(17, 53, 53, SG_PEER_CIDR4, "10.0.0.0/8"), 17, 53, 0, ext,
          false },
        { "host /32", rule_of(6, 22, 22, SG_PEER_CIDR4, "10.0.0.5/32"), 6, 22, 0, a5, true },
        { "host /32 miss", rule_of(6, 22, 22, SG_PEER_CIDR4, "10.0.0.5/32"), 6, 22, 0, a6,
          false },
        { "all protocols", rule_of(-1, -1, -1, SG_PEER_CIDR4, "0.0.0.0/0"), 47, 0, 0, ext, true },
        { "all protocols tcp", rule_of(-1, -1, -1, SG_PEER_CIDR4, "0.0.0.0/0"), 6, 9, 0, ext,
          true },
        { "icmp any", rule_of(1, -1, -1, SG_PEER_CIDR4, "0.0.0.0/0"), 1, 8, 0, ext, true },
        { "icmp echo only", rule_of(1, 8, -1, SG_PEER_CIDR4, "0.0.0.0/0"), 1, 8, 0, ext, true },
        { "icmp echo only, reply", rule_of(1, 8, -1, SG_PEER_CIDR4, "0.0.0.0/0"), 1, 0, 0, ext,
          false },
        { "icmp type 3 code 4", rule_of(1, 3, 4, SG_PEER_CIDR4, "0.0.0.0/0"), 1, 3, 4, ext,
          true },
        { "icmp type 3 code 3", rule_of(1, 3, 4, SG_PEER_CIDR4, "0.0.0.0/0"), 1, 3, 3, ext,
          false },
        { "gre rule", rule_of(47, -1, -1, SG_PEER_CIDR4, "0.0.0.0/0"), 47, 0, 0, ext, true },
        { "gre rule, esp packet", rule_of(47, -1, -1, SG_PEER_CIDR4, "0.0.0.0/0"), 50, 0, 0,
          ext, false },
        { "ipv6 rule, ipv4 packet", rule_of(-1, -1, -1, SG_PEER_CIDR6, "::/0"), 6, 22, 0, ext,
          false },
        { "group member", rule_of(6, 5432, 5432, SG_PEER_GROUP, "sg-0000000000000000a"), 6,
          5432, 0, a5, true },
        { "group non-member", rule_of(6, 5432, 5432, SG_PEER_GROUP, "sg-0000000000000000a"), 6,
          5432, 0, a6, false },
        { "prefix list member", rule_of(6, 443, 443, SG_PEER_PREFIX_LIST, "pl-11111111"), 6,
          443, 0, aws, true },
        { "prefix list non-member", rule_of(6, 443, 443, SG_PEER_PREFIX_LIST, "pl-11111111"),
          6, 443, 0, ext, false },
    };
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        bool got = security_group_rule_matches(&cases[i].rule, cases[i].protocol, cases[i].port,
                                               cases[i].code, cases[i].addr, member, NULL);
        if (got != cases[i].expect) {
            fprintf(stderr, "    case '%s': got %d\n", cases[i].what, got);
            test_failures++;
        }
    }
    /* Without a membership callback no group matches. */
    struct sg_rule g = rule_of(-1, -1, -1, SG_PEER_GROUP, "sg-0000000000000000a");
    CHECK(!security_group_rule_matches(&g, 6, 22, 0, a5, NULL, NULL));
}

static bool
matches(struct fixture *f, const struct security_group *sg, const char *name,
        const char *pattern)
{
    struct filter flt;
    struct error err = { 0 };
    const char *patterns[] = { pattern };
    ASSERT(!filter_init(&flt, security_group_filters, security_group_n_filters, name, patterns,
                        1, &err));
    struct arena *arena = arena_create();
    bool ok = filter_match_all(f->m, &flt, 1, &sg->r, arena);
    arena_destroy(arena);
    return ok;
}

TEST(describe_filters, "group and ip-permission filters read the right rules")
{
    struct fixture f;
    fixture_init(&f);
    struct security_group *sg = make_group(&f, NULL, "web");
    CHECK_INT(add(&f, sg, false, cidr_spec("tcp", 22, 22, "203.0.113.0/24")), ERR_NONE);
    struct sg_rule_spec grp = { .protocol = "udp", .has_from_port = true, .from_port = 53,
                                .has_to_port = true, .to_port = 53, .peer = SG_PEER_GROUP,
                                .peer_value = f.dflt->r.id };
    CHECK_INT(add(&f, sg, false, grp), ERR_NONE);
    CHECK(matches(&f, sg, "group-name", "web"));
    CHECK(matches(&f, sg, "group-name", "w*"));
    CHECK(!matches(&f, sg, "group-name", "default"));
    CHECK(matches(&f, sg, "description", "test group"));
    CHECK(matches(&f, sg, "vpc-id", f.vpc->r.id));
    CHECK(matches(&f, sg, "owner-id", "000000000000"));
    CHECK(matches(&f, sg, "ip-permission.cidr", "203.0.113.0/24"));
    CHECK(!matches(&f, sg, "ip-permission.cidr", "0.0.0.0/0"));
    CHECK(matches(&f, sg, "egress.ip-permission.cidr", "0.0.0.0/0"));
    CHECK(matches(&f, sg, "ip-permission.protocol", "tcp"));
    CHECK(matches(&f, sg, "ip-permission.protocol", "17"));
    CHECK(!matches(&f, sg, "ip-permission.protocol", "icmp"));
    CHECK(matches(&f, sg, "egress.ip-permission.protocol", "-1"));
    CHECK(matches(&f, sg, "ip-permission.from-port", "53"));
    CHECK(matches(&f, sg, "ip-permission.to-port", "22"));
    CHECK(!matches(&f, sg, "egress.ip-permission.from-port", "*"));
    CHECK(matches(&f, sg, "ip-permission.group-id", f.dflt->r.id));
    CHECK(matches(&f, sg, "ip-permission.group-name", "default"));
    CHECK(matches(&f, sg, "ip-permission.user-id", "000000000000"));
    CHECK(!matches(&f, sg, "ip-permission.ipv6-cidr", "*"));
    CHECK(!matches(&f, sg, "ip-permission.prefix-list-id", "*"));

    /* Rule filters see a rule through a view. */
    struct sg_rule_view view;
    security_group_rule_view_init(&view, sg, &sg->rules[1]);
    struct filter flt;
    struct error err = { 0 };
    const char *pat[] = { sg->rules[1].id };
    REQUIRE(!filter_init(&flt, security_group_rule_filters, security_group_rule_n_filters,
                         "security-group-rule-id", pat, 1, &err));
    struct arena *arena = arena_create();
    CHECK(filter_match_all(f.m, &flt, 1, &view.r, arena));
    security_group_rule_view_init(&view, sg, &sg->rules[0]);
    CHECK(!filter_match_all(f.m, &flt, 1, &view.r, arena));
    CHECK(filter_init(&flt, security_group_rule_filters, security_group_rule_n_filters,
                      "ip-permission.cidr", pat, 1, &err) == -1);
    arena_destroy(arena);
    fixture_uninit(&f);
}
