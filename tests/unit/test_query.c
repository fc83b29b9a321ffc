/* Unit tests for api/query: form parsing, decoding the request bodies the aws
 * CLI sends, every error the decoder reports, and a seeded robustness loop
 * whose accepted requests must re-encode to exactly the keys they came from. */
#include "testlib.h"

#include <inttypes.h>
#include <signal.h>

#include "api/query.h"
#include "api/shapes.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/util.h"

/* Parses 'body' and decodes it against the input of its Action. */
static int
decode(struct arena *a, const char *body, struct dval **out, struct error *err)
{
    struct qparam *ps;
    size_t n;

    err_clear(err);
    *out = NULL;
    if (query_parse_form(a, body, strlen(body), &ps, &n, err)) {
        return -1;
    }
    const char *action = query_find(ps, n, "Action");
    ASSERT(action);
    const struct api_operation *op = shapes_find_operation(action);
    ASSERT(op);
    return query_decode(a, op->input, ps, n, out, err);
}

/* Decodes 'body', which must fail with 'code' and a message containing
 * 'words'; returns true if it did. */
static bool
fails_with(const char *body, enum err_code code, const char *words)
{
    struct arena *a = arena_create();
    struct dval *v;
    struct error err;
    bool ok = decode(a, body, &v, &err) == -1 && err.code == code
              && strstr(err.message, words) != NULL;
    if (!ok) {
        fprintf(stderr, "    body \"%s\": got %s \"%s\", expected %s with \"%s\"\n", body,
                err_code_name(err.code), err.message, err_code_name(code), words);
    }
    arena_destroy(a);
    return ok;
}

static const struct dval *
item(const struct dval *list, size_t i)
{
    ASSERT(i < dval_list_len(list));
    return dval_list_at(list, i);
}

TEST(form_decodes_plus_and_percent, "'+' is a space, %XX a byte, empty segments are skipped")
{
    struct arena *a = arena_create();
    struct qparam *ps;
    size_t n;
    struct error err;
    const char *body = "a=b+c&&d=%41%2f%2F%7e&e&=x&f=&g=1=2&h=%E2%82%AC%F0%9F%98%80&";

    err_clear(&err);
    REQUIRE(query_parse_form(a, body, strlen(body), &ps, &n, &err) == 0);
    REQUIRE(n == 7);
    CHECK_STR(ps[0].key, "a");
    CHECK_STR(ps[0].value, "b c");
    CHECK_STR(ps[1].key, "d");
    CHECK_STR(ps[1].value, "A//~");
    CHECK_STR(ps[2].key, "e");
    CHECK_STR(ps[2].value, "");
    CHECK_STR(ps[3].key, "");
    CHECK_STR(ps[3].value, "x");
    CHECK_STR(ps[4].value, "");
    CHECK_STR(ps[5].value, "1=2");
    CHECK_STR(ps[6].value, "\xe2\x82\xac\xf0\x9f\x98\x80");
    CHECK_STR(query_find(ps, n, "g"), "1=2");
    CHECK(query_find(ps, n, "zz") == NULL);

    REQUIRE(query_parse_form(a, "", 0, &ps, &n, &err) == 0);
    CHECK_INT(n, 0);
    REQUIRE(query_parse_form(a, "&&&", 3, &ps, &n, &err) == 0);
    CHECK_INT(n, 0);
    arena_destroy(a);
}

TEST(form_rejects_bad_encodings, "bad %-escapes, NUL and invalid UTF-8 are refused")
{
    static const struct {
        const char *body;
        enum err_code code;
    } cases[] = {
        { "a=%zz", ERR_MALFORMED_QUERY_STRING },
        { "a=%", ERR_MALFORMED_QUERY_STRING },
        { "a=%4", ERR_MALFORMED_QUERY_STRING },
        { "a=x%4", ERR_MALFORMED_QUERY_STRING },
        { "%=1", ERR_MALFORMED_QUERY_STRING },
        { "a=%g0", ERR_MALFORMED_QUERY_STRING },
        { "a=%0g", ERR_MALFORMED_QUERY_STRING },
        { "a=%00", ERR_MALFORMED_QUERY_STRING },
        { "a%00b=1", ERR_MALFORMED_QUERY_STRING },
        { "a=%C3%28", ERR_INVALID_PARAMETER_VALUE },           /* bad continuation */
        { "a=%C0%AF", ERR_INVALID_PARAMETER_VALUE },           /* overlong '/' */
        { "a=%E0%80%AF", ERR_INVALID_PARAMETER_VALUE },        /* overlong */
        { "a=%ED%A0%80", ERR_INVALID_PARAMETER_VALUE },        /* surrogate */
        { "a=%F4%90%80%80", ERR_INVALID_PARAMETER_VALUE },     /* above U+10FFFF */
        { "a=%F5%80%80%80", ERR_INVALID_PARAMETER_VALUE },
        { "a=%E2%82", ERR_INVALID_PARAMETER_VALUE },           /* truncated */
        { "a=%FF", ERR_INVALID_PARAMETER_VALUE },
        { "a=\xff", ERR_INVALID_PARAMETER_VALUE },             /* raw byte */
        { "a=%80", ERR_INVALID_PARAMETER_VALUE },
        { "%FF=1", ERR_MALFORMED_QUERY_STRING },
    };
    struct arena *a = arena_create();

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct qparam *ps;
        size_t n;
        struct error err;
        err_clear(&err);
        int rc = query_parse_form(a, cases[i].body, strlen(cases[i].body), &ps, &n, &err);
        if (rc != -1 || err.code != cases[i].code) {
            fprintf(stderr, "    \"%s\": rc %d, %s\n", cases[i].body, rc,
                    err_code_name(err.code));
        }
        CHECK(rc == -1 && err.code == cases[i].code);
    }

    /* A raw NUL inside the body is refused as well. */
    struct qparam *ps;
    size_t n;
    struct error err;
    err_clear(&err);
    CHECK(query_parse_form(a, "a=b\0c", 5, &ps, &n, &err) == -1);
    CHECK(err.code == ERR_MALFORMED_QUERY_STRING);

    /* The message quotes only printable ASCII of a malformed segment. */
    err_clear(&err);
    CHECK(query_parse_form(a, "Foo=\xff%zz", 8, &ps, &n, &err) == -1);
    CHECK(strstr(err.message, "\"Foo=?%zz\"") != NULL);
    err_clear(&err);
    CHECK(query_parse_form(a, "VpcId=%C3%28", 12, &ps, &n, &err) == -1);
    CHECK(strstr(err.message, "parameter VpcId") != NULL);
    arena_destroy(a);
}

