"""Network interface (ENI) actions against a real vpcd (vpc-semantics.md
section 5), through boto3 and the aws CLI.

    VPC 10.N.0.0/16 (one per test)
      └── subnet 10.N.1.0/24 (or a /28: base .0, router .1, DNS .2, future .3,
          broadcast .15 reserved; .4 - .14 = 11 addresses for interfaces)
            ├── eni-a  primary 10.N.1.4 (+ secondaries)
            └── eni-b  ...
"""
import ipaddress
import itertools
import re

import pytest

from conftest import AwsCliError, ClientError, error_code

_blocks = itertools.count(60)


def make_subnet(ec2, prefix_len=24, az="us-east-1a"):
    """A fresh VPC 10.N.0.0/16 and a subnet 10.N.1.0/<prefix_len> in it."""
    n = next(_blocks)
    vpc = ec2.create_vpc(CidrBlock=f"10.{n}.0.0/16")["Vpc"]
    return ec2.create_subnet(VpcId=vpc["VpcId"], CidrBlock=f"10.{n}.1.0/{prefix_len}",
                             AvailabilityZone=az)["Subnet"]


def net(subnet):
    return subnet["CidrBlock"].rsplit(".", 1)[0]     # "10.60.1"


def available(ec2, subnet_id):
    return ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]["AvailableIpAddressCount"]


def eni_of(ec2, eni_id):
    return ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]


def ips_of(eni):
    return [p["PrivateIpAddress"] for p in eni["PrivateIpAddresses"]]


def skip_unless_served(e, what):
    if error_code(e) == "InvalidAction":
        pytest.skip(f"{what} is not served yet")


def test_create_describe_delete(ec2):
    s = make_subnet(ec2)
    sid, n = s["SubnetId"], net(s)
    eni = ec2.create_network_interface(SubnetId=sid, Description="first", TagSpecifications=[
        {"ResourceType": "network-interface", "Tags": [{"Key": "Name", "Value": "e1"}]}
    ])["NetworkInterface"]
    eid = eni["NetworkInterfaceId"]
    assert re.fullmatch(r"eni-[0-9a-f]{17}", eid)
    assert eni["Status"] == "pending"
    assert eni["SubnetId"] == sid and eni["VpcId"] == s["VpcId"]
    assert eni["AvailabilityZone"] == "us-east-1a"
    assert eni["Description"] == "first"
    assert eni["InterfaceType"] == "interface"
    assert re.fullmatch(r"[0-9a-f]{2}(:[0-9a-f]{2}){5}", eni["MacAddress"])
    assert eni["OwnerId"] == "000000000000"
    # vpcd hands out the lowest free address: base + 4.
    assert eni["PrivateIpAddress"] == f"{n}.4"
    dns = f"ip-{n.replace('.', '-')}-4.ec2.internal"
    assert eni["PrivateDnsName"] == dns
    assert eni["PrivateIpAddresses"] == [
        {"Primary": True, "PrivateIpAddress": f"{n}.4", "PrivateDnsName": dns}]
    assert eni["RequesterManaged"] is False and "RequesterId" not in eni
    assert eni["SourceDestCheck"] is True
    assert "Association" not in eni and "Attachment" not in eni
    assert eni["Ipv6Addresses"] == []
    assert eni["TagSet"] == [{"Key": "Name", "Value": "e1"}]
    assert len(eni["Groups"]) == 1
    assert eni["Groups"][0]["GroupName"] == "default"
    assert eni["Groups"][0]["GroupId"].startswith("sg-")

    got = eni_of(ec2, eid)
    assert got["Status"] == "available"
    assert {k: v for k, v in got.items() if k != "Status"} == \
        {k: v for k, v in eni.items() if k != "Status"}

    ec2.delete_network_interface(NetworkInterfaceId=eid)
    for call in [lambda: ec2.describe_network_interfaces(NetworkInterfaceIds=[eid]),
                 lambda: ec2.delete_network_interface(NetworkInterfaceId=eid)]:
        with pytest.raises(ClientError) as e:
            call()
        assert error_code(e) == "InvalidNetworkInterfaceID.NotFound"
        assert eid in e.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as e:
        ec2.delete_network_interface(NetworkInterfaceId="eni-xyz")
    assert error_code(e) == "InvalidNetworkInterfaceID.Malformed"
    with pytest.raises(ClientError) as e:
        ec2.create_network_interface(SubnetId="subnet-0123456789abcdef0")
    assert error_code(e) == "InvalidSubnetID.NotFound"


