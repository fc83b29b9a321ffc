"""Security-group actions against a real vpcd, through boto3 and the aws CLI
(vpc-semantics.md section 9.1): groups, rules, permissions as Describe shows
them, revoke in default and custom VPCs, dependencies, filters, pages,
persistence."""
import uuid

import boto3
import botocore.config
import pytest

from conftest import AwsCliError, ClientError, error_code


@pytest.fixture
def loose(vpcd):
    """A client that sends what botocore's own validation would refuse."""
    return boto3.client("ec2", endpoint_url=vpcd.endpoint, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test",
                        config=botocore.config.Config(retries={"max_attempts": 1},
                                                      parameter_validation=False))


def new_vpc(ec2, cidr="10.0.0.0/16"):
    return ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]


def new_group(ec2, vpc_id, name=None, description="test group", **kw):
    name = name or "g-" + uuid.uuid4().hex[:8]
    return ec2.create_security_group(GroupName=name, Description=description, VpcId=vpc_id,
                                     **kw)["GroupId"]


def describe(ec2, group_id):
    return ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]


def default_vpc(ec2):
    return ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0][
        "VpcId"]


def rules_of(ec2, group_id):
    return ec2.describe_security_group_rules(
        Filters=[{"Name": "group-id", "Values": [group_id]}])["SecurityGroupRules"]


def tcp(port, *cidrs, to=None):
    return {"IpProtocol": "tcp", "FromPort": port, "ToPort": port if to is None else to,
            "IpRanges": [{"CidrIp": c} for c in cidrs]}


def raises(code, fn, *args, **kw):
    with pytest.raises(ClientError) as e:
        fn(*args, **kw)
    assert error_code(e) == code, e.value.response["Error"]
    return e.value.response["Error"]["Message"]


# Create, describe, delete

def test_create_describe_delete(ec2):
    vpc = new_vpc(ec2)
    out = ec2.create_security_group(GroupName="web", Description="web tier", VpcId=vpc,
                                    TagSpecifications=[{"ResourceType": "security-group",
                                                        "Tags": [{"Key": "Name", "Value": "w"}]}])
    gid = out["GroupId"]
    assert gid.startswith("sg-") and len(gid) == 20
    assert out["Tags"] == [{"Key": "Name", "Value": "w"}]
    if "SecurityGroupArn" in out:       # newer botocore models only
        assert out["SecurityGroupArn"] == f"arn:aws:ec2:us-east-1:000000000000:security-group/{gid}"
    g = describe(ec2, gid)
    assert g["GroupName"] == "web" and g["Description"] == "web tier"
    assert g["VpcId"] == vpc and g["OwnerId"] == "000000000000"
    assert g["Tags"] == [{"Key": "Name", "Value": "w"}]
    # Section 9.1: no inbound rules, one outbound allow-all.
    assert g["IpPermissions"] == []
    assert g["IpPermissionsEgress"] == [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                                         "Ipv6Ranges": [], "PrefixListIds": [],
                                         "UserIdGroupPairs": []}]
    ec2.delete_security_group(GroupId=gid)
    msg = raises("InvalidGroup.NotFound", ec2.describe_security_groups, GroupIds=[gid])
    assert msg == f"The security group '{gid}' does not exist"
    raises("InvalidGroup.NotFound", ec2.delete_security_group, GroupId=gid)


def test_default_group_of_a_vpc(ec2):
    vpc = new_vpc(ec2)
    g = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                              {"Name": "group-name", "Values": ["default"]}])[
        "SecurityGroups"][0]
    assert g["Description"] == "default VPC security group"
    assert g["IpPermissions"] == [{"IpProtocol": "-1", "IpRanges": [], "Ipv6Ranges": [],
                                   "PrefixListIds": [], "UserIdGroupPairs": [
                                       {"GroupId": g["GroupId"], "UserId": "000000000000"}]}]
    msg = raises("CannotDelete", ec2.delete_security_group, GroupId=g["GroupId"])
    assert g["GroupId"] in msg


def test_create_without_vpc_uses_default_vpc(ec2):
    name = "dflt-" + uuid.uuid4().hex[:6]
    gid = ec2.create_security_group(GroupName=name, Description="in the default VPC")["GroupId"]
    assert describe(ec2, gid)["VpcId"] == default_vpc(ec2)
    # GroupName works for the default VPC (DescribeSecurityGroups, DeleteSecurityGroup).
    got = ec2.describe_security_groups(GroupNames=[name])["SecurityGroups"]
    assert [g["GroupId"] for g in got] == [gid]
    ec2.delete_security_group(GroupName=name)
    raises("InvalidGroup.NotFound", ec2.describe_security_groups, GroupNames=[name])
    raises("InvalidGroup.NotFound", ec2.delete_security_group, GroupName=name)