TEST(form_enforces_limits, "at most QUERY_MAX_PARAMS pairs and QUERY_MAX_KEY_LEN-byte keys")
{
    struct arena *a = arena_create();
    struct buf b;
    struct qparam *ps;
    size_t n;
    struct error err;

    buf_init(&b);
    for (int i = 0; i < QUERY_MAX_PARAMS; i++) {
        buf_printf(&b, "k%d=v&", i);
    }
    err_clear(&err);
    CHECK(query_parse_form(a, b.data, b.len, &ps, &n, &err) == 0);
    CHECK_INT(n, QUERY_MAX_PARAMS);
    buf_puts(&b, "one=more");
    CHECK(query_parse_form(a, b.data, b.len, &ps, &n, &err) == -1);
    CHECK(err.code == ERR_MALFORMED_QUERY_STRING);

    buf_clear(&b);
    for (int i = 0; i < QUERY_MAX_KEY_LEN; i++) {
        buf_putc(&b, 'k');
    }
    buf_puts(&b, "=v");
    err_clear(&err);
    CHECK(query_parse_form(a, b.data, b.len, &ps, &n, &err) == 0);
    buf_clear(&b);
    for (int i = 0; i <= QUERY_MAX_KEY_LEN; i++) {
        buf_putc(&b, 'k');
    }
    CHECK(query_parse_form(a, b.data, b.len, &ps, &n, &err) == -1);
    CHECK(err.code == ERR_MALFORMED_QUERY_STRING);
    /* The message quotes a bounded, marked prefix of the key. */
    CHECK(strstr(err.message, "kkk...") != NULL);
    CHECK(strlen(err.message) < 200);
    buf_uninit(&b);
    arena_destroy(a);
}

TEST(decode_create_vpc, "CreateVpc as the aws CLI sends it, tags included")
{
    struct arena *a = arena_create();
    struct dval *v;
    struct error err;
    const char *body = "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0%2F16"
                       "&TagSpecification.1.ResourceType=vpc&TagSpecification.1.Tag.1.Key=Name"
                       "&TagSpecification.1.Tag.1.Value=x&InstanceTenancy=default";

    REQUIRE(decode(a, body, &v, &err) == 0);
    CHECK_STR(dval_str(v, "CidrBlock"), "10.0.0.0/16");
    CHECK_STR(dval_str(v, "InstanceTenancy"), "default");
    CHECK(dval_str(v, "Ipv6Pool") == NULL);
    CHECK(!dval_bool(v, "DryRun", false));
    const struct dval *specs = dval_get(v, "TagSpecifications");
    REQUIRE(dval_list_len(specs) == 1);
    CHECK_STR(dval_str(item(specs, 0), "ResourceType"), "vpc");
    const struct dval *tags = dval_get(item(specs, 0), "Tags");
    REQUIRE(dval_list_len(tags) == 1);
    CHECK_STR(dval_str(item(tags, 0), "Key"), "Name");
    CHECK_STR(dval_str(item(tags, 0), "Value"), "x");
    arena_destroy(a);
}

TEST(decode_describe_vpcs_filters, "DescribeVpcs with two filters and a VpcId list")
{
    struct arena *a = arena_create();
    struct dval *v;
    struct error err;
    const char *body = "Action=DescribeVpcs&Filter.1.Name=vpc-id&Filter.1.Value.1=a"
                       "&Filter.1.Value.2=b&Filter.2.Name=tag%3AName&Filter.2.Value.1=x"
                       "&VpcId.1=a&MaxResults=5&NextToken=t";

    REQUIRE(decode(a, body, &v, &err) == 0);
    const struct dval *filters = dval_get(v, "Filters");
    REQUIRE(dval_list_len(filters) == 2);
    CHECK_STR(dval_str(item(filters, 0), "Name"), "vpc-id");
    const struct dval *values = dval_get(item(filters, 0), "Values");
    REQUIRE(dval_list_len(values) == 2);
    CHECK_STR(item(values, 0)->u.str, "a");
    CHECK_STR(item(values, 1)->u.str, "b");
    CHECK_STR(dval_str(item(filters, 1), "Name"), "tag:Name");
    values = dval_get(item(filters, 1), "Values");
    REQUIRE(dval_list_len(values) == 1);
    CHECK_STR(item(values, 0)->u.str, "x");
    const struct dval *ids = dval_get(v, "VpcIds");
    REQUIRE(dval_list_len(ids) == 1);
    CHECK_STR(item(ids, 0)->u.str, "a");
    int64_t max = 0;
    CHECK(dval_int(v, "MaxResults", &max));
    CHECK_INT(max, 5);
    CHECK_STR(dval_str(v, "NextToken"), "t");
    arena_destroy(a);
}

