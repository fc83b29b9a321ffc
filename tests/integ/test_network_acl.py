"""Network ACL actions against a real vpcd (vpc-semantics.md section 8),
through boto3 and the aws CLI: ACLs, entries, associations, filters, errors,
DryRun, persistence."""
import boto3
import botocore.config
import pytest

from conftest import AwsCliError, ClientError, error_code

ANY4 = "0.0.0.0/0"


def deny_all(egress):
    return {"CidrBlock": ANY4, "Egress": egress, "Protocol": "-1", "RuleAction": "deny",
            "RuleNumber": 32767}


def allow_all(egress):
    return {"CidrBlock": ANY4, "Egress": egress, "Protocol": "-1", "RuleAction": "allow",
            "RuleNumber": 100}


@pytest.fixture
def vpc_id(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    yield vpc
    # Leave the module's daemon tidy; failures here must not hide the test's.
    try:
        f = [{"Name": "vpc-id", "Values": [vpc]}]
        for s in ec2.describe_subnets(Filters=f)["Subnets"]:
            ec2.delete_subnet(SubnetId=s["SubnetId"])
        for a in ec2.describe_network_acls(Filters=f)["NetworkAcls"]:
            if not a["IsDefault"]:
                ec2.delete_network_acl(NetworkAclId=a["NetworkAclId"])
        ec2.delete_vpc(VpcId=vpc)
    except ClientError:
        pass


def acl_of(ec2, acl_id):
    return ec2.describe_network_acls(NetworkAclIds=[acl_id])["NetworkAcls"][0]


def default_acl(ec2, vpc_id):
    acls = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc_id]},
                                              {"Name": "default", "Values": ["true"]}])
    [acl] = acls["NetworkAcls"]
    return acl


def assoc_of_subnet(ec2, subnet_id):
    [acl] = ec2.describe_network_acls(
        Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}])["NetworkAcls"]
    [a] = [a for a in acl["Associations"] if a["SubnetId"] == subnet_id]
    return acl["NetworkAclId"], a["NetworkAclAssociationId"]


def entry(ec2, acl_id, rule, egress=False, **kw):
    args = dict(NetworkAclId=acl_id, RuleNumber=rule, Egress=egress, Protocol="-1",
                RuleAction="allow", CidrBlock=ANY4)
    args.update(kw)
    return ec2.create_network_acl_entry(**{k: v for k, v in args.items() if v is not None})


def test_default_acl_shows_aws_entries(ec2, vpc_id):
    acl = default_acl(ec2, vpc_id)
    assert acl["NetworkAclId"].startswith("acl-") and len(acl["NetworkAclId"]) == 21
    assert acl["VpcId"] == vpc_id
    assert acl["IsDefault"] is True
    assert acl["OwnerId"] == "000000000000"
    # Exactly what AWS lists for a default ACL of an IPv4-only VPC: egress
    # first, each direction by rule number, the '*' deny as 32767.
    assert acl["Entries"] == [allow_all(True), deny_all(True), allow_all(False), deny_all(False)]
    assert acl["Associations"] == []
    assert "Tags" not in acl        # EC2 omits an empty tagSet


def test_create_custom_acl_with_tags(ec2, vpc_id):
    acl = ec2.create_network_acl(VpcId=vpc_id, TagSpecifications=[
        {"ResourceType": "network-acl", "Tags": [{"Key": "Name", "Value": "web"}]}])["NetworkAcl"]
    assert acl["NetworkAclId"].startswith("acl-")
    assert acl["VpcId"] == vpc_id and acl["IsDefault"] is False
    assert acl["OwnerId"] == "000000000000"
    assert acl["Entries"] == [deny_all(True), deny_all(False)]
    assert acl["Associations"] == []
    assert acl["Tags"] == [{"Key": "Name", "Value": "web"}]
    assert acl_of(ec2, acl["NetworkAclId"]) == acl
    got = ec2.describe_network_acls(Filters=[{"Name": "tag:Name", "Values": ["web"]},
                                             {"Name": "vpc-id", "Values": [vpc_id]}])
    assert [a["NetworkAclId"] for a in got["NetworkAcls"]] == [acl["NetworkAclId"]]