def test_create_without_default_vpc(fresh_vpcd):
    d = fresh_vpcd.start()
    ec2 = d.client()
    vpc = default_vpc(ec2)
    for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]:
        ec2.delete_subnet(SubnetId=s["SubnetId"])
    for g in ec2.describe_internet_gateways(
            Filters=[{"Name": "attachment.vpc-id", "Values": [vpc]}])["InternetGateways"]:
        ec2.detach_internet_gateway(InternetGatewayId=g["InternetGatewayId"], VpcId=vpc)
        ec2.delete_internet_gateway(InternetGatewayId=g["InternetGatewayId"])
    ec2.delete_vpc(VpcId=vpc)
    raises("VPCIdNotSpecified", ec2.create_security_group, GroupName="x", Description="x")
    raises("VPCIdNotSpecified", ec2.describe_security_groups, GroupNames=["x"])


@pytest.mark.parametrize("name,description,code", [
    ("sg-web", "x", "InvalidParameterValue"),
    ("default", "x", "InvalidGroup.Reserved"),
    ("a" * 256, "x", "InvalidParameterValue"),
    ("caf\u00e9", "x", "InvalidParameterValue"),
    ("ok", "bad <chars>", "InvalidParameterValue"),
    ("ok", "d" * 256, "InvalidParameterValue"),
    ("", "x", "MissingParameter"),
    ("ok", "", "MissingParameter"),
])
def test_create_refuses_bad_names(ec2, name, description, code):
    vpc = new_vpc(ec2)
    raises(code, ec2.create_security_group, GroupName=name, Description=description, VpcId=vpc)
    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}])
    assert [g["GroupName"] for g in groups["SecurityGroups"]] == ["default"]


def test_create_accepts_the_documented_charset(ec2):
    vpc = new_vpc(ec2)
    text = "a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*"
    gid = new_group(ec2, vpc, name=text, description=text)
    g = describe(ec2, gid)
    assert g["GroupName"] == text and g["Description"] == text
    new_group(ec2, vpc, name="a" * 255)


def test_name_unique_per_vpc(ec2):
    vpc, other = new_vpc(ec2), new_vpc(ec2)
    new_group(ec2, vpc, name="app")
    msg = raises("InvalidGroup.Duplicate", ec2.create_security_group, GroupName="app",
                 Description="again", VpcId=vpc)
    assert msg == f"The security group 'app' already exists for VPC '{vpc}'"
    # Trailing spaces are dropped, so this is the same name.
    raises("InvalidGroup.Duplicate", ec2.create_security_group, GroupName="app  ",
           Description="again", VpcId=vpc)
    new_group(ec2, other, name="app")


def test_create_errors_for_vpc_and_tags(ec2):
    raises("InvalidVpcID.NotFound", ec2.create_security_group, GroupName="x", Description="x",
           VpcId="vpc-0123456789abcdef0")
    raises("InvalidVpcID.Malformed", ec2.create_security_group, GroupName="x", Description="x",
           VpcId="vpc-zz")
    vpc = new_vpc(ec2)
    raises("InvalidParameterValue", ec2.create_security_group, GroupName="x", Description="x",
           VpcId=vpc, TagSpecifications=[{"ResourceType": "vpc",
                                          "Tags": [{"Key": "a", "Value": "b"}]}])
    raises("DryRunOperation", ec2.create_security_group, GroupName="x", Description="x",
           VpcId=vpc, DryRun=True)
    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}])
    assert len(groups["SecurityGroups"]) == 1


def test_unknown_and_malformed_ids(ec2):
    raises("InvalidGroupId.Malformed", ec2.describe_security_groups, GroupIds=["sg-xyz"])
    raises("InvalidGroupId.Malformed", ec2.delete_security_group, GroupId="banana")
    raises("InvalidGroup.NotFound", ec2.authorize_security_group_ingress,
           GroupId="sg-0123456789abcdef0", IpPermissions=[tcp(22, "0.0.0.0/0")])
    raises("MissingParameter", ec2.delete_security_group)


def test_delete_dependencies(ec2):
    vpc = new_vpc(ec2)
    a, b = new_group(ec2, vpc), new_group(ec2, vpc)
    # A group referencing itself can still be deleted; one referenced by another can't.
    ec2.authorize_security_group_ingress(GroupId=a, IpPermissions=[
        {"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": a}]}])
    ec2.authorize_security_group_ingress(GroupId=b, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": a}]}])
    msg = raises("DependencyViolation", ec2.delete_security_group, GroupId=a)
    assert msg == f"resource {a} has a dependent object"
    ec2.revoke_security_group_ingress(GroupId=b, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "UserIdGroupPairs": [{"GroupId": a}]}])
    raises("DryRunOperation", ec2.delete_security_group, GroupId=a, DryRun=True)
    describe(ec2, a)
    ec2.delete_security_group(GroupId=a)
    # A network interface using the group.
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    eni = ec2.create_network_interface(SubnetId=subnet, Groups=[b])["NetworkInterface"]
    raises("DependencyViolation", ec2.delete_security_group, GroupId=b)
    ec2.delete_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"])
    ec2.delete_security_group(GroupId=b)
    # A custom group keeps its VPC; once it is gone the VPC goes.
    c = new_group(ec2, vpc)
    raises("DependencyViolation", ec2.delete_vpc, VpcId=vpc)
    ec2.delete_security_group(GroupId=c)
    ec2.delete_subnet(SubnetId=subnet)
    ec2.delete_vpc(VpcId=vpc)


