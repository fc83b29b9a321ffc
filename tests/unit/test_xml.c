/* Unit tests for api/xml: exact response and error documents, escaping,
 * member order, empty lists, and the setters' aborts on handler bugs. */
#include "testlib.h"

#include <signal.h>

#include "api/shapes.h"
#include "api/xml.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/util.h"

#define DECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
#define XMLNS "xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\""

static const struct shape *
output_of(const char *action)
{
    const struct api_operation *op = shapes_find_operation(action);
    ASSERT(op && op->output);
    return op->output;
}

/* Fills 'vpc' (a Vpc structure) the way a handler would, members out of
 * shape order on purpose. */
static void
fill_vpc(struct oval *vpc, const char *id, const char *cidr, bool tagged)
{
    oval_set_bool(vpc, "IsDefault", false);
    oval_set_str(vpc, "VpcId", id);
    oval_set_str(vpc, "State", "available");
    oval_set_str(vpc, "CidrBlock", cidr);
    oval_set_str(vpc, "OwnerId", "000000000000");
    oval_set_str(vpc, "InstanceTenancy", "default");
    oval_set_str(vpc, "DhcpOptionsId", "dopt-1");
    struct oval *assocs = oval_set_list(vpc, "CidrBlockAssociationSet");
    struct oval *assoc = oval_list_add_struct(assocs);
    oval_set_str(assoc, "AssociationId", "vpc-cidr-assoc-1");
    oval_set_str(assoc, "CidrBlock", cidr);
    oval_set_str(oval_set_struct(assoc, "CidrBlockState"), "State", "associated");
    struct oval *tags = oval_set_list(vpc, "Tags");
    if (tagged) {
        struct oval *tag = oval_list_add_struct(tags);
        oval_set_str(tag, "Key", "Name");
        oval_set_str(tag, "Value", "a&b");
    }
}

TEST(xml_encodes_create_vpc, "CreateVpc's response, byte for byte")
{
    struct arena *a = arena_create();
    struct buf b;
    struct oval *out = oval_new(a, output_of("CreateVpc"));

    fill_vpc(oval_set_struct(out, "Vpc"), "vpc-1", "10.0.0.0/16", false);
    buf_init(&b);
    xml_encode_response(&b, "CreateVpc", "req-1", out);
    CHECK_STR(b.data,
              DECL "<CreateVpcResponse " XMLNS "><requestId>req-1</requestId>"
              "<vpc><cidrBlock>10.0.0.0/16</cidrBlock><dhcpOptionsId>dopt-1</dhcpOptionsId>"
              "<state>available</state><vpcId>vpc-1</vpcId><ownerId>000000000000</ownerId>"
              "<instanceTenancy>default</instanceTenancy>"
              "<cidrBlockAssociationSet><item><associationId>vpc-cidr-assoc-1</associationId>"
              "<cidrBlock>10.0.0.0/16</cidrBlock><cidrBlockState><state>associated</state>"
              "</cidrBlockState></item></cidrBlockAssociationSet>"
              "<isDefault>false</isDefault><tagSet/></vpc></CreateVpcResponse>");
    buf_uninit(&b);
    arena_destroy(a);
}

