"""Subnet actions against a real vpcd (vpc-semantics.md section 4), through
boto3 and the aws CLI.

    VPC 10.40.0.0/16 (+ secondary blocks per test)
      ├── subnet /24  (AvailableIpAddressCount 251)
      └── subnet /28  (11), ...
    default VPC 172.31.0.0/16 with a /20 default subnet per zone
"""
import itertools

import pytest

from conftest import AwsCliError, ClientError, Vpcd, error_code

_blocks = itertools.count(40)


def new_vpc(ec2, prefix_len=16):
    """A VPC with a fresh 10.N.0.0/16 block (N unique within the module)."""
    return ec2.create_vpc(CidrBlock=f"10.{next(_blocks)}.0.0/{prefix_len}")["Vpc"]


def unchecked(ec2):
    """The same client without botocore's own parameter checks, to reach vpcd's."""
    import boto3
    import botocore.config
    return boto3.client("ec2", endpoint_url=ec2.meta.endpoint_url, region_name=ec2.meta.region_name,
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=botocore.config.Config(parameter_validation=False,
                                                      retries={"max_attempts": 1}))


def base(vpc):
    return vpc["CidrBlock"].rsplit(".", 2)[0]          # "10.40"


def test_create_describe_delete_subnet(ec2):
    vpc = new_vpc(ec2)
    s = ec2.create_subnet(VpcId=vpc["VpcId"], CidrBlock=f"{base(vpc)}.1.0/24",
                          AvailabilityZone="us-east-1b", TagSpecifications=[
                              {"ResourceType": "subnet", "Tags": [{"Key": "Name", "Value": "a"}]}
                          ])["Subnet"]
    sid = s["SubnetId"]
    assert sid.startswith("subnet-") and len(sid) == len("subnet-") + 17
    assert s["VpcId"] == vpc["VpcId"]
    assert s["CidrBlock"] == f"{base(vpc)}.1.0/24"
    assert s["State"] == "available"
    assert s["AvailabilityZone"] == "us-east-1b" and s["AvailabilityZoneId"] == "use1-az2"
    assert s["AvailableIpAddressCount"] == 251
    assert s["OwnerId"] == "000000000000"
    assert s["SubnetArn"] == f"arn:aws:ec2:us-east-1:000000000000:subnet/{sid}"
    for flag in ["DefaultForAz", "MapPublicIpOnLaunch", "MapCustomerOwnedIpOnLaunch",
                 "AssignIpv6AddressOnCreation", "EnableDns64", "Ipv6Native"]:
        assert s[flag] is False, flag
    assert s["Ipv6CidrBlockAssociationSet"] == []
    assert s["PrivateDnsNameOptionsOnLaunch"] == {
        "HostnameType": "ip-name", "EnableResourceNameDnsARecord": False,
        "EnableResourceNameDnsAAAARecord": False}
    assert s["Tags"] == [{"Key": "Name", "Value": "a"}]

    got = ec2.describe_subnets(SubnetIds=[sid])["Subnets"]
    assert len(got) == 1 and got[0] == s

    ec2.delete_subnet(SubnetId=sid)
    with pytest.raises(ClientError) as e:
        ec2.describe_subnets(SubnetIds=[sid])
    assert error_code(e) == "InvalidSubnetID.NotFound"
    assert sid in e.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as e:
        ec2.delete_subnet(SubnetId=sid)
    assert error_code(e) == "InvalidSubnetID.NotFound"


@pytest.mark.parametrize("prefix_len,count", [(28, 11), (27, 27), (24, 251), (20, 4091),
                                              (16, 65531)])
def test_available_ip_address_count(ec2, prefix_len, count):
    vpc = new_vpc(ec2)
    s = ec2.create_subnet(VpcId=vpc["VpcId"], CidrBlock=f"{base(vpc)}.0.0/{prefix_len}")
    assert s["Subnet"]["AvailableIpAddressCount"] == count