TEST(decode_authorize_ingress, "AuthorizeSecurityGroupIngress with IpPermissions and ranges")
{
    struct arena *a = arena_create();
    struct dval *v;
    struct error err;
    const char *body = "Action=AuthorizeSecurityGroupIngress&GroupId=g"
                       "&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=22"
                       "&IpPermissions.1.ToPort=22&IpPermissions.1.IpRanges.1.CidrIp=0.0.0.0%2F0"
                       "&IpPermissions.1.IpRanges.1.Description=ssh+from+anywhere"
                       "&IpPermissions.2.IpProtocol=-1&IpPermissions.2.Groups.1.GroupId=sg-1"
                       "&IpPermissions.2.FromPort=-1";

    REQUIRE(decode(a, body, &v, &err) == 0);
    CHECK_STR(dval_str(v, "GroupId"), "g");
    const struct dval *perms = dval_get(v, "IpPermissions");
    REQUIRE(dval_list_len(perms) == 2);
    const struct dval *p = item(perms, 0);
    int64_t port = 0;
    CHECK_STR(dval_str(p, "IpProtocol"), "tcp");
    CHECK(dval_int(p, "FromPort", &port) && port == 22);
    CHECK(dval_int(p, "ToPort", &port) && port == 22);
    const struct dval *ranges = dval_get(p, "IpRanges");
    REQUIRE(dval_list_len(ranges) == 1);
    CHECK_STR(dval_str(item(ranges, 0), "CidrIp"), "0.0.0.0/0");
    CHECK_STR(dval_str(item(ranges, 0), "Description"), "ssh from anywhere");
    p = item(perms, 1);
    CHECK_STR(dval_str(p, "IpProtocol"), "-1");
    CHECK(dval_int(p, "FromPort", &port) && port == -1);
    CHECK(!dval_int(p, "ToPort", &port));
    const struct dval *pairs = dval_get(p, "UserIdGroupPairs");
    REQUIRE(dval_list_len(pairs) == 1);
    CHECK_STR(dval_str(item(pairs, 0), "GroupId"), "sg-1");
    arena_destroy(a);
}

TEST(decode_nested_structures, "ModifyVpcAttribute, CreateNetworkAclEntry and RunInstances")
{
    struct arena *a = arena_create();
    struct dval *v;
    struct error err;
    int64_t i = 0;

    REQUIRE(decode(a, "Action=ModifyVpcAttribute&VpcId=vpc-1&EnableDnsHostnames.Value=true",
                   &v, &err) == 0);
    CHECK_STR(dval_str(v, "VpcId"), "vpc-1");
    CHECK(dval_bool(dval_get(v, "EnableDnsHostnames"), "Value", false));
    CHECK(dval_get(v, "EnableDnsSupport") == NULL);
    CHECK(dval_bool(dval_get(v, "EnableDnsSupport"), "Value", true));

    REQUIRE(decode(a, "Action=CreateNetworkAclEntry&NetworkAclId=acl-1&RuleNumber=100"
                   "&Protocol=6&RuleAction=allow&Egress=false&CidrBlock=0.0.0.0%2F0"
                   "&PortRange.From=80&PortRange.To=443", &v, &err) == 0);
    CHECK(dval_int(v, "RuleNumber", &i) && i == 100);
    CHECK(dval_get(v, "Egress") != NULL);
    CHECK(!dval_bool(v, "Egress", true));
    CHECK_STR(dval_str(v, "RuleAction"), "allow");
    const struct dval *range = dval_get(v, "PortRange");
    CHECK(dval_int(range, "From", &i) && i == 80);
    CHECK(dval_int(range, "To", &i) && i == 443);
    CHECK(dval_get(v, "IcmpTypeCode") == NULL);

    REQUIRE(decode(a, "Action=RunInstances&ImageId=ami-1&MinCount=1&MaxCount=1"
                   "&NetworkInterface.1.DeviceIndex=0&NetworkInterface.1.SubnetId=subnet-1"
                   "&NetworkInterface.1.SecurityGroupId.1=a&NetworkInterface.1.SecurityGroupId.2=b"
                   "&NetworkInterface.1.PrivateIpAddresses.1.PrivateIpAddress=10.0.0.5"
                   "&NetworkInterface.1.PrivateIpAddresses.1.Primary=TRUE", &v, &err) == 0);
    CHECK(dval_int(v, "MinCount", &i) && i == 1);
    const struct dval *nics = dval_get(v, "NetworkInterfaces");
    REQUIRE(dval_list_len(nics) == 1);
    const struct dval *nic = item(nics, 0);
    CHECK(dval_int(nic, "DeviceIndex", &i) && i == 0);
    CHECK_STR(dval_str(nic, "SubnetId"), "subnet-1");
    const struct dval *groups = dval_get(nic, "Groups");
    REQUIRE(dval_list_len(groups) == 2);
    CHECK_STR(item(groups, 1)->u.str, "b");
    const struct dval *ips = dval_get(nic, "PrivateIpAddresses");
    REQUIRE(dval_list_len(ips) == 1);
    CHECK(dval_bool(item(ips, 0), "Primary", false));
    arena_destroy(a);
}

TEST(decode_skips_action_version_and_auth, "Action, Version and X-Amz-* are not parameters")
{
    struct arena *a = arena_create();
    struct dval *v;
    struct error err;

    REQUIRE(decode(a, "Action=DescribeVpcs&Version=2016-11-15&X-Amz-Date=20260101T000000Z"
                   "&x-amz-signature=abc", &v, &err) == 0);
    REQUIRE(v != NULL);
    CHECK(v->shape == shapes_find_operation("DescribeVpcs")->input);
    CHECK(dval_get(v, "Filters") == NULL);
    CHECK_INT(dval_list_len(dval_get(v, "Filters")), 0);
    arena_destroy(a);
}

