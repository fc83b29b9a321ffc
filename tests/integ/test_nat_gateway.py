"""NAT gateway actions against a real vpcd (vpc-semantics.md section 11),
through boto3 and the aws CLI.

    igw ── vpc 10.x.0.0/16 ─┬─ subnet 10.x.1.0/24 (zone a) ── nat (EIP) ── its eni
                            └─ subnet 10.x.2.0/24 (zone b)

The waiters poll with Delay=1: a gateway leaves "pending" after a second.
"""
import botocore.exceptions
import pytest

from conftest import AwsCliError, ClientError, error_code

FAST = {"Delay": 1, "MaxAttempts": 30}


def network(ec2, second_octet, igw=True):
    vpc_id = ec2.create_vpc(CidrBlock=f"10.{second_octet}.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.{second_octet}.{i}.0/24",
                                 AvailabilityZone=f"us-east-1{zone}")["Subnet"]["SubnetId"]
               for i, zone in ((1, "a"), (2, "b"))]
    igw_id = None
    if igw:
        igw_id = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    return vpc_id, subnets, igw_id


def describe_one(ec2, nat_id):
    got = ec2.describe_nat_gateways(NatGatewayIds=[nat_id])["NatGateways"]
    assert len(got) == 1
    return got[0]


def test_public_lifecycle(ec2):
    vpc_id, (subnet_id, _), igw_id = network(ec2, 60)
    eip = ec2.allocate_address(Domain="vpc")
    nat = ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId=eip["AllocationId"],
                                 TagSpecifications=[{"ResourceType": "natgateway",
                                                     "Tags": [{"Key": "Name", "Value": "n1"}]}])[
        "NatGateway"]
    nat_id = nat["NatGatewayId"]
    assert nat_id.startswith("nat-") and len(nat_id) == 21
    assert nat["State"] == "pending"
    assert nat["SubnetId"] == subnet_id and nat["VpcId"] == vpc_id
    assert nat["ConnectivityType"] == "public"
    assert nat["Tags"] == [{"Key": "Name", "Value": "n1"}]
    assert "CreateTime" in nat and "DeleteTime" not in nat and "FailureCode" not in nat
    [addr] = nat["NatGatewayAddresses"]
    assert addr["AllocationId"] == eip["AllocationId"]
    assert addr["PublicIp"] == eip["PublicIp"]
    assert addr["PrivateIp"].startswith("10.60.1.")
    eni_id = addr["NetworkInterfaceId"]

    ec2.get_waiter("nat_gateway_available").wait(NatGatewayIds=[nat_id], WaiterConfig=FAST)
    got = describe_one(ec2, nat_id)
    assert got["State"] == "available"
    assert got["NatGatewayAddresses"] == nat["NatGatewayAddresses"]
    assert got["CreateTime"] == nat["CreateTime"]

    # Its interface is requester-managed and holds the EIP.
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]
    assert eni["InterfaceType"] == "nat_gateway"
    assert eni["RequesterManaged"] is True
    assert eni["Description"] == f"Interface for NAT Gateway {nat_id}"
    assert eni["PrivateIpAddress"] == addr["PrivateIp"]
    assert eni["SourceDestCheck"] is False
    a = ec2.describe_addresses(AllocationIds=[eip["AllocationId"]])["Addresses"][0]
    assert a["NetworkInterfaceId"] == eni_id and a["PrivateIpAddress"] == addr["PrivateIp"]
    assert a["AssociationId"].startswith("eipassoc-")

    # The gateway's EIP, interface, subnet and internet gateway are held.
    with pytest.raises(ClientError) as e:
        ec2.disassociate_address(AssociationId=a["AssociationId"])
    assert error_code(e) == "AuthFailure"
    with pytest.raises(ClientError) as e:
        ec2.release_address(AllocationId=eip["AllocationId"])
    assert error_code(e) == "AuthFailure"
    with pytest.raises(ClientError) as e:
        ec2.delete_network_interface(NetworkInterfaceId=eni_id)
    assert error_code(e) == "OperationNotPermitted"
    with pytest.raises(ClientError) as e:
        ec2.detach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    assert error_code(e) == "DependencyViolation"
    with pytest.raises(ClientError) as e:
        ec2.delete_subnet(SubnetId=subnet_id)
    assert error_code(e) == "DependencyViolation"

    assert ec2.delete_nat_gateway(NatGatewayId=nat_id)["NatGatewayId"] == nat_id
    got = describe_one(ec2, nat_id)
    assert got["State"] in ("deleting", "deleted")
    assert "DeleteTime" in got
    ec2.get_waiter("nat_gateway_deleted").wait(NatGatewayIds=[nat_id], WaiterConfig=FAST)
    assert describe_one(ec2, nat_id)["State"] == "deleted"
    # Deleting again is harmless.
    ec2.delete_nat_gateway(NatGatewayId=nat_id)

    # The interface is gone; the EIP stays allocated, unassociated.
    with pytest.raises(ClientError) as e:
        ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])
    assert error_code(e) == "InvalidNetworkInterfaceID.NotFound"
    a = ec2.describe_addresses(AllocationIds=[eip["AllocationId"]])["Addresses"][0]
    assert "AssociationId" not in a
    # And nothing holds the VPC any more.
    ec2.detach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    ec2.delete_internet_gateway(InternetGatewayId=igw_id)
    ec2.release_address(AllocationId=eip["AllocationId"])
    for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]:
        ec2.delete_subnet(SubnetId=s["SubnetId"])
    ec2.delete_vpc(VpcId=vpc_id)


