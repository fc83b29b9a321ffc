"""Elastic IP actions against a real vpcd (vpc-semantics.md section 6), through
boto3 and the aws CLI.

    igw ── vpc 10.x.0.0/16 ── subnet 10.x.1.0/24 ── eni1 (primary + secondary), eni2
                                                    ▲
    EIP pool 198.18.0.0/15 (203.0.113.0/30 where exhaustion is tested) ── EIPs
"""
import ipaddress

import pytest

from conftest import AwsCliError, ClientError, error_code

ACCOUNT = "000000000000"
DEFAULT_POOL = ipaddress.ip_network("198.18.0.0/15")


def network(ec2, second_octet, igw=True):
    """A VPC with one subnet, two interfaces (the first with a secondary
    address) and, unless told otherwise, an attached internet gateway."""
    vpc_id = ec2.create_vpc(CidrBlock=f"10.{second_octet}.0.0/16")["Vpc"]["VpcId"]
    subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.{second_octet}.1.0/24")[
        "Subnet"]["SubnetId"]
    enis = [ec2.create_network_interface(SubnetId=subnet_id, SecondaryPrivateIpAddressCount=1)[
        "NetworkInterface"], ec2.create_network_interface(SubnetId=subnet_id)["NetworkInterface"]]
    if igw:
        igw_id = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    return vpc_id, subnet_id, enis


def describe_one(ec2, alloc_id):
    got = ec2.describe_addresses(AllocationIds=[alloc_id])["Addresses"]
    assert len(got) == 1
    return got[0]


def test_allocate_describe_release(ec2):
    eip = ec2.allocate_address(Domain="vpc", TagSpecifications=[
        {"ResourceType": "elastic-ip", "Tags": [{"Key": "Name", "Value": "e1"}]}])
    assert eip["AllocationId"].startswith("eipalloc-") and len(eip["AllocationId"]) == 26
    assert ipaddress.ip_address(eip["PublicIp"]) in DEFAULT_POOL
    assert eip["Domain"] == "vpc"
    assert eip["PublicIpv4Pool"] == "amazon"
    assert eip["NetworkBorderGroup"] == "us-east-1"
    got = describe_one(ec2, eip["AllocationId"])
    assert got == {"PublicIp": eip["PublicIp"], "AllocationId": eip["AllocationId"],
                   "Domain": "vpc", "PublicIpv4Pool": "amazon", "NetworkBorderGroup": "us-east-1",
                   "Tags": [{"Key": "Name", "Value": "e1"}]}
    assert ec2.describe_addresses(PublicIps=[eip["PublicIp"]])["Addresses"] == [got]
    # Domain defaults to vpc.
    other = ec2.allocate_address()
    assert other["Domain"] == "vpc" and other["PublicIp"] != eip["PublicIp"]

    ec2.release_address(AllocationId=eip["AllocationId"])
    with pytest.raises(ClientError) as e:
        ec2.describe_addresses(AllocationIds=[eip["AllocationId"]])
    assert error_code(e) == "InvalidAllocationID.NotFound"
    with pytest.raises(ClientError) as e:
        ec2.release_address(AllocationId=eip["AllocationId"])
    assert error_code(e) == "InvalidAllocationID.NotFound"
    # Release by public IP works too.
    ec2.release_address(PublicIp=other["PublicIp"])
    with pytest.raises(ClientError) as e:
        ec2.describe_addresses(PublicIps=[other["PublicIp"]])
    assert error_code(e) == "InvalidAddress.NotFound"


def test_allocate_refusals(ec2):
    with pytest.raises(ClientError) as e:
        ec2.allocate_address(Domain="standard")
    assert error_code(e) == "InvalidParameterValue"
    with pytest.raises(ClientError) as e:
        ec2.allocate_address(TagSpecifications=[
            {"ResourceType": "vpc", "Tags": [{"Key": "a", "Value": "b"}]}])
    assert error_code(e) == "InvalidParameterValue"
    with pytest.raises(ClientError) as e:
        ec2.allocate_address(NetworkBorderGroup="eu-west-1")
    assert error_code(e) == "InvalidParameterValue"
    with pytest.raises(ClientError) as e:
        ec2.allocate_address(Address="8.8.8.8")
    assert error_code(e) == "InvalidParameterValue"
    before = ec2.describe_addresses()["Addresses"]
    with pytest.raises(ClientError) as e:
        ec2.allocate_address(DryRun=True)
    assert error_code(e) == "DryRunOperation"
    assert ec2.describe_addresses()["Addresses"] == before
    with pytest.raises(ClientError) as e:
        ec2.describe_addresses(AllocationIds=["eipalloc-zz"])
    assert error_code(e) == "InvalidAllocationID.Malformed"
    with pytest.raises(ClientError) as e:
        ec2.release_address()
    assert error_code(e) == "MissingParameter"


