"""CreateTags, DeleteTags and DescribeTags against a real vpcd, through boto3
and the aws CLI.

The daemon is shared by the module, so every test tags resources of its own
and scopes DescribeTags to them (resource-id filter or a key unique to the
test).
"""
import tempfile
import uuid

import pytest

from conftest import ClientError, AwsCliError, Vpcd, error_code

MISSING_VPC = "vpc-0123456789abcdef0"


def new_vpc(ec2, cidr="10.0.0.0/16"):
    return ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]


def tags_of(ec2, resource_id):
    """DescribeTags for one resource: [(key, value)] in the order returned."""
    got = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [resource_id]}])["Tags"]
    assert all(t["ResourceId"] == resource_id for t in got)
    return [(t["Key"], t["Value"]) for t in got]


def default_resources(ec2, vpc_id):
    """The main route table, default network ACL and default security group
    CreateVpc made."""
    f = [{"Name": "vpc-id", "Values": [vpc_id]}]
    rtb = ec2.describe_route_tables(Filters=f)["RouteTables"][0]["RouteTableId"]
    acl = ec2.describe_network_acls(Filters=f)["NetworkAcls"][0]["NetworkAclId"]
    sg = ec2.describe_security_groups(Filters=f)["SecurityGroups"][0]["GroupId"]
    return rtb, acl, sg


def test_create_describe_delete_on_vpc(ec2):
    vpc = new_vpc(ec2)
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": "web"},
                                           {"Key": "Env", "Value": "prod"},
                                           {"Key": "empty"}])
    got = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [vpc]}])["Tags"]
    assert got == [
        {"Key": "Env", "Value": "prod", "ResourceId": vpc, "ResourceType": "vpc"},
        {"Key": "Name", "Value": "web", "ResourceId": vpc, "ResourceType": "vpc"},
        {"Key": "empty", "Value": "", "ResourceId": vpc, "ResourceType": "vpc"},
    ]
    described = ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["Tags"]
    assert sorted((t["Key"], t["Value"]) for t in described) == \
        [("Env", "prod"), ("Name", "web"), ("empty", "")]
    ec2.delete_tags(Resources=[vpc], Tags=[{"Key": "Env"}])
    assert tags_of(ec2, vpc) == [("Name", "web"), ("empty", "")]


def test_tags_on_every_family(ec2):
    vpc = new_vpc(ec2, "10.1.0.0/16")
    rtb, acl, sg = default_resources(ec2, vpc)
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.1.1.0/24")["Subnet"]["SubnetId"]
    ids = [vpc, rtb, acl, sg, subnet]
    ec2.create_tags(Resources=ids, Tags=[{"Key": "Team", "Value": "net"}])
    got = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": ids}])["Tags"]
    assert [t["ResourceId"] for t in got] == sorted(ids)
    types = {t["ResourceId"]: t["ResourceType"] for t in got}
    assert types == {vpc: "vpc", rtb: "route-table", acl: "network-acl",
                     sg: "security-group", subnet: "subnet"}
    for kind in ["vpc", "route-table", "network-acl", "security-group", "subnet"]:
        only = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": ids},
                                          {"Name": "resource-type", "Values": [kind]}])["Tags"]
        assert [t["ResourceType"] for t in only] == [kind]
    # Each family's Describe shows the tag too.
    sgs = ec2.describe_security_groups(GroupIds=[sg])["SecurityGroups"]
    assert {"Key": "Team", "Value": "net"} in sgs[0]["Tags"]
    rtbs = ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"]
    assert {"Key": "Team", "Value": "net"} in rtbs[0]["Tags"]
    subnets = ec2.describe_subnets(SubnetIds=[subnet])["Subnets"]
    assert {"Key": "Team", "Value": "net"} in subnets[0]["Tags"]