def test_private_gateway(ec2):
    vpc_id, (subnet_id, _), _ = network(ec2, 61, igw=False)
    nat = ec2.create_nat_gateway(SubnetId=subnet_id, ConnectivityType="private",
                                 PrivateIpAddress="10.61.1.50")["NatGateway"]
    assert nat["ConnectivityType"] == "private"
    [addr] = nat["NatGatewayAddresses"]
    assert addr["PrivateIp"] == "10.61.1.50"
    assert "PublicIp" not in addr and "AllocationId" not in addr
    ec2.get_waiter("nat_gateway_available").wait(NatGatewayIds=[nat["NatGatewayId"]],
                                                 WaiterConfig=FAST)
    with pytest.raises(ClientError) as e:
        ec2.create_nat_gateway(SubnetId=subnet_id, ConnectivityType="private",
                               PrivateIpAddress="10.61.1.50")
    assert error_code(e) == "InvalidIPAddress.InUse"
    with pytest.raises(ClientError) as e:
        ec2.create_nat_gateway(SubnetId=subnet_id, ConnectivityType="private",
                               PrivateIpAddress="10.61.2.50")
    assert error_code(e) == "InvalidParameterValue"
    # A replayed ClientToken gets the first answer and makes nothing new.
    first = ec2.create_nat_gateway(SubnetId=subnet_id, ConnectivityType="private",
                                   ClientToken="nat-token-1")["NatGateway"]
    again = ec2.create_nat_gateway(SubnetId=subnet_id, ConnectivityType="private",
                                   ClientToken="nat-token-1")["NatGateway"]
    assert again["NatGatewayId"] == first["NatGatewayId"]
    assert len(ec2.describe_nat_gateways(
        Filter=[{"Name": "vpc-id", "Values": [vpc_id]}])["NatGateways"]) == 2
    for n in (nat["NatGatewayId"], first["NatGatewayId"]):
        ec2.delete_nat_gateway(NatGatewayId=n)


def test_parameter_errors(ec2):
    vpc_id, (subnet_id, _), _ = network(ec2, 62)
    eip = ec2.allocate_address()
    with pytest.raises(ClientError) as e:
        ec2.create_nat_gateway(SubnetId=subnet_id)
    assert error_code(e) == "MissingParameter"
    with pytest.raises(ClientError) as e:
        ec2.create_nat_gateway(SubnetId=subnet_id, ConnectivityType="private",
                               AllocationId=eip["AllocationId"])
    assert error_code(e) == "InvalidParameterCombination"
    with pytest.raises(ClientError) as e:
        ec2.create_nat_gateway(SubnetId="subnet-0123456789abcdef0",
                               AllocationId=eip["AllocationId"])
    assert error_code(e) == "InvalidSubnetID.NotFound"
    with pytest.raises(ClientError) as e:
        ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId="eipalloc-bad")
    assert error_code(e) == "InvalidAllocationID.Malformed"
    with pytest.raises(ClientError) as e:
        ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId=eip["AllocationId"],
                               TagSpecifications=[{"ResourceType": "vpc",
                                                   "Tags": [{"Key": "a", "Value": "b"}]}])
    assert error_code(e) == "InvalidParameterValue"
    with pytest.raises(ClientError) as e:
        ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId=eip["AllocationId"], DryRun=True)
    assert error_code(e) == "DryRunOperation"
    assert ec2.describe_nat_gateways(
        Filter=[{"Name": "vpc-id", "Values": [vpc_id]}])["NatGateways"] == []
    assert "AssociationId" not in ec2.describe_addresses(
        AllocationIds=[eip["AllocationId"]])["Addresses"][0]

    for bad in ("nat-0123456789abcdef0",):
        with pytest.raises(ClientError) as e:
            ec2.describe_nat_gateways(NatGatewayIds=[bad])
        assert error_code(e) == "NatGatewayNotFound"
        assert e.value.response["Error"]["Message"] == f"The Nat Gateway {bad} was not found"
        with pytest.raises(ClientError) as e:
            ec2.delete_nat_gateway(NatGatewayId=bad)
        assert error_code(e) == "NatGatewayNotFound"
    with pytest.raises(ClientError) as e:
        ec2.describe_nat_gateways(NatGatewayIds=["nat-xyz"])
    assert error_code(e) == "InvalidNatGatewayID.Malformed"