TEST(decode_list_order_gaps_and_duplicates, "items keep index order across gaps; first key wins")
{
    struct arena *a = arena_create();
    struct dval *v;
    struct error err;

    REQUIRE(decode(a, "Action=DescribeVpcs&VpcId.10=d&VpcId.5=c&VpcId.2=b&VpcId.1000000=e"
                   "&VpcId.1=a", &v, &err) == 0);
    const struct dval *ids = dval_get(v, "VpcIds");
    REQUIRE(dval_list_len(ids) == 5);
    CHECK_STR(item(ids, 0)->u.str, "a");
    CHECK_STR(item(ids, 1)->u.str, "b");
    CHECK_STR(item(ids, 2)->u.str, "c");
    CHECK_STR(item(ids, 3)->u.str, "d");
    CHECK_STR(item(ids, 4)->u.str, "e");

    /* Items' keys interleave; "10" sorts after "2", not between "1" and "2". */
    REQUIRE(decode(a, "Action=DescribeVpcs&Filter.1.Value.1=a&Filter.10.Name=z&Filter.1.Name=n"
                   "&Filter.2.Name=m&Filter.1.Value.2=b", &v, &err) == 0);
    const struct dval *filters = dval_get(v, "Filters");
    REQUIRE(dval_list_len(filters) == 3);
    CHECK_STR(dval_str(item(filters, 0), "Name"), "n");
    CHECK_INT(dval_list_len(dval_get(item(filters, 0), "Values")), 2);
    CHECK_STR(item(dval_get(item(filters, 0), "Values"), 1)->u.str, "b");
    CHECK_STR(dval_str(item(filters, 1), "Name"), "m");
    CHECK_STR(dval_str(item(filters, 2), "Name"), "z");
    CHECK(fails_with("Action=DescribeVpcs&Filter.1.Name=a&Filter.1-x=b",
                     ERR_INVALID_PARAMETER_VALUE, "Value (1-x) for parameter Filter.1-x"));

    REQUIRE(decode(a, "Action=CreateVpc&CidrBlock=10.0.0.0%2F16&CidrBlock=10.1.0.0%2F16"
                   "&TagSpecification.1.Tag.1.Key=k1&TagSpecification.1.Tag.1.Key=k2",
                   &v, &err) == 0);
    CHECK_STR(dval_str(v, "CidrBlock"), "10.0.0.0/16");
    const struct dval *tags = dval_get(item(dval_get(v, "TagSpecifications"), 0), "Tags");
    REQUIRE(dval_list_len(tags) == 1);
    CHECK_STR(dval_str(item(tags, 0), "Key"), "k1");
    arena_destroy(a);
}

TEST(decode_rejects_unknown_parameters, "keys matching no member, or the wrong depth")
{
    CHECK(fails_with("Action=DescribeVpcs&Foo=1", ERR_UNKNOWN_PARAMETER,
                     "The parameter Foo is not recognized"));
    /* A list member given as a scalar, and a scalar given as a list. */
    CHECK(fails_with("Action=DescribeVpcs&VpcId=vpc-1", ERR_UNKNOWN_PARAMETER,
                     "The parameter VpcId is not recognized"));
    CHECK(fails_with("Action=CreateVpc&CidrBlock.1=x", ERR_UNKNOWN_PARAMETER,
                     "The parameter CidrBlock.1 is not recognized"));
    /* "Filter.1" both as a scalar and as a prefix. */
    CHECK(fails_with("Action=DescribeVpcs&Filter.1=x&Filter.1.Name=y", ERR_UNKNOWN_PARAMETER,
                     "The parameter Filter.1 is not recognized"));
    CHECK(fails_with("Action=CreateNetworkAclEntry&PortRange=1", ERR_UNKNOWN_PARAMETER,
                     "PortRange"));
    CHECK(fails_with("Action=DescribeVpcs&Filter.1.Name.x=y", ERR_UNKNOWN_PARAMETER,
                     "Filter.1.Name.x"));
    CHECK(fails_with("Action=DescribeVpcs&VpcId.1.5=a", ERR_UNKNOWN_PARAMETER, "VpcId.1.5"));
    CHECK(fails_with("Action=DescribeVpcs&Filter.1.Nope=y", ERR_UNKNOWN_PARAMETER,
                     "Filter.1.Nope"));
    CHECK(fails_with("Action=CreateVpc&CidrBlock.=x", ERR_UNKNOWN_PARAMETER, "CidrBlock."));
    CHECK(fails_with("Action=CreateVpc&=x", ERR_UNKNOWN_PARAMETER, "The parameter  is not"));
    CHECK(fails_with("Action=CreateVpc&.=x", ERR_UNKNOWN_PARAMETER, "The parameter . is not"));
    /* Wire names are the query names, not the model names, and case matters. */
    CHECK(fails_with("Action=DescribeVpcs&VpcIds.1=a", ERR_UNKNOWN_PARAMETER, "VpcIds.1"));
    CHECK(fails_with("Action=CreateVpc&cidrBlock=a", ERR_UNKNOWN_PARAMETER, "cidrBlock"));
    /* The message quotes a bounded prefix of a long key. */
    char body[700];
    snprintf(body, sizeof body, "Action=CreateVpc&%0400d=x", 0);
    CHECK(fails_with(body, ERR_UNKNOWN_PARAMETER, "0000..."));
}

TEST(decode_reports_missing_parameters, "a required member absent, at the top or nested")
{
    CHECK(fails_with("Action=DeleteVpc", ERR_MISSING_PARAMETER,
                     "The request must contain the parameter VpcId"));
    CHECK(fails_with("Action=CreateNetworkAclEntry&NetworkAclId=acl-1&RuleNumber=100"
                     "&Protocol=6&RuleAction=allow", ERR_MISSING_PARAMETER, "parameter Egress"));
    CHECK(fails_with("Action=CreateSecurityGroup&GroupName=x", ERR_MISSING_PARAMETER,
                     "parameter GroupDescription"));
    CHECK(fails_with("Action=RunInstances&MinCount=1&MaxCount=1"
                     "&ElasticInferenceAccelerator.3.Count=1", ERR_MISSING_PARAMETER,
                     "parameter ElasticInferenceAccelerator.3.Type"));
}