def test_create_acl_errors(ec2, vpc_id):
    with pytest.raises(ClientError) as e:
        ec2.create_network_acl(VpcId="vpc-0123456789abcdef0")
    assert error_code(e) == "InvalidVpcID.NotFound"
    with pytest.raises(ClientError) as e:
        ec2.create_network_acl(VpcId="vpc-nope")
    assert error_code(e) == "InvalidVpcID.Malformed"
    with pytest.raises(ClientError) as e:
        ec2.create_network_acl(VpcId=vpc_id, TagSpecifications=[
            {"ResourceType": "vpc", "Tags": [{"Key": "a", "Value": "b"}]}])
    assert error_code(e) == "InvalidParameterValue"
    with pytest.raises(ClientError) as e:
        ec2.create_network_acl(VpcId=vpc_id, DryRun=True)
    assert error_code(e) == "DryRunOperation"
    acls = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])
    assert len(acls["NetworkAcls"]) == 1     # nothing was made by the refusals


def test_delete_acl(ec2, vpc_id):
    acl_id = ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"]
    with pytest.raises(ClientError) as e:
        ec2.delete_network_acl(NetworkAclId=acl_id, DryRun=True)
    assert error_code(e) == "DryRunOperation"
    ec2.delete_network_acl(NetworkAclId=acl_id)
    with pytest.raises(ClientError) as e:
        ec2.describe_network_acls(NetworkAclIds=[acl_id])
    assert error_code(e) == "InvalidNetworkAclID.NotFound"
    with pytest.raises(ClientError) as e:
        ec2.delete_network_acl(NetworkAclId=acl_id)
    assert error_code(e) == "InvalidNetworkAclID.NotFound"
    with pytest.raises(ClientError) as e:
        ec2.delete_network_acl(NetworkAclId="acl-xyz")
    assert error_code(e) == "InvalidNetworkAclID.Malformed"
    # The default ACL: AWS refuses with InvalidParameterValue.
    dflt = default_acl(ec2, vpc_id)["NetworkAclId"]
    with pytest.raises(ClientError) as e:
        ec2.delete_network_acl(NetworkAclId=dflt)
    assert error_code(e) == "InvalidParameterValue"
    assert dflt in e.value.response["Error"]["Message"]


def test_entries_boto3_formats_and_order(ec2, vpc_id):
    acl_id = ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"]
    entry(ec2, acl_id, 200, Protocol="6", CidrBlock="10.1.2.3/16", PortRange={"From": 22, "To": 22})
    entry(ec2, acl_id, 100, Protocol="17", RuleAction="deny", CidrBlock="192.0.2.0/24",
          PortRange={"From": 1024, "To": 65535})
    entry(ec2, acl_id, 300, Protocol="1", IcmpTypeCode={"Type": -1, "Code": -1})
    entry(ec2, acl_id, 400, Protocol="47")
    entry(ec2, acl_id, 500, Protocol="-1", CidrBlock=None, Ipv6CidrBlock="2001:DB8::1/32")
    entry(ec2, acl_id, 100, egress=True, Protocol="6", PortRange={"From": 1024, "To": 65535})
    # Ports sent with protocol -1 are ignored, as AWS documents.
    entry(ec2, acl_id, 50, egress=True, PortRange={"From": 1, "To": 2})
    got = acl_of(ec2, acl_id)["Entries"]
    assert got == [
        {"CidrBlock": ANY4, "Egress": True, "Protocol": "-1", "RuleAction": "allow",
         "RuleNumber": 50},
        {"CidrBlock": ANY4, "Egress": True, "PortRange": {"From": 1024, "To": 65535},
         "Protocol": "6", "RuleAction": "allow", "RuleNumber": 100},
        deny_all(True),
        {"CidrBlock": "192.0.2.0/24", "Egress": False, "PortRange": {"From": 1024, "To": 65535},
         "Protocol": "17", "RuleAction": "deny", "RuleNumber": 100},
        {"CidrBlock": "10.1.0.0/16", "Egress": False, "PortRange": {"From": 22, "To": 22},
         "Protocol": "6", "RuleAction": "allow", "RuleNumber": 200},
        {"CidrBlock": ANY4, "Egress": False, "IcmpTypeCode": {"Code": -1, "Type": -1},
         "Protocol": "1", "RuleAction": "allow", "RuleNumber": 300},
        {"CidrBlock": ANY4, "Egress": False, "Protocol": "47", "RuleAction": "allow",
         "RuleNumber": 400},
        {"Ipv6CidrBlock": "2001:db8::/32", "Egress": False, "Protocol": "-1",
         "RuleAction": "allow", "RuleNumber": 500},
        deny_all(False),
    ]