# Authorize

def test_authorize_makes_one_rule_per_peer(ec2):
    vpc = new_vpc(ec2)
    g, peer = new_group(ec2, vpc), new_group(ec2, vpc)
    out = ec2.authorize_security_group_ingress(GroupId=g, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
        "IpRanges": [{"CidrIp": "203.0.113.0/24", "Description": "office"},
                     {"CidrIp": "198.51.100.7/32"}],
        "Ipv6Ranges": [{"CidrIpv6": "2001:db8::/32", "Description": "v6 office"}],
        "UserIdGroupPairs": [{"GroupId": peer, "Description": "bastion"}],
        "PrefixListIds": [{"PrefixListId": "pl-63a5400a"}],
    }])
    assert out["Return"] is True
    rules = out["SecurityGroupRules"]
    assert len(rules) == 5 and len({r["SecurityGroupRuleId"] for r in rules}) == 5
    assert all(r["SecurityGroupRuleId"].startswith("sgr-") for r in rules)
    assert all(r["GroupId"] == g and r["IsEgress"] is False and r["IpProtocol"] == "tcp"
               and r["FromPort"] == 22 and r["ToPort"] == 22 for r in rules)
    assert rules[0]["CidrIpv4"] == "203.0.113.0/24" and rules[0]["Description"] == "office"
    assert rules[1]["CidrIpv4"] == "198.51.100.7/32" and "Description" not in rules[1]
    assert rules[2]["CidrIpv6"] == "2001:db8::/32"
    assert rules[3]["ReferencedGroupInfo"] == {"GroupId": peer, "UserId": "000000000000"}
    assert rules[4]["PrefixListId"] == "pl-63a5400a"
    # DescribeSecurityGroups folds them back into one permission.
    assert describe(ec2, g)["IpPermissions"] == [{
        "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
        "IpRanges": [{"CidrIp": "203.0.113.0/24", "Description": "office"},
                     {"CidrIp": "198.51.100.7/32"}],
        "Ipv6Ranges": [{"CidrIpv6": "2001:db8::/32", "Description": "v6 office"}],
        "PrefixListIds": [{"PrefixListId": "pl-63a5400a"}],
        "UserIdGroupPairs": [{"GroupId": peer, "UserId": "000000000000",
                              "Description": "bastion"}],
    }]