def test_private_dns_name_outside_us_east_1(vpcd):
    ec2 = vpcd.client(region="eu-west-1")
    s = make_subnet(ec2, az="eu-west-1b")
    eni = ec2.create_network_interface(SubnetId=s["SubnetId"],
                                       PrivateIpAddress=f"{net(s)}.77")["NetworkInterface"]
    assert eni["PrivateDnsName"] == f"ip-{net(s).replace('.', '-')}-77.eu-west-1.compute.internal"
    assert eni["AvailabilityZone"] == "eu-west-1b"


def test_explicit_addresses(ec2):
    s = make_subnet(ec2)
    sid, n = s["SubnetId"], net(s)
    eni = ec2.create_network_interface(SubnetId=sid, PrivateIpAddress=f"{n}.50")["NetworkInterface"]
    assert eni["PrivateIpAddress"] == f"{n}.50"
    with pytest.raises(ClientError) as e:
        ec2.create_network_interface(SubnetId=sid, PrivateIpAddress=f"{n}.50")
    assert error_code(e) == "InvalidIPAddress.InUse"
    for reserved in [f"{n}.0", f"{n}.1", f"{n}.2", f"{n}.3", f"{n}.255"]:
        with pytest.raises(ClientError) as e:
            ec2.create_network_interface(SubnetId=sid, PrivateIpAddress=reserved)
        assert error_code(e) == "InvalidParameterValue", reserved
        assert reserved in e.value.response["Error"]["Message"]
    for outside in ["10.250.0.9", f"{n[:-2]}.2.4"]:
        with pytest.raises(ClientError) as e:
            ec2.create_network_interface(SubnetId=sid, PrivateIpAddress=outside)
        assert error_code(e) == "InvalidParameterValue", outside
    with pytest.raises(ClientError) as e:
        ec2.create_network_interface(SubnetId=sid, PrivateIpAddress="10.0.0.999")
    assert error_code(e) == "InvalidParameterValue"
    # The automatic choice skips what is taken.
    a = ec2.create_network_interface(SubnetId=sid)["NetworkInterface"]
    assert a["PrivateIpAddress"] == f"{n}.4"
    assert available(ec2, sid) == 251 - 2


def test_secondary_addresses_at_create(ec2):
    s = make_subnet(ec2)
    sid, n = s["SubnetId"], net(s)
    eni = ec2.create_network_interface(SubnetId=sid, SecondaryPrivateIpAddressCount=3)
    eni = eni["NetworkInterface"]
    assert ips_of(eni) == [f"{n}.4", f"{n}.5", f"{n}.6", f"{n}.7"]
    assert [p["Primary"] for p in eni["PrivateIpAddresses"]] == [True, False, False, False]
    assert available(ec2, sid) == 247
    eni2 = ec2.create_network_interface(SubnetId=sid, PrivateIpAddresses=[
        {"PrivateIpAddress": f"{n}.20", "Primary": False},
        {"PrivateIpAddress": f"{n}.21", "Primary": True},
    ], SecondaryPrivateIpAddressCount=1)["NetworkInterface"]
    assert eni2["PrivateIpAddress"] == f"{n}.21"
    assert ips_of(eni2) == [f"{n}.21", f"{n}.20", f"{n}.8"]
    assert available(ec2, sid) == 244
    # Repeated or taken addresses refuse the whole request.
    for spec in [[{"PrivateIpAddress": f"{n}.30"}, {"PrivateIpAddress": f"{n}.30"}],
                 [{"PrivateIpAddress": f"{n}.31"}, {"PrivateIpAddress": f"{n}.5"}]]:
        with pytest.raises(ClientError) as e:
            ec2.create_network_interface(SubnetId=sid, PrivateIpAddresses=spec)
        assert error_code(e) in ("InvalidParameterValue", "InvalidIPAddress.InUse")
    with pytest.raises(ClientError) as e:
        ec2.create_network_interface(SubnetId=sid, PrivateIpAddresses=[
            {"PrivateIpAddress": f"{n}.40", "Primary": True},
            {"PrivateIpAddress": f"{n}.41", "Primary": True}])
    assert error_code(e) == "InvalidParameterValue"
    with pytest.raises(ClientError) as e:
        ec2.create_network_interface(SubnetId=sid, SecondaryPrivateIpAddressCount=50)
    assert error_code(e) == "PrivateIpAddressLimitExceeded"
    assert available(ec2, sid) == 244