def test_entries_via_cli(aws, ec2, vpc_id):
    acl_id = aws("create-network-acl", "--vpc-id", vpc_id)["NetworkAcl"]["NetworkAclId"]
    # The CLI sends Protocol=6 for "tcp" (and 17, 1, -1 for udp, icmp, all).
    aws("create-network-acl-entry", "--network-acl-id", acl_id, "--ingress", "--rule-number",
        "100", "--protocol", "tcp", "--port-range", "From=80,To=80", "--cidr-block", ANY4,
        "--rule-action", "allow")
    aws("create-network-acl-entry", "--network-acl-id", acl_id, "--ingress", "--rule-number",
        "110", "--protocol", "icmp", "--icmp-type-code", "Type=3,Code=4", "--cidr-block",
        "10.0.0.0/8", "--rule-action", "allow")
    aws("create-network-acl-entry", "--network-acl-id", acl_id, "--egress", "--rule-number",
        "120", "--protocol", "udp", "--port-range", "From=53,To=53", "--cidr-block", ANY4,
        "--rule-action", "allow")
    aws("create-network-acl-entry", "--network-acl-id", acl_id, "--egress", "--rule-number",
        "130", "--protocol", "all", "--cidr-block", "203.0.113.0/24", "--rule-action", "deny")
    with pytest.raises(AwsCliError) as e:
        aws("create-network-acl-entry", "--network-acl-id", acl_id, "--ingress", "--rule-number",
            "100", "--protocol", "tcp", "--port-range", "From=443,To=443", "--cidr-block", ANY4,
            "--rule-action", "allow")
    assert e.value.code == "NetworkAclEntryAlreadyExists"
    assert e.value.message.endswith("The network acl entry identified by 100 already exists.")
    aws("replace-network-acl-entry", "--network-acl-id", acl_id, "--ingress", "--rule-number",
        "100", "--protocol", "tcp", "--port-range", "From=443,To=443", "--cidr-block", ANY4,
        "--rule-action", "deny")
    out = aws("describe-network-acls", "--network-acl-ids", acl_id)["NetworkAcls"][0]
    entries = {(x["Egress"], x["RuleNumber"]): x for x in out["Entries"]}
    assert entries[(False, 100)] == {"CidrBlock": ANY4, "Egress": False,
                                     "PortRange": {"From": 443, "To": 443}, "Protocol": "6",
                                     "RuleAction": "deny", "RuleNumber": 100}
    assert entries[(False, 110)]["Protocol"] == "1"
    assert entries[(False, 110)]["IcmpTypeCode"] == {"Code": 4, "Type": 3}
    assert entries[(True, 120)]["Protocol"] == "17"
    assert entries[(True, 130)]["Protocol"] == "-1"
    assert [k for k in entries] == [(True, 120), (True, 130), (True, 32767), (False, 100),
                                    (False, 110), (False, 32767)]
    aws("delete-network-acl-entry", "--network-acl-id", acl_id, "--egress", "--rule-number", "130")
    with pytest.raises(AwsCliError) as e:
        aws("delete-network-acl-entry", "--network-acl-id", acl_id, "--egress", "--rule-number",
            "130")
    assert e.value.code == "InvalidNetworkAclEntry.NotFound"
    out = aws("describe-network-acls", "--network-acl-ids", acl_id)["NetworkAcls"][0]
    assert [(x["Egress"], x["RuleNumber"]) for x in out["Entries"]] == [
        (True, 120), (True, 32767), (False, 100), (False, 110), (False, 32767)]
    aws("delete-network-acl", "--network-acl-id", acl_id)


