"""Internet gateway actions against a real vpcd (vpc-semantics.md section 10),
through boto3 and the aws CLI.

    igw ──attach── vpc 10.x.0.0/16 ── subnet ── eni (+ EIP: blocks the detach)
"""
import pytest

from conftest import AwsCliError, ClientError, error_code

ACCOUNT = "000000000000"


def make_vpc(ec2, cidr):
    return ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]


def test_create_describe_delete(ec2):
    igw = ec2.create_internet_gateway(TagSpecifications=[
        {"ResourceType": "internet-gateway", "Tags": [{"Key": "Name", "Value": "gw1"}]}])[
        "InternetGateway"]
    igw_id = igw["InternetGatewayId"]
    assert igw_id.startswith("igw-") and len(igw_id) == 21
    assert igw["OwnerId"] == ACCOUNT
    assert igw["Attachments"] == []
    assert igw["Tags"] == [{"Key": "Name", "Value": "gw1"}]
    got = ec2.describe_internet_gateways(InternetGatewayIds=[igw_id])["InternetGateways"]
    assert got == [igw]
    ec2.delete_internet_gateway(InternetGatewayId=igw_id)
    with pytest.raises(ClientError) as e:
        ec2.describe_internet_gateways(InternetGatewayIds=[igw_id])
    assert error_code(e) == "InvalidInternetGatewayID.NotFound"
    with pytest.raises(ClientError) as e:
        ec2.delete_internet_gateway(InternetGatewayId=igw_id)
    assert error_code(e) == "InvalidInternetGatewayID.NotFound"


def test_bad_ids_and_tag_type(ec2):
    with pytest.raises(ClientError) as e:
        ec2.describe_internet_gateways(InternetGatewayIds=["igw-nothex"])
    assert error_code(e) == "InvalidInternetGatewayID.Malformed"
    with pytest.raises(ClientError) as e:
        ec2.create_internet_gateway(TagSpecifications=[
            {"ResourceType": "vpc", "Tags": [{"Key": "a", "Value": "b"}]}])
    assert error_code(e) == "InvalidParameterValue"


def test_attach_detach_and_rules(ec2):
    vpc_id = make_vpc(ec2, "10.20.0.0/16")
    other_vpc = make_vpc(ec2, "10.21.0.0/16")
    igw_id = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    igw2_id = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]

    ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    got = ec2.describe_internet_gateways(InternetGatewayIds=[igw_id])["InternetGateways"][0]
    assert got["Attachments"] == [{"VpcId": vpc_id, "State": "available"}]

    # One gateway per VPC, one VPC per gateway.
    for gw, vpc in [(igw_id, vpc_id), (igw_id, other_vpc), (igw2_id, vpc_id)]:
        with pytest.raises(ClientError) as e:
            ec2.attach_internet_gateway(InternetGatewayId=gw, VpcId=vpc)
        assert error_code(e) == "Resource.AlreadyAssociated", (gw, vpc)
    with pytest.raises(ClientError) as e:
        ec2.detach_internet_gateway(InternetGatewayId=igw_id, VpcId=other_vpc)
    assert error_code(e) == "Gateway.NotAttached"
    with pytest.raises(ClientError) as e:
        ec2.detach_internet_gateway(InternetGatewayId=igw2_id, VpcId=vpc_id)
    assert error_code(e) == "Gateway.NotAttached"
    with pytest.raises(ClientError) as e:
        ec2.attach_internet_gateway(InternetGatewayId=igw2_id, VpcId="vpc-0123456789abcdef0")
    assert error_code(e) == "InvalidVpcID.NotFound"

    # An attached gateway can't go, nor can its VPC.
    with pytest.raises(ClientError) as e:
        ec2.delete_internet_gateway(InternetGatewayId=igw_id)
    assert error_code(e) == "DependencyViolation"
    with pytest.raises(ClientError) as e:
        ec2.delete_vpc(VpcId=vpc_id)
    assert error_code(e) == "DependencyViolation"

    ec2.detach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    got = ec2.describe_internet_gateways(InternetGatewayIds=[igw_id])["InternetGateways"][0]
    assert got["Attachments"] == []
    ec2.attach_internet_gateway(InternetGatewayId=igw2_id, VpcId=vpc_id)
    ec2.detach_internet_gateway(InternetGatewayId=igw2_id, VpcId=vpc_id)
    for gw in (igw_id, igw2_id):
        ec2.delete_internet_gateway(InternetGatewayId=gw)
    ec2.delete_vpc(VpcId=vpc_id)
    ec2.delete_vpc(VpcId=other_vpc)


def test_dry_run(ec2):
    before = len(ec2.describe_internet_gateways()["InternetGateways"])
    with pytest.raises(ClientError) as e:
        ec2.create_internet_gateway(DryRun=True)
    assert error_code(e) == "DryRunOperation"
    assert len(ec2.describe_internet_gateways()["InternetGateways"]) == before
    vpc_id = make_vpc(ec2, "10.22.0.0/16")
    igw_id = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    with pytest.raises(ClientError) as e:
        ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id, DryRun=True)
    assert error_code(e) == "DryRunOperation"
    got = ec2.describe_internet_gateways(InternetGatewayIds=[igw_id])["InternetGateways"][0]
    assert got["Attachments"] == []