TEST(decode_rejects_bad_values, "bad integers, booleans, bounds and enums")
{
    const char *acl = "Action=CreateNetworkAclEntry&NetworkAclId=acl-1&Protocol=6"
                      "&RuleAction=allow&Egress=false";
    char body[512];
    static const char *const bad_ints[] = {
        "abc", "", "1.5", " 1", "1 ", "+1", "0x10", "--1", "-", "2147483648",
        "-2147483649", "99999999999999999999999",
    };

    for (size_t i = 0; i < ARRAY_SIZE(bad_ints); i++) {
        snprintf(body, sizeof body, "%s&RuleNumber=%s", acl, bad_ints[i]);
        CHECK(fails_with(body, ERR_INVALID_PARAMETER_VALUE, "for parameter RuleNumber is invalid"));
    }
    snprintf(body, sizeof body, "%s&RuleNumber=abc", acl);
    CHECK(fails_with(body, ERR_INVALID_PARAMETER_VALUE,
                     "Value (abc) for parameter RuleNumber is invalid."));
    CHECK(fails_with("Action=CreateNetworkAclEntry&NetworkAclId=acl-1&Protocol=6&RuleNumber=1"
                     "&RuleAction=allow&Egress=yes", ERR_INVALID_PARAMETER_VALUE,
                     "Value (yes) for parameter Egress is invalid"));
    CHECK(fails_with("Action=CreateNetworkAclEntry&NetworkAclId=acl-1&Protocol=6&RuleNumber=1"
                     "&RuleAction=maybe&Egress=true", ERR_INVALID_PARAMETER_VALUE,
                     "Value (maybe) for parameter RuleAction is invalid"));
    CHECK(fails_with("Action=CreateVpc&InstanceTenancy=Default", ERR_INVALID_PARAMETER_VALUE,
                     "parameter InstanceTenancy"));
    CHECK(fails_with("Action=DescribeVpcs&MaxResults=4", ERR_INVALID_PARAMETER_VALUE,
                     "It must be at least 5."));
    CHECK(fails_with("Action=DescribeVpcs&MaxResults=1001", ERR_INVALID_PARAMETER_VALUE,
                     "It must be at most 1000."));
    CHECK(fails_with("Action=DescribeVpcs&DryRun=1", ERR_INVALID_PARAMETER_VALUE, "DryRun"));
    /* A nested value names its full wire path. */
    CHECK(fails_with("Action=AuthorizeSecurityGroupIngress&IpPermissions.1.FromPort=x",
                     ERR_INVALID_PARAMETER_VALUE, "parameter IpPermissions.1.FromPort"));

    struct arena *a = arena_create();
    struct dval *v;
    struct error err;
    int64_t i = 0;
    snprintf(body, sizeof body, "%s&RuleNumber=-2147483648", acl);
    REQUIRE(decode(a, body, &v, &err) == 0);
    CHECK(dval_int(v, "RuleNumber", &i) && i == INT32_MIN);
    REQUIRE(decode(a, "Action=DescribeVpcs&DryRun=False&MaxResults=1000", &v, &err) == 0);
    CHECK(dval_get(v, "DryRun") && !dval_bool(v, "DryRun", true));
    arena_destroy(a);
}

TEST(decode_rejects_bad_list_indexes, "index 0, huge, negative, non-numeric, too many items")
{
    static const char *const bad[] = {
        "Action=DescribeVpcs&VpcId.0=a",
        "Action=DescribeVpcs&VpcId.1000001=a",
        "Action=DescribeVpcs&VpcId.99999999999999999999999999=a",
        "Action=DescribeVpcs&VpcId.-1=a",
        "Action=DescribeVpcs&VpcId.x=a",
        "Action=DescribeVpcs&VpcId.01=a",
        "Action=DescribeVpcs&VpcId.=a",
        "Action=DescribeVpcs&Filter..1=a",
        "Action=DescribeVpcs&Filter.1.Value.0=a",
        "Action=DescribeVpcs&VpcId.1=a&VpcId.b=c",
    };

    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        CHECK(fails_with(bad[i], ERR_INVALID_PARAMETER_VALUE, "is invalid"));
    }
    CHECK(fails_with("Action=DescribeVpcs&VpcId.0=a", ERR_INVALID_PARAMETER_VALUE,
                     "Value (0) for parameter VpcId.0 is invalid"));

    struct buf b;
    buf_init(&b);
    buf_puts(&b, "Action=DescribeVpcs");
    for (int i = 1; i <= QUERY_MAX_LIST_LEN; i++) {
        buf_printf(&b, "&VpcId.%d=v%d", i * 3, i);
    }
    struct arena *a = arena_create();
    struct dval *v;
    struct error err;
    REQUIRE(decode(a, b.data, &v, &err) == 0);
    CHECK_INT(dval_list_len(dval_get(v, "VpcIds")), QUERY_MAX_LIST_LEN);
    CHECK_STR(item(dval_get(v, "VpcIds"), 999)->u.str, "v1000");
    buf_puts(&b, "&VpcId.1=one-more");
    CHECK(fails_with(b.data, ERR_INVALID_PARAMETER_VALUE, "at most 1000 items"));
    buf_uninit(&b);
    arena_destroy(a);
}

/* Finds, under 'shape', a structure with a timestamp member. */
static const struct shape *
find_timestamp_owner(const struct shape *shape, int depth, const struct shape_member **m)
{
    if (depth > 10) {
        return NULL;
    }
    if (shape->type == SHAPE_LIST) {
        return find_timestamp_owner(shape->member, depth + 1, m);
    }
    if (shape->type != SHAPE_STRUCTURE) {
        return NULL;
    }
    for (size_t k = 0; k < shape->n_members; k++) {
        if (shape->members[k].shape->type == SHAPE_TIMESTAMP) {
            *m = &shape->members[k];
            return shape;
        }
    }
    for (size_t k = 0; k < shape->n_members; k++) {
        const struct shape *st = find_timestamp_owner(shape->members[k].shape, depth + 1, m);
        if (st) {
            return st;
        }
    }
    return NULL;
}

TEST(decode_checks_timestamps, "a timestamp member takes ISO 8601 or epoch seconds")
{
    /* RunInstances' SpotOptions.ValidUntil today; found by walking the
     * tables so the test does not depend on one action's model details. */
    const struct shape *st = NULL;
    const struct shape_member *m = NULL;
    for (size_t i = 0; i < shapes_n_operations && !st; i++) {
        st = find_timestamp_owner(shapes_operations[i].input, 0, &m);
    }
    REQUIRE(st && m);
    static const char *const good[] = {
        "2026-11-28T15:00:00Z", "2026-11-28T15:00:00.123Z", "2026-11-28",
        "2026-11-28T15:00:00+01:00", "2026-11-28T15:00", "1700000000",
    };
    static const char *const bad[] = { "yesterday", "2026-11-2", "2026-11-28T", "2026-11-28Tx",
                                       "2026-11-28T15:00:00.Z", "" };
    struct arena *a = arena_create();
    for (size_t i = 0; i < ARRAY_SIZE(good) + ARRAY_SIZE(bad); i++) {
        bool ok = i < ARRAY_SIZE(good);
        const char *text = ok ? good[i] : bad[i - ARRAY_SIZE(good)];
        struct qparam p = { m->query_name, text };
        struct dval *v;
        struct error err;
        err_clear(&err);
        int rc = query_decode(a, st, &p, 1, &v, &err);
        if (ok) {
            CHECK(rc == 0);
            CHECK_STR(rc == 0 ? dval_str(v, m->name) : NULL, text);
        } else {
            CHECK(rc == -1 && err.code == ERR_INVALID_PARAMETER_VALUE);
        }
    }
    arena_destroy(a);
}

