"""VPC actions against a real vpcd, through boto3 and the aws CLI."""
import pytest

from conftest import ClientError, AwsCliError, error_code


def test_create_describe_delete_vpc(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]
    assert vpc["VpcId"].startswith("vpc-") and len(vpc["VpcId"]) == 21
    assert vpc["CidrBlock"] == "10.1.0.0/16"
    assert vpc["State"] == "pending"
    assert vpc["IsDefault"] is False
    got = ec2.describe_vpcs(VpcIds=[vpc["VpcId"]])["Vpcs"]
    assert [v["VpcId"] for v in got] == [vpc["VpcId"]]
    assert got[0]["State"] == "available"
    assert got[0]["CidrBlockAssociationSet"][0]["CidrBlockState"]["State"] == "associated"
    ec2.delete_vpc(VpcId=vpc["VpcId"])
    with pytest.raises(ClientError) as e:
        ec2.describe_vpcs(VpcIds=[vpc["VpcId"]])
    assert error_code(e) == "InvalidVpcID.NotFound"


def test_cidr_is_canonicalised(ec2):
    vpc = ec2.create_vpc(CidrBlock="100.68.0.18/18")["Vpc"]
    assert vpc["CidrBlock"] == "100.68.0.0/18"


@pytest.mark.parametrize("cidr", ["10.0.0.0/15", "10.0.0.0/29", "169.254.0.0/16"])
def test_vpc_range_refused(ec2, cidr):
    with pytest.raises(ClientError) as e:
        ec2.create_vpc(CidrBlock=cidr)
    assert error_code(e) == "InvalidVpc.Range"


@pytest.mark.parametrize("cidr", ["10.0.0.0", "10.0.0.0/33", "banana", "10.0.0.256/16"])
def test_bad_cidr_is_invalid_parameter_value(ec2, cidr):
    with pytest.raises(ClientError) as e:
        ec2.create_vpc(CidrBlock=cidr)
    assert error_code(e) == "InvalidParameterValue"


def test_default_resources_made_with_vpc(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
    f = [{"Name": "vpc-id", "Values": [vpc_id]}]
    rtbs = ec2.describe_route_tables(Filters=f)["RouteTables"]
    assert len(rtbs) == 1
    assert rtbs[0]["Associations"][0]["Main"] is True
    assert rtbs[0]["Routes"] == [{"DestinationCidrBlock": "10.2.0.0/16", "GatewayId": "local",
                                  "Origin": "CreateRouteTable", "State": "active"}]
    acls = ec2.describe_network_acls(Filters=f)["NetworkAcls"]
    assert len(acls) == 1 and acls[0]["IsDefault"] is True
    sgs = ec2.describe_security_groups(Filters=f)["SecurityGroups"]
    assert [g["GroupName"] for g in sgs] == ["default"]


def test_vpc_attributes(ec2, aws):
    vpc_id = ec2.create_vpc(CidrBlock="10.3.0.0/16")["Vpc"]["VpcId"]
    a = ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsSupport")
    assert a["EnableDnsSupport"]["Value"] is True
    a = ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsHostnames")
    assert a["EnableDnsHostnames"]["Value"] is False
    aws("modify-vpc-attribute", "--vpc-id", vpc_id, "--enable-dns-hostnames")
    a = aws("describe-vpc-attribute", "--vpc-id", vpc_id, "--attribute", "enableDnsHostnames")
    assert a["EnableDnsHostnames"]["Value"] is True
    with pytest.raises(ClientError) as e:
        ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsSupport={"Value": False},
                                 EnableDnsHostnames={"Value": False})
    assert error_code(e) == "InvalidParameterCombination"


def test_secondary_cidr_rules(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.4.0.0/16")["Vpc"]["VpcId"]
    assoc = ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock="10.5.0.0/16")
    a = assoc["CidrBlockAssociation"]
    assert a["CidrBlock"] == "10.5.0.0/16" and a["AssociationId"].startswith("vpc-cidr-assoc-")
    for bad in ["192.168.0.0/16", "172.16.0.0/16", "10.4.0.0/24"]:
        with pytest.raises(ClientError) as e:
            ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock=bad)
        assert error_code(e) == "InvalidParameterValue", bad
    rtb = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["RouteTables"][0]
    assert {r["DestinationCidrBlock"] for r in rtb["Routes"]} == {"10.4.0.0/16", "10.5.0.0/16"}
    vpc = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]
    primary = vpc["CidrBlockAssociationSet"][0]["AssociationId"]
    with pytest.raises(ClientError) as e:
        ec2.disassociate_vpc_cidr_block(AssociationId=primary)
    assert error_code(e) == "OperationNotPermitted"
    ec2.disassociate_vpc_cidr_block(AssociationId=a["AssociationId"])
    vpc = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]
    assert [c["CidrBlock"] for c in vpc["CidrBlockAssociationSet"]] == ["10.4.0.0/16"]


