/* Unit tests for model/vpc.c: quotas leave nothing half-made. */
#include "testlib.h"

#include <stdio.h>

#include "model/model.h"
#include "model/security_group.h"
#include "model/vpc.h"

static struct model *
new_model(bool default_vpc)
{
    struct model_config config = { .default_vpc = default_vpc,
                                   .public_pool = { 0xc6120000, 15 } };
    return model_create(&config);
}

TEST(vpc_refused_when_default_group_would_pass_quota,
     "CreateVpc at the security-group quota is refused and makes nothing")
{
    struct model *m = new_model(false);
    struct scope *s = model_scope(m, "000000000000", "us-east-1");
    struct vpc *vpc;
    struct error err;
    static const struct ip4_prefix cidr = { 0x0a000000, 16 };

    REQUIRE(!vpc_create(m, s, &cidr, NULL, &vpc, &err));
    while (s->n_resources[RES_SECURITY_GROUP] < SG_LIMIT_PER_REGION) {
        char name[32];
        struct security_group *sg;
        snprintf(name, sizeof name, "g%zu", s->n_resources[RES_SECURITY_GROUP]);
        REQUIRE(!security_group_create(m, vpc, name, "d", false, &sg, &err));
    }
    size_t n_rtb = s->n_resources[RES_ROUTE_TABLE];
    size_t n_acl = s->n_resources[RES_NETWORK_ACL];
    err_clear(&err);
    CHECK(vpc_create(m, s, &cidr, NULL, &vpc, &err) == -1);
    CHECK_STR(err_code_name(err.code), "SecurityGroupLimitExceeded");
    CHECK_INT(s->n_resources[RES_VPC], 1);
    CHECK_INT(s->n_resources[RES_ROUTE_TABLE], n_rtb);
    CHECK_INT(s->n_resources[RES_NETWORK_ACL], n_acl);

    err_clear(&err);
    CHECK(vpc_create_default(m, s, &vpc, &err) == -1);
    CHECK_STR(err_code_name(err.code), "SecurityGroupLimitExceeded");
    CHECK_INT(s->n_resources[RES_VPC], 1);
    CHECK_INT(s->n_resources[RES_INTERNET_GATEWAY], 0);
    model_destroy(m);
}

TEST(default_vpc_is_made_once, "the default VPC has a subnet per zone and a gateway route")
{
    struct model *m = new_model(true);
    struct scope *s = model_scope(m, "000000000000", "eu-west-1");
    vpc_ensure_default(m, s);
    vpc_ensure_default(m, s);
    CHECK_INT(s->n_resources[RES_VPC], 1);
    CHECK_INT(s->n_resources[RES_SUBNET], 3);
    CHECK_INT(s->n_resources[RES_INTERNET_GATEWAY], 1);
    struct vpc *vpc = vpc_find_default(m, s);
    REQUIRE(vpc);
    CHECK(vpc->enable_dns_hostnames);
    model_destroy(m);
}

TEST(secondary_block_rules, "secondary blocks follow the family table of section 3")
{
    struct model *m = new_model(false);
    struct scope *s = model_scope(m, "000000000000", "us-east-1");
    struct vpc *vpc;
    const struct vpc_cidr *c;
    struct error err;
    static const struct ip4_prefix primary = { 0x0a000000, 16 };     /* 10.0.0.0/16 */
    REQUIRE(!vpc_create(m, s, &primary, NULL, &vpc, &err));
    struct {
        struct ip4_prefix cidr;
        bool ok;
    } cases[] = {
        { { 0x0a010000, 16 }, true },      /* 10.1.0.0/16 */
        { { 0xc0a80000, 16 }, false },     /* 192.168.0.0/16 */
        { { 0xac100000, 16 }, false },     /* 172.16.0.0/16 */
        { { 0x64400000, 16 }, true },      /* 100.64.0.0/16 */
        { { 0x0a000000, 24 }, false },     /* overlaps the primary */
        { { 0x0a020000, 15 }, false },     /* /15 is too big */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        err_clear(&err);
        int rc = vpc_associate_cidr(m, vpc, &cases[i].cidr, &c, &err);
        if ((rc == 0) != cases[i].ok) {
            fprintf(stderr, "    case %zu: rc %d (%s)\n", i, rc, err.message);
        }
        CHECK((rc == 0) == cases[i].ok);
    }
    model_destroy(m);
}