/* Runs 'fn' on a decoded DescribeVpcs request in a child; true if it aborted. */
static bool
aborts(void (*fn)(const struct dval *))
{
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        struct arena *a = arena_create();
        struct dval *v;
        struct error err;
        if (decode(a, "Action=DescribeVpcs&VpcId.1=a", &v, &err)) {
            _exit(2);
        }
        /* The abort message is expected; keep the test output clean. */
        if (!freopen("/dev/null", "w", stderr)) {
            _exit(3);
        }
        fn(v);
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static void
get_unknown_member(const struct dval *v)
{
    dval_get(v, "VpcIdz");
}

static void
str_of_list(const struct dval *v)
{
    dval_str(v, "VpcIds");
}

static void
bool_of_absent_int(const struct dval *v)
{
    dval_bool(v, "MaxResults", false);
}

static void
int_of_list_item(const struct dval *v)
{
    int64_t i;
    dval_int(dval_list_at(dval_get(v, "VpcIds"), 0), "X", &i);
}

TEST(dval_accessors_abort_on_handler_bugs, "unknown members and mismatched types abort")
{
    CHECK(aborts(get_unknown_member));
    CHECK(aborts(str_of_list));
    CHECK(aborts(bool_of_absent_int));
    CHECK(aborts(int_of_list_item));
}

/* A hand-made input shape with the types no EC2 input we serve has. */
static const struct shape test_double = { .name = "Double", .type = SHAPE_DOUBLE };
static const struct shape test_long = { .name = "Long", .type = SHAPE_LONG };
static const struct shape test_blob = { .name = "Blob", .type = SHAPE_BLOB };
static const struct shape test_map = { .name = "Map", .type = SHAPE_MAP };
static const struct shape_member test_members[] = {
    { "Ratio", "Ratio", "ratio", &test_double, false },
    { "Big", "Big", "big", &test_long, false },
    { "Data", "Data", "data", &test_blob, false },
    { "Attributes", "Attribute", "attribute", &test_map, false },
};
static const struct shape test_request = {
    .name = "TestRequest", .type = SHAPE_STRUCTURE,
    .members = test_members, .n_members = ARRAY_SIZE(test_members),
};

/* Decodes the single pair 'key'='value' against test_request. */
static int
decode_one(struct arena *a, const char *key, const char *value, struct dval **v,
           struct error *err)
{
    struct qparam p = { key, value };
    err_clear(err);
    return query_decode(a, &test_request, &p, 1, v, err);
}

TEST(decode_other_types, "doubles, longs and blobs decode; maps are not accepted")
{
    struct arena *a = arena_create();
    struct dval *v;
    struct error err;
    int64_t i = 0;
    static const char *const bad_doubles[] = {
        "inf", "nan", "0x10", "", "1.5x", " 1", "1e999", "--1",
    };

    REQUIRE(decode_one(a, "Ratio", "1.5", &v, &err) == 0);
    CHECK(dval_get(v, "Ratio")->u.d == 1.5);
    REQUIRE(decode_one(a, "Ratio", "-2e3", &v, &err) == 0);
    CHECK(dval_get(v, "Ratio")->u.d == -2000.0);
    for (size_t k = 0; k < ARRAY_SIZE(bad_doubles); k++) {
        CHECK(decode_one(a, "Ratio", bad_doubles[k], &v, &err) == -1);
        CHECK(err.code == ERR_INVALID_PARAMETER_VALUE);
    }
    REQUIRE(decode_one(a, "Big", "-9223372036854775808", &v, &err) == 0);
    CHECK(dval_int(v, "Big", &i) && i == INT64_MIN);
    REQUIRE(decode_one(a, "Big", "9223372036854775807", &v, &err) == 0);
    CHECK(dval_int(v, "Big", &i) && i == INT64_MAX);
    CHECK(decode_one(a, "Big", "9223372036854775808", &v, &err) == -1);
    CHECK(err.code == ERR_INVALID_PARAMETER_VALUE);
    REQUIRE(decode_one(a, "Data", "aGVsbG8=", &v, &err) == 0);
    CHECK_STR(dval_str(v, "Data"), "aGVsbG8=");
    CHECK(decode_one(a, "Attribute.entry.1.key", "k", &v, &err) == -1);
    CHECK(err.code == ERR_UNKNOWN_PARAMETER);
    arena_destroy(a);
}

/* The robustness loop: random and mutated bodies must never crash, and an
 * accepted one must re-encode (as botocore would) to exactly its distinct
 * keys with their first values. */

static uint64_t rng_state;

static uint64_t
rng(void)
{
    /* xorshift64*: fixed sequence for a printed seed. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * UINT64_C(2685821657736338717);
}

static size_t
rng_below(size_t n)
{
    return (size_t) (rng() % n);
}

static void
reencode(const struct dval *v, struct buf *path, struct qparam *out, size_t *n,
         struct arena *a)
{
    size_t mark = path->len;
    switch (v->shape->type) {
    case SHAPE_STRUCTURE:
        for (size_t i = 0; i < v->shape->n_members; i++) {
            if (v->u.members[i]) {
                buf_printf(path, "%s%s", mark ? "." : "", v->shape->members[i].query_name);
                reencode(v->u.members[i], path, out, n, a);
                path->len = mark;
                path->data[mark] = '\0';
            }
        }
        return;
    case SHAPE_LIST:
        for (size_t i = 0; i < v->u.list.n; i++) {
            /* The list index is lost in decoding; record the position. */
            buf_printf(path, ".#%zu", i);
            reencode(v->u.list.items[i], path, out, n, a);
            path->len = mark;
            path->data[mark] = '\0';
        }
        return;
    case SHAPE_STRING:
    case SHAPE_TIMESTAMP:
    case SHAPE_BLOB:
        out[*n].value = v->u.str;
        break;
    case SHAPE_INTEGER:
    case SHAPE_LONG:
    case SHAPE_BOOLEAN:
        /* "022" and "TRUE" decode fine but do not read back the same. */
        out[*n].value = NULL;
        break;
    default:
        NOT_REACHED();
    }
    out[*n].key = arena_strdup(a, path->data);
    (*n)++;
}