def test_tag_specifications_show_in_describe_tags(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.2.0.0/16", TagSpecifications=[
        {"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "spec"}]}])["Vpc"]["VpcId"]
    assert tags_of(ec2, vpc) == [("Name", "spec")]


def test_create_tags_overwrites(ec2, aws):
    vpc = new_vpc(ec2)
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": "a"}])
    aws("create-tags", "--resources", vpc, "--tags", "Key=Name,Value=b", "Key=Other,Value=c")
    assert tags_of(ec2, vpc) == [("Name", "b"), ("Other", "c")]
    # A key given without a value becomes an empty value.
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name"}])
    assert tags_of(ec2, vpc) == [("Name", ""), ("Other", "c")]


@pytest.mark.parametrize("bad_id, code", [
    (MISSING_VPC, "InvalidVpcID.NotFound"),
    ("subnet-0123456789abcdef0", "InvalidSubnetID.NotFound"),
    ("rtb-0123456789abcdef0", "InvalidRouteTableID.NotFound"),
    ("acl-0123456789abcdef0", "InvalidNetworkAclID.NotFound"),
    ("igw-0123456789abcdef0", "InvalidInternetGatewayID.NotFound"),
    ("sg-0123456789abcdef0", "InvalidGroup.NotFound"),
    ("vpc-xyz", "InvalidID"),
    ("banana-0123456789abcdef0", "InvalidID"),
    ("nothing", "InvalidID"),
])
def test_unknown_ids_refuse_the_whole_request(ec2, bad_id, code):
    vpc = new_vpc(ec2)
    with pytest.raises(ClientError) as e:
        ec2.create_tags(Resources=[vpc, bad_id], Tags=[{"Key": "Name", "Value": "x"}])
    assert error_code(e) == code
    assert bad_id in e.value.response["Error"]["Message"]
    assert tags_of(ec2, vpc) == []
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": "x"}])
    with pytest.raises(ClientError) as e:
        ec2.delete_tags(Resources=[vpc, bad_id])
    assert error_code(e) == code
    assert tags_of(ec2, vpc) == [("Name", "x")]


def test_invalid_id_message(ec2):
    with pytest.raises(ClientError) as e:
        ec2.create_tags(Resources=["foo-1"], Tags=[{"Key": "k", "Value": "v"}])
    assert error_code(e) == "InvalidID"
    assert e.value.response["Error"]["Message"] == "The ID 'foo-1' is not valid"


def test_other_region_resources_are_not_found(vpcd, ec2):
    vpc = new_vpc(ec2)
    eu = vpcd.client("eu-west-1")
    with pytest.raises(ClientError) as e:
        eu.create_tags(Resources=[vpc], Tags=[{"Key": "k", "Value": "v"}])
    assert error_code(e) == "InvalidVpcID.NotFound"
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "k", "Value": "v"}])
    assert eu.describe_tags(Filters=[{"Name": "resource-id", "Values": [vpc]}])["Tags"] == []


def test_tag_limit(ec2):
    vpc = new_vpc(ec2)
    fifty = [{"Key": f"k{i:02d}", "Value": str(i)} for i in range(50)]
    ec2.create_tags(Resources=[vpc], Tags=fifty)
    assert len(tags_of(ec2, vpc)) == 50
    # Overwriting keys the resource has does not add to the count.
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "k00", "Value": "new"}])
    with pytest.raises(ClientError) as e:
        ec2.create_tags(Resources=[vpc], Tags=[{"Key": "k01", "Value": "changed"},
                                               {"Key": "k50", "Value": "one too many"}])
    assert error_code(e) == "TagLimitExceeded"
    tags = dict(tags_of(ec2, vpc))
    assert len(tags) == 50 and tags["k00"] == "new" and tags["k01"] == "1"
    other = new_vpc(ec2)
    with pytest.raises(ClientError) as e:
        ec2.create_tags(Resources=[other],
                        Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(51)])
    assert error_code(e) == "TagLimitExceeded"
    assert tags_of(ec2, other) == []


@pytest.mark.parametrize("key, value", [
    ("aws:cloudformation:stack-name", "x"),
    ("AWS:anything", "x"),
    ("k" * 129, "x"),
    ("k", "v" * 257),
    ("", "x"),
])
def test_bad_tags_refused(ec2, key, value):
    vpc = new_vpc(ec2)
    with pytest.raises(ClientError) as e:
        ec2.create_tags(Resources=[vpc], Tags=[{"Key": "ok", "Value": "fine"},
                                               {"Key": key, "Value": value}])
    assert error_code(e) == "InvalidParameterValue"
    assert tags_of(ec2, vpc) == []


def test_longest_tags_accepted_in_characters(ec2):
    vpc = new_vpc(ec2)
    key = "\u00e9" * 128            # 128 characters, 256 bytes of UTF-8
    value = "\u20ac" * 256          # 256 characters, 768 bytes
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": key, "Value": value},
                                           {"Key": "a b=c/d", "Value": "<&>'\""}])
    assert sorted(tags_of(ec2, vpc)) == sorted([(key, value), ("a b=c/d", "<&>'\"")])