def test_describe_filters_and_wildcards(ec2):
    a = ec2.create_vpc(CidrBlock="10.6.0.0/16", TagSpecifications=[
        {"ResourceType": "vpc", "Tags": [{"Key": "team", "Value": "blue-one"}]}])["Vpc"]["VpcId"]
    b = ec2.create_vpc(CidrBlock="10.7.0.0/16", TagSpecifications=[
        {"ResourceType": "vpc", "Tags": [{"Key": "team", "Value": "red"}]}])["Vpc"]["VpcId"]
    ids = lambda f: {v["VpcId"] for v in ec2.describe_vpcs(Filters=f)["Vpcs"]}
    assert ids([{"Name": "tag:team", "Values": ["blue-*"]}]) == {a}
    assert ids([{"Name": "tag:team", "Values": ["blue-one", "red"]}]) == {a, b}
    assert ids([{"Name": "cidr", "Values": ["10.7.0.0/16"]}]) == {b}
    assert ids([{"Name": "tag-key", "Values": ["team"]}, {"Name": "cidr", "Values": ["10.6.*"]}]) == {a}
    with pytest.raises(ClientError) as e:
        ec2.describe_vpcs(Filters=[{"Name": "no-such-filter", "Values": ["x"]}])
    assert error_code(e) == "InvalidParameterValue"


def test_pagination(ec2):
    tag = [{"ResourceType": "vpc", "Tags": [{"Key": "page", "Value": "yes"}]}]
    made = [ec2.create_vpc(CidrBlock=f"10.{20 + i}.0.0/16", TagSpecifications=tag)["Vpc"]["VpcId"]
            for i in range(7)]
    f = [{"Name": "tag:page", "Values": ["yes"]}]
    page = ec2.describe_vpcs(Filters=f, MaxResults=5)
    assert len(page["Vpcs"]) == 5 and page["NextToken"]
    rest = ec2.describe_vpcs(Filters=f, MaxResults=5, NextToken=page["NextToken"])
    assert "NextToken" not in rest
    assert [v["VpcId"] for v in page["Vpcs"] + rest["Vpcs"]] == made
    paginator = ec2.get_paginator("describe_vpcs")
    seen = [v["VpcId"] for p in paginator.paginate(Filters=f, PaginationConfig={"PageSize": 5})
            for v in p["Vpcs"]]
    assert seen == made
    with pytest.raises(ClientError) as e:
        ec2.describe_vpcs(NextToken="garbage")
    assert error_code(e) == "InvalidNextToken"


def test_dry_run(ec2):
    with pytest.raises(ClientError) as e:
        ec2.create_vpc(CidrBlock="10.8.0.0/16", DryRun=True)
    assert error_code(e) == "DryRunOperation"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412
    assert not ec2.describe_vpcs(Filters=[{"Name": "cidr", "Values": ["10.8.0.0/16"]}])["Vpcs"]
    with pytest.raises(ClientError) as e:
        ec2.delete_vpc(VpcId="vpc-0123456789abcdef0", DryRun=True)
    assert error_code(e) == "InvalidVpcID.NotFound"


def test_malformed_and_unknown_ids(ec2):
    with pytest.raises(ClientError) as e:
        ec2.delete_vpc(VpcId="vpc-0123456789abcdef0")
    assert error_code(e) == "InvalidVpcID.NotFound"
    assert "vpc-0123456789abcdef0" in e.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as e:
        ec2.delete_vpc(VpcId="not-a-vpc")
    assert error_code(e) == "InvalidVpcID.Malformed"


def test_default_vpc(ec2):
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    assert len(vpcs) == 1
    assert vpcs[0]["CidrBlock"] == "172.31.0.0/16"
    with pytest.raises(ClientError) as e:
        ec2.create_default_vpc()
    assert error_code(e) == "DefaultVpcAlreadyExists"


def test_cli_create_vpc_with_tags(aws):
    out = aws("create-vpc", "--cidr-block", "10.9.0.0/16", "--tag-specifications",
              "ResourceType=vpc,Tags=[{Key=Name,Value=cli}]")
    vpc_id = out["Vpc"]["VpcId"]
    got = aws("describe-vpcs", "--filters", "Name=tag:Name,Values=cli")
    assert [v["VpcId"] for v in got["Vpcs"]] == [vpc_id]
    with pytest.raises(AwsCliError) as e:
        aws("create-vpc", "--cidr-block", "10.9.0.0/16", "--tag-specifications",
            "ResourceType=subnet,Tags=[{Key=Name,Value=cli}]")
    assert e.value.code == "InvalidParameterValue"