def test_associate_describe_disassociate(ec2):
    vpc_id, subnet_id, (eni1, eni2) = network(ec2, 40)
    eip = ec2.allocate_address(Domain="vpc")
    alloc = eip["AllocationId"]
    assoc = ec2.associate_address(AllocationId=alloc,
                                  NetworkInterfaceId=eni1["NetworkInterfaceId"])["AssociationId"]
    assert assoc.startswith("eipassoc-") and len(assoc) == 26
    got = describe_one(ec2, alloc)
    assert got["AssociationId"] == assoc
    assert got["NetworkInterfaceId"] == eni1["NetworkInterfaceId"]
    assert got["NetworkInterfaceOwnerId"] == ACCOUNT
    assert got["PrivateIpAddress"] == eni1["PrivateIpAddress"]
    assert "InstanceId" not in got
    # The interface shows its public address.
    eni = ec2.describe_network_interfaces(
        NetworkInterfaceIds=[eni1["NetworkInterfaceId"]])["NetworkInterfaces"][0]
    assert eni["Association"]["PublicIp"] == eip["PublicIp"]

    def find(filters):
        return [a["AllocationId"] for a in ec2.describe_addresses(Filters=filters)["Addresses"]]

    assert find([{"Name": "association-id", "Values": [assoc]}]) == [alloc]
    eni1_id = eni1["NetworkInterfaceId"]
    assert find([{"Name": "network-interface-id", "Values": [eni1_id]}]) == [alloc]
    assert find([{"Name": "private-ip-address", "Values": [eni1["PrivateIpAddress"]]},
                 {"Name": "public-ip", "Values": [eip["PublicIp"]]}]) == [alloc]
    assert find([{"Name": "allocation-id", "Values": [alloc]},
                 {"Name": "network-interface-owner-id", "Values": [ACCOUNT]},
                 {"Name": "domain", "Values": ["vpc"]}]) == [alloc]
    assert find([{"Name": "allocation-id", "Values": [alloc]},
                 {"Name": "instance-id", "Values": ["i-*"]}]) == []

    # Associated: can't be released.
    with pytest.raises(ClientError) as e:
        ec2.release_address(AllocationId=alloc)
    assert error_code(e) == "InvalidIPAddress.InUse"

    ec2.disassociate_address(AssociationId=assoc)
    got = describe_one(ec2, alloc)
    assert "AssociationId" not in got and "NetworkInterfaceId" not in got
    assert find([{"Name": "association-id", "Values": [assoc]}]) == []
    # AWS answers NotFound for an association that is gone; by public IP an
    # unassociated address is simply left as it is.
    with pytest.raises(ClientError) as e:
        ec2.disassociate_address(AssociationId=assoc)
    assert error_code(e) == "InvalidAssociationID.NotFound"
    ec2.disassociate_address(PublicIp=eip["PublicIp"])
    ec2.release_address(AllocationId=alloc)