def test_exhausting_a_slash_28(ec2):
    s = make_subnet(ec2, prefix_len=28)
    sid, n = s["SubnetId"], net(s)
    assert available(ec2, sid) == 11
    made = [ec2.create_network_interface(SubnetId=sid)["NetworkInterface"] for _ in range(11)]
    assert [e["PrivateIpAddress"] for e in made] == [f"{n}.{i}" for i in range(4, 15)]
    assert available(ec2, sid) == 0
    with pytest.raises(ClientError) as e:
        ec2.create_network_interface(SubnetId=sid)
    assert error_code(e) == "InsufficientFreeAddressesInSubnet"
    assert sid in e.value.response["Error"]["Message"]
    # A freed address is handed out again.
    ec2.delete_network_interface(NetworkInterfaceId=made[5]["NetworkInterfaceId"])
    assert available(ec2, sid) == 1
    again = ec2.create_network_interface(SubnetId=sid)["NetworkInterface"]
    assert again["PrivateIpAddress"] == made[5]["PrivateIpAddress"]
    with pytest.raises(ClientError) as e:
        ec2.assign_private_ip_addresses(NetworkInterfaceId=made[0]["NetworkInterfaceId"],
                                        SecondaryPrivateIpAddressCount=1)
    assert error_code(e) == "InsufficientFreeAddressesInSubnet"


def test_assign_and_unassign(ec2, aws):
    s = make_subnet(ec2)
    sid, n = s["SubnetId"], net(s)
    eid = ec2.create_network_interface(SubnetId=sid)["NetworkInterface"]["NetworkInterfaceId"]
    out = ec2.assign_private_ip_addresses(NetworkInterfaceId=eid,
                                          PrivateIpAddresses=[f"{n}.100", f"{n}.101"])
    assert out["NetworkInterfaceId"] == eid
    assert [a["PrivateIpAddress"] for a in out["AssignedPrivateIpAddresses"]] == \
        [f"{n}.100", f"{n}.101"]
    out = ec2.assign_private_ip_addresses(NetworkInterfaceId=eid, SecondaryPrivateIpAddressCount=2)
    assert [a["PrivateIpAddress"] for a in out["AssignedPrivateIpAddresses"]] == \
        [f"{n}.5", f"{n}.6"]
    aws("assign-private-ip-addresses", "--network-interface-id", eid,
        "--private-ip-addresses", f"{n}.102")
    assert ips_of(eni_of(ec2, eid)) == [f"{n}.4", f"{n}.100", f"{n}.101", f"{n}.5", f"{n}.6",
                                        f"{n}.102"]
    assert available(ec2, sid) == 251 - 6

    for kw, code in [
        ({"PrivateIpAddresses": [f"{n}.100"]}, "InvalidIPAddress.InUse"),
        ({"PrivateIpAddresses": [f"{n}.2"]}, "InvalidParameterValue"),
        ({"PrivateIpAddresses": ["10.250.0.9"]}, "InvalidParameterValue"),
        ({"PrivateIpAddresses": [f"{n}.110", f"{n}.110"]}, "InvalidParameterValue"),
        ({"PrivateIpAddresses": ["nope"]}, "InvalidParameterValue"),
        ({"SecondaryPrivateIpAddressCount": 45}, "PrivateIpAddressLimitExceeded"),
        ({}, "MissingParameter"),
    ]:
        with pytest.raises(ClientError) as e:
            ec2.assign_private_ip_addresses(NetworkInterfaceId=eid, **kw)
        assert error_code(e) == code, kw
    assert available(ec2, sid) == 251 - 6

    ec2.unassign_private_ip_addresses(NetworkInterfaceId=eid,
                                      PrivateIpAddresses=[f"{n}.100", f"{n}.5"])
    aws("unassign-private-ip-addresses", "--network-interface-id", eid,
        "--private-ip-addresses", f"{n}.102")
    assert ips_of(eni_of(ec2, eid)) == [f"{n}.4", f"{n}.101", f"{n}.6"]
    assert available(ec2, sid) == 251 - 3
    for addrs in [[f"{n}.4"], [f"{n}.100"], [f"{n}.101", f"{n}.200"]]:
        with pytest.raises(ClientError) as e:
            ec2.unassign_private_ip_addresses(NetworkInterfaceId=eid, PrivateIpAddresses=addrs)
        assert error_code(e) == "InvalidParameterValue", addrs
    assert ips_of(eni_of(ec2, eid)) == [f"{n}.4", f"{n}.101", f"{n}.6"]
    # A freed secondary is the lowest free address again.
    out = ec2.assign_private_ip_addresses(NetworkInterfaceId=eid, SecondaryPrivateIpAddressCount=1)
    assert out["AssignedPrivateIpAddresses"] == [{"PrivateIpAddress": f"{n}.5"}]