def test_asynchronous_failures(ec2):
    vpc_id, (subnet_id, _), _ = network(ec2, 63, igw=False)
    eip = ec2.allocate_address()

    # No internet gateway: accepted, then failed.
    nat = ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId=eip["AllocationId"])["NatGateway"]
    assert nat["State"] == "pending"
    got = describe_one(ec2, nat["NatGatewayId"])
    assert got["State"] == "failed"
    assert got["FailureCode"] == "Gateway.NotAttached"
    assert got["FailureMessage"] == f"Network {vpc_id} has no Internet gateway attached"
    with pytest.raises(botocore.exceptions.WaiterError):
        ec2.get_waiter("nat_gateway_available").wait(NatGatewayIds=[nat["NatGatewayId"]],
                                                     WaiterConfig=FAST)
    # It took nothing: the EIP is free, the subnet holds no interface.
    assert "AssociationId" not in ec2.describe_addresses(
        AllocationIds=[eip["AllocationId"]])["Addresses"][0]
    assert ec2.describe_network_interfaces(
        Filters=[{"Name": "subnet-id", "Values": [subnet_id]}])["NetworkInterfaces"] == []

    igw_id = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    missing = "eipalloc-0123456789abcdef0"
    got = describe_one(ec2, ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId=missing)[
        "NatGateway"]["NatGatewayId"])
    assert (got["State"], got["FailureCode"]) == ("failed", "InvalidAllocationID.NotFound")
    assert got["FailureMessage"] == (
        f"Elastic IP address {missing} could not be associated with this NAT gateway")

    good = ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId=eip["AllocationId"])[
        "NatGateway"]["NatGatewayId"]
    taken = describe_one(ec2, ec2.create_nat_gateway(
        SubnetId=subnet_id, AllocationId=eip["AllocationId"])["NatGateway"]["NatGatewayId"])
    assert (taken["State"], taken["FailureCode"]) == ("failed", "Resource.AlreadyAssociated")
    assert taken["FailureMessage"] == (
        f"Elastic IP address {eip['AllocationId']} is already associated")

    failed = ec2.describe_nat_gateways(
        Filter=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "state", "Values": ["failed"]}])
    assert len(failed["NatGateways"]) == 3
    # Failed gateways can be deleted and hold nothing.
    ec2.delete_nat_gateway(NatGatewayId=taken["NatGatewayId"])
    assert describe_one(ec2, taken["NatGatewayId"])["State"] in ("deleting", "deleted")
    ec2.delete_nat_gateway(NatGatewayId=good)


def test_filters_pages_and_zone_limit(ec2):
    vpc_id, (subnet_a, subnet_b), _ = network(ec2, 64)
    tag = [{"ResourceType": "natgateway", "Tags": [{"Key": "suite", "Value": "pages"}]}]
    in_a = [ec2.create_nat_gateway(SubnetId=subnet_a, ConnectivityType="private",
                                   TagSpecifications=tag)["NatGateway"]["NatGatewayId"]
            for _ in range(5)]
    # Five per zone.
    with pytest.raises(ClientError) as e:
        ec2.create_nat_gateway(SubnetId=subnet_a, ConnectivityType="private")
    assert error_code(e) == "NatGatewayLimitExceeded"
    in_b = [ec2.create_nat_gateway(SubnetId=subnet_b, ConnectivityType="private")["NatGateway"][
        "NatGatewayId"] for _ in range(2)]
    everything = in_a + in_b

    def find(filters, **kw):
        return [n["NatGatewayId"] for n in
                ec2.describe_nat_gateways(Filter=filters, **kw)["NatGateways"]]

    mine = [{"Name": "vpc-id", "Values": [vpc_id]}]
    assert find(mine) == everything
    assert find([{"Name": "subnet-id", "Values": [subnet_b]}]) == in_b
    assert find([{"Name": "tag:suite", "Values": ["pages"]}] + mine) == in_a
    assert find([{"Name": "nat-gateway-id", "Values": [in_b[1], in_a[0]]}]) == [in_a[0], in_b[1]]
    assert find(mine + [{"Name": "state", "Values": ["pending", "available"]}]) == everything
    assert find(mine + [{"Name": "state", "Values": ["deleted"]}]) == []
    with pytest.raises(ClientError) as e:
        find([{"Name": "bogus", "Values": ["x"]}])
    assert error_code(e) == "InvalidParameterValue"
    assert find([], NatGatewayIds=[in_b[0], in_a[2]]) == [in_a[2], in_b[0]]

    page = ec2.describe_nat_gateways(Filter=mine, MaxResults=5)
    assert [n["NatGatewayId"] for n in page["NatGateways"]] == everything[:5]
    rest = ec2.describe_nat_gateways(Filter=mine, MaxResults=5, NextToken=page["NextToken"])
    assert [n["NatGatewayId"] for n in rest["NatGateways"]] == everything[5:]
    assert "NextToken" not in rest
    pages = ec2.get_paginator("describe_nat_gateways").paginate(
        Filter=mine, PaginationConfig={"PageSize": 5})
    assert [n["NatGatewayId"] for p in pages for n in p["NatGateways"]] == everything

    # A deleted gateway frees its place in the zone.
    ec2.delete_nat_gateway(NatGatewayId=in_a[0])
    assert find(mine + [{"Name": "state", "Values": ["deleting", "deleted"]}]) == [in_a[0]]
    ec2.create_nat_gateway(SubnetId=subnet_a, ConnectivityType="private")
    for n in find(mine):
        ec2.delete_nat_gateway(NatGatewayId=n)