TEST(xml_encodes_describe_vpcs, "DescribeVpcs with two VPCs, nested lists and a tag")
{
    struct arena *a = arena_create();
    struct buf b;
    struct oval *out = oval_new(a, output_of("DescribeVpcs"));
    struct oval *vpcs = oval_set_list(out, "Vpcs");

    CHECK(oval_set_list(out, "Vpcs") == vpcs);
    fill_vpc(oval_list_add_struct(vpcs), "vpc-1", "10.0.0.0/16", true);
    fill_vpc(oval_list_add_struct(vpcs), "vpc-2", "10.1.0.0/16", false);
    CHECK_INT(oval_list_len(vpcs), 2);
    buf_init(&b);
    xml_encode_response(&b, "DescribeVpcs", "r", out);
    CHECK_STR(b.data,
              DECL "<DescribeVpcsResponse " XMLNS "><requestId>r</requestId><vpcSet>"
              "<item><cidrBlock>10.0.0.0/16</cidrBlock><dhcpOptionsId>dopt-1</dhcpOptionsId>"
              "<state>available</state><vpcId>vpc-1</vpcId><ownerId>000000000000</ownerId>"
              "<instanceTenancy>default</instanceTenancy>"
              "<cidrBlockAssociationSet><item><associationId>vpc-cidr-assoc-1</associationId>"
              "<cidrBlock>10.0.0.0/16</cidrBlock><cidrBlockState><state>associated</state>"
              "</cidrBlockState></item></cidrBlockAssociationSet>"
              "<isDefault>false</isDefault><tagSet><item><key>Name</key>"
              "<value>a&amp;b</value></item></tagSet></item>"
              "<item><cidrBlock>10.1.0.0/16</cidrBlock><dhcpOptionsId>dopt-1</dhcpOptionsId>"
              "<state>available</state><vpcId>vpc-2</vpcId><ownerId>000000000000</ownerId>"
              "<instanceTenancy>default</instanceTenancy>"
              "<cidrBlockAssociationSet><item><associationId>vpc-cidr-assoc-1</associationId>"
              "<cidrBlock>10.1.0.0/16</cidrBlock><cidrBlockState><state>associated</state>"
              "</cidrBlockState></item></cidrBlockAssociationSet>"
              "<isDefault>false</isDefault><tagSet/></item>"
              "</vpcSet></DescribeVpcsResponse>");

    /* An empty result is an empty set; a next token follows the set. */
    buf_clear(&b);
    out = oval_new(a, output_of("DescribeVpcs"));
    oval_set_str(out, "NextToken", "tok");
    oval_set_list(out, "Vpcs");
    xml_encode_response(&b, "DescribeVpcs", "r", out);
    CHECK_STR(b.data, DECL "<DescribeVpcsResponse " XMLNS "><requestId>r</requestId>"
                      "<vpcSet/><nextToken>tok</nextToken></DescribeVpcsResponse>");
    buf_uninit(&b);
    arena_destroy(a);
}

TEST(xml_encodes_scalars_and_string_lists, "integers, booleans, string lists, no output")
{
    struct arena *a = arena_create();
    struct buf b;

    buf_init(&b);
    struct oval *out = oval_new(a, output_of("DescribeAccountAttributes"));
    struct oval *attr = oval_list_add_struct(oval_set_list(out, "AccountAttributes"));
    oval_set_str(attr, "AttributeName", "supported-platforms");
    struct oval *values = oval_set_list(attr, "AttributeValues");
    oval_set_str(oval_list_add_struct(values), "AttributeValue", "VPC");
    xml_encode_response(&b, "DescribeAccountAttributes", "r", out);
    CHECK_STR(b.data, DECL "<DescribeAccountAttributesResponse " XMLNS "><requestId>r</requestId>"
                      "<accountAttributeSet><item><attributeName>supported-platforms"
                      "</attributeName><attributeValueSet><item><attributeValue>VPC"
                      "</attributeValue></item></attributeValueSet></item>"
                      "</accountAttributeSet></DescribeAccountAttributesResponse>");

    /* Integers (negative too) and a return flag. */
    buf_clear(&b);
    out = oval_new(a, output_of("AuthorizeSecurityGroupIngress"));
    oval_set_bool(out, "Return", true);
    struct oval *rule = oval_list_add_struct(oval_set_list(out, "SecurityGroupRules"));
    oval_set_int(rule, "FromPort", -1);
    oval_set_int(rule, "ToPort", 65535);
    oval_set_bool(rule, "IsEgress", false);
    xml_encode_response(&b, "AuthorizeSecurityGroupIngress", "r", out);
    CHECK(strstr(b.data, "<return>true</return><securityGroupRuleSet><item>") != NULL);
    CHECK(strstr(b.data, "<isEgress>false</isEgress>") != NULL);
    CHECK(strstr(b.data, "<fromPort>-1</fromPort>") != NULL);
    CHECK(strstr(b.data, "<toPort>65535</toPort>") != NULL);

    /* A list of plain strings uses the list's member name. */
    buf_clear(&b);
    out = oval_new(a, output_of("AssignPrivateIpAddresses"));
    oval_set_str(out, "NetworkInterfaceId", "eni-1");
    struct oval *ips = oval_set_list(out, "AssignedPrivateIpAddresses");
    oval_set_str(oval_list_add_struct(ips), "PrivateIpAddress", "10.0.0.9");
    xml_encode_response(&b, "AssignPrivateIpAddresses", "r", out);
    CHECK(strstr(b.data, "<networkInterfaceId>eni-1</networkInterfaceId>"
                         "<assignedPrivateIpAddressesSet><item><privateIpAddress>10.0.0.9"
                         "</privateIpAddress></item></assignedPrivateIpAddressesSet>") != NULL);

    /* An action without a modelled output. */
    buf_clear(&b);
    xml_encode_response(&b, "DeleteVpc", "req-9", NULL);
    CHECK_STR(b.data, DECL "<DeleteVpcResponse " XMLNS "><requestId>req-9</requestId>"
                      "<return>true</return></DeleteVpcResponse>");
    buf_uninit(&b);
    arena_destroy(a);
}