def test_private_ip_address_limit(ec2):
    s = make_subnet(ec2)
    eid = ec2.create_network_interface(SubnetId=s["SubnetId"],
                                       SecondaryPrivateIpAddressCount=48)["NetworkInterface"]
    eid = eid["NetworkInterfaceId"]
    ec2.assign_private_ip_addresses(NetworkInterfaceId=eid, SecondaryPrivateIpAddressCount=1)
    assert len(eni_of(ec2, eid)["PrivateIpAddresses"]) == 50
    with pytest.raises(ClientError) as e:
        ec2.assign_private_ip_addresses(NetworkInterfaceId=eid, SecondaryPrivateIpAddressCount=1)
    assert error_code(e) == "PrivateIpAddressLimitExceeded"
    assert eid in e.value.response["Error"]["Message"]
    assert available(ec2, s["SubnetId"]) == 251 - 50


def test_allow_reassignment(ec2):
    s = make_subnet(ec2)
    sid, n = s["SubnetId"], net(s)
    a = ec2.create_network_interface(SubnetId=sid, SecondaryPrivateIpAddressCount=1)
    a = a["NetworkInterface"]["NetworkInterfaceId"]
    b = ec2.create_network_interface(SubnetId=sid)["NetworkInterface"]["NetworkInterfaceId"]
    # a holds .4 (primary) and .5; b holds .6.
    with pytest.raises(ClientError) as e:
        ec2.assign_private_ip_addresses(NetworkInterfaceId=b, PrivateIpAddresses=[f"{n}.5"])
    assert error_code(e) == "InvalidIPAddress.InUse"
    with pytest.raises(ClientError) as e:
        ec2.assign_private_ip_addresses(NetworkInterfaceId=b, PrivateIpAddresses=[f"{n}.4"],
                                        AllowReassignment=True)
    assert error_code(e) == "InvalidIPAddress.InUse"
    assert ips_of(eni_of(ec2, a)) == [f"{n}.4", f"{n}.5"]
    before = available(ec2, sid)
    ec2.assign_private_ip_addresses(NetworkInterfaceId=b, PrivateIpAddresses=[f"{n}.5"],
                                    AllowReassignment=True)
    assert ips_of(eni_of(ec2, a)) == [f"{n}.4"]
    assert ips_of(eni_of(ec2, b)) == [f"{n}.6", f"{n}.5"]
    assert available(ec2, sid) == before
    # An interface of another subnet can't take it.
    other = ec2.create_subnet(VpcId=s["VpcId"], CidrBlock=f"{n[:-2]}.2.0/24")["Subnet"]
    c = ec2.create_network_interface(SubnetId=other["SubnetId"])["NetworkInterface"]
    with pytest.raises(ClientError) as e:
        ec2.assign_private_ip_addresses(NetworkInterfaceId=c["NetworkInterfaceId"],
                                        PrivateIpAddresses=[f"{n}.5"], AllowReassignment=True)
    assert error_code(e) == "InvalidParameterValue"


def test_modify_and_describe_attributes(ec2, aws):
    s = make_subnet(ec2)
    eni = ec2.create_network_interface(SubnetId=s["SubnetId"])["NetworkInterface"]
    eid = eni["NetworkInterfaceId"]
    default_sg = eni["Groups"][0]["GroupId"]
    attr = lambda name: ec2.describe_network_interface_attribute(NetworkInterfaceId=eid,
                                                                 Attribute=name)

    assert attr("sourceDestCheck")["SourceDestCheck"] == {"Value": True}
    aws("modify-network-interface-attribute", "--network-interface-id", eid,
        "--no-source-dest-check")
    assert attr("sourceDestCheck")["SourceDestCheck"] == {"Value": False}
    assert eni_of(ec2, eid)["SourceDestCheck"] is False

    ec2.modify_network_interface_attribute(NetworkInterfaceId=eid, Description={"Value": "web"})
    got = attr("description")
    got.pop("ResponseMetadata")
    assert got == {"NetworkInterfaceId": eid, "Description": {"Value": "web"}}
    assert attr("groupSet")["Groups"] == [{"GroupId": default_sg, "GroupName": "default"}]
    assert "Attachment" not in attr("attachment")
    with pytest.raises(ClientError) as e:
        ec2.modify_network_interface_attribute(NetworkInterfaceId=eid,
                                               Description={"Value": "x" * 256})
    assert error_code(e) == "InvalidParameterValue"

    with pytest.raises(ClientError) as e:
        ec2.modify_network_interface_attribute(NetworkInterfaceId=eid,
                                               Description={"Value": "a"},
                                               SourceDestCheck={"Value": True})
    assert error_code(e) == "InvalidParameterCombination"
    with pytest.raises(ClientError) as e:
        ec2.modify_network_interface_attribute(NetworkInterfaceId=eid)
    assert error_code(e) == "MissingParameter"
    with pytest.raises(ClientError) as e:
        ec2.modify_network_interface_attribute(
            NetworkInterfaceId=eid,
            Attachment={"AttachmentId": "eni-attach-0123456789abcdef0",
                        "DeleteOnTermination": False})
    assert error_code(e) == "InvalidAttachmentID.NotFound"
    with pytest.raises(ClientError) as e:
        ec2.modify_network_interface_attribute(NetworkInterfaceId=eid,
                                               SourceDestCheck={"Value": True}, DryRun=True)
    assert error_code(e) == "DryRunOperation"
    assert eni_of(ec2, eid)["SourceDestCheck"] is False
    with pytest.raises(ClientError) as e:
        ec2.describe_network_interface_attribute(NetworkInterfaceId="eni-0123456789abcdef0",
                                                 Attribute="description")
    assert error_code(e) == "InvalidNetworkInterfaceID.NotFound"