def test_range_and_conflict_rules(ec2):
    vpc = new_vpc(ec2)
    vid, b = vpc["VpcId"], base(vpc)
    for cidr in [f"{b}.0.0/29", "10.250.0.0/24", f"{b}.0.0/15"]:
        with pytest.raises(ClientError) as e:
            ec2.create_subnet(VpcId=vid, CidrBlock=cidr)
        assert error_code(e) == "InvalidSubnet.Range", cidr
        assert cidr in e.value.response["Error"]["Message"]
    ec2.create_subnet(VpcId=vid, CidrBlock=f"{b}.8.0/22")
    for cidr in [f"{b}.8.0/24", f"{b}.0.0/20", f"{b}.11.240/28"]:
        with pytest.raises(ClientError) as e:
            ec2.create_subnet(VpcId=vid, CidrBlock=cidr)
        assert error_code(e) == "InvalidSubnet.Conflict", cidr
    # Non-canonical input is stored canonically.
    s = ec2.create_subnet(VpcId=vid, CidrBlock=f"{b}.20.77/24")["Subnet"]
    assert s["CidrBlock"] == f"{b}.20.0/24"
    for bad in ["banana", f"{b}.0.0/33", "10.0.0.300/24"]:
        with pytest.raises(ClientError) as e:
            ec2.create_subnet(VpcId=vid, CidrBlock=bad)
        assert error_code(e) == "InvalidParameterValue", bad
    with pytest.raises(ClientError) as e:
        ec2.create_subnet(VpcId=vid)
    assert error_code(e) == "MissingParameter"