def test_protocol_names_accepted_by_api(ec2, vpc_id):
    acl_id = ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"]
    entry(ec2, acl_id, 10, Protocol="tcp", PortRange={"From": 1, "To": 2})
    entry(ec2, acl_id, 20, Protocol="udp", PortRange={"From": 1, "To": 2})
    entry(ec2, acl_id, 30, Protocol="icmp", IcmpTypeCode={"Type": 8, "Code": 0})
    entry(ec2, acl_id, 40, Protocol="all")
    got = [(x["RuleNumber"], x["Protocol"]) for x in acl_of(ec2, acl_id)["Entries"]
           if not x["Egress"]]
    assert got == [(10, "6"), (20, "17"), (30, "1"), (40, "-1"), (32767, "-1")]


@pytest.mark.parametrize("kw,code", [
    ({"RuleNumber": 0}, "InvalidParameterValue"),
    ({"RuleNumber": 32767}, "InvalidParameterValue"),
    ({"RuleNumber": 40000}, "InvalidParameterValue"),
    ({"Protocol": "256"}, "InvalidParameterValue"),
    ({"Protocol": "banana"}, "InvalidParameterValue"),
    ({"RuleAction": "permit"}, "InvalidParameterValue"),
    ({"CidrBlock": "10.0.0.0/33"}, "InvalidParameterValue"),
    ({"CidrBlock": None}, "MissingParameter"),
    ({"Ipv6CidrBlock": "::/0"}, "InvalidParameterCombination"),
    ({"CidrBlock": None, "Ipv6CidrBlock": "2001:db8::/129"}, "InvalidParameterValue"),
    ({"Protocol": "6"}, "MissingParameter"),
    ({"Protocol": "17", "PortRange": {"From": 10}}, "MissingParameter"),
    ({"Protocol": "6", "PortRange": {"From": 90, "To": 80}}, "InvalidParameterValue"),
    ({"Protocol": "6", "PortRange": {"From": 0, "To": 65536}}, "InvalidParameterValue"),
    ({"Protocol": "6", "PortRange": {"From": -1, "To": 5}}, "InvalidParameterValue"),
    ({"Protocol": "1"}, "MissingParameter"),
    ({"Protocol": "1", "IcmpTypeCode": {"Type": 256, "Code": 0}}, "InvalidParameterValue"),
    ({"Protocol": "1", "IcmpTypeCode": {"Type": 3, "Code": -2}}, "InvalidParameterValue"),
    ({"Protocol": "58", "CidrBlock": None, "Ipv6CidrBlock": "::/0"}, "MissingParameter"),
    ({"NetworkAclId": "acl-0123456789abcdef0"}, "InvalidNetworkAclID.NotFound"),
    ({"NetworkAclId": "acl-bad"}, "InvalidNetworkAclID.Malformed"),
    ({"DryRun": True}, "DryRunOperation"),
])
def test_entry_errors(ec2, vpc_id, kw, code):
    acl_id = ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"]
    args = dict(NetworkAclId=acl_id, RuleNumber=100, Egress=False, Protocol="-1",
                RuleAction="allow", CidrBlock=ANY4)
    args.update(kw)
    args = {k: v for k, v in args.items() if v is not None}
    with pytest.raises(ClientError) as e:
        ec2.create_network_acl_entry(**args)
    assert error_code(e) == code, e.value.response["Error"]["Message"]
    # A refused request changes nothing; the replace path checks the same.
    assert acl_of(ec2, acl_id)["Entries"] == [deny_all(True), deny_all(False)]
    if "NetworkAclId" not in kw:
        entry(ec2, acl_id, 100)
        with pytest.raises(ClientError) as e:
            ec2.replace_network_acl_entry(**args)
        assert error_code(e) == code
        assert acl_of(ec2, acl_id)["Entries"] == [deny_all(True), allow_all(False),
                                                  deny_all(False)]