def test_security_groups(ec2):
    s = make_subnet(ec2)
    sid, vid = s["SubnetId"], s["VpcId"]
    eni = ec2.create_network_interface(SubnetId=sid)["NetworkInterface"]
    eid, default_sg = eni["NetworkInterfaceId"], eni["Groups"][0]["GroupId"]
    # A group of another VPC can't be used.
    other = make_subnet(ec2)
    foreign = ec2.create_network_interface(SubnetId=other["SubnetId"])["NetworkInterface"]
    foreign_sg = foreign["Groups"][0]["GroupId"]
    for call in [lambda: ec2.create_network_interface(SubnetId=sid, Groups=[foreign_sg]),
                 lambda: ec2.modify_network_interface_attribute(NetworkInterfaceId=eid,
                                                                Groups=[foreign_sg])]:
        with pytest.raises(ClientError) as e:
            call()
        assert error_code(e) == "InvalidParameterValue"
    for bad, code in [("sg-0123456789abcdef0", "InvalidGroupId.NotFound"),
                      ("group-1", "InvalidGroupId.Malformed")]:
        with pytest.raises(ClientError) as e:
            ec2.create_network_interface(SubnetId=sid, Groups=[bad])
        assert error_code(e) in (code, "InvalidGroup.NotFound"), bad
    try:
        web = ec2.create_security_group(VpcId=vid, GroupName="web", Description="w")["GroupId"]
        db = ec2.create_security_group(VpcId=vid, GroupName="db", Description="d")["GroupId"]
    except ClientError as e:
        skip_unless_served(e, "CreateSecurityGroup")
        raise
    two = ec2.create_network_interface(SubnetId=sid, Groups=[web, db, web])["NetworkInterface"]
    assert two["Groups"] == [{"GroupId": web, "GroupName": "web"},
                             {"GroupId": db, "GroupName": "db"}]
    ec2.modify_network_interface_attribute(NetworkInterfaceId=eid, Groups=[db, default_sg])
    got = eni_of(ec2, eid)["Groups"]
    assert got == [{"GroupId": db, "GroupName": "db"},
                   {"GroupId": default_sg, "GroupName": "default"}]
    f = lambda name, v: {e["NetworkInterfaceId"] for e in ec2.describe_network_interfaces(
        Filters=[{"Name": "subnet-id", "Values": [sid]}, {"Name": name, "Values": v}]
    )["NetworkInterfaces"]}
    assert f("group-id", [db]) == {eid, two["NetworkInterfaceId"]}
    assert f("group-name", ["web"]) == {two["NetworkInterfaceId"]}