def test_delete_tags_value_matching(ec2, aws):
    vpc = new_vpc(ec2)
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"},
                                           {"Key": "c", "Value": ""}, {"Key": "d", "Value": "4"},
                                           {"Key": "e", "Value": "5"}])
    # A value given deletes only on a match; an absent key is no error.
    ec2.delete_tags(Resources=[vpc], Tags=[{"Key": "a", "Value": "wrong"},
                                           {"Key": "b", "Value": "2"},
                                           {"Key": "missing"}])
    assert tags_of(ec2, vpc) == [("a", "1"), ("c", ""), ("d", "4"), ("e", "5")]
    # An empty value matches only an empty value.
    ec2.delete_tags(Resources=[vpc], Tags=[{"Key": "c", "Value": ""}, {"Key": "d", "Value": ""}])
    assert tags_of(ec2, vpc) == [("a", "1"), ("d", "4"), ("e", "5")]
    # No value: whatever the value.
    aws("delete-tags", "--resources", vpc, "--tags", "Key=d")
    assert tags_of(ec2, vpc) == [("a", "1"), ("e", "5")]
    with pytest.raises(ClientError) as e:
        ec2.delete_tags(Resources=[vpc], Tags=[{"Key": "aws:reserved"}])
    assert error_code(e) == "InvalidParameterValue"
    # No tags at all: every tag of every resource named.
    other = new_vpc(ec2)
    ec2.create_tags(Resources=[other], Tags=[{"Key": "x", "Value": "y"}])
    ec2.delete_tags(Resources=[vpc, other])
    assert tags_of(ec2, vpc) == [] and tags_of(ec2, other) == []


def test_dry_run(ec2):
    vpc = new_vpc(ec2)
    with pytest.raises(ClientError) as e:
        ec2.create_tags(Resources=[vpc], Tags=[{"Key": "k", "Value": "v"}], DryRun=True)
    assert error_code(e) == "DryRunOperation"
    assert tags_of(ec2, vpc) == []
    # A dry run still checks the request first.
    with pytest.raises(ClientError) as e:
        ec2.create_tags(Resources=[MISSING_VPC], Tags=[{"Key": "k", "Value": "v"}], DryRun=True)
    assert error_code(e) == "InvalidVpcID.NotFound"
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "k", "Value": "v"}])
    with pytest.raises(ClientError) as e:
        ec2.delete_tags(Resources=[vpc], DryRun=True)
    assert error_code(e) == "DryRunOperation"
    assert tags_of(ec2, vpc) == [("k", "v")]
    with pytest.raises(ClientError) as e:
        ec2.describe_tags(DryRun=True)
    assert error_code(e) == "DryRunOperation"


def test_describe_tags_filters(ec2, aws):
    key = "f-" + uuid.uuid4().hex[:8]
    vpcs = [new_vpc(ec2) for _ in range(3)]
    for i, vpc in enumerate(vpcs):
        ec2.create_tags(Resources=[vpc], Tags=[{"Key": key, "Value": f"v{i}"},
                                               {"Key": key + "-role", "Value": "odd" if i % 2
                                                else "even"}])
    rtb, _, sg = default_resources(ec2, vpcs[0])
    ec2.create_tags(Resources=[rtb, sg], Tags=[{"Key": key, "Value": "v0"}])

    def keys_values(filters):
        return [(t["ResourceId"], t["Key"], t["Value"])
                for t in ec2.describe_tags(Filters=filters)["Tags"]]

    got = keys_values([{"Name": "key", "Values": [key]}])
    assert len(got) == 5 and [g[0] for g in got] == sorted(g[0] for g in got)
    got = keys_values([{"Name": "key", "Values": [key]}, {"Name": "value", "Values": ["v0"]}])
    assert sorted(g[0] for g in got) == sorted([vpcs[0], rtb, sg])
    got = keys_values([{"Name": "key", "Values": [key + "*"]},
                       {"Name": "resource-type", "Values": ["vpc"]},
                       {"Name": "value", "Values": ["v?", "o*"]}])
    assert len(got) == 4
    got = keys_values([{"Name": "key", "Values": [key]},
                       {"Name": "resource-type", "Values": ["security-group", "route-table"]}])
    assert sorted(g[0] for g in got) == sorted([rtb, sg])
    # tag:KEY narrows to the resources with that tag, and lists their tags.
    got = keys_values([{"Name": f"tag:{key}-role", "Values": ["odd"]}])
    assert got == [(vpcs[1], key, "v1"), (vpcs[1], key + "-role", "odd")]
    # The CLI (which pages by itself) gives the same.
    out = aws("describe-tags", "--filters", f"Name=resource-id,Values={vpcs[2]}")["Tags"]
    assert [(t["Key"], t["Value"], t["ResourceType"]) for t in out] == \
        [(key, "v2", "vpc"), (key + "-role", "even", "vpc")]
    for bad in ["tag-key", "resource_id", "instance-id"]:
        with pytest.raises(ClientError) as e:
            ec2.describe_tags(Filters=[{"Name": bad, "Values": ["x"]}])
        assert error_code(e) == "InvalidParameterValue"