def test_icmpv6_with_ipv4_cidr_needs_no_type(ec2, vpc_id):
    acl_id = ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"]
    entry(ec2, acl_id, 10, Protocol="58")
    entry(ec2, acl_id, 20, Protocol="58", CidrBlock=None, Ipv6CidrBlock="::/0",
          IcmpTypeCode={"Type": 128, "Code": -1})
    got = acl_of(ec2, acl_id)["Entries"]
    assert got[1] == {"CidrBlock": ANY4, "Egress": False, "Protocol": "58",
                      "RuleAction": "allow", "RuleNumber": 10}
    assert got[2] == {"Ipv6CidrBlock": "::/0", "Egress": False, "Protocol": "58",
                      "IcmpTypeCode": {"Code": -1, "Type": 128},
                      "RuleAction": "allow", "RuleNumber": 20}


def test_duplicate_per_direction_and_not_found(ec2, vpc_id):
    acl_id = ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"]
    entry(ec2, acl_id, 100)
    entry(ec2, acl_id, 100, egress=True)       # same number, other direction: fine
    with pytest.raises(ClientError) as e:
        entry(ec2, acl_id, 100, RuleAction="deny")
    assert error_code(e) == "NetworkAclEntryAlreadyExists"
    assert e.value.response["Error"]["Message"] == \
        "The network acl entry identified by 100 already exists."
    with pytest.raises(ClientError) as e:
        ec2.replace_network_acl_entry(NetworkAclId=acl_id, RuleNumber=101, Egress=False,
                                      Protocol="-1", RuleAction="deny", CidrBlock=ANY4)
    assert error_code(e) == "InvalidNetworkAclEntry.NotFound"
    with pytest.raises(ClientError) as e:
        ec2.delete_network_acl_entry(NetworkAclId=acl_id, RuleNumber=101, Egress=True)
    assert error_code(e) == "InvalidNetworkAclEntry.NotFound"
    with pytest.raises(ClientError) as e:
        ec2.delete_network_acl_entry(NetworkAclId=acl_id, RuleNumber=32767, Egress=True)
    assert error_code(e) == "InvalidParameterValue"
    with pytest.raises(ClientError) as e:
        ec2.delete_network_acl_entry(NetworkAclId=acl_id, RuleNumber=100, Egress=True,
                                     DryRun=True)
    assert error_code(e) == "DryRunOperation"
    ec2.replace_network_acl_entry(NetworkAclId=acl_id, RuleNumber=100, Egress=True,
                                  Protocol="6", RuleAction="deny", CidrBlock="10.0.0.0/8",
                                  PortRange={"From": 22, "To": 22})
    ec2.delete_network_acl_entry(NetworkAclId=acl_id, RuleNumber=100, Egress=False)
    assert acl_of(ec2, acl_id)["Entries"] == [
        {"CidrBlock": "10.0.0.0/8", "Egress": True, "PortRange": {"From": 22, "To": 22},
         "Protocol": "6", "RuleAction": "deny", "RuleNumber": 100},
        deny_all(True), deny_all(False)]


def test_default_acl_entries_can_be_edited(ec2, vpc_id):
    acl_id = default_acl(ec2, vpc_id)["NetworkAclId"]
    ec2.replace_network_acl_entry(NetworkAclId=acl_id, RuleNumber=100, Egress=False,
                                  Protocol="-1", RuleAction="deny", CidrBlock=ANY4)
    ec2.delete_network_acl_entry(NetworkAclId=acl_id, RuleNumber=100, Egress=True)
    assert acl_of(ec2, acl_id)["Entries"] == [
        deny_all(True), dict(allow_all(False), RuleAction="deny"), deny_all(False)]


def test_entry_limit(ec2, vpc_id):
    acl_id = ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"]
    # 40 per direction and family, the '*' rule included: 39 of the user's.
    for rule in range(1, 40):
        entry(ec2, acl_id, rule)
    with pytest.raises(ClientError) as e:
        entry(ec2, acl_id, 1000)
    assert error_code(e) == "NetworkAclEntryLimitExceeded"
    entry(ec2, acl_id, 1000, egress=True)
    entry(ec2, acl_id, 1000, CidrBlock=None, Ipv6CidrBlock="::/0")
    assert len(acl_of(ec2, acl_id)["Entries"]) == 39 + 1 + 1 + 2