def test_associate_secondary_move_and_reassociation(ec2):
    vpc_id, subnet_id, (eni1, eni2) = network(ec2, 41)
    secondary = [p["PrivateIpAddress"] for p in eni1["PrivateIpAddresses"] if not p["Primary"]][0]
    a = ec2.allocate_address()["AllocationId"]
    b = ec2.allocate_address()["AllocationId"]
    ec2.associate_address(AllocationId=a, NetworkInterfaceId=eni1["NetworkInterfaceId"],
                          PrivateIpAddress=secondary)
    assert describe_one(ec2, a)["PrivateIpAddress"] == secondary
    with pytest.raises(ClientError) as e:
        ec2.associate_address(AllocationId=b, NetworkInterfaceId=eni1["NetworkInterfaceId"],
                              PrivateIpAddress="10.41.1.250")
    assert error_code(e) == "InvalidParameterValue"

    # Moving needs no flag; AllowReassociation=false refuses.
    with pytest.raises(ClientError) as e:
        ec2.associate_address(AllocationId=a, NetworkInterfaceId=eni2["NetworkInterfaceId"],
                              AllowReassociation=False)
    assert error_code(e) == "Resource.AlreadyAssociated"
    assert describe_one(ec2, a)["NetworkInterfaceId"] == eni1["NetworkInterfaceId"]
    moved = ec2.associate_address(AllocationId=a,
                                  NetworkInterfaceId=eni2["NetworkInterfaceId"])["AssociationId"]
    got = describe_one(ec2, a)
    assert got["NetworkInterfaceId"] == eni2["NetworkInterfaceId"]
    assert got["PrivateIpAddress"] == eni2["PrivateIpAddress"] and got["AssociationId"] == moved

    # A target's previous EIP is disassociated but stays allocated.
    ec2.associate_address(AllocationId=b, NetworkInterfaceId=eni2["NetworkInterfaceId"])
    assert "AssociationId" not in describe_one(ec2, a)
    assert describe_one(ec2, b)["NetworkInterfaceId"] == eni2["NetworkInterfaceId"]

    # Deleting the interface leaves the address allocated, unassociated.
    ec2.delete_network_interface(NetworkInterfaceId=eni2["NetworkInterfaceId"])
    assert "AssociationId" not in describe_one(ec2, b)
    ec2.release_address(AllocationId=b)
    ec2.release_address(AllocationId=a)


def test_associate_refusals(ec2):
    vpc_id, subnet_id, (eni1, eni2) = network(ec2, 42, igw=False)
    alloc = ec2.allocate_address()["AllocationId"]
    eni_id = eni1["NetworkInterfaceId"]
    with pytest.raises(ClientError) as e:
        ec2.associate_address(AllocationId=alloc, NetworkInterfaceId=eni_id)
    assert error_code(e) == "Gateway.NotAttached"
    assert vpc_id in e.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as e:
        ec2.associate_address(AllocationId=alloc, NetworkInterfaceId=eni_id,
                              InstanceId="i-0123456789abcdef0")
    assert error_code(e) == "InvalidParameterCombination"
    with pytest.raises(ClientError) as e:
        ec2.associate_address(AllocationId=alloc, InstanceId="i-0123456789abcdef0")
    assert error_code(e) == "InvalidInstanceID.NotFound"
    with pytest.raises(ClientError) as e:
        ec2.associate_address(AllocationId=alloc)
    assert error_code(e) == "MissingParameter"
    with pytest.raises(ClientError) as e:
        ec2.associate_address(AllocationId="eipalloc-0123456789abcdef0", NetworkInterfaceId=eni_id)
    assert error_code(e) == "InvalidAllocationID.NotFound"
    with pytest.raises(ClientError) as e:
        ec2.associate_address(AllocationId=alloc, NetworkInterfaceId="eni-0123456789abcdef0")
    assert error_code(e) == "InvalidNetworkInterfaceID.NotFound"
    igw_id = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    with pytest.raises(ClientError) as e:
        ec2.associate_address(AllocationId=alloc, NetworkInterfaceId=eni_id, DryRun=True)
    assert error_code(e) == "DryRunOperation"
    assert "AssociationId" not in describe_one(ec2, alloc)
    with pytest.raises(ClientError) as e:
        ec2.disassociate_address(AssociationId="eipassoc-0123456789abcdef0")
    assert error_code(e) == "InvalidAssociationID.NotFound"
    with pytest.raises(ClientError) as e:
        ec2.disassociate_address(PublicIp="203.0.113.77")
    assert error_code(e) == "InvalidAddress.NotFound"


def test_describe_filters_and_tags(ec2):
    tag = [{"ResourceType": "elastic-ip", "Tags": [{"Key": "suite", "Value": "filters"}]}]
    allocs = [ec2.allocate_address(TagSpecifications=tag) for _ in range(3)]
    ids = [a["AllocationId"] for a in allocs]
    mine = [{"Name": "tag:suite", "Values": ["filters"]}]
    got = ec2.describe_addresses(Filters=mine)["Addresses"]
    assert [a["AllocationId"] for a in got] == ids
    got = ec2.describe_addresses(PublicIps=[allocs[2]["PublicIp"], allocs[0]["PublicIp"]],
                                 Filters=[{"Name": "tag-key", "Values": ["suite"]}])["Addresses"]
    assert sorted(a["AllocationId"] for a in got) == sorted([ids[0], ids[2]])
    got = ec2.describe_addresses(AllocationIds=ids,
                                 Filters=[{"Name": "public-ip", "Values": [allocs[1]["PublicIp"]]}])
    assert [a["AllocationId"] for a in got["Addresses"]] == [ids[1]]
    ec2.create_tags(Resources=[ids[0]], Tags=[{"Key": "suite", "Value": "other"}])
    got = ec2.describe_addresses(Filters=mine)["Addresses"]
    assert [a["AllocationId"] for a in got] == ids[1:]
    for a in ids:
        ec2.release_address(AllocationId=a)