def test_describe_tags_pagination(ec2, aws):
    key = "p-" + uuid.uuid4().hex[:8]
    vpcs = [new_vpc(ec2) for _ in range(4)]
    for vpc in vpcs:
        ec2.create_tags(Resources=[vpc], Tags=[{"Key": f"{key}-{j}", "Value": str(j)}
                                               for j in range(3)])
    filters = [{"Name": "key", "Values": [key + "-*"]}]
    everything = ec2.describe_tags(Filters=filters)["Tags"]
    assert "NextToken" not in ec2.describe_tags(Filters=filters)
    assert len(everything) == 12
    assert everything == sorted(everything, key=lambda t: (t["ResourceId"], t["Key"]))

    pages, token = [], None
    while True:
        kw = {"NextToken": token} if token else {}
        out = ec2.describe_tags(Filters=filters, MaxResults=5, **kw)
        pages.append(out["Tags"])
        token = out.get("NextToken")
        if not token:
            break
    assert [len(p) for p in pages] == [5, 5, 2]
    assert [t for p in pages for t in p] == everything

    paginated = ec2.get_paginator("describe_tags").paginate(
        Filters=filters, PaginationConfig={"PageSize": 5})
    assert [t for page in paginated for t in page["Tags"]] == everything

    out = aws("describe-tags", "--filters", f"Name=key,Values={key}-*", "--page-size", "5")
    assert out["Tags"] == everything

    with pytest.raises(ClientError) as e:
        ec2.describe_tags(Filters=filters, NextToken="not-a-token")
    assert error_code(e) == "InvalidNextToken"
    for bad in [4, 1001]:
        with pytest.raises(ClientError) as e:
            ec2.describe_tags(Filters=filters, MaxResults=bad)
        assert error_code(e) == "InvalidParameterValue"


def test_pages_survive_deletion(ec2):
    key = "d-" + uuid.uuid4().hex[:8]
    vpcs = [new_vpc(ec2) for _ in range(3)]
    for vpc in vpcs:
        ec2.create_tags(Resources=[vpc], Tags=[{"Key": f"{key}-{j}", "Value": "v"}
                                               for j in range(3)])
    filters = [{"Name": "key", "Values": [key + "-*"]}]
    everything = ec2.describe_tags(Filters=filters)["Tags"]
    first = ec2.describe_tags(Filters=filters, MaxResults=5)
    # The first pair of the next page goes away before it is asked for.
    gone = everything[5]
    ec2.delete_tags(Resources=[gone["ResourceId"]], Tags=[{"Key": gone["Key"]}])
    rest = ec2.describe_tags(Filters=filters, NextToken=first["NextToken"])["Tags"]
    assert first["Tags"] + rest == everything[:5] + everything[6:]


def test_tags_survive_restart():
    with tempfile.TemporaryDirectory(prefix="vpcd-test-") as tmp:
        d = Vpcd(tmp).start()
        try:
            ec2 = d.client()
            vpc = new_vpc(ec2)
            rtb, _, sg = default_resources(ec2, vpc)
            ec2.create_tags(Resources=[vpc, sg], Tags=[{"Key": "Name", "Value": "kept"},
                                                       {"Key": "Gone", "Value": "x"}])
            ec2.delete_tags(Resources=[sg], Tags=[{"Key": "Gone"}])
            ec2.create_tags(Resources=[rtb], Tags=[{"Key": "Name", "Value": "rt"}])
            before = ec2.describe_tags()["Tags"]
            d.restart()
            ec2 = d.client()
            assert ec2.describe_tags()["Tags"] == before
            assert tags_of(ec2, sg) == [("Name", "kept")]
            assert tags_of(ec2, vpc) == [("Gone", "x"), ("Name", "kept")]
        finally:
            assert d.stop() == 0, d.log()


def test_cli_errors(aws):
    with pytest.raises(AwsCliError) as e:
        aws("create-tags", "--resources", MISSING_VPC, "--tags", "Key=a,Value=b")
    assert e.value.code == "InvalidVpcID.NotFound"