def test_subnet_equal_to_vpc_block_and_in_secondary_block(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.99.7.0/24")["Vpc"]
    s = ec2.create_subnet(VpcId=vpc["VpcId"], CidrBlock="10.99.7.0/24")["Subnet"]
    assert s["AvailableIpAddressCount"] == 251
    ec2.associate_vpc_cidr_block(VpcId=vpc["VpcId"], CidrBlock="10.99.8.0/24")
    s2 = ec2.create_subnet(VpcId=vpc["VpcId"], CidrBlock="10.99.8.128/25")["Subnet"]
    assert s2["AvailableIpAddressCount"] == 123
    # Spanning two blocks is not "inside one VPC block".
    ec2.associate_vpc_cidr_block(VpcId=vpc["VpcId"], CidrBlock="10.99.9.0/24")
    ec2.associate_vpc_cidr_block(VpcId=vpc["VpcId"], CidrBlock="10.99.10.0/24")
    with pytest.raises(ClientError) as e:
        ec2.create_subnet(VpcId=vpc["VpcId"], CidrBlock="10.99.8.0/23")
    assert error_code(e) == "InvalidSubnet.Range"


def test_availability_zones(ec2):
    vpc = new_vpc(ec2)
    vid, b = vpc["VpcId"], base(vpc)
    s = ec2.create_subnet(VpcId=vid, CidrBlock=f"{b}.1.0/24", AvailabilityZoneId="use1-az4")
    assert s["Subnet"]["AvailabilityZone"] == "us-east-1c"
    assert s["Subnet"]["AvailabilityZoneId"] == "use1-az4"
    for kw in [{"AvailabilityZone": "us-east-1z"}, {"AvailabilityZone": "eu-west-1a"},
               {"AvailabilityZoneId": "use1-az99"}]:
        with pytest.raises(ClientError) as e:
            ec2.create_subnet(VpcId=vid, CidrBlock=f"{b}.2.0/24", **kw)
        assert error_code(e) == "InvalidParameterValue", kw
        assert "us-east-1a" in e.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as e:
        ec2.create_subnet(VpcId=vid, CidrBlock=f"{b}.2.0/24", AvailabilityZone="us-east-1a",
                          AvailabilityZoneId="use1-az1")
    assert error_code(e) == "InvalidParameterCombination"
    # Without a zone vpcd picks one of the region's.
    s = ec2.create_subnet(VpcId=vid, CidrBlock=f"{b}.3.0/24")["Subnet"]
    assert s["AvailabilityZone"].startswith("us-east-1")


def test_unknown_and_malformed_ids(ec2):
    with pytest.raises(ClientError) as e:
        ec2.create_subnet(VpcId="vpc-0123456789abcdef0", CidrBlock="10.0.0.0/24")
    assert error_code(e) == "InvalidVpcID.NotFound"
    with pytest.raises(ClientError) as e:
        ec2.delete_subnet(SubnetId="subnet-0123456789abcdef0")
    assert error_code(e) == "InvalidSubnetID.NotFound"
    with pytest.raises(ClientError) as e:
        ec2.delete_subnet(SubnetId="sub-123")
    assert error_code(e) == "InvalidSubnetID.Malformed"
    with pytest.raises(ClientError) as e:
        ec2.describe_subnets(SubnetIds=["subnet-zz"])
    assert error_code(e) == "InvalidSubnetID.Malformed"


def test_describe_filters(ec2):
    vpc = new_vpc(ec2)
    vid, b = vpc["VpcId"], base(vpc)
    tag = lambda v: [{"ResourceType": "subnet", "Tags": [{"Key": "tier", "Value": v}]}]
    a = ec2.create_subnet(VpcId=vid, CidrBlock=f"{b}.1.0/24", AvailabilityZone="us-east-1a",
                          TagSpecifications=tag("web"))["Subnet"]
    c = ec2.create_subnet(VpcId=vid, CidrBlock=f"{b}.2.0/28", AvailabilityZone="us-east-1b",
                          TagSpecifications=tag("db"))["Subnet"]
    ec2.modify_subnet_attribute(SubnetId=c["SubnetId"], MapPublicIpOnLaunch={"Value": True})

    def ids(*filters):
        f = [{"Name": n, "Values": v} for n, v in filters]
        return {s["SubnetId"] for s in ec2.describe_subnets(Filters=f)["Subnets"]}

    both = {a["SubnetId"], c["SubnetId"]}
    assert ids(("vpc-id", [vid])) == both
    assert ids(("vpc-id", [vid]), ("subnet-id", [a["SubnetId"]])) == {a["SubnetId"]}
    for name in ["cidr-block", "cidr", "cidrBlock"]:
        assert ids(("vpc-id", [vid]), (name, [f"{b}.2.0/28"])) == {c["SubnetId"]}, name
    assert ids(("vpc-id", [vid]), ("cidr-block", [f"{b}.*"])) == both
    for name in ["availability-zone", "availabilityZone"]:
        assert ids(("vpc-id", [vid]), (name, ["us-east-1a"])) == {a["SubnetId"]}, name
    for name in ["availability-zone-id", "availabilityZoneId"]:
        assert ids(("vpc-id", [vid]), (name, ["use1-az2"])) == {c["SubnetId"]}, name
    for name in ["default-for-az", "defaultForAz"]:
        assert ids(("vpc-id", [vid]), (name, ["false"])) == both
        assert ids(("vpc-id", [vid]), (name, ["true"])) == set()
    assert ids(("vpc-id", [vid]), ("map-public-ip-on-launch", ["true"])) == {c["SubnetId"]}
    assert ids(("vpc-id", [vid]), ("state", ["available"])) == both
    assert ids(("vpc-id", [vid]), ("state", ["pending"])) == set()
    assert ids(("vpc-id", [vid]), ("available-ip-address-count", ["11"])) == {c["SubnetId"]}
    assert ids(("vpc-id", [vid]), ("owner-id", ["000000000000"])) == both
    assert ids(("subnet-arn", [a["SubnetArn"]])) == {a["SubnetId"]}
    assert ids(("vpc-id", [vid]), ("tag:tier", ["db"])) == {c["SubnetId"]}
    assert ids(("vpc-id", [vid]), ("tag-key", ["tier"])) == both
    assert ids(("subnet-id", [a["SubnetId"], c["SubnetId"]]),
               ("availability-zone", ["us-east-1a", "us-east-1b"])) == both
    # Ids and filters AND together.
    got = ec2.describe_subnets(SubnetIds=[a["SubnetId"]],
                               Filters=[{"Name": "tag:tier", "Values": ["db"]}])["Subnets"]
    assert got == []
    with pytest.raises(ClientError) as e:
        ec2.describe_subnets(Filters=[{"Name": "bogus", "Values": ["x"]}])
    assert error_code(e) == "InvalidParameterValue"


def test_pagination(ec2):
    vpc = new_vpc(ec2)
    vid, b = vpc["VpcId"], base(vpc)
    made = [ec2.create_subnet(VpcId=vid, CidrBlock=f"{b}.{i}.0/24")["Subnet"]["SubnetId"]
            for i in range(7)]
    f = [{"Name": "vpc-id", "Values": [vid]}]
    page = ec2.describe_subnets(Filters=f, MaxResults=5)
    assert len(page["Subnets"]) == 5 and page["NextToken"]
    rest = ec2.describe_subnets(Filters=f, MaxResults=5, NextToken=page["NextToken"])
    assert "NextToken" not in rest
    assert [s["SubnetId"] for s in page["Subnets"] + rest["Subnets"]] == made
    seen = [s["SubnetId"] for p in ec2.get_paginator("describe_subnets").paginate(
        Filters=f, PaginationConfig={"PageSize": 5}) for s in p["Subnets"]]
    assert seen == made
    with pytest.raises(ClientError) as e:
        unchecked(ec2).describe_subnets(MaxResults=4)
    assert error_code(e) == "InvalidParameterValue"
    with pytest.raises(ClientError) as e:
        ec2.describe_subnets(NextToken="nope")
    assert error_code(e) == "InvalidNextToken"


def test_modify_subnet_attribute(ec2, aws):
    vpc = new_vpc(ec2)
    sid = ec2.create_subnet(VpcId=vpc["VpcId"],
                            CidrBlock=f"{base(vpc)}.1.0/24")["Subnet"]["SubnetId"]
    get = lambda: ec2.describe_subnets(SubnetIds=[sid])["Subnets"][0]
    aws("modify-subnet-attribute", "--subnet-id", sid, "--map-public-ip-on-launch")
    assert get()["MapPublicIpOnLaunch"] is True
    aws("modify-subnet-attribute", "--subnet-id", sid, "--no-map-public-ip-on-launch")
    assert get()["MapPublicIpOnLaunch"] is False
    ec2.modify_subnet_attribute(SubnetId=sid, EnableDns64={"Value": True})
    assert get()["EnableDns64"] is True
    ec2.modify_subnet_attribute(SubnetId=sid, PrivateDnsHostnameTypeOnLaunch="resource-name")
    ec2.modify_subnet_attribute(SubnetId=sid,
                                EnableResourceNameDnsARecordOnLaunch={"Value": True})
    opts = get()["PrivateDnsNameOptionsOnLaunch"]
    assert opts["HostnameType"] == "resource-name"
    assert opts["EnableResourceNameDnsARecord"] is True
    # Turning an IPv6 setting off is trivially fine; on needs an IPv6 block.
    ec2.modify_subnet_attribute(SubnetId=sid, AssignIpv6AddressOnCreation={"Value": False})
    with pytest.raises(ClientError) as e:
        ec2.modify_subnet_attribute(SubnetId=sid, AssignIpv6AddressOnCreation={"Value": True})
    assert error_code(e) == "InvalidParameterValue"
    assert sid in e.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as e:
        ec2.modify_subnet_attribute(SubnetId=sid, MapPublicIpOnLaunch={"Value": True},
                                    EnableDns64={"Value": False})
    assert error_code(e) == "InvalidParameterCombination"
    with pytest.raises(ClientError) as e:
        ec2.modify_subnet_attribute(SubnetId=sid)
    assert error_code(e) == "MissingParameter"
    with pytest.raises(ClientError) as e:
        ec2.modify_subnet_attribute(SubnetId="subnet-0123456789abcdef0",
                                    MapPublicIpOnLaunch={"Value": True})
    assert error_code(e) == "InvalidSubnetID.NotFound"
    s = get()
    assert s["MapPublicIpOnLaunch"] is False and s["AssignIpv6AddressOnCreation"] is False


def test_dry_run_changes_nothing(ec2):
    vpc = new_vpc(ec2)
    vid, b = vpc["VpcId"], base(vpc)
    with pytest.raises(ClientError) as e:
        ec2.create_subnet(VpcId=vid, CidrBlock=f"{b}.1.0/24", DryRun=True)
    assert error_code(e) == "DryRunOperation"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412
    f = [{"Name": "vpc-id", "Values": [vid]}]
    assert ec2.describe_subnets(Filters=f)["Subnets"] == []
    # A dry run still reports what a real request would refuse.
    with pytest.raises(ClientError) as e:
        ec2.create_subnet(VpcId=vid, CidrBlock=f"{b}.1.0/29", DryRun=True)
    assert error_code(e) == "InvalidSubnet.Range"
    sid = ec2.create_subnet(VpcId=vid, CidrBlock=f"{b}.1.0/24")["Subnet"]["SubnetId"]
    for call in [lambda: ec2.delete_subnet(SubnetId=sid, DryRun=True),
                 lambda: ec2.describe_subnets(SubnetIds=[sid], DryRun=True)]:
        with pytest.raises(ClientError) as e:
            call()
        assert error_code(e) == "DryRunOperation"
    assert ec2.describe_subnets(SubnetIds=[sid])["Subnets"][0]["SubnetId"] == sid


def test_delete_with_interfaces_is_dependency_violation(ec2):
    vpc = new_vpc(ec2)
    sid = ec2.create_subnet(VpcId=vpc["VpcId"],
                            CidrBlock=f"{base(vpc)}.1.0/24")["Subnet"]["SubnetId"]
    eni = ec2.create_network_interface(SubnetId=sid)["NetworkInterface"]["NetworkInterfaceId"]
    with pytest.raises(ClientError) as e:
        ec2.delete_subnet(SubnetId=sid)
    assert error_code(e) == "DependencyViolation"
    assert sid in e.value.response["Error"]["Message"]
    # The VPC can't go either while the subnet is there.
    with pytest.raises(ClientError) as e:
        ec2.delete_vpc(VpcId=vpc["VpcId"])
    assert error_code(e) == "DependencyViolation"
    ec2.delete_network_interface(NetworkInterfaceId=eni)
    ec2.delete_subnet(SubnetId=sid)
    ec2.delete_vpc(VpcId=vpc["VpcId"])


def test_new_subnet_uses_default_acl_and_main_table(ec2):
    vpc = new_vpc(ec2)
    vid = vpc["VpcId"]
    sid = ec2.create_subnet(VpcId=vid, CidrBlock=f"{base(vpc)}.1.0/24")["Subnet"]["SubnetId"]
    f = [{"Name": "association.subnet-id", "Values": [sid]}]
    acls = ec2.describe_network_acls(Filters=f)["NetworkAcls"]
    assert len(acls) == 1 and acls[0]["IsDefault"] is True
    ec2.delete_subnet(SubnetId=sid)
    assert ec2.describe_network_acls(Filters=f)["NetworkAcls"] == []


def test_delete_subnet_drops_its_route_table_association(ec2):
    vpc = new_vpc(ec2)
    vid = vpc["VpcId"]
    sid = ec2.create_subnet(VpcId=vid, CidrBlock=f"{base(vpc)}.1.0/24")["Subnet"]["SubnetId"]
    try:
        rtb = ec2.create_route_table(VpcId=vid)["RouteTable"]["RouteTableId"]
        ec2.associate_route_table(RouteTableId=rtb, SubnetId=sid)
    except ClientError as e:
        if error_code(e) == "InvalidAction":
            pytest.skip("route tables are not served yet")
        raise
    ec2.delete_subnet(SubnetId=sid)
    table = ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]
    assert [a for a in table["Associations"] if a.get("SubnetId") == sid] == []
    ec2.delete_route_table(RouteTableId=rtb)