/* Counts the scalars of 'v' and checks each value against its shape. */
static size_t
count_scalars(const struct dval *v)
{
    size_t n = 0;
    switch (v->shape->type) {
    case SHAPE_STRUCTURE:
        for (size_t i = 0; i < v->shape->n_members; i++) {
            if (v->u.members[i]) {
                CHECK(v->u.members[i]->shape == v->shape->members[i].shape);
                n += count_scalars(v->u.members[i]);
            }
        }
        return n;
    case SHAPE_LIST:
        CHECK(v->u.list.n >= 1 && v->u.list.n <= QUERY_MAX_LIST_LEN);
        for (size_t i = 0; i < v->u.list.n; i++) {
            CHECK(v->u.list.items[i]->shape == v->shape->member);
            n += count_scalars(v->u.list.items[i]);
        }
        return n;
    default:
        return 1;
    }
}

static const char *const seeds_describe_vpcs[] = {
    "Action=DescribeVpcs&Filter.1.Name=vpc-id&Filter.1.Value.1=a&Filter.1.Value.2=b"
    "&Filter.2.Name=tag%3AName&Filter.2.Value.1=x&VpcId.1=a",
    "Action=DescribeVpcs&VpcId.1=vpc-1&VpcId.2=vpc-2&MaxResults=10&NextToken=abc&DryRun=true",
    "Action=DescribeVpcs&Version=2016-11-15",
};
static const char *const seeds_authorize[] = {
    "Action=AuthorizeSecurityGroupIngress&GroupId=g&IpPermissions.1.IpProtocol=tcp"
    "&IpPermissions.1.FromPort=22&IpPermissions.1.ToPort=22"
    "&IpPermissions.1.IpRanges.1.CidrIp=0.0.0.0%2F0",
    "Action=AuthorizeSecurityGroupIngress&GroupId=g&IpPermissions.1.IpProtocol=-1"
    "&IpPermissions.1.Groups.1.GroupId=sg-1&IpPermissions.1.Ipv6Ranges.1.CidrIpv6=%3A%3A%2F0"
    "&IpPermissions.2.PrefixListIds.1.PrefixListId=pl-1&TagSpecification.1.ResourceType="
    "security-group-rule&TagSpecification.1.Tag.1.Key=k&TagSpecification.1.Tag.1.Value=v",
};

static const char *const fragments[] = {
    ".", "..", "&", "=", "%", "%2", "%zz", "%2F", "%00", "%FF", "%C3%A9", "+", "1", "0", "01",
    "-1", "1000001", "99999999999999999999", "Filter", "Value", "Name", "VpcId", "IpPermissions",
    "IpRanges", "CidrIp", "FromPort", "true", "x", "\xff", "\xc3\xa9", "Tag", "Key",
    "TagSpecification", "MaxResults", "Action=DescribeVpcs", "X-Amz-Date",
};

/* Keys that are valid for one of the two actions, with %u for indexes. */
static const char *const templates[] = {
    "Filter.%u.Name", "Filter.%u.Value.%u", "VpcId.%u", "MaxResults", "DryRun",
    "IpPermissions.%u.IpProtocol", "IpPermissions.%u.FromPort", "IpPermissions.%u.ToPort",
    "IpPermissions.%u.IpRanges.%u.CidrIp", "IpPermissions.%u.Groups.%u.GroupId",
    "TagSpecification.%u.Tag.%u.Key", "GroupId", "CidrIp",
};
static const char *const template_values[] = { "5", "22", "-1", "true", "x", "a%2Fb", "" };

static unsigned
random_index(void)
{
    size_t r = rng_below(20);
    return r == 0 ? 0 : r == 1 ? 1000001 : (unsigned) (1 + rng_below(12));
}

static void
mutate(struct buf *b)
{
    size_t n_ops = 1 + rng_below(4);
    for (size_t op = 0; op < n_ops; op++) {
        size_t at = b->len ? rng_below(b->len + 1) : 0;
        switch (rng_below(7)) {
        case 0:         /* flip a byte */
            if (b->len) {
                b->data[rng_below(b->len)] = (char) rng();
            }
            break;
        case 1: {       /* insert a fragment */
            const char *f = fragments[rng_below(ARRAY_SIZE(fragments))];
            struct buf t;
            buf_init(&t);
            buf_put(&t, b->data, at);
            buf_puts(&t, f);
            buf_put(&t, b->data + at, b->len - at);
            buf_clear(b);
            buf_put(b, t.data, t.len);
            buf_uninit(&t);
            break;
        }
        case 2: {       /* delete a range */
            size_t want = rng_below(12);
            size_t len = MIN(b->len - at, want);
            memmove(b->data + at, b->data + at + len, b->len - at - len);
            b->len -= len;
            b->data[b->len] = '\0';
            break;
        }
        case 3: {       /* duplicate a range at the end */
            size_t want = rng_below(40);
            size_t len = MIN(b->len - at, want);
            char *copy = xstrndup(b->data + at, len);
            buf_putc(b, '&');
            buf_puts(b, copy);
            free(copy);
            break;
        }
        case 4:
        case 5: {       /* append a well-formed key */
            buf_putc(b, '&');
            buf_printf(b, templates[rng_below(ARRAY_SIZE(templates))], random_index(),
                       random_index());
            buf_printf(b, "=%s", template_values[rng_below(ARRAY_SIZE(template_values))]);
            break;
        }
        default: {      /* append a random key made of fragments */
            buf_putc(b, '&');
            for (size_t k = rng_below(6); k > 0; k--) {
                buf_puts(b, fragments[rng_below(ARRAY_SIZE(fragments))]);
            }
            buf_printf(b, "=%u", (unsigned) rng_below(100));
            break;
        }
        }
    }
}