def test_describe_filters(ec2):
    s = make_subnet(ec2, az="us-east-1b")
    sid, vid, n = s["SubnetId"], s["VpcId"], net(s)
    a = ec2.create_network_interface(SubnetId=sid, Description="alpha one",
                                     SecondaryPrivateIpAddressCount=1, TagSpecifications=[
                                         {"ResourceType": "network-interface",
                                          "Tags": [{"Key": "role", "Value": "a"}]}])
    a = a["NetworkInterface"]
    b = ec2.create_network_interface(SubnetId=sid, Description="beta")["NetworkInterface"]
    ec2.modify_network_interface_attribute(NetworkInterfaceId=b["NetworkInterfaceId"],
                                           SourceDestCheck={"Value": False})
    A, B = a["NetworkInterfaceId"], b["NetworkInterfaceId"]

    def ids(*filters):
        f = [{"Name": name, "Values": v} for name, v in filters]
        return {e["NetworkInterfaceId"]
                for e in ec2.describe_network_interfaces(Filters=f)["NetworkInterfaces"]}

    both = {A, B}
    assert ids(("vpc-id", [vid])) == both
    assert ids(("subnet-id", [sid])) == both
    assert ids(("network-interface-id", [A])) == {A}
    assert ids(("vpc-id", [vid]), ("availability-zone", ["us-east-1b"])) == both
    assert ids(("vpc-id", [vid]), ("availability-zone", ["us-east-1a"])) == set()
    assert ids(("vpc-id", [vid]), ("private-ip-address", [f"{n}.5"])) == {A}
    assert ids(("vpc-id", [vid]), ("addresses.private-ip-address", [f"{n}.6"])) == {B}
    assert ids(("vpc-id", [vid]), ("private-ip-address", [f"{n}.*"])) == both
    assert ids(("vpc-id", [vid]), ("status", ["available"])) == both
    assert ids(("vpc-id", [vid]), ("status", ["in-use"])) == set()
    assert ids(("vpc-id", [vid]), ("requester-managed", ["false"])) == both
    assert ids(("vpc-id", [vid]), ("requester-managed", ["true"])) == set()
    assert ids(("vpc-id", [vid]), ("requester-id", ["*"])) == set()
    assert ids(("vpc-id", [vid]), ("attachment.instance-id", ["*"])) == set()
    assert ids(("vpc-id", [vid]), ("attachment.attachment-id", ["*"])) == set()
    assert ids(("vpc-id", [vid]), ("interface-type", ["interface"])) == both
    assert ids(("vpc-id", [vid]), ("mac-address", [a["MacAddress"]])) == {A}
    assert ids(("vpc-id", [vid]), ("description", ["alpha*"])) == {A}
    assert ids(("vpc-id", [vid]), ("owner-id", ["000000000000"])) == both
    assert ids(("vpc-id", [vid]), ("source-dest-check", ["false"])) == {B}
    assert ids(("vpc-id", [vid]), ("sourceDestCheck", ["true"])) == {A}
    assert ids(("vpc-id", [vid]), ("group-id", [a["Groups"][0]["GroupId"]])) == both
    assert ids(("vpc-id", [vid]), ("group-name", ["default"])) == both
    assert ids(("vpc-id", [vid]), ("association.public-ip", ["*"])) == set()
    assert ids(("vpc-id", [vid]), ("tag:role", ["a"])) == {A}
    assert ids(("vpc-id", [vid]), ("private-dns-name",
                                   [f"ip-{n.replace('.', '-')}-6.ec2.internal"])) == {B}
    got = ec2.describe_network_interfaces(NetworkInterfaceIds=[A, B],
                                          Filters=[{"Name": "description", "Values": ["beta"]}])
    assert [e["NetworkInterfaceId"] for e in got["NetworkInterfaces"]] == [B]
    with pytest.raises(ClientError) as e:
        ec2.describe_network_interfaces(Filters=[{"Name": "nope", "Values": ["x"]}])
    assert error_code(e) == "InvalidParameterValue"
    with pytest.raises(ClientError) as e:
        ec2.describe_network_interfaces(NetworkInterfaceIds=[A, "eni-0123456789abcdef0"])
    assert error_code(e) == "InvalidNetworkInterfaceID.NotFound"


def test_pagination(ec2):
    s = make_subnet(ec2)
    made = [ec2.create_network_interface(SubnetId=s["SubnetId"])["NetworkInterface"]
            ["NetworkInterfaceId"] for _ in range(7)]
    f = [{"Name": "subnet-id", "Values": [s["SubnetId"]]}]
    page = ec2.describe_network_interfaces(Filters=f, MaxResults=5)
    assert len(page["NetworkInterfaces"]) == 5 and page["NextToken"]
    rest = ec2.describe_network_interfaces(Filters=f, MaxResults=5, NextToken=page["NextToken"])
    assert "NextToken" not in rest
    both = page["NetworkInterfaces"] + rest["NetworkInterfaces"]
    assert [e["NetworkInterfaceId"] for e in both] == made
    seen = [e["NetworkInterfaceId"]
            for p in ec2.get_paginator("describe_network_interfaces").paginate(
                Filters=f, PaginationConfig={"PageSize": 5})
            for e in p["NetworkInterfaces"]]
    assert seen == made