def test_cli(aws, ec2):
    vpc_id, (subnet_id, _), _ = network(ec2, 65)
    eip = aws("allocate-address", "--domain", "vpc")
    nat = aws("create-nat-gateway", "--subnet-id", subnet_id, "--allocation-id",
              eip["AllocationId"], "--tag-specifications",
              "ResourceType=natgateway,Tags=[{Key=Name,Value=cli}]")["NatGateway"]
    nat_id = nat["NatGatewayId"]
    assert nat["State"] == "pending"
    # Once boto3 has seen it available, the CLI's waiter succeeds on its first poll.
    ec2.get_waiter("nat_gateway_available").wait(NatGatewayIds=[nat_id], WaiterConfig=FAST)
    aws("wait", "nat-gateway-available", "--nat-gateway-ids", nat_id)
    out = aws("describe-nat-gateways", "--filter", f"Name=subnet-id,Values={subnet_id}")
    assert [n["NatGatewayId"] for n in out["NatGateways"]] == [nat_id]
    assert out["NatGateways"][0]["State"] == "available"
    assert out["NatGateways"][0]["NatGatewayAddresses"][0]["PublicIp"] == eip["PublicIp"]
    assert aws("delete-nat-gateway", "--nat-gateway-id", nat_id)["NatGatewayId"] == nat_id
    with pytest.raises(AwsCliError) as e:
        aws("describe-nat-gateways", "--nat-gateway-ids", "nat-0123456789abcdef0")
    assert e.value.code == "NatGatewayNotFound"


def test_survives_restart(fresh_vpcd):
    d = fresh_vpcd.start()
    ec2 = d.client()
    vpc_id, (subnet_id, _), igw_id = network(ec2, 66)
    eip = ec2.allocate_address()
    nat_id = ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId=eip["AllocationId"])[
        "NatGateway"]["NatGatewayId"]
    failed_id = ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId=eip["AllocationId"])[
        "NatGateway"]["NatGatewayId"]
    ec2.get_waiter("nat_gateway_available").wait(NatGatewayIds=[nat_id], WaiterConfig=FAST)
    before = ec2.describe_nat_gateways(NatGatewayIds=[nat_id, failed_id])["NatGateways"]
    d.restart()
    ec2 = d.client()
    after = ec2.describe_nat_gateways(NatGatewayIds=[nat_id, failed_id])["NatGateways"]
    assert after == before
    assert [n["State"] for n in after] == ["available", "failed"]
    eni_id = after[0]["NatGatewayAddresses"][0]["NetworkInterfaceId"]
    # Its interface and EIP came back with it, and deleting still cleans up.
    with pytest.raises(ClientError) as e:
        ec2.detach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    assert error_code(e) == "DependencyViolation"
    ec2.delete_nat_gateway(NatGatewayId=nat_id)
    with pytest.raises(ClientError) as e:
        ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])
    assert error_code(e) == "InvalidNetworkInterfaceID.NotFound"
    d.restart()
    ec2 = d.client()
    assert describe_one(ec2, nat_id)["State"] in ("deleting", "deleted")
    assert "AssociationId" not in ec2.describe_addresses(
        AllocationIds=[eip["AllocationId"]])["Addresses"][0]
    ec2.detach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