def test_permissions_group_by_protocol_and_ports(ec2):
    vpc = new_vpc(ec2)
    g = new_group(ec2, vpc)
    ec2.authorize_security_group_ingress(GroupId=g, IpPermissions=[
        tcp(443, "0.0.0.0/0"),
        {"IpProtocol": "6", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.9.8.7/8"}]},
        {"IpProtocol": "17", "FromPort": 53, "ToPort": 53, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
        {"IpProtocol": "icmp", "FromPort": 8, "ToPort": -1, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        {"IpProtocol": "58", "Ipv6Ranges": [{"CidrIpv6": "::/0"}]},
        {"IpProtocol": "all", "IpRanges": [{"CidrIp": "192.168.0.0/16"}]},
        {"IpProtocol": "47", "FromPort": 1, "ToPort": 2, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
    ])
    perms = describe(ec2, g)["IpPermissions"]
    summary = [(p["IpProtocol"], p.get("FromPort"), p.get("ToPort"),
                [r["CidrIp"] for r in p["IpRanges"]] + [r["CidrIpv6"] for r in p["Ipv6Ranges"]])
               for p in perms]
    assert summary == [
        ("tcp", 443, 443, ["0.0.0.0/0", "10.0.0.0/8"]),   # numbers show as names, CIDRs canonical
        ("udp", 53, 53, ["10.0.0.0/8"]),
        ("icmp", 8, -1, ["0.0.0.0/0"]),
        ("icmpv6", -1, -1, ["::/0"]),
        ("-1", None, None, ["192.168.0.0/16"]),            # -1 shows no ports
        ("47", -1, -1, ["0.0.0.0/0"]),                     # other protocols ignore ports
    ]
    by_proto = {r["IpProtocol"]: r for r in rules_of(ec2, g) if not r["IsEgress"]}
    assert by_proto["-1"]["FromPort"] == -1 and by_proto["-1"]["ToPort"] == -1


@pytest.mark.parametrize("perm,code", [
    (tcp(80, "0.0.0.0/0", to=22), "InvalidParameterValue"),
    (tcp(70000, "0.0.0.0/0"), "InvalidParameterValue"),
    ({"IpProtocol": "tcp", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}, "InvalidParameterValue"),
    ({"IpProtocol": "bogus", "FromPort": 1, "ToPort": 1, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
     "InvalidParameterValue"),
    ({"IpProtocol": "256", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}, "InvalidParameterValue"),
    ({"IpProtocol": "icmp", "FromPort": -1, "ToPort": 3, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
     "InvalidParameterValue"),
    ({"IpProtocol": "icmp", "FromPort": 300, "ToPort": -1, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
     "InvalidParameterValue"),
    (tcp(22, "10.0.0.0/33"), "InvalidParameterValue"),
    (tcp(22, "banana"), "InvalidParameterValue"),
    ({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
      "Ipv6Ranges": [{"CidrIpv6": "2001:db8::/200"}]}, "InvalidParameterValue"),
    ({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
      "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "no <angle> brackets"}]},
     "InvalidParameterValue"),
    ({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
      "UserIdGroupPairs": [{"GroupId": "sg-0123456789abcdef0"}]}, "InvalidGroup.NotFound"),
    ({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
      "UserIdGroupPairs": [{"GroupId": "sg-nope"}]}, "InvalidGroupId.Malformed"),
    ({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
      "PrefixListIds": [{"PrefixListId": "pl-zz"}]}, "InvalidPrefixListId.Malformed"),
    ({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22}, "MissingParameter"),
])
def test_authorize_refuses_bad_rules(ec2, perm, code):
    vpc = new_vpc(ec2)
    g = new_group(ec2, vpc)
    # A good permission beside the bad one is not added either.
    raises(code, ec2.authorize_security_group_ingress, GroupId=g,
           IpPermissions=[tcp(8080, "0.0.0.0/0"), perm])
    assert describe(ec2, g)["IpPermissions"] == []


def test_referenced_group_must_be_in_the_same_vpc(ec2):
    a, b = new_vpc(ec2), new_vpc(ec2)
    g, far = new_group(ec2, a), new_group(ec2, b)
    raises("InvalidGroup.NotFound", ec2.authorize_security_group_ingress, GroupId=g,
           IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": far}]}])


def test_duplicates(ec2):
    vpc = new_vpc(ec2)
    g = new_group(ec2, vpc)
    ec2.authorize_security_group_ingress(GroupId=g, IpPermissions=[tcp(22, "0.0.0.0/0")])
    dup = tcp(22, "0.0.0.0/0")
    dup["IpRanges"][0]["Description"] = "descriptions do not count"
    msg = raises("InvalidPermission.Duplicate", ec2.authorize_security_group_ingress, GroupId=g,
                 IpPermissions=[tcp(80, "0.0.0.0/0"), dup])
    assert msg == ('the specified rule "peer: 0.0.0.0/0, TCP, from port: 22, to port: 22, '
                   'ALLOW" already exists')
    # Twice within one request.
    raises("InvalidPermission.Duplicate", ec2.authorize_security_group_ingress, GroupId=g,
           IpPermissions=[tcp(80, "0.0.0.0/0", "10.0.0.0/8", "0.0.0.0/0")])
    assert len([r for r in rules_of(ec2, g) if not r["IsEgress"]]) == 1
    # The egress allow-all exists already.
    raises("InvalidPermission.Duplicate", ec2.authorize_security_group_egress, GroupId=g,
           IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])


def test_rules_quota(ec2):
    vpc = new_vpc(ec2)
    g = new_group(ec2, vpc)
    cidrs = [f"10.{i}.0.0/16" for i in range(61)]
    raises("RulesPerSecurityGroupLimitExceeded", ec2.authorize_security_group_ingress,
           GroupId=g, IpPermissions=[tcp(22, *cidrs)])
    assert describe(ec2, g)["IpPermissions"] == []
    ec2.authorize_security_group_ingress(GroupId=g, IpPermissions=[tcp(22, *cidrs[:60])])
    raises("RulesPerSecurityGroupLimitExceeded", ec2.authorize_security_group_ingress,
           GroupId=g, IpPermissions=[tcp(23, "0.0.0.0/0")])
    # IPv6 rules have their own quota.
    ec2.authorize_security_group_ingress(GroupId=g, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])


def test_authorize_egress_and_revoke_egress(ec2):
    vpc = new_vpc(ec2)
    g = new_group(ec2, vpc)
    out = ec2.authorize_security_group_egress(GroupId=g, IpPermissions=[tcp(443, "0.0.0.0/0")])
    assert out["SecurityGroupRules"][0]["IsEgress"] is True
    ec2.revoke_security_group_egress(GroupId=g, IpPermissions=[
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    assert describe(ec2, g)["IpPermissionsEgress"] == [{
        "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
        "Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": []}]
    # An ingress permission does not match an egress rule.
    raises("InvalidPermission.NotFound", ec2.revoke_security_group_ingress, GroupId=g,
           IpPermissions=[tcp(443, "0.0.0.0/0")])
    raises("InvalidParameterValue", ec2.authorize_security_group_egress, GroupId=g,
           CidrIp="0.0.0.0/0", IpProtocol="tcp", FromPort=1, ToPort=1)


def test_legacy_ingress_form(ec2):
    name = "legacy-" + uuid.uuid4().hex[:6]
    src = "src-" + uuid.uuid4().hex[:6]
    gid = ec2.create_security_group(GroupName=name, Description="x")["GroupId"]
    ec2.create_security_group(GroupName=src, Description="x")
    # GroupName for the default VPC, top-level CidrIp/IpProtocol/FromPort/ToPort.
    out = ec2.authorize_security_group_ingress(GroupName=name, CidrIp="10.1.2.0/24",
                                               IpProtocol="tcp", FromPort=8000, ToPort=8080)
    assert out["SecurityGroupRules"][0]["CidrIpv4"] == "10.1.2.0/24"
    # SourceSecurityGroupName grants all of ICMP, TCP and UDP from that group.
    out = ec2.authorize_security_group_ingress(GroupName=name, SourceSecurityGroupName=src)
    got = sorted((r["IpProtocol"], r["FromPort"], r["ToPort"]) for r in out["SecurityGroupRules"])
    assert got == [("icmp", -1, -1), ("tcp", 0, 65535), ("udp", 0, 65535)]
    raises("InvalidParameterCombination", ec2.authorize_security_group_ingress, GroupId=gid,
           SourceSecurityGroupName=src, IpProtocol="tcp")
    raises("InvalidGroup.NotFound", ec2.authorize_security_group_ingress, GroupName="no-such",
           CidrIp="10.0.0.0/8", IpProtocol="-1")


def test_rule_tags(ec2):
    vpc = new_vpc(ec2)
    g = new_group(ec2, vpc)
    out = ec2.authorize_security_group_ingress(
        GroupId=g, IpPermissions=[tcp(22, "0.0.0.0/0")],
        TagSpecifications=[{"ResourceType": "security-group-rule",
                            "Tags": [{"Key": "Name", "Value": "ssh"}]}])
    rule_id = out["SecurityGroupRules"][0]["SecurityGroupRuleId"]
    assert out["SecurityGroupRules"][0]["Tags"] == [{"Key": "Name", "Value": "ssh"}]
    got = ec2.describe_security_group_rules(
        Filters=[{"Name": "tag:Name", "Values": ["ssh"]}])["SecurityGroupRules"]
    assert [r["SecurityGroupRuleId"] for r in got] == [rule_id]
    raises("InvalidParameterValue", ec2.authorize_security_group_ingress, GroupId=g,
           IpPermissions=[tcp(23, "0.0.0.0/0")],
           TagSpecifications=[{"ResourceType": "security-group",
                               "Tags": [{"Key": "a", "Value": "b"}]}])


def test_authorize_dry_run(ec2):
    vpc = new_vpc(ec2)
    g = new_group(ec2, vpc)
    raises("DryRunOperation", ec2.authorize_security_group_ingress, GroupId=g,
           IpPermissions=[tcp(22, "0.0.0.0/0")], DryRun=True)
    raises("InvalidParameterValue", ec2.authorize_security_group_ingress, GroupId=g,
           IpPermissions=[tcp(99999, "0.0.0.0/0")], DryRun=True)
    assert describe(ec2, g)["IpPermissions"] == []


# Revoke

def test_revoke_by_permission_in_a_custom_vpc(ec2):
    vpc = new_vpc(ec2)
    g = new_group(ec2, vpc)
    ec2.authorize_security_group_ingress(GroupId=g, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
         "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "ssh"}, {"CidrIp": "10.0.0.0/8"}]}])
    # One unmatched permission refuses the whole request.
    msg = raises("InvalidPermission.NotFound", ec2.revoke_security_group_ingress, GroupId=g,
                 IpPermissions=[tcp(22, "0.0.0.0/0"), tcp(23, "0.0.0.0/0")])
    assert "does not exist" in msg
    assert len(describe(ec2, g)["IpPermissions"][0]["IpRanges"]) == 2
    # Exact match; the description does not count; numbers equal names.
    out = ec2.revoke_security_group_ingress(GroupId=g, IpPermissions=[
        {"IpProtocol": "6", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    assert out["Return"] is True and "UnknownIpPermissions" not in out
    assert describe(ec2, g)["IpPermissions"][0]["IpRanges"] == [{"CidrIp": "10.0.0.0/8"}]
    raises("DryRunOperation", ec2.revoke_security_group_ingress, GroupId=g,
           IpPermissions=[tcp(22, "10.0.0.0/8")], DryRun=True)
    assert len(describe(ec2, g)["IpPermissions"]) == 1
    raises("MissingParameter", ec2.revoke_security_group_ingress, GroupId=g)


def test_revoke_in_the_default_vpc_reports_unknown(ec2):
    name = "rv-" + uuid.uuid4().hex[:6]
    gid = ec2.create_security_group(GroupName=name, Description="x")["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[tcp(22, "0.0.0.0/0")])
    out = ec2.revoke_security_group_ingress(GroupId=gid, IpPermissions=[
        tcp(22, "0.0.0.0/0"), tcp(25, "192.0.2.0/24")])
    assert out["Return"] is True
    assert out["UnknownIpPermissions"] == [{
        "IpProtocol": "tcp", "FromPort": 25, "ToPort": 25, "IpRanges": [{"CidrIp": "192.0.2.0/24"}],
        "Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": []}]
    assert describe(ec2, gid)["IpPermissions"] == []


def test_revoke_by_rule_id(ec2):
    vpc = new_vpc(ec2)
    g = new_group(ec2, vpc)
    out = ec2.authorize_security_group_ingress(GroupId=g, IpPermissions=[
        tcp(22, "0.0.0.0/0", "10.0.0.0/8")])
    first, second = [r["SecurityGroupRuleId"] for r in out["SecurityGroupRules"]]
    egress_id = [r["SecurityGroupRuleId"] for r in rules_of(ec2, g) if r["IsEgress"]][0]
    raises("InvalidSecurityGroupRuleId.NotFound", ec2.revoke_security_group_ingress, GroupId=g,
           SecurityGroupRuleIds=[first, egress_id])
    raises("InvalidSecurityGroupRuleId.NotFound", ec2.revoke_security_group_ingress, GroupId=g,
           SecurityGroupRuleIds=["sgr-0123456789abcdef0"])
    assert len(rules_of(ec2, g)) == 3
    ec2.revoke_security_group_ingress(GroupId=g, SecurityGroupRuleIds=[first])
    assert [r["SecurityGroupRuleId"] for r in rules_of(ec2, g) if not r["IsEgress"]] == [second]
    ec2.revoke_security_group_egress(GroupId=g, SecurityGroupRuleIds=[egress_id])
    assert describe(ec2, g)["IpPermissionsEgress"] == []


# Describe: filters and pages

def test_describe_filters(ec2):
    vpc = new_vpc(ec2)
    web, db = new_group(ec2, vpc, name="web", description="web tier"), new_group(ec2, vpc, name="db")
    ec2.authorize_security_group_ingress(GroupId=web, IpPermissions=[
        tcp(443, "0.0.0.0/0"),
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])
    ec2.authorize_security_group_ingress(GroupId=db, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5433, "UserIdGroupPairs": [{"GroupId": web}]},
        {"IpProtocol": "udp", "FromPort": 53, "ToPort": 53, "PrefixListIds": [{"PrefixListId": "pl-11111111"}]}])
    ec2.authorize_security_group_egress(GroupId=db, IpPermissions=[tcp(5432, "10.0.0.0/8")])

    def names(*filters):
        fl = [{"Name": "vpc-id", "Values": [vpc]}] + [{"Name": n, "Values": v} for n, v in filters]
        return sorted(g["GroupName"] for g in ec2.describe_security_groups(Filters=fl)["SecurityGroups"])

    assert names() == ["db", "default", "web"]
    assert names(("group-name", ["web", "db"])) == ["db", "web"]
    assert names(("group-name", ["w*"])) == ["web"]
    assert names(("group-id", [db])) == ["db"]
    assert names(("description", ["web tier"])) == ["web"]
    assert names(("owner-id", ["000000000000"])) == ["db", "default", "web"]
    assert names(("ip-permission.cidr", ["0.0.0.0/0"])) == ["web"]
    assert names(("ip-permission.ipv6-cidr", ["::/0"])) == ["web"]
    assert names(("ip-permission.from-port", ["5432"])) == ["db"]
    assert names(("ip-permission.to-port", ["5433"])) == ["db"]
    assert names(("ip-permission.protocol", ["udp"])) == ["db"]
    assert names(("ip-permission.protocol", ["-1"])) == ["default"]
    assert names(("ip-permission.group-id", [web])) == ["db"]
    assert names(("ip-permission.group-name", ["web"])) == ["db"]
    assert names(("ip-permission.prefix-list-id", ["pl-11111111"])) == ["db"]
    assert names(("egress.ip-permission.cidr", ["10.0.0.0/8"])) == ["db"]
    assert names(("egress.ip-permission.cidr", ["0.0.0.0/0"])) == ["db", "default", "web"]
    assert names(("egress.ip-permission.protocol", ["tcp"])) == ["db"]
    assert names(("egress.ip-permission.from-port", ["5432"])) == ["db"]
    # Filters AND, values OR.
    assert names(("group-name", ["web", "db"]), ("ip-permission.protocol", ["tcp"])) == ["db", "web"]
    assert names(("group-name", ["web"]), ("ip-permission.protocol", ["udp"])) == []
    raises("InvalidParameterValue", ec2.describe_security_groups,
           Filters=[{"Name": "no-such-filter", "Values": ["x"]}])
    # Tags filter generically.
    ec2.create_tags(Resources=[web], Tags=[{"Key": "tier", "Value": "front"}])
    assert names(("tag:tier", ["front"])) == ["web"]
    # GroupIds and filters combine.
    got = ec2.describe_security_groups(GroupIds=[web, db],
                                       Filters=[{"Name": "group-name", "Values": ["db"]}])
    assert [g["GroupId"] for g in got["SecurityGroups"]] == [db]
    raises("DryRunOperation", ec2.describe_security_groups, GroupIds=[web], DryRun=True)


def test_describe_pages(ec2, loose):
    vpc = new_vpc(ec2)
    made = [new_group(ec2, vpc) for _ in range(7)]
    f = [{"Name": "vpc-id", "Values": [vpc]}]
    page = ec2.describe_security_groups(Filters=f, MaxResults=5)
    assert len(page["SecurityGroups"]) == 5 and page["NextToken"]
    rest = ec2.describe_security_groups(Filters=f, MaxResults=5, NextToken=page["NextToken"])
    assert "NextToken" not in rest
    ids = [g["GroupId"] for g in page["SecurityGroups"] + rest["SecurityGroups"]]
    assert len(ids) == 8 and set(made) < set(ids)
    raises("InvalidParameterValue", loose.describe_security_groups, Filters=f, MaxResults=4)
    raises("InvalidNextToken", ec2.describe_security_groups, Filters=f, NextToken="garbage")
    # The paginator walks every page.
    pages = ec2.get_paginator("describe_security_groups").paginate(
        Filters=f, PaginationConfig={"PageSize": 5})
    assert sorted(g["GroupId"] for p in pages for g in p["SecurityGroups"]) == sorted(ids)


def test_describe_security_group_rules(ec2, loose):
    vpc = new_vpc(ec2)
    g = new_group(ec2, vpc)
    cidrs = [f"10.{i}.0.0/16" for i in range(9)]
    made = ec2.authorize_security_group_ingress(GroupId=g, IpPermissions=[tcp(22, *cidrs)])
    ids = [r["SecurityGroupRuleId"] for r in made["SecurityGroupRules"]]
    got = ec2.describe_security_group_rules(SecurityGroupRuleIds=ids[:2])["SecurityGroupRules"]
    assert [r["SecurityGroupRuleId"] for r in got] == ids[:2]
    assert got[0] == made["SecurityGroupRules"][0]
    got = ec2.describe_security_group_rules(Filters=[
        {"Name": "security-group-rule-id", "Values": [ids[3]]}])["SecurityGroupRules"]
    assert [r["SecurityGroupRuleId"] for r in got] == [ids[3]]
    # Pages over ten rules (nine ingress plus the egress allow-all).
    f = [{"Name": "group-id", "Values": [g]}]
    page = ec2.describe_security_group_rules(Filters=f, MaxResults=5)
    assert len(page["SecurityGroupRules"]) == 5 and page["NextToken"]
    rest = ec2.describe_security_group_rules(Filters=f, MaxResults=5, NextToken=page["NextToken"])
    assert len(rest["SecurityGroupRules"]) == 5 and "NextToken" not in rest
    every = [r["SecurityGroupRuleId"] for r in page["SecurityGroupRules"] + rest["SecurityGroupRules"]]
    assert len(set(every)) == 10 and set(ids) < set(every)
    raises("InvalidNextToken", ec2.describe_security_group_rules, Filters=f, NextToken="x.y")
    raises("InvalidParameterValue", loose.describe_security_group_rules, Filters=f,
           MaxResults=1001)
    raises("InvalidSecurityGroupRuleId.NotFound", ec2.describe_security_group_rules,
           SecurityGroupRuleIds=["sgr-0123456789abcdef0"])
    raises("InvalidSecurityGroupRuleId.Malformed", ec2.describe_security_group_rules,
           SecurityGroupRuleIds=["rule-1"])
    raises("InvalidParameterValue", ec2.describe_security_group_rules,
           Filters=[{"Name": "ip-permission.cidr", "Values": ["x"]}])


# The aws CLI

def test_cli_round_trip(ec2, aws):
    vpc = new_vpc(ec2)
    gid = aws("create-security-group", "--group-name", "cli-web", "--description", "from the CLI",
              "--vpc-id", vpc)["GroupId"]
    src = new_group(ec2, vpc, name="cli-src")
    aws("wait", "security-group-exists", "--group-ids", gid)
    out = aws("authorize-security-group-ingress", "--group-id", gid, "--protocol", "tcp",
              "--port", "22", "--cidr", "0.0.0.0/0")
    assert out["Return"] is True and out["SecurityGroupRules"][0]["CidrIpv4"] == "0.0.0.0/0"
    aws("authorize-security-group-ingress", "--group-id", gid, "--protocol", "tcp",
        "--port", "5432", "--source-group", src)
    aws("authorize-security-group-ingress", "--group-id", gid, "--protocol", "udp",
        "--port", "1000-2000", "--source-group", "cli-src")
    aws("authorize-security-group-ingress", "--group-id", gid, "--protocol", "tcp",
        "--port", "all", "--cidr", "10.0.0.0/8")
    aws("authorize-security-group-ingress", "--group-id", gid, "--ip-permissions",
        "IpProtocol=icmp,FromPort=8,ToPort=-1,IpRanges=[{CidrIp=192.0.2.0/24,Description=ping}]")
    g = aws("describe-security-groups", "--group-ids", gid)["SecurityGroups"][0]
    perms = {(p["IpProtocol"], p.get("FromPort"), p.get("ToPort")): p for p in g["IpPermissions"]}
    assert perms[("tcp", 22, 22)]["IpRanges"] == [{"CidrIp": "0.0.0.0/0"}]
    assert perms[("tcp", 5432, 5432)]["UserIdGroupPairs"][0]["GroupId"] == src
    assert perms[("udp", 1000, 2000)]["UserIdGroupPairs"][0]["GroupId"] == src
    assert perms[("tcp", 0, 65535)]["IpRanges"] == [{"CidrIp": "10.0.0.0/8"}]
    assert perms[("icmp", 8, -1)]["IpRanges"] == [{"CidrIp": "192.0.2.0/24", "Description": "ping"}]
    with pytest.raises(AwsCliError) as e:
        aws("authorize-security-group-ingress", "--group-id", gid, "--protocol", "tcp",
            "--port", "22", "--cidr", "0.0.0.0/0")
    assert e.value.code == "InvalidPermission.Duplicate"
    aws("revoke-security-group-ingress", "--group-id", gid, "--protocol", "tcp", "--port", "22",
        "--cidr", "0.0.0.0/0")
    with pytest.raises(AwsCliError) as e:
        aws("revoke-security-group-ingress", "--group-id", gid, "--protocol", "tcp", "--port", "22",
            "--cidr", "0.0.0.0/0")
    assert e.value.code == "InvalidPermission.NotFound"
    assert len(rules_of(ec2, gid)) == 5
    with pytest.raises(AwsCliError) as e:
        aws("delete-security-group", "--group-id", src)
    assert e.value.code == "DependencyViolation"
    aws("delete-security-group", "--group-id", gid)
    with pytest.raises(AwsCliError) as e:
        aws("describe-security-groups", "--group-ids", gid)
    assert e.value.code == "InvalidGroup.NotFound"


# Persistence

def test_state_survives_restart(fresh_vpcd):
    d = fresh_vpcd.start()
    ec2 = d.client()
    vpc = new_vpc(ec2)
    web = new_group(ec2, vpc, name="web", TagSpecifications=[
        {"ResourceType": "security-group", "Tags": [{"Key": "Name", "Value": "w"}]}])
    db = new_group(ec2, vpc, name="db")
    ec2.authorize_security_group_ingress(GroupId=db, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
         "UserIdGroupPairs": [{"GroupId": web, "Description": "app"}],
         "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "vpn"}],
         "Ipv6Ranges": [{"CidrIpv6": "2001:db8::/48"}],
         "PrefixListIds": [{"PrefixListId": "pl-63a5400a", "Description": "s3"}]}],
        TagSpecifications=[{"ResourceType": "security-group-rule",
                            "Tags": [{"Key": "k", "Value": "v"}]}])
    ec2.revoke_security_group_egress(GroupId=web, IpPermissions=[
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    f = [{"Name": "vpc-id", "Values": [vpc]}]
    before = ec2.describe_security_groups(Filters=f)["SecurityGroups"]
    rules_before = ec2.describe_security_group_rules()["SecurityGroupRules"]
    d.restart()
    ec2 = d.client()
    assert ec2.describe_security_groups(Filters=f)["SecurityGroups"] == before
    assert ec2.describe_security_group_rules()["SecurityGroupRules"] == rules_before
    # Rules and references still work after the reload.
    raises("DependencyViolation", ec2.delete_security_group, GroupId=web)
    raises("InvalidPermission.Duplicate", ec2.authorize_security_group_ingress, GroupId=db,
           IpPermissions=[{"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
                           "UserIdGroupPairs": [{"GroupId": web}]}])
    raises("InvalidGroup.Duplicate", ec2.create_security_group, GroupName="db",
           Description="x", VpcId=vpc)