def test_dry_run_changes_nothing(ec2):
    s = make_subnet(ec2)
    sid, n = s["SubnetId"], net(s)
    with pytest.raises(ClientError) as e:
        ec2.create_network_interface(SubnetId=sid, DryRun=True)
    assert error_code(e) == "DryRunOperation"
    assert available(ec2, sid) == 251
    f = [{"Name": "subnet-id", "Values": [sid]}]
    assert ec2.describe_network_interfaces(Filters=f)["NetworkInterfaces"] == []
    with pytest.raises(ClientError) as e:
        ec2.create_network_interface(SubnetId=sid, PrivateIpAddress=f"{n}.1", DryRun=True)
    assert error_code(e) == "InvalidParameterValue"
    eid = ec2.create_network_interface(SubnetId=sid)["NetworkInterface"]["NetworkInterfaceId"]
    for call in [
        lambda: ec2.delete_network_interface(NetworkInterfaceId=eid, DryRun=True),
        lambda: ec2.describe_network_interfaces(NetworkInterfaceIds=[eid], DryRun=True),
        lambda: ec2.describe_network_interface_attribute(NetworkInterfaceId=eid,
                                                         Attribute="groupSet", DryRun=True),
    ]:
        with pytest.raises(ClientError) as e:
            call()
        assert error_code(e) == "DryRunOperation"
    assert ips_of(eni_of(ec2, eid)) == [f"{n}.4"]
    assert available(ec2, sid) == 250


def test_elastic_ip_association(ec2):
    s = make_subnet(ec2)
    sid, vid, n = s["SubnetId"], s["VpcId"], net(s)
    ec2.modify_vpc_attribute(VpcId=vid, EnableDnsHostnames={"Value": True})
    a = ec2.create_network_interface(SubnetId=sid, SecondaryPrivateIpAddressCount=1)
    a = a["NetworkInterface"]["NetworkInterfaceId"]
    b = ec2.create_network_interface(SubnetId=sid)["NetworkInterface"]["NetworkInterfaceId"]
    try:
        igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vid)
        eip1 = ec2.allocate_address(Domain="vpc")
        eip2 = ec2.allocate_address(Domain="vpc")
        assoc1 = ec2.associate_address(AllocationId=eip1["AllocationId"], NetworkInterfaceId=a)
        ec2.associate_address(AllocationId=eip2["AllocationId"], NetworkInterfaceId=a,
                              PrivateIpAddress=f"{n}.5")
    except ClientError as e:
        skip_unless_served(e, "Elastic IPs or internet gateways")
        raise
    eni = eni_of(ec2, a)
    ip1 = eip1["PublicIp"]
    dns1 = f"ec2-{ip1.replace('.', '-')}.compute-1.amazonaws.com"
    want = {"PublicIp": ip1, "AllocationId": eip1["AllocationId"],
            "AssociationId": assoc1["AssociationId"], "IpOwnerId": "000000000000",
            "PublicDnsName": dns1}
    assert eni["Association"] == want
    assert eni["PrivateIpAddresses"][0]["Association"] == want
    assert eni["PrivateIpAddresses"][1]["Association"]["PublicIp"] == eip2["PublicIp"]
    f = lambda name, v: {e["NetworkInterfaceId"] for e in ec2.describe_network_interfaces(
        Filters=[{"Name": "vpc-id", "Values": [vid]}, {"Name": name, "Values": v}]
    )["NetworkInterfaces"]}
    assert f("association.public-ip", [ip1]) == {a}
    assert f("association.public-ip", [eip2["PublicIp"]]) == {a}
    assert f("association.allocation-id", [eip1["AllocationId"]]) == {a}
    assert f("association.public-dns-name", [dns1]) == {a}

    # The secondary moves to b with its Elastic IP.
    ec2.assign_private_ip_addresses(NetworkInterfaceId=b, PrivateIpAddresses=[f"{n}.5"],
                                    AllowReassignment=True)
    assert f("association.public-ip", [eip2["PublicIp"]]) == {b}
    got = ec2.describe_addresses(AllocationIds=[eip2["AllocationId"]])["Addresses"][0]
    assert got["NetworkInterfaceId"] == b and got["PrivateIpAddress"] == f"{n}.5"
    # Unassigning it disassociates the Elastic IP, which stays allocated.
    ec2.unassign_private_ip_addresses(NetworkInterfaceId=b, PrivateIpAddresses=[f"{n}.5"])
    got = ec2.describe_addresses(AllocationIds=[eip2["AllocationId"]])["Addresses"][0]
    assert "AssociationId" not in got and "NetworkInterfaceId" not in got
    assert f("association.public-ip", [eip2["PublicIp"]]) == set()
    # Deleting the interface does the same for its primary's Elastic IP.
    ec2.delete_network_interface(NetworkInterfaceId=a)
    got = ec2.describe_addresses(AllocationIds=[eip1["AllocationId"]])["Addresses"][0]
    assert "AssociationId" not in got
    ec2.release_address(AllocationId=eip1["AllocationId"])
    ec2.release_address(AllocationId=eip2["AllocationId"])