static bool
valid_utf8_message(const char *s)
{
    /* Control characters never appear in our messages about keys. */
    const unsigned char *p = (const unsigned char *) s;
    for (; *p; p++) {
        if (*p >= 0x80) {
            size_t n = *p >= 0xf0 ? 3 : *p >= 0xe0 ? 2 : 1;
            if (*p < 0xc2 || *p > 0xf4) {
                return false;
            }
            for (size_t k = 1; k <= n; k++) {
                if ((p[k] & 0xc0) != 0x80) {
                    return false;
                }
            }
            p += n;
        }
    }
    return true;
}

static int
compare_qparams(const void *a_, const void *b_)
{
    const struct qparam *a = a_, *b = b_;
    return strcmp(a->key, b->key);
}

/* Rewrites each list index of 'key' ("VpcId.12" or, from reencode(),
 * "VpcId.#3") as "#", so keys compare without item positions. */
static const char *
strip_indexes(struct arena *a, const char *key)
{
    char *out = arena_strdup(a, key);
    char *w = out;

    for (const char *r = key; *r;) {
        bool start = r == key || r[-1] == '.';
        if (start && (*r == '#' || (*r >= '1' && *r <= '9'))) {
            *w++ = '#';
            r += (*r == '#') + strspn(r + (*r == '#'), "0123456789");
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
    return out;
}

/* Checks that decoded 'v' holds exactly the distinct keys of 'ps' (bar
 * Action, Version, X-Amz-*), each string with its first value. */
static void
check_round_trip(struct arena *a, const struct qparam *ps, size_t n, const struct dval *v)
{
    struct qparam *want = arena_alloc(a, (n + 1) * sizeof *want);
    size_t n_want = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(ps[i].key, "Action") && strcmp(ps[i].key, "Version")
            && strncasecmp(ps[i].key, "X-Amz-", 6) && !query_find(ps, i, ps[i].key)) {
            want[n_want].key = strip_indexes(a, ps[i].key);
            want[n_want++].value = ps[i].value;
        }
    }

    size_t n_got = count_scalars(v), k = 0;
    struct qparam *got = arena_alloc(a, (n_got + 1) * sizeof *got);
    struct buf path;
    buf_init(&path);
    buf_puts(&path, "");
    reencode(v, &path, got, &k, a);
    buf_uninit(&path);
    REQUIRE(k == n_got);
    CHECK_INT(n_got, n_want);
    if (n_got != n_want) {
        return;
    }
    for (size_t i = 0; i < k; i++) {
        got[i].key = strip_indexes(a, got[i].key);
    }
    qsort(want, n_want, sizeof *want, compare_qparams);
    qsort(got, k, sizeof *got, compare_qparams);
    for (size_t i = 0; i < k; i++) {
        CHECK_STR(got[i].key, want[i].key);
        if (!got[i].value) {
            continue;
        }
        /* Equal keys are adjacent: find this string value among them. */
        bool found = false;
        size_t j = i;
        while (j > 0 && !strcmp(want[j - 1].key, got[i].key)) {
            j--;
        }
        for (; j < n_want && !strcmp(want[j].key, got[i].key) && !found; j++) {
            found = !strcmp(want[j].value, got[i].value);
        }
        CHECK(found);
    }
}

TEST(decode_survives_random_bodies, "100k mutated bodies: no crash, accepted ones round-trip")
{
    const char *env = getenv("VPCD_TEST_SEED");
    uint64_t seed = env ? strtoull(env, NULL, 0) : UINT64_C(20261128);
    rng_state = seed ? seed : 1;
    fprintf(stderr, "    decode_survives_random_bodies: seed %" PRIu64 "\n", seed);

    struct arena *a = arena_create();
    struct buf b;
    size_t accepted = 0;
    buf_init(&b);
    for (int iter = 0; iter < 100000; iter++) {
        bool vpcs = iter & 1;
        const char *const *seeds = vpcs ? seeds_describe_vpcs : seeds_authorize;
        size_t n_seeds = vpcs ? ARRAY_SIZE(seeds_describe_vpcs) : ARRAY_SIZE(seeds_authorize);
        const struct shape *input = shapes_find_operation(
            vpcs ? "DescribeVpcs" : "AuthorizeSecurityGroupIngress")->input;

        buf_clear(&b);
        buf_puts(&b, seeds[rng_below(n_seeds)]);
        mutate(&b);

        struct qparam *ps;
        size_t n;
        struct dval *v;
        struct error err;
        err_clear(&err);
        if (query_parse_form(a, b.data, b.len, &ps, &n, &err)) {
            CHECK(err.code == ERR_MALFORMED_QUERY_STRING
                  || err.code == ERR_INVALID_PARAMETER_VALUE);
        } else if (query_decode(a, input, ps, n, &v, &err)) {
            CHECK(err.code == ERR_UNKNOWN_PARAMETER || err.code == ERR_MISSING_PARAMETER
                  || err.code == ERR_INVALID_PARAMETER_VALUE);
            CHECK(valid_utf8_message(err.message));
        } else {
            check_round_trip(a, ps, n, v);
            accepted++;
        }
        arena_reset(a);
        if (test_failures) {
            fprintf(stderr, "    failing body: \"%s\"\n", b.data);
            break;
        }
    }
    /* The loop must exercise the success path too, not only the errors. */
    fprintf(stderr, "    decode_survives_random_bodies: %zu of 100000 accepted\n", accepted);
    CHECK(accepted > 1000);
    buf_uninit(&b);
    arena_destroy(a);
}