def test_associations_move(ec2, aws, vpc_id):
    s1 = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.20.1.0/24")["Subnet"]["SubnetId"]
    s2 = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.20.2.0/24")["Subnet"]["SubnetId"]
    dflt = default_acl(ec2, vpc_id)
    assert [a["SubnetId"] for a in dflt["Associations"]] == [s1, s2]
    for a in dflt["Associations"]:
        assert a["NetworkAclAssociationId"].startswith("aclassoc-")
        assert a["NetworkAclId"] == dflt["NetworkAclId"]

    custom = ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"]
    _, old = assoc_of_subnet(ec2, s1)
    with pytest.raises(ClientError) as e:
        ec2.replace_network_acl_association(AssociationId=old, NetworkAclId=custom, DryRun=True)
    assert error_code(e) == "DryRunOperation"
    new = ec2.replace_network_acl_association(AssociationId=old,
                                              NetworkAclId=custom)["NewAssociationId"]
    assert new.startswith("aclassoc-") and new != old
    assert assoc_of_subnet(ec2, s1) == (custom, new)
    assert acl_of(ec2, custom)["Associations"] == [
        {"NetworkAclAssociationId": new, "NetworkAclId": custom, "SubnetId": s1}]
    assert [a["SubnetId"] for a in acl_of(ec2, dflt["NetworkAclId"])["Associations"]] == [s2]

    # The old association id is gone.
    with pytest.raises(ClientError) as e:
        ec2.replace_network_acl_association(AssociationId=old, NetworkAclId=custom)
    assert error_code(e) == "InvalidAssociationID.NotFound"
    with pytest.raises(ClientError) as e:
        ec2.replace_network_acl_association(AssociationId=new, NetworkAclId="acl-0123456789abcdef0")
    assert error_code(e) == "InvalidNetworkAclID.NotFound"

    # An associated ACL cannot be deleted.
    with pytest.raises(ClientError) as e:
        ec2.delete_network_acl(NetworkAclId=custom)
    assert error_code(e) == "DependencyViolation"

    # An ACL of another VPC is refused.
    other = ec2.create_vpc(CidrBlock="10.21.0.0/16")["Vpc"]["VpcId"]
    try:
        foreign = default_acl(ec2, other)["NetworkAclId"]
        with pytest.raises(ClientError) as e:
            ec2.replace_network_acl_association(AssociationId=new, NetworkAclId=foreign)
        assert error_code(e) == "InvalidParameterValue"
        assert assoc_of_subnet(ec2, s1) == (custom, new)
    finally:
        ec2.delete_vpc(VpcId=other)

    # Back to the default with the CLI; then the custom ACL can go.
    back = aws("replace-network-acl-association", "--association-id", new, "--network-acl-id",
               dflt["NetworkAclId"])["NewAssociationId"]
    assert assoc_of_subnet(ec2, s1) == (dflt["NetworkAclId"], back)
    assert acl_of(ec2, custom)["Associations"] == []
    ec2.delete_network_acl(NetworkAclId=custom)

    # A deleted subnet's association goes with it.
    ec2.delete_subnet(SubnetId=s2)
    assert [a["SubnetId"] for a in acl_of(ec2, dflt["NetworkAclId"])["Associations"]] == [s1]


def test_replace_association_errors(ec2):
    with pytest.raises(ClientError) as e:
        ec2.replace_network_acl_association(AssociationId="aclassoc-0123456789abcdef0",
                                            NetworkAclId="acl-0123456789abcdef0")
    assert error_code(e) in ("InvalidAssociationID.NotFound", "InvalidNetworkAclID.NotFound")
    with pytest.raises(ClientError) as e:
        ec2.replace_network_acl_association(AssociationId="", NetworkAclId="acl-0123456789abcdef0")
    assert error_code(e) == "MissingParameter"