def test_default_subnets_and_create_default_subnet(vpcd):
    ec2 = vpcd.client(region="eu-west-1")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]
    f = [{"Name": "vpc-id", "Values": [vpc["VpcId"]]}]
    subnets = sorted(ec2.describe_subnets(Filters=f)["Subnets"], key=lambda s: s["CidrBlock"])
    assert [s["CidrBlock"] for s in subnets] == ["172.31.0.0/20", "172.31.16.0/20",
                                                 "172.31.32.0/20"]
    assert all(s["DefaultForAz"] and s["MapPublicIpOnLaunch"] for s in subnets)
    assert all(s["AvailableIpAddressCount"] == 4091 for s in subnets)
    by_az = {s["AvailabilityZone"]: s for s in subnets}
    assert set(by_az) == {"eu-west-1a", "eu-west-1b", "eu-west-1c"}
    with pytest.raises(ClientError) as e:
        ec2.create_default_subnet(AvailabilityZone="eu-west-1b")
    assert error_code(e) == "DefaultSubnetAlreadyExistsInAvailabilityZone"

    gone = by_az["eu-west-1b"]
    ec2.delete_subnet(SubnetId=gone["SubnetId"])
    with pytest.raises(ClientError) as e:
        ec2.create_default_subnet(AvailabilityZone="eu-west-1b", DryRun=True)
    assert error_code(e) == "DryRunOperation"
    with pytest.raises(ClientError) as e:
        ec2.create_default_subnet(AvailabilityZone="eu-west-1q")
    assert error_code(e) == "InvalidParameterValue"
    s = ec2.create_default_subnet(AvailabilityZone="eu-west-1b")["Subnet"]
    assert s["CidrBlock"] == gone["CidrBlock"]
    assert s["VpcId"] == vpc["VpcId"]
    assert s["DefaultForAz"] is True and s["MapPublicIpOnLaunch"] is True
    assert s["AvailabilityZone"] == "eu-west-1b"
    assert s["AvailableIpAddressCount"] == 4091
    with pytest.raises(ClientError) as e:
        ec2.create_default_subnet(AvailabilityZone="eu-west-1b")
    assert error_code(e) == "DefaultSubnetAlreadyExistsInAvailabilityZone"