def test_filters_and_pages(ec2):
    vpc_id = make_vpc(ec2, "10.23.0.0/16")
    tag = [{"ResourceType": "internet-gateway", "Tags": [{"Key": "suite", "Value": "pages"}]}]
    ids = [ec2.create_internet_gateway(TagSpecifications=tag)["InternetGateway"][
        "InternetGatewayId"] for _ in range(7)]
    ec2.attach_internet_gateway(InternetGatewayId=ids[3], VpcId=vpc_id)

    def find(filters):
        return [g["InternetGatewayId"] for g in
                ec2.describe_internet_gateways(Filters=filters)["InternetGateways"]]

    mine = [{"Name": "tag:suite", "Values": ["pages"]}]
    assert find(mine) == ids
    assert find([{"Name": "attachment.vpc-id", "Values": [vpc_id]}]) == [ids[3]]
    assert find(mine + [{"Name": "attachment.state", "Values": ["available"]}]) == [ids[3]]
    assert find([{"Name": "internet-gateway-id", "Values": [ids[0], ids[6]]}]) == [ids[0], ids[6]]
    assert find(mine + [{"Name": "owner-id", "Values": [ACCOUNT]}]) == ids
    assert find(mine + [{"Name": "owner-id", "Values": ["111111111111"]}]) == []
    assert find([{"Name": "internet-gateway-id", "Values": ["igw-*"]}] + mine) == ids
    with pytest.raises(ClientError) as e:
        find([{"Name": "no-such-filter", "Values": ["x"]}])
    assert error_code(e) == "InvalidParameterValue"

    page = ec2.describe_internet_gateways(Filters=mine, MaxResults=5)
    assert [g["InternetGatewayId"] for g in page["InternetGateways"]] == ids[:5]
    rest = ec2.describe_internet_gateways(Filters=mine, MaxResults=5, NextToken=page["NextToken"])
    assert [g["InternetGatewayId"] for g in rest["InternetGateways"]] == ids[5:]
    assert "NextToken" not in rest
    # The paginator walks every page.
    pages = ec2.get_paginator("describe_internet_gateways").paginate(
        Filters=mine, PaginationConfig={"PageSize": 5})
    assert [g["InternetGatewayId"] for p in pages for g in p["InternetGateways"]] == ids


def test_detach_refused_while_public_addresses_are_mapped(ec2):
    vpc_id = make_vpc(ec2, "10.24.0.0/16")
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.24.1.0/24")["Subnet"]["SubnetId"]
    eni_id = ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"][
        "NetworkInterfaceId"]
    igw_id = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    eip = ec2.allocate_address(Domain="vpc")
    assoc = ec2.associate_address(AllocationId=eip["AllocationId"], NetworkInterfaceId=eni_id)
    with pytest.raises(ClientError) as e:
        ec2.detach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    assert error_code(e) == "DependencyViolation"
    assert e.value.response["Error"]["Message"] == (
        f"Network {vpc_id} has some mapped public address(es). Please unmap those public "
        "address(es) before detaching the gateway.")
    ec2.disassociate_address(AssociationId=assoc["AssociationId"])
    ec2.detach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    ec2.release_address(AllocationId=eip["AllocationId"])


def test_cli(aws):
    vpc_id = aws("create-vpc", "--cidr-block", "10.25.0.0/16")["Vpc"]["VpcId"]
    igw = aws("create-internet-gateway", "--tag-specifications",
              "ResourceType=internet-gateway,Tags=[{Key=Name,Value=cli}]")["InternetGateway"]
    igw_id = igw["InternetGatewayId"]
    aws("wait", "internet-gateway-exists", "--internet-gateway-ids", igw_id)
    aws("attach-internet-gateway", "--internet-gateway-id", igw_id, "--vpc-id", vpc_id)
    out = aws("describe-internet-gateways", "--filters", f"Name=attachment.vpc-id,Values={vpc_id}")
    assert [g["InternetGatewayId"] for g in out["InternetGateways"]] == [igw_id]
    assert out["InternetGateways"][0]["Tags"] == [{"Key": "Name", "Value": "cli"}]
    with pytest.raises(AwsCliError) as e:
        aws("delete-internet-gateway", "--internet-gateway-id", igw_id)
    assert e.value.code == "DependencyViolation"
    aws("detach-internet-gateway", "--internet-gateway-id", igw_id, "--vpc-id", vpc_id)
    aws("delete-internet-gateway", "--internet-gateway-id", igw_id)
    with pytest.raises(AwsCliError) as e:
        aws("describe-internet-gateways", "--internet-gateway-ids", igw_id)
    assert e.value.code == "InvalidInternetGatewayID.NotFound"


def test_survives_restart(fresh_vpcd):
    d = fresh_vpcd.start()
    ec2 = d.client()
    vpc_id = make_vpc(ec2, "10.26.0.0/16")
    igw_id = ec2.create_internet_gateway(TagSpecifications=[
        {"ResourceType": "internet-gateway", "Tags": [{"Key": "k", "Value": "v"}]}])[
        "InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    before = ec2.describe_internet_gateways(InternetGatewayIds=[igw_id])["InternetGateways"]
    d.restart()
    ec2 = d.client()
    after = ec2.describe_internet_gateways(InternetGatewayIds=[igw_id])["InternetGateways"]
    assert after == before
    assert after[0]["Attachments"] == [{"VpcId": vpc_id, "State": "available"}]
    with pytest.raises(ClientError) as e:
        ec2.attach_internet_gateway(
            InternetGatewayId=ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"],
            VpcId=vpc_id)
    assert error_code(e) == "Resource.AlreadyAssociated"