def test_cli(aws, ec2):
    s = make_subnet(ec2)
    sid, n = s["SubnetId"], net(s)
    out = aws("create-network-interface", "--subnet-id", sid, "--description", "from cli",
              "--private-ip-address", f"{n}.9", "--secondary-private-ip-address-count", "2",
              "--tag-specifications",
              "ResourceType=network-interface,Tags=[{Key=Name,Value=cli-eni}]")
    eni = out["NetworkInterface"]
    assert ips_of(eni) == [f"{n}.9", f"{n}.4", f"{n}.5"]
    got = aws("describe-network-interfaces", "--filters", "Name=tag:Name,Values=cli-eni",
              f"Name=subnet-id,Values={sid}")
    assert [e["NetworkInterfaceId"] for e in got["NetworkInterfaces"]] == \
        [eni["NetworkInterfaceId"]]
    assert got["NetworkInterfaces"][0]["Status"] == "available"
    attr = aws("describe-network-interface-attribute", "--network-interface-id",
               eni["NetworkInterfaceId"], "--attribute", "description")
    assert attr["Description"] == {"Value": "from cli"}
    with pytest.raises(AwsCliError) as e:
        aws("create-network-interface", "--subnet-id", sid, "--private-ip-address", f"{n}.9")
    assert e.value.code == "InvalidIPAddress.InUse"
    with pytest.raises(AwsCliError) as e:
        aws("create-network-interface", "--subnet-id", sid, "--tag-specifications",
            "ResourceType=subnet,Tags=[{Key=Name,Value=x}]")
    assert e.value.code == "InvalidParameterValue"
    aws("delete-network-interface", "--network-interface-id", eni["NetworkInterfaceId"])
    assert available(ec2, sid) == 251


def test_addresses_survive_restart(vpcd, ec2):
    s = make_subnet(ec2, prefix_len=28)
    sid, n = s["SubnetId"], net(s)
    a = ec2.create_network_interface(SubnetId=sid, SecondaryPrivateIpAddressCount=2,
                                     Description="keep me")["NetworkInterface"]
    b = ec2.create_network_interface(SubnetId=sid, PrivateIpAddress=f"{n}.12")["NetworkInterface"]
    ec2.assign_private_ip_addresses(NetworkInterfaceId=b["NetworkInterfaceId"],
                                    PrivateIpAddresses=[f"{n}.13"])
    ec2.modify_network_interface_attribute(NetworkInterfaceId=a["NetworkInterfaceId"],
                                           SourceDestCheck={"Value": False})
    ec2.create_tags(Resources=[b["NetworkInterfaceId"]], Tags=[{"Key": "t", "Value": "v"}])
    count = available(ec2, sid)
    assert count == 11 - 5
    before = ec2.describe_network_interfaces(
        Filters=[{"Name": "subnet-id", "Values": [sid]}])["NetworkInterfaces"]

    vpcd.restart()

    assert available(ec2, sid) == count
    after = ec2.describe_network_interfaces(
        Filters=[{"Name": "subnet-id", "Values": [sid]}])["NetworkInterfaces"]
    assert after == before
    for taken in [f"{n}.4", f"{n}.5", f"{n}.6", f"{n}.12", f"{n}.13"]:
        with pytest.raises(ClientError) as e:
            ec2.create_network_interface(SubnetId=sid, PrivateIpAddress=taken)
        assert error_code(e) == "InvalidIPAddress.InUse", taken
    # Automatic picks after the restart avoid every address held before it.
    fresh = ec2.create_network_interface(SubnetId=sid, SecondaryPrivateIpAddressCount=5)
    got = ips_of(fresh["NetworkInterface"])
    assert got == [f"{n}.{i}" for i in (7, 8, 9, 10, 11, 14)]
    assert available(ec2, sid) == 0
    with pytest.raises(ClientError) as e:
        ec2.delete_subnet(SubnetId=sid)
    assert error_code(e) == "DependencyViolation"
    assert all(ipaddress.ip_address(ip) in ipaddress.ip_network(s["CidrBlock"]) for ip in got)