def test_create_default_subnet_without_default_vpc(tmp_path):
    d = Vpcd(str(tmp_path), ["--no-default-vpc"]).start()
    try:
        ec2 = d.client()
        with pytest.raises(ClientError) as e:
            ec2.create_default_subnet(AvailabilityZone="us-east-1a")
        assert error_code(e) == "DefaultVpcDoesNotExist"
        ec2.create_default_vpc()
        s = ec2.create_default_subnet
        with pytest.raises(ClientError) as e:
            s(AvailabilityZone="us-east-1a")
        assert error_code(e) == "DefaultSubnetAlreadyExistsInAvailabilityZone"
    finally:
        assert d.stop() == 0, d.log()


def test_cli_create_and_describe(aws, ec2):
    vpc = new_vpc(ec2)
    b = base(vpc)
    out = aws("create-subnet", "--vpc-id", vpc["VpcId"], "--cidr-block", f"{b}.5.0/24",
              "--availability-zone", "us-east-1d", "--tag-specifications",
              "ResourceType=subnet,Tags=[{Key=Name,Value=cli-subnet}]")
    sid = out["Subnet"]["SubnetId"]
    assert out["Subnet"]["State"] == "available"
    got = aws("describe-subnets", "--filters", "Name=tag:Name,Values=cli-subnet",
              f"Name=vpc-id,Values={vpc['VpcId']}")
    assert [s["SubnetId"] for s in got["Subnets"]] == [sid]
    assert got["Subnets"][0]["AvailabilityZoneId"] == "use1-az6"
    with pytest.raises(AwsCliError) as e:
        aws("create-subnet", "--vpc-id", vpc["VpcId"], "--cidr-block", f"{b}.5.0/25")
    assert e.value.code == "InvalidSubnet.Conflict"
    aws("delete-subnet", "--subnet-id", sid)
    left = aws("describe-subnets", "--filters", f"Name=vpc-id,Values={vpc['VpcId']}")
    assert left["Subnets"] == []


def test_attributes_survive_restart(vpcd, ec2):
    vpc = new_vpc(ec2)
    sid = ec2.create_subnet(VpcId=vpc["VpcId"], CidrBlock=f"{base(vpc)}.1.0/24",
                            AvailabilityZone="us-east-1c", TagSpecifications=[
                                {"ResourceType": "subnet", "Tags": [{"Key": "k", "Value": "v"}]}
                            ])["Subnet"]["SubnetId"]
    ec2.modify_subnet_attribute(SubnetId=sid, MapPublicIpOnLaunch={"Value": True})
    ec2.modify_subnet_attribute(SubnetId=sid, PrivateDnsHostnameTypeOnLaunch="resource-name")
    ec2.modify_subnet_attribute(SubnetId=sid, EnableDns64={"Value": True})
    before = ec2.describe_subnets(SubnetIds=[sid])["Subnets"][0]
    vpcd.restart()
    after = ec2.describe_subnets(SubnetIds=[sid])["Subnets"][0]
    assert after == before
    assert after["MapPublicIpOnLaunch"] is True and after["EnableDns64"] is True
    assert after["PrivateDnsNameOptionsOnLaunch"]["HostnameType"] == "resource-name"