def test_cli(aws):
    vpc_id = aws("create-vpc", "--cidr-block", "10.43.0.0/16")["Vpc"]["VpcId"]
    subnet_id = aws("create-subnet", "--vpc-id", vpc_id, "--cidr-block", "10.43.1.0/24")[
        "Subnet"]["SubnetId"]
    eni_id = aws("create-network-interface", "--subnet-id", subnet_id)[
        "NetworkInterface"]["NetworkInterfaceId"]
    igw_id = aws("create-internet-gateway")["InternetGateway"]["InternetGatewayId"]
    aws("attach-internet-gateway", "--internet-gateway-id", igw_id, "--vpc-id", vpc_id)
    eip = aws("allocate-address", "--domain", "vpc")
    assoc = aws("associate-address", "--allocation-id", eip["AllocationId"],
                "--network-interface-id", eni_id)["AssociationId"]
    out = aws("describe-addresses", "--filters", f"Name=association-id,Values={assoc}")
    assert [a["PublicIp"] for a in out["Addresses"]] == [eip["PublicIp"]]
    out = aws("describe-addresses", "--public-ips", eip["PublicIp"])
    assert out["Addresses"][0]["NetworkInterfaceId"] == eni_id
    with pytest.raises(AwsCliError) as e:
        aws("release-address", "--allocation-id", eip["AllocationId"])
    assert e.value.code == "InvalidIPAddress.InUse"
    aws("disassociate-address", "--association-id", assoc)
    aws("release-address", "--allocation-id", eip["AllocationId"])
    with pytest.raises(AwsCliError) as e:
        aws("describe-addresses", "--allocation-ids", eip["AllocationId"])
    assert e.value.code == "InvalidAllocationID.NotFound"


def test_tiny_pool_exhaustion_and_specific_address(fresh_vpcd):
    fresh_vpcd.extra_args = ["--public-pool", "203.0.113.0/30", "--no-default-vpc"]
    d = fresh_vpcd.start()
    ec2 = d.client()
    b = ec2.allocate_address(Address="203.0.113.2")
    assert b["PublicIp"] == "203.0.113.2"
    with pytest.raises(ClientError) as e:
        ec2.allocate_address(Address="203.0.113.2")
    assert error_code(e) == "InvalidIPAddress.InUse"
    a = ec2.allocate_address()
    assert a["PublicIp"] == "203.0.113.1"
    with pytest.raises(ClientError) as e:
        ec2.allocate_address()
    assert error_code(e) == "InsufficientAddressCapacity"
    ec2.release_address(AllocationId=a["AllocationId"])
    assert ec2.allocate_address()["PublicIp"] == "203.0.113.1"


def test_survives_restart_without_handing_out_twice(fresh_vpcd):
    fresh_vpcd.extra_args = ["--public-pool", "203.0.113.0/30"]
    d = fresh_vpcd.start()
    ec2 = d.client()
    vpc_id, subnet_id, (eni1, eni2) = network(ec2, 44)
    a = ec2.allocate_address(TagSpecifications=[
        {"ResourceType": "elastic-ip", "Tags": [{"Key": "k", "Value": "v"}]}])
    b = ec2.allocate_address()
    ec2.associate_address(AllocationId=b["AllocationId"],
                          NetworkInterfaceId=eni1["NetworkInterfaceId"])
    before = ec2.describe_addresses()["Addresses"]
    d.restart()
    ec2 = d.client()
    assert ec2.describe_addresses()["Addresses"] == before
    # Both pool addresses are still taken: nothing may be handed out again.
    with pytest.raises(ClientError) as e:
        ec2.allocate_address()
    assert error_code(e) == "InsufficientAddressCapacity"
    with pytest.raises(ClientError) as e:
        ec2.release_address(AllocationId=b["AllocationId"])
    assert error_code(e) == "InvalidIPAddress.InUse"
    ec2.release_address(AllocationId=a["AllocationId"])
    assert ec2.allocate_address()["PublicIp"] == a["PublicIp"]
