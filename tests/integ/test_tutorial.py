"""The classic tutorial, with the aws CLI only: a VPC with a public and a
private subnet, an internet gateway, a NAT gateway, route tables, a network
ACL and security groups, then torn down again in the order AWS requires.

    10.0.0.0/16 ── igw
      ├─ public  10.0.1.0/24  rtb-public:  0.0.0.0/0 → igw   (NAT gateway here, EIP)
      └─ private 10.0.2.0/24  rtb-private: 0.0.0.0/0 → nat   (custom NACL)
"""
import time

import pytest

from conftest import AwsCliError


def tag(kind, name):
    return f"ResourceType={kind},Tags=[{{Key=Name,Value={name}}}]"


def test_public_private_vpc_with_the_cli(aws):
    vpc = aws("create-vpc", "--cidr-block", "10.0.0.0/16",
              "--tag-specifications", tag("vpc", "tutorial"))["Vpc"]["VpcId"]
    aws("wait", "vpc-available", "--vpc-ids", vpc)
    aws("modify-vpc-attribute", "--vpc-id", vpc, "--enable-dns-hostnames")

    public = aws("create-subnet", "--vpc-id", vpc, "--cidr-block", "10.0.1.0/24",
                 "--availability-zone", "us-east-1a",
                 "--tag-specifications", tag("subnet", "public"))["Subnet"]["SubnetId"]
    private = aws("create-subnet", "--vpc-id", vpc, "--cidr-block", "10.0.2.0/24",
                  "--availability-zone", "us-east-1a")["Subnet"]["SubnetId"]
    aws("modify-subnet-attribute", "--subnet-id", public, "--map-public-ip-on-launch")

    igw = aws("create-internet-gateway")["InternetGateway"]["InternetGatewayId"]
    aws("attach-internet-gateway", "--internet-gateway-id", igw, "--vpc-id", vpc)

    rtb_public = aws("create-route-table", "--vpc-id", vpc)["RouteTable"]["RouteTableId"]
    aws("create-route", "--route-table-id", rtb_public, "--destination-cidr-block", "0.0.0.0/0",
        "--gateway-id", igw)
    assoc_public = aws("associate-route-table", "--route-table-id", rtb_public,
                       "--subnet-id", public)["AssociationId"]

    eip = aws("allocate-address", "--domain", "vpc")
    nat = aws("create-nat-gateway", "--subnet-id", public, "--allocation-id",
              eip["AllocationId"])["NatGateway"]["NatGatewayId"]
    deadline = time.monotonic() + 30
    while aws("describe-nat-gateways", "--nat-gateway-ids", nat)["NatGateways"][0]["State"] != "available":
        assert time.monotonic() < deadline, "NAT gateway never became available"
        time.sleep(0.5)

    rtb_private = aws("create-route-table", "--vpc-id", vpc)["RouteTable"]["RouteTableId"]
    aws("create-route", "--route-table-id", rtb_private, "--destination-cidr-block", "0.0.0.0/0",
        "--nat-gateway-id", nat)
    aws("associate-route-table", "--route-table-id", rtb_private, "--subnet-id", private)

    acl = aws("create-network-acl", "--vpc-id", vpc)["NetworkAcl"]["NetworkAclId"]
    aws("create-network-acl-entry", "--network-acl-id", acl, "--ingress", "--rule-number", "100",
        "--protocol", "tcp", "--port-range", "From=5432,To=5432", "--cidr-block", "10.0.1.0/24",
        "--rule-action", "allow")
    aws("create-network-acl-entry", "--network-acl-id", acl, "--ingress", "--rule-number", "110",
        "--protocol", "tcp", "--port-range", "From=1024,To=65535", "--cidr-block", "0.0.0.0/0",
        "--rule-action", "allow")
    aws("create-network-acl-entry", "--network-acl-id", acl, "--egress", "--rule-number", "100",
        "--protocol", "-1", "--cidr-block", "0.0.0.0/0", "--rule-action", "allow")
    acls = aws("describe-network-acls", "--filters", f"Name=association.subnet-id,Values={private}")
    current = [a for a in acls["NetworkAcls"][0]["Associations"] if a["SubnetId"] == private][0]
    aws("replace-network-acl-association", "--association-id", current["NetworkAclAssociationId"],
        "--network-acl-id", acl)

    web = aws("create-security-group", "--group-name", "web", "--description", "web tier",
              "--vpc-id", vpc)["GroupId"]
    db = aws("create-security-group", "--group-name", "db", "--description", "db tier",
             "--vpc-id", vpc)["GroupId"]
    aws("authorize-security-group-ingress", "--group-id", web, "--protocol", "tcp", "--port", "443",
        "--cidr", "0.0.0.0/0")
    aws("authorize-security-group-ingress", "--group-id", db, "--protocol", "tcp", "--port", "5432",
        "--source-group", web)

    # What a user checks afterwards.
    tables = {t["RouteTableId"]: t for t in aws("describe-route-tables", "--filters",
                                                 f"Name=vpc-id,Values={vpc}")["RouteTables"]}
    assert len(tables) == 3
    default_route = [r for r in tables[rtb_public]["Routes"] if r["DestinationCidrBlock"] == "0.0.0.0/0"][0]
    assert default_route["GatewayId"] == igw and default_route["State"] == "active"
    nat_route = [r for r in tables[rtb_private]["Routes"] if r["DestinationCidrBlock"] == "0.0.0.0/0"][0]
    assert nat_route["NatGatewayId"] == nat and nat_route["State"] == "active"
    subnets = {s["SubnetId"]: s for s in aws("describe-subnets", "--filters",
                                              f"Name=vpc-id,Values={vpc}")["Subnets"]}
    assert subnets[public]["MapPublicIpOnLaunch"] is True
    assert subnets[public]["AvailableIpAddressCount"] == 250    # 251 minus the NAT gateway's ENI
    groups = aws("describe-security-groups", "--group-ids", db)["SecurityGroups"][0]
    assert groups["IpPermissions"][0]["UserIdGroupPairs"][0]["GroupId"] == web
    addr = aws("describe-addresses", "--allocation-ids", eip["AllocationId"])["Addresses"][0]
    assert addr["NetworkInterfaceId"] and addr["PublicIp"] == eip["PublicIp"]

    # Deletes AWS refuses while dependencies remain.
    with pytest.raises(AwsCliError) as e:
        aws("delete-vpc", "--vpc-id", vpc)
    assert e.value.code == "DependencyViolation"
    with pytest.raises(AwsCliError) as e:
        aws("delete-security-group", "--group-id", web)
    assert e.value.code == "DependencyViolation"        # db refers to it

    # Tear down in order.
    aws("delete-nat-gateway", "--nat-gateway-id", nat)
    deadline = time.monotonic() + 30
    while aws("describe-nat-gateways", "--nat-gateway-ids", nat)["NatGateways"][0]["State"] != "deleted":
        assert time.monotonic() < deadline, "NAT gateway never reached deleted"
        time.sleep(0.5)
    tables = {t["RouteTableId"]: t for t in aws("describe-route-tables", "--route-table-ids",
                                                 rtb_private)["RouteTables"]}
    nat_route = [r for r in tables[rtb_private]["Routes"] if r["DestinationCidrBlock"] == "0.0.0.0/0"][0]
    assert nat_route["State"] == "blackhole"
    aws("release-address", "--allocation-id", eip["AllocationId"])
    aws("delete-security-group", "--group-id", db)
    aws("delete-security-group", "--group-id", web)
    aws("disassociate-route-table", "--association-id", assoc_public)
    for s in (public, private):
        aws("delete-subnet", "--subnet-id", s)
    aws("delete-route-table", "--route-table-id", rtb_public)
    aws("delete-route-table", "--route-table-id", rtb_private)
    aws("delete-network-acl", "--network-acl-id", acl)
    aws("detach-internet-gateway", "--internet-gateway-id", igw, "--vpc-id", vpc)
    aws("delete-internet-gateway", "--internet-gateway-id", igw)
    aws("delete-vpc", "--vpc-id", vpc)
    with pytest.raises(AwsCliError) as e:
        aws("describe-vpcs", "--vpc-ids", vpc)
    assert e.value.code == "InvalidVpcID.NotFound"