def test_filters(ec2, vpc_id):
    s1 = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.20.3.0/24")["Subnet"]["SubnetId"]
    dflt = default_acl(ec2, vpc_id)["NetworkAclId"]
    custom = ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"]
    entry(ec2, custom, 110, Protocol="6", CidrBlock="10.9.0.0/16", PortRange={"From": 22, "To": 23})
    entry(ec2, custom, 120, egress=True, Protocol="1", RuleAction="deny",
          IcmpTypeCode={"Type": 8, "Code": 0})
    entry(ec2, custom, 130, CidrBlock=None, Ipv6CidrBlock="2001:db8::/32")
    _, assoc = assoc_of_subnet(ec2, s1)

    def ids(*filters):
        f = [{"Name": n, "Values": v} for n, v in filters]
        f.append({"Name": "vpc-id", "Values": [vpc_id]})
        acls = ec2.describe_network_acls(Filters=f)["NetworkAcls"]
        return sorted(a["NetworkAclId"] for a in acls)

    both = sorted([dflt, custom])
    assert ids() == both
    assert ids(("network-acl-id", [custom])) == [custom]
    assert ids(("default", ["true"])) == [dflt]
    assert ids(("default", ["false"])) == [custom]
    assert ids(("association.association-id", [assoc])) == [dflt]
    assert ids(("association.subnet-id", [s1])) == [dflt]
    assert ids(("association.network-acl-id", [dflt, custom])) == [dflt]
    assert ids(("entry.cidr", ["10.9.0.0/16"])) == [custom]
    assert ids(("entry.cidr", [ANY4])) == both          # the '*' rules count
    assert ids(("entry.ipv6-cidr", ["2001:db8::/32"])) == [custom]
    assert ids(("entry.port-range.from", ["22"])) == [custom]
    assert ids(("entry.port-range.to", ["23"])) == [custom]
    assert ids(("entry.port-range.to", ["22"])) == []
    assert ids(("entry.icmp.type", ["8"])) == [custom]
    assert ids(("entry.icmp.code", ["0"])) == [custom]
    assert ids(("entry.protocol", ["6"])) == [custom]
    assert ids(("entry.protocol", ["tcp"])) == [custom]
    assert ids(("entry.protocol", ["-1"])) == both
    assert ids(("entry.rule-action", ["allow"])) == both
    assert ids(("entry.rule-number", ["100"])) == [dflt]
    assert ids(("entry.rule-number", ["32767"])) == both
    assert ids(("entry.rule-number", ["1?0"])) == both
    assert ids(("entry.egress", ["true"]), ("entry.rule-number", ["120"])) == [custom]
    assert ids(("entry.egress", ["false"])) == both
    assert ids(("owner-id", ["000000000000"])) == both
    assert ids(("owner-id", ["111111111111"])) == []
    with pytest.raises(ClientError) as e:
        ec2.describe_network_acls(Filters=[{"Name": "entry.banana", "Values": ["1"]}])
    assert error_code(e) == "InvalidParameterValue"


def test_describe_ids_pagination_and_dry_run(vpcd, ec2, aws, vpc_id):
    made = [ec2.create_network_acl(VpcId=vpc_id)["NetworkAcl"]["NetworkAclId"]
            for _ in range(6)]
    with pytest.raises(ClientError) as e:
        ec2.describe_network_acls(NetworkAclIds=[made[0], "acl-0123456789abcdef0"])
    assert error_code(e) == "InvalidNetworkAclID.NotFound"
    with pytest.raises(ClientError) as e:
        ec2.describe_network_acls(NetworkAclIds=["acl-zz"])
    assert error_code(e) == "InvalidNetworkAclID.Malformed"
    with pytest.raises(ClientError) as e:
        ec2.describe_network_acls(DryRun=True)
    assert error_code(e) == "DryRunOperation"
    got = ec2.describe_network_acls(NetworkAclIds=[made[2], made[0]])["NetworkAcls"]
    assert sorted(a["NetworkAclId"] for a in got) == sorted([made[0], made[2]])

    f = [{"Name": "vpc-id", "Values": [vpc_id]}]
    page1 = ec2.describe_network_acls(Filters=f, MaxResults=5)
    assert len(page1["NetworkAcls"]) == 5 and page1.get("NextToken")
    page2 = ec2.describe_network_acls(Filters=f, MaxResults=5, NextToken=page1["NextToken"])
    assert len(page2["NetworkAcls"]) == 2 and not page2.get("NextToken")
    seen = [a["NetworkAclId"] for a in page1["NetworkAcls"] + page2["NetworkAcls"]]
    assert sorted(seen) == sorted(made + [default_acl(ec2, vpc_id)["NetworkAclId"]])
    # botocore refuses MaxResults=4 itself; the daemon must too.
    unchecked = boto3.client("ec2", endpoint_url=vpcd.endpoint, region_name="us-east-1",
                             aws_access_key_id="test", aws_secret_access_key="test",
                             config=botocore.config.Config(parameter_validation=False,
                                                           retries={"max_attempts": 1}))
    with pytest.raises(ClientError) as e:
        unchecked.describe_network_acls(Filters=f, MaxResults=4)
    assert error_code(e) == "InvalidParameterValue"
    with pytest.raises(ClientError) as e:
        unchecked.describe_network_acls(Filters=f, MaxResults=5, NextToken="garbage")
    assert error_code(e) == "InvalidNextToken"
    # The CLI pages by itself and sees them all.
    out = aws("describe-network-acls", "--filters", f"Name=vpc-id,Values={vpc_id}",
              "--page-size", "5")
    assert sorted(a["NetworkAclId"] for a in out["NetworkAcls"]) == sorted(seen)