/* A hand-made output shape with the types no EC2 output we serve has. */
static const struct shape test_string = { .name = "String", .type = SHAPE_STRING };
static const struct shape test_double = { .name = "Double", .type = SHAPE_DOUBLE };
static const struct shape test_long = { .name = "Long", .type = SHAPE_LONG };
static const struct shape test_timestamp = { .name = "DateTime", .type = SHAPE_TIMESTAMP };
static const struct shape test_names = {
    .name = "NameList", .type = SHAPE_LIST, .member = &test_string, .member_xml_name = "item",
};
static const struct shape_member test_members[] = {
    { "Names", "Name", "nameSet", &test_names, false },
    { "Ratio", "Ratio", "ratio", &test_double, false },
    { "Big", "Big", "big", &test_long, false },
    { "When", "When", "when", &test_timestamp, false },
};
static const struct shape test_result = {
    .name = "TestResult", .type = SHAPE_STRUCTURE,
    .members = test_members, .n_members = ARRAY_SIZE(test_members),
};

TEST(xml_encodes_other_types, "string lists, doubles that round-trip, longs, timestamps")
{
    struct arena *a = arena_create();
    struct oval *out = oval_new(a, &test_result);
    struct oval *names = oval_set_list(out, "Names");
    struct buf b;

    oval_list_add_str(names, "one");
    oval_list_add_str(names, "<two>");
    CHECK_INT(oval_list_len(names), 2);
    oval_set_double(out, "Ratio", 0.1);
    oval_set_int(out, "Big", INT64_MIN);
    oval_set_str(out, "When", "2026-11-28T15:00:00.000Z");
    buf_init(&b);
    xml_encode_response(&b, "VpcdTest", "r", out);
    CHECK_STR(b.data, DECL "<VpcdTestResponse " XMLNS "><requestId>r</requestId>"
                      "<nameSet><item>one</item><item>&lt;two&gt;</item></nameSet>"
                      "<ratio>0.1</ratio><big>-9223372036854775808</big>"
                      "<when>2026-11-28T15:00:00.000Z</when></VpcdTestResponse>");

    static const struct {
        double value;
        const char *text;
    } doubles[] = {
        { 1.0 / 3.0, "<ratio>0.33333333333333331</ratio>" },
        { 1e300, "<ratio>1e+300</ratio>" },
        { -2.5, "<ratio>-2.5</ratio>" },
        { 0.0, "<ratio>0</ratio>" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(doubles); i++) {
        out = oval_new(a, &test_result);
        oval_set_double(out, "Ratio", doubles[i].value);
        buf_clear(&b);
        xml_encode_response(&b, "VpcdTest", "r", out);
        CHECK(strstr(b.data, doubles[i].text) != NULL);
    }
    buf_uninit(&b);
    arena_destroy(a);
}

TEST(xml_escapes_text, "the five specials become entities, control characters are replaced")
{
    struct arena *a = arena_create();
    struct buf b;
    struct oval *out = oval_new(a, output_of("CreateVpc"));
    struct oval *vpc = oval_set_struct(out, "Vpc");
    char value[] = "<a href=\"x\">'&'</a>";

    oval_set_str(vpc, "VpcId", value);
    value[0] = 'X';     /* the setter copied it */
    oval_set_str(vpc, "OwnerId", "tab\there\rbell\x07" "caf\xc3\xa9");
    buf_init(&b);
    xml_encode_response(&b, "CreateVpc", "r<&>", out);
    CHECK(strstr(b.data, "<requestId>r&lt;&amp;&gt;</requestId>") != NULL);
    CHECK(strstr(b.data, "<vpcId>&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;"
                         "</vpcId>") != NULL);
    CHECK(strstr(b.data, "<ownerId>tab\there&#13;bell\xef\xbf\xbd" "caf\xc3\xa9</ownerId>")
          != NULL);
    buf_uninit(&b);
    arena_destroy(a);
}

TEST(xml_encodes_error, "AWS's error document, escaped")
{
    struct buf b;

    buf_init(&b);
    xml_encode_error(&b, "InvalidVpcID.NotFound", "The vpc ID 'vpc-<1>' does not exist", "r-1");
    CHECK_STR(b.data, DECL "<Response><Errors><Error><Code>InvalidVpcID.NotFound</Code>"
                      "<Message>The vpc ID &apos;vpc-&lt;1&gt;&apos; does not exist</Message>"
                      "</Error></Errors><RequestID>r-1</RequestID></Response>");
    buf_uninit(&b);
}

TEST(xml_encodes_large_responses, "4,000 network interfaces of ~20 fields encode completely")
{
    struct arena *a = arena_create();
    struct oval *out = oval_new(a, output_of("DescribeNetworkInterfaces"));
    struct oval *list = oval_set_list(out, "NetworkInterfaces");
    char id[32];

    for (int i = 0; i < 4000; i++) {
        struct oval *eni = oval_list_add_struct(list);
        snprintf(id, sizeof id, "eni-%017x", i);
        oval_set_str(eni, "AvailabilityZone", "us-east-1a");
        oval_set_str(eni, "Description", "primary network interface");
        oval_set_str(eni, "InterfaceType", "interface");
        oval_set_str(eni, "MacAddress", "02:00:00:00:00:01");
        oval_set_str(eni, "NetworkInterfaceId", id);
        oval_set_str(eni, "OwnerId", "000000000000");
        oval_set_str(eni, "PrivateDnsName", "ip-10-0-0-1.ec2.internal");
        oval_set_str(eni, "PrivateIpAddress", "10.0.0.1");
        oval_set_bool(eni, "RequesterManaged", false);
        oval_set_bool(eni, "SourceDestCheck", true);
        oval_set_str(eni, "Status", "in-use");
        oval_set_str(eni, "SubnetId", "subnet-1");
        oval_set_str(eni, "VpcId", "vpc-1");
        struct oval *groups = oval_set_list(eni, "Groups");
        struct oval *g = oval_list_add_struct(groups);
        oval_set_str(g, "GroupName", "default");
        oval_set_str(g, "GroupId", "sg-1");
        struct oval *att = oval_set_struct(eni, "Attachment");
        oval_set_str(att, "AttachmentId", "eni-attach-1");
        oval_set_int(att, "DeviceIndex", 0);
        oval_set_str(att, "InstanceId", "i-1");
        oval_set_str(att, "Status", "attached");
        oval_set_list(eni, "TagSet");
    }
    CHECK_INT(oval_list_len(list), 4000);
    struct buf b;
    buf_init(&b);
    xml_encode_response(&b, "DescribeNetworkInterfaces", "r", out);
    size_t items = 0;
    for (const char *p = b.data; (p = strstr(p, "<networkInterfaceId>")); p++) {
        items++;
    }
    CHECK_INT(items, 4000);
    CHECK(strstr(b.data, "<deviceIndex>0</deviceIndex>") != NULL);
    CHECK(strstr(b.data, "<tagSet/>") != NULL);
    buf_uninit(&b);
    arena_destroy(a);
}

/* Runs 'fn' in a child and returns true if it aborted. */
static bool
aborts(void (*fn)(void))
{
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        /* The abort message is expected; keep the test output clean. */
        if (!freopen("/dev/null", "w", stderr)) {
            _exit(3);
        }
        fn();
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static void
set_unknown_member(void)
{
    struct arena *a = arena_create();
    oval_set_str(oval_new(a, output_of("CreateVpc")), "VpcIdd", "x");
}

static void
set_wrong_type(void)
{
    struct arena *a = arena_create();
    oval_set_int(oval_set_struct(oval_new(a, output_of("CreateVpc")), "Vpc"), "VpcId", 1);
}

static void
set_str_on_struct(void)
{
    struct arena *a = arena_create();
    oval_set_str(oval_new(a, output_of("CreateVpc")), "Vpc", "x");
}

static void
add_str_to_struct_list(void)
{
    struct arena *a = arena_create();
    oval_list_add_str(oval_set_list(oval_new(a, output_of("DescribeVpcs")), "Vpcs"), "x");
}

static void
encode_wrong_output(void)
{
    struct arena *a = arena_create();
    struct buf b;
    buf_init(&b);
    xml_encode_response(&b, "DescribeVpcs", "r", oval_new(a, output_of("CreateVpc")));
}

TEST(xml_setters_abort_on_handler_bugs, "unknown members and mismatched types abort")
{
    CHECK(aborts(set_unknown_member));
    CHECK(aborts(set_wrong_type));
    CHECK(aborts(set_str_on_struct));
    CHECK(aborts(add_str_to_struct_list));
    CHECK(aborts(encode_wrong_output));
}