def test_acl_limit_names_code(ec2):
    # 200 per VPC; creating them all costs little and proves the code.
    vpc = ec2.create_vpc(CidrBlock="10.22.0.0/16")["Vpc"]["VpcId"]
    made = []
    try:
        for _ in range(199):
            made.append(ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"])
        with pytest.raises(ClientError) as e:
            ec2.create_network_acl(VpcId=vpc)
        assert error_code(e) == "NetworkAclLimitExceeded"
    finally:
        for acl in made:
            ec2.delete_network_acl(NetworkAclId=acl)
        ec2.delete_vpc(VpcId=vpc)


def test_delete_vpc_with_custom_acl_is_refused(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.23.0.0/16")["Vpc"]["VpcId"]
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    with pytest.raises(ClientError) as e:
        ec2.delete_vpc(VpcId=vpc)
    assert error_code(e) == "DependencyViolation"
    ec2.delete_network_acl(NetworkAclId=acl)
    ec2.delete_vpc(VpcId=vpc)
    with pytest.raises(ClientError) as e:
        ec2.describe_network_acls(NetworkAclIds=[acl])
    assert error_code(e) == "InvalidNetworkAclID.NotFound"


def test_state_survives_restart(fresh_vpcd):
    d = fresh_vpcd.start()
    ec2 = d.client()
    vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.30.1.0/24")["Subnet"]["SubnetId"]
    acl = ec2.create_network_acl(VpcId=vpc, TagSpecifications=[
        {"ResourceType": "network-acl", "Tags": [{"Key": "k", "Value": "v"}]}])["NetworkAcl"]
    acl_id = acl["NetworkAclId"]
    entry(ec2, acl_id, 100, Protocol="6", PortRange={"From": 443, "To": 443})
    entry(ec2, acl_id, 110, egress=True, Protocol="1", IcmpTypeCode={"Type": 3, "Code": 4})
    entry(ec2, acl_id, 120, CidrBlock=None, Ipv6CidrBlock="2001:db8::/48", RuleAction="deny")
    _, old = assoc_of_subnet(ec2, subnet)
    new = ec2.replace_network_acl_association(AssociationId=old,
                                              NetworkAclId=acl_id)["NewAssociationId"]
    dflt_id = default_acl(ec2, vpc)["NetworkAclId"]
    ec2.delete_network_acl_entry(NetworkAclId=dflt_id, RuleNumber=100, Egress=True)
    before = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]}])
    d.restart()
    ec2 = d.client()
    after = ec2.describe_network_acls(Filters=[{"Name": "vpc-id", "Values": [vpc]}])
    assert after["NetworkAcls"] == before["NetworkAcls"]
    assert assoc_of_subnet(ec2, subnet) == (acl_id, new)
    # Order and uniqueness still hold after the reload.
    entry(ec2, acl_id, 105)
    with pytest.raises(ClientError) as e:
        entry(ec2, acl_id, 100)
    assert error_code(e) == "NetworkAclEntryAlreadyExists"
    got = [(x["Egress"], x["RuleNumber"]) for x in acl_of(ec2, acl_id)["Entries"]]
    assert got == [(True, 110), (True, 32767), (False, 100), (False, 105), (False, 120),
                   (False, 32767)]
