"""Instance actions against a real vpcd (issue 3 "Instances", vpc-semantics.md
sections 2.2, 5, 6, 7), through boto3 and the aws CLI.

    vpc 10.x.0.0/16 ─┬─ subnet 10.x.1.0/24 (zone a)
                     └─ subnet 10.x.2.0/24 (zone b)

States move by time (a second per transition): the boto3 waiters poll with
Delay=1, so no test asserts on timing.
"""
import base64

import pytest

from conftest import AwsCliError, ClientError, Vpcd, error_code

AMI = "ami-0abcdef1234567890"
FAST = {"Delay": 1, "MaxAttempts": 30}


def network(ec2, second_octet, igw=False):
    vpc_id = ec2.create_vpc(CidrBlock=f"10.{second_octet}.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.{second_octet}.{i}.0/24",
                                 AvailabilityZone=f"us-east-1{zone}")["Subnet"]["SubnetId"]
               for i, zone in ((1, "a"), (2, "b"))]
    if igw:
        igw_id = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw_id, VpcId=vpc_id)
    return vpc_id, subnets


def run(ec2, subnet_id, **kw):
    kw.setdefault("ImageId", AMI)
    kw.setdefault("InstanceType", "t3.micro")
    kw.setdefault("MinCount", 1)
    kw.setdefault("MaxCount", 1)
    return ec2.run_instances(SubnetId=subnet_id, **kw)


def one(ec2, instance_id):
    [res] = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
    [inst] = res["Instances"]
    return inst


def wait(ec2, what, *ids):
    ec2.get_waiter(f"instance_{what}").wait(InstanceIds=list(ids), WaiterConfig=FAST)


def free_count(ec2, subnet_id):
    return ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]["AvailableIpAddressCount"]


def test_run_describe_lifecycle(ec2):
    vpc_id, (subnet_id, _) = network(ec2, 70)
    sg = ec2.create_security_group(GroupName="web", Description="w", VpcId=vpc_id)["GroupId"]
    before = free_count(ec2, subnet_id)
    res = run(ec2, subnet_id, SecurityGroupIds=[sg], UserData="echo hi",
              TagSpecifications=[{"ResourceType": "instance",
                                  "Tags": [{"Key": "Name", "Value": "web1"}]},
                                 {"ResourceType": "network-interface",
                                  "Tags": [{"Key": "role", "Value": "eth0"}]}])
    assert res["ReservationId"].startswith("r-") and len(res["ReservationId"]) == 19
    assert res["OwnerId"] == "000000000000"
    [inst] = res["Instances"]
    iid = inst["InstanceId"]
    assert iid.startswith("i-") and len(iid) == 19
    assert inst["State"] == {"Code": 0, "Name": "pending"}
    assert inst["ImageId"] == AMI and inst["InstanceType"] == "t3.micro"
    assert inst["SubnetId"] == subnet_id and inst["VpcId"] == vpc_id
    assert inst["Placement"]["AvailabilityZone"] == "us-east-1a"
    assert inst["Placement"]["Tenancy"] == "default"
    assert inst["PrivateIpAddress"].startswith("10.70.1.")
    assert inst["PrivateDnsName"] == "ip-" + inst["PrivateIpAddress"].replace(".", "-") \
        + ".ec2.internal"
    assert "PublicIpAddress" not in inst and inst["PublicDnsName"] == ""
    assert inst["SecurityGroups"] == [{"GroupId": sg, "GroupName": "web"}]
    assert inst["SourceDestCheck"] is True
    assert inst["AmiLaunchIndex"] == 0
    assert inst["Architecture"] == "x86_64" and inst["RootDeviceType"] == "ebs"
    assert inst["RootDeviceName"] == "/dev/xvda" and inst["Hypervisor"] == "xen"
    assert inst["VirtualizationType"] == "hvm" and inst["Monitoring"] == {"State": "disabled"}
    assert inst["Tags"] == [{"Key": "Name", "Value": "web1"}]
    assert "LaunchTime" in inst
    [ni] = inst["NetworkInterfaces"]
    assert ni["Attachment"]["DeviceIndex"] == 0
    assert ni["Attachment"]["DeleteOnTermination"] is True
    assert ni["Attachment"]["AttachmentId"].startswith("eni-attach-")
    assert ni["Status"] == "in-use" and ni["PrivateIpAddress"] == inst["PrivateIpAddress"]
    eni_id = ni["NetworkInterfaceId"]
    eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])["NetworkInterfaces"][0]
    assert eni["Attachment"]["InstanceId"] == iid
    assert eni["TagSet"] == [{"Key": "role", "Value": "eth0"}]
    assert free_count(ec2, subnet_id) == before - 1

    wait(ec2, "running", iid)
    got = one(ec2, iid)
    assert got["State"] == {"Code": 16, "Name": "running"}
    assert got["NetworkInterfaces"] == inst["NetworkInterfaces"]

    # ENIs of an instance can't be deleted; its subnet and VPC stay.
    with pytest.raises(ClientError) as e:
        ec2.delete_network_interface(NetworkInterfaceId=eni_id)
    assert error_code(e) == "InvalidNetworkInterface.InUse"
    with pytest.raises(ClientError) as e:
        ec2.delete_subnet(SubnetId=subnet_id)
    assert error_code(e) == "DependencyViolation"

    r = ec2.stop_instances(InstanceIds=[iid])["StoppingInstances"]
    assert r == [{"InstanceId": iid, "CurrentState": {"Code": 64, "Name": "stopping"},
                  "PreviousState": {"Code": 16, "Name": "running"}}]
    wait(ec2, "stopped", iid)
    got = one(ec2, iid)
    assert got["State"]["Name"] == "stopped"
    assert got["StateTransitionReason"].startswith("User initiated (")
    assert got["StateReason"]["Code"] == "Client.UserInitiatedShutdown"
    # Stopping a stopped instance is a no-op.
    r = ec2.stop_instances(InstanceIds=[iid])["StoppingInstances"][0]
    assert r["CurrentState"]["Name"] == r["PreviousState"]["Name"] == "stopped"

    r = ec2.start_instances(InstanceIds=[iid])["StartingInstances"][0]
    assert r["PreviousState"]["Name"] == "stopped" and r["CurrentState"]["Name"] == "pending"
    wait(ec2, "running", iid)

    r = ec2.terminate_instances(InstanceIds=[iid])["TerminatingInstances"][0]
    assert r["PreviousState"]["Name"] == "running"
    assert r["CurrentState"] == {"Code": 32, "Name": "shutting-down"}
    wait(ec2, "terminated", iid)
    got = one(ec2, iid)
    assert got["State"] == {"Code": 48, "Name": "terminated"}
    assert got["NetworkInterfaces"] == [] and "PrivateIpAddress" not in got
    with pytest.raises(ClientError) as e:
        ec2.describe_network_interfaces(NetworkInterfaceIds=[eni_id])
    assert error_code(e) == "InvalidNetworkInterfaceID.NotFound"
    assert free_count(ec2, subnet_id) == before
    r = ec2.terminate_instances(InstanceIds=[iid])["TerminatingInstances"][0]
    assert r["CurrentState"]["Name"] == r["PreviousState"]["Name"] == "terminated"
    with pytest.raises(ClientError) as e:
        ec2.start_instances(InstanceIds=[iid])
    assert error_code(e) == "IncorrectInstanceState"
    with pytest.raises(ClientError) as e:
        ec2.stop_instances(InstanceIds=[iid])
    assert error_code(e) == "IncorrectInstanceState"

    # A terminated instance blocks nothing.
    ec2.delete_subnet(SubnetId=subnet_id)
    ec2.delete_security_group(GroupId=sg)
    ec2.delete_subnet(SubnetId=network_subnet_b(ec2, vpc_id))
    ec2.delete_vpc(VpcId=vpc_id)


def network_subnet_b(ec2, vpc_id):
    [s] = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    return s["SubnetId"]


def test_public_ip_rules(ec2):
    vpc_id, (subnet_a, subnet_b) = network(ec2, 71)
    ec2.modify_subnet_attribute(SubnetId=subnet_a, MapPublicIpOnLaunch={"Value": True})
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})

    # The subnet maps public IPs (no internet gateway needed to get one).
    iid = run(ec2, subnet_a)["Instances"][0]["InstanceId"]
    inst = one(ec2, iid)
    ip1 = inst["PublicIpAddress"]
    assert inst["PublicDnsName"] == "ec2-" + ip1.replace(".", "-") + ".compute-1.amazonaws.com"
    assert inst["NetworkInterfaces"][0]["Association"]["IpOwnerId"] == "amazon"
    assert ec2.describe_instances(Filters=[{"Name": "ip-address", "Values": [ip1]}])[
        "Reservations"][0]["Instances"][0]["InstanceId"] == iid

    # Stop releases it, start gives a new one.
    wait(ec2, "running", iid)
    ec2.stop_instances(InstanceIds=[iid])
    wait(ec2, "stopped", iid)
    assert "PublicIpAddress" not in one(ec2, iid)
    ec2.start_instances(InstanceIds=[iid])
    assert "PublicIpAddress" in one(ec2, iid)

    # The launch wins over the subnet, both ways.
    ni = {"DeviceIndex": 0, "SubnetId": subnet_a, "AssociatePublicIpAddress": False}
    no_ip = ec2.run_instances(ImageId=AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1,
                              NetworkInterfaces=[ni])["Instances"][0]
    assert "PublicIpAddress" not in no_ip
    ni = {"DeviceIndex": 0, "SubnetId": subnet_b, "AssociatePublicIpAddress": True}
    with_ip = ec2.run_instances(ImageId=AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1,
                                NetworkInterfaces=[ni])["Instances"][0]
    assert "PublicIpAddress" in with_ip
    assert "PublicIpAddress" not in run(ec2, subnet_b)["Instances"][0]

    # Terminate gives the address back.
    ec2.terminate_instances(InstanceIds=[with_ip["InstanceId"]])
    assert "PublicIpAddress" not in one(ec2, with_ip["InstanceId"])


def test_run_errors(ec2):
    vpc_id, (subnet_id, subnet_b) = network(ec2, 72)
    other_vpc = ec2.create_vpc(CidrBlock="10.172.0.0/16")["Vpc"]["VpcId"]
    other_sg = ec2.create_security_group(GroupName="x", Description="x",
                                         VpcId=other_vpc)["GroupId"]
    cases = [
        (dict(ImageId="ami-1"), "InvalidAMIID.Malformed"),
        (dict(ImageId="bogus"), "InvalidAMIID.Malformed"),
        (dict(InstanceType="t3.gigantic"), "InvalidParameterValue"),
        (dict(MinCount=2, MaxCount=1), "InvalidParameterValue"),
        (dict(MinCount=0, MaxCount=1), "InvalidParameterValue"),
        (dict(MinCount=21, MaxCount=21), "InstanceLimitExceeded"),
        (dict(MinCount=2, MaxCount=2, PrivateIpAddress="10.72.1.10"),
         "InvalidParameterCombination"),
        (dict(PrivateIpAddress="10.72.2.10"), "InvalidParameterValue"),
        (dict(PrivateIpAddress="10.72.1.1"), "InvalidParameterValue"),
        (dict(SecurityGroupIds=[other_sg]), "InvalidParameterValue"),
        (dict(SecurityGroupIds=["sg-12345678"]), "InvalidGroup.NotFound"),
        (dict(TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "a",
                                                                     "Value": "b"}]}]),
         "InvalidParameterValue"),
    ]
    for kw, code in cases:
        with pytest.raises(ClientError) as e:
            run(ec2, subnet_id, **kw)
        assert error_code(e) == code, kw
    with pytest.raises(ClientError) as e:
        run(ec2, "subnet-12345678")
    assert error_code(e) == "InvalidSubnetID.NotFound"
    with pytest.raises(ClientError) as e:
        run(ec2, subnet_id, DryRun=True)
    assert error_code(e) == "DryRunOperation"
    # Nothing of the refusals was made.
    assert ec2.describe_instances(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])[
        "Reservations"] == []
    assert free_count(ec2, subnet_id) == 251

    # Instance-level network parameters and NetworkInterfaces don't mix.
    with pytest.raises(ClientError) as e:
        ec2.run_instances(ImageId=AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1,
                          SubnetId=subnet_id,
                          NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": subnet_id}])
    assert error_code(e) == "InvalidParameterCombination"
    # Interfaces in two zones.
    with pytest.raises(ClientError) as e:
        ec2.run_instances(ImageId=AMI, InstanceType="t3.small", MinCount=1, MaxCount=1,
                          NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": subnet_id},
                                             {"DeviceIndex": 1, "SubnetId": subnet_b}])
    assert error_code(e) == "InvalidParameterCombination"

    for bad, code in (("i-12345678", "InvalidInstanceID.NotFound"),
                      ("i-xyz", "InvalidInstanceID.Malformed")):
        for call in (lambda: ec2.describe_instances(InstanceIds=[bad]),
                     lambda: ec2.stop_instances(InstanceIds=[bad]),
                     lambda: ec2.terminate_instances(InstanceIds=[bad]),
                     lambda: ec2.get_console_output(InstanceId=bad)):
            with pytest.raises(ClientError) as e:
                call()
            assert error_code(e) == code
    iid = run(ec2, subnet_id)["Instances"][0]["InstanceId"]
    with pytest.raises(ClientError) as e:
        ec2.describe_instances(InstanceIds=[iid], MaxResults=5)
    assert error_code(e) == "InvalidParameterCombination"
    with pytest.raises(ClientError) as e:
        ec2.terminate_instances(InstanceIds=[iid], DryRun=True)
    assert error_code(e) == "DryRunOperation"
    # One unknown id refuses the whole request.
    with pytest.raises(ClientError) as e:
        ec2.terminate_instances(InstanceIds=[iid, "i-12345678"])
    assert error_code(e) == "InvalidInstanceID.NotFound"
    assert one(ec2, iid)["State"]["Name"] in ("pending", "running")
    ec2.terminate_instances(InstanceIds=[iid])


def test_counts_reservation_and_room(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.73.0.0/16")["Vpc"]["VpcId"]
    small = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.73.0.0/28")["Subnet"]["SubnetId"]
    assert free_count(ec2, small) == 11
    res = run(ec2, small, MinCount=2, MaxCount=3)
    assert len(res["Instances"]) == 3
    assert [i["AmiLaunchIndex"] for i in res["Instances"]] == [0, 1, 2]
    assert len({i["PrivateIpAddress"] for i in res["Instances"]}) == 3
    assert free_count(ec2, small) == 8
    [r] = ec2.describe_instances(Filters=[{"Name": "reservation-id",
                                            "Values": [res["ReservationId"]]}])["Reservations"]
    assert [i["InstanceId"] for i in r["Instances"]] == \
        [i["InstanceId"] for i in res["Instances"]]
    with pytest.raises(ClientError) as e:
        run(ec2, small, MinCount=9, MaxCount=9)
    assert error_code(e) == "InsufficientFreeAddressesInSubnet"
    # As many as fit between MinCount and MaxCount.
    res = run(ec2, small, MinCount=1, MaxCount=20)
    assert len(res["Instances"]) == 8
    assert free_count(ec2, small) == 0
    ids = [i["InstanceId"] for r in ec2.describe_instances(
        Filters=[{"Name": "subnet-id", "Values": [small]}])["Reservations"]
        for i in r["Instances"]]
    assert len(ids) == 11
    ec2.terminate_instances(InstanceIds=ids)
    assert free_count(ec2, small) == 11


def test_default_vpc_launch(ec2):
    res = ec2.run_instances(ImageId=AMI, InstanceType="t2.micro", MinCount=1, MaxCount=1,
                            SecurityGroups=["default"])
    inst = res["Instances"][0]
    default_vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])[
        "Vpcs"][0]["VpcId"]
    assert inst["VpcId"] == default_vpc
    assert inst["Placement"]["AvailabilityZone"] == "us-east-1a"
    assert inst["SecurityGroups"][0]["GroupName"] == "default"
    # Default subnets map public IPs.
    assert "PublicIpAddress" in inst
    b = ec2.run_instances(ImageId=AMI, InstanceType="t2.micro", MinCount=1, MaxCount=1,
                          Placement={"AvailabilityZone": "us-east-1b"})["Instances"][0]
    assert b["Placement"]["AvailabilityZone"] == "us-east-1b"
    ec2.terminate_instances(InstanceIds=[inst["InstanceId"], b["InstanceId"]])


def test_no_default_vpc(fresh_vpcd):
    fresh_vpcd.extra_args = ["--no-default-vpc"]
    fresh_vpcd.start()
    ec2 = fresh_vpcd.client()
    with pytest.raises(ClientError) as e:
        ec2.run_instances(ImageId=AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1)
    assert error_code(e) == "VPCIdNotSpecified"


def test_filters_and_pages(ec2):
    vpc_id, (subnet_a, subnet_b) = network(ec2, 74)
    sg = ec2.create_security_group(GroupName="f", Description="f", VpcId=vpc_id)["GroupId"]
    a = run(ec2, subnet_a, InstanceType="t3.small", MinCount=4, MaxCount=4,
            TagSpecifications=[{"ResourceType": "instance",
                                "Tags": [{"Key": "tier", "Value": "web"}]}])["Instances"]
    b = run(ec2, subnet_b, SecurityGroupIds=[sg], MinCount=3, MaxCount=3,
            ImageId="ami-0123456789abcdef0")["Instances"]
    ids_a = sorted(i["InstanceId"] for i in a)
    ids_b = sorted(i["InstanceId"] for i in b)

    def ids(*filters):
        out = ec2.describe_instances(Filters=[{"Name": n, "Values": v} for n, v in filters])
        return sorted(i["InstanceId"] for r in out["Reservations"] for i in r["Instances"])

    assert ids(("vpc-id", [vpc_id])) == sorted(ids_a + ids_b)
    assert ids(("subnet-id", [subnet_b])) == ids_b
    assert ids(("vpc-id", [vpc_id]), ("instance-type", ["t3.small"])) == ids_a
    assert ids(("image-id", ["ami-0123456789abcdef0"])) == ids_b
    assert ids(("vpc-id", [vpc_id]), ("availability-zone", ["us-east-1b"])) == ids_b
    assert ids(("tag:tier", ["web"]), ("vpc-id", [vpc_id])) == ids_a
    assert ids(("instance.group-id", [sg])) == ids_b
    assert ids(("instance-id", [ids_a[0]])) == [ids_a[0]]
    assert ids(("private-ip-address", [a[0]["PrivateIpAddress"]]),
               ("vpc-id", [vpc_id])) == [a[0]["InstanceId"]]
    eni = a[0]["NetworkInterfaces"][0]["NetworkInterfaceId"]
    assert ids(("network-interface.network-interface-id", [eni])) == [a[0]["InstanceId"]]
    ec2.terminate_instances(InstanceIds=ids_b)
    assert ids(("vpc-id", [vpc_id]), ("instance-state-name", ["shutting-down",
                                                               "terminated"])) == ids_b
    assert ids(("vpc-id", [vpc_id]), ("instance-state-code", ["0", "16"])) == ids_a
    with pytest.raises(ClientError) as e:
        ids(("no-such-filter", ["x"]))
    assert error_code(e) == "InvalidParameterValue"

    # Pages of at most 5 instances, grouped by reservation.
    seen = []
    kw = {"Filters": [{"Name": "vpc-id", "Values": [vpc_id]}], "MaxResults": 5}
    while True:
        page = ec2.describe_instances(**kw)
        got = [i["InstanceId"] for r in page["Reservations"] for i in r["Instances"]]
        assert len(got) <= 5
        seen += got
        if "NextToken" not in page:
            break
        kw["NextToken"] = page["NextToken"]
    assert sorted(seen) == sorted(ids_a + ids_b)
    ec2.terminate_instances(InstanceIds=ids_a)


def test_status_and_console_output(ec2):
    _, (subnet_id, _) = network(ec2, 75)
    a, b = [i["InstanceId"] for i in run(ec2, subnet_id, MinCount=2, MaxCount=2,
                                         UserData="#!/bin/sh\necho hello\n")["Instances"]]
    wait(ec2, "running", a, b)
    ec2.stop_instances(InstanceIds=[b])
    wait(ec2, "stopped", b)
    st = ec2.describe_instance_status(InstanceIds=[a, b])["InstanceStatuses"]
    assert [s["InstanceId"] for s in st] == [a]
    assert st[0]["InstanceState"] == {"Code": 16, "Name": "running"}
    assert st[0]["InstanceStatus"]["Status"] == "ok"
    assert st[0]["SystemStatus"]["Status"] == "ok"
    assert st[0]["AvailabilityZone"] == "us-east-1a"
    st = ec2.describe_instance_status(InstanceIds=[a, b], IncludeAllInstances=True)[
        "InstanceStatuses"]
    assert {s["InstanceId"]: s["InstanceState"]["Name"] for s in st} == \
        {a: "running", b: "stopped"}
    ec2.get_waiter("instance_status_ok").wait(InstanceIds=[a], WaiterConfig=FAST)
    out = ec2.get_console_output(InstanceId=a)
    assert out["InstanceId"] == a and "Timestamp" in out
    assert out.get("Output", "") == ""
    ec2.terminate_instances(InstanceIds=[a, b])


def test_attach_detach(ec2):
    vpc_id, (subnet_a, subnet_b) = network(ec2, 76)
    inst = run(ec2, subnet_a)["Instances"][0]
    iid = inst["InstanceId"]
    primary = inst["NetworkInterfaces"][0]
    eni = ec2.create_network_interface(SubnetId=subnet_a)["NetworkInterface"][
        "NetworkInterfaceId"]
    eni2 = ec2.create_network_interface(SubnetId=subnet_a)["NetworkInterface"][
        "NetworkInterfaceId"]
    far = ec2.create_network_interface(SubnetId=subnet_b)["NetworkInterface"][
        "NetworkInterfaceId"]

    with pytest.raises(ClientError) as e:
        ec2.attach_network_interface(InstanceId=iid, NetworkInterfaceId=far, DeviceIndex=1)
    assert error_code(e) == "InvalidParameterCombination"
    with pytest.raises(ClientError) as e:
        ec2.attach_network_interface(InstanceId=iid, NetworkInterfaceId=eni, DeviceIndex=0)
    assert error_code(e) == "InvalidParameterValue"
    with pytest.raises(ClientError) as e:
        ec2.attach_network_interface(InstanceId=iid, NetworkInterfaceId=eni, DeviceIndex=1,
                                     DryRun=True)
    assert error_code(e) == "DryRunOperation"
    att = ec2.attach_network_interface(InstanceId=iid, NetworkInterfaceId=eni, DeviceIndex=1)[
        "AttachmentId"]
    assert att.startswith("eni-attach-")
    got = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]
    assert got["Status"] == "in-use"
    assert got["Attachment"]["InstanceId"] == iid and got["Attachment"]["DeviceIndex"] == 1
    assert got["Attachment"]["DeleteOnTermination"] is False
    nis = one(ec2, iid)["NetworkInterfaces"]
    assert [n["NetworkInterfaceId"] for n in nis] == [primary["NetworkInterfaceId"], eni]
    with pytest.raises(ClientError) as e:
        ec2.attach_network_interface(InstanceId=iid, NetworkInterfaceId=eni, DeviceIndex=2)
    assert error_code(e) == "InvalidNetworkInterface.InUse"
    # t3.micro takes two interfaces.
    with pytest.raises(ClientError) as e:
        ec2.attach_network_interface(InstanceId=iid, NetworkInterfaceId=eni2, DeviceIndex=2)
    assert error_code(e) == "AttachmentLimitExceeded"

    with pytest.raises(ClientError) as e:
        ec2.detach_network_interface(AttachmentId=primary["Attachment"]["AttachmentId"])
    assert error_code(e) == "OperationNotPermitted"
    with pytest.raises(ClientError) as e:
        ec2.detach_network_interface(AttachmentId="eni-attach-0123456789abcdef0")
    assert error_code(e) == "InvalidAttachmentID.NotFound"
    ec2.detach_network_interface(AttachmentId=att, Force=True)
    got = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]
    assert got["Status"] == "available" and "Attachment" not in got

    # An attached interface that is not deleted on termination survives it.
    ec2.attach_network_interface(InstanceId=iid, NetworkInterfaceId=eni, DeviceIndex=1)
    ec2.terminate_instances(InstanceIds=[iid])
    got = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]
    assert got["Status"] == "available"
    with pytest.raises(ClientError) as e:
        ec2.attach_network_interface(InstanceId=iid, NetworkInterfaceId=eni2, DeviceIndex=1)
    assert error_code(e) == "IncorrectInstanceState"


def test_launch_with_network_interfaces(ec2):
    vpc_id, (subnet_a, _) = network(ec2, 77)
    sg = ec2.create_security_group(GroupName="n", Description="n", VpcId=vpc_id)["GroupId"]
    existing = ec2.create_network_interface(SubnetId=subnet_a)["NetworkInterface"][
        "NetworkInterfaceId"]
    inst = ec2.run_instances(
        ImageId=AMI, InstanceType="t3.small", MinCount=1, MaxCount=1,
        NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": subnet_a, "Groups": [sg],
                            "PrivateIpAddress": "10.77.1.50", "DeleteOnTermination": False},
                           {"DeviceIndex": 1, "NetworkInterfaceId": existing}])["Instances"][0]
    assert inst["PrivateIpAddress"] == "10.77.1.50"
    assert inst["SecurityGroups"] == [{"GroupId": sg, "GroupName": "n"}]
    nis = inst["NetworkInterfaces"]
    assert [n["Attachment"]["DeviceIndex"] for n in nis] == [0, 1]
    assert nis[1]["NetworkInterfaceId"] == existing
    assert [n["Attachment"]["DeleteOnTermination"] for n in nis] == [False, False]
    with pytest.raises(ClientError) as e:
        ec2.run_instances(ImageId=AMI, InstanceType="t3.small", MinCount=1, MaxCount=1,
                          NetworkInterfaces=[{"DeviceIndex": 0,
                                              "NetworkInterfaceId": existing}])
    assert error_code(e) == "InvalidNetworkInterface.InUse"
    with pytest.raises(ClientError) as e:
        run(ec2, subnet_a, PrivateIpAddress="10.77.1.50")
    assert error_code(e) == "InvalidIPAddress.InUse"
    ec2.terminate_instances(InstanceIds=[inst["InstanceId"]])
    left = ec2.describe_network_interfaces(
        NetworkInterfaceIds=[nis[0]["NetworkInterfaceId"], existing])["NetworkInterfaces"]
    assert [n["Status"] for n in left] == ["available", "available"]


def test_elastic_ip_to_instance(ec2):
    vpc_id, (subnet_a, _) = network(ec2, 78, igw=True)
    ec2.modify_subnet_attribute(SubnetId=subnet_a, MapPublicIpOnLaunch={"Value": True})
    iid = run(ec2, subnet_a)["Instances"][0]["InstanceId"]
    eip = ec2.allocate_address(Domain="vpc")
    assoc = ec2.associate_address(InstanceId=iid, AllocationId=eip["AllocationId"])[
        "AssociationId"]
    assert assoc.startswith("eipassoc-")
    inst = one(ec2, iid)
    assert inst["PublicIpAddress"] == eip["PublicIp"]
    assert inst["NetworkInterfaces"][0]["Association"]["IpOwnerId"] == "000000000000"
    [addr] = ec2.describe_addresses(AllocationIds=[eip["AllocationId"]])["Addresses"]
    assert addr["InstanceId"] == iid
    assert addr["PrivateIpAddress"] == inst["PrivateIpAddress"]
    [addr] = ec2.describe_addresses(Filters=[{"Name": "instance-id", "Values": [iid]}])[
        "Addresses"]
    assert addr["AllocationId"] == eip["AllocationId"]

    # The EIP stays over stop/start.
    wait(ec2, "running", iid)
    ec2.stop_instances(InstanceIds=[iid])
    wait(ec2, "stopped", iid)
    assert one(ec2, iid)["PublicIpAddress"] == eip["PublicIp"]
    ec2.start_instances(InstanceIds=[iid])
    assert one(ec2, iid)["PublicIpAddress"] == eip["PublicIp"]

    # Two interfaces: name one.
    eni = ec2.create_network_interface(SubnetId=subnet_a)["NetworkInterface"][
        "NetworkInterfaceId"]
    ec2.attach_network_interface(InstanceId=iid, NetworkInterfaceId=eni, DeviceIndex=1)
    eip2 = ec2.allocate_address(Domain="vpc")
    with pytest.raises(ClientError) as e:
        ec2.associate_address(InstanceId=iid, AllocationId=eip2["AllocationId"])
    assert error_code(e) == "InvalidInstanceID"
    assert "multiple interfaces attached to instance" in e.value.response["Error"]["Message"]
    for bad, code in (("i-12345678", "InvalidInstanceID.NotFound"),
                      ("i-zz", "InvalidInstanceID.Malformed")):
        with pytest.raises(ClientError) as e:
            ec2.associate_address(InstanceId=bad, AllocationId=eip2["AllocationId"])
        assert error_code(e) == code

    ec2.terminate_instances(InstanceIds=[iid])
    [addr] = ec2.describe_addresses(AllocationIds=[eip["AllocationId"]])["Addresses"]
    assert "AssociationId" not in addr and "InstanceId" not in addr
    ec2.release_address(AllocationId=eip["AllocationId"])
    ec2.release_address(AllocationId=eip2["AllocationId"])


def test_route_to_instance(ec2):
    vpc_id, (subnet_a, _) = network(ec2, 79)
    rtb = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    inst = run(ec2, subnet_a)["Instances"][0]
    iid = inst["InstanceId"]
    eni = inst["NetworkInterfaces"][0]["NetworkInterfaceId"]
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", InstanceId=iid)

    def route(dst="0.0.0.0/0"):
        routes = ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]["Routes"]
        return [r for r in routes if r.get("DestinationCidrBlock") == dst][0]

    r = route()
    assert r["InstanceId"] == iid and r["NetworkInterfaceId"] == eni
    assert r["InstanceOwnerId"] == "000000000000"
    assert r["State"] == "active"
    assert ec2.describe_route_tables(Filters=[{"Name": "route.instance-id",
                                               "Values": [iid]}])["RouteTables"][0][
        "RouteTableId"] == rtb
    ec2.stop_instances(InstanceIds=[iid])
    assert route()["State"] == "blackhole"
    wait(ec2, "stopped", iid)
    ec2.start_instances(InstanceIds=[iid])
    assert route()["State"] == "active"

    # An interface route is a blackhole until the interface is on an instance.
    spare = ec2.create_network_interface(SubnetId=subnet_a)["NetworkInterface"][
        "NetworkInterfaceId"]
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="192.0.2.0/24",
                     NetworkInterfaceId=spare)
    assert route("192.0.2.0/24")["State"] == "blackhole"
    ec2.attach_network_interface(InstanceId=iid, NetworkInterfaceId=spare, DeviceIndex=1)
    r = route("192.0.2.0/24")
    assert r["State"] == "active" and r["InstanceId"] == iid
    with pytest.raises(ClientError) as e:
        ec2.replace_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", InstanceId=iid)
    assert error_code(e) == "InvalidInstanceID"
    with pytest.raises(ClientError) as e:
        ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="198.51.100.0/24",
                         InstanceId="i-12345678")
    assert error_code(e) == "InvalidInstanceID.NotFound"

    ec2.terminate_instances(InstanceIds=[iid])
    assert route()["State"] == "blackhole"


def test_persistence(vpcd, ec2):
    _, (subnet_id, _) = network(ec2, 80)
    ec2.modify_subnet_attribute(SubnetId=subnet_id, MapPublicIpOnLaunch={"Value": True})
    a, b, c = [i["InstanceId"] for i in run(ec2, subnet_id, MinCount=3, MaxCount=3,
                                            UserData=base64.b64encode(b"x").decode(),
                                            KeyName="k1")["Instances"]]
    wait(ec2, "running", a, b, c)
    ec2.stop_instances(InstanceIds=[b])
    ec2.terminate_instances(InstanceIds=[c])
    before = {i: one(ec2, i) for i in (a, b, c)}
    vpcd.restart()
    ec2 = vpcd.client()
    wait(ec2, "stopped", b)
    wait(ec2, "terminated", c)
    after = {i: one(ec2, i) for i in (a, b, c)}
    assert after[a]["State"]["Name"] == "running"
    assert after[a]["PublicIpAddress"] == before[a]["PublicIpAddress"]
    assert after[a]["NetworkInterfaces"] == before[a]["NetworkInterfaces"]
    assert after[a]["LaunchTime"] == before[a]["LaunchTime"]
    assert after[a]["KeyName"] == "k1"
    assert after[b]["State"]["Name"] == "stopped" and "PublicIpAddress" not in after[b]
    assert after[b]["PrivateIpAddress"] == before[b]["PrivateIpAddress"]
    assert after[c]["State"]["Name"] == "terminated"
    assert free_count(ec2, subnet_id) == 251 - 2
    # The stopped one starts again after the restart.
    ec2.start_instances(InstanceIds=[b])
    wait(ec2, "running", b)
    ec2.terminate_instances(InstanceIds=[a, b])


def test_cli(aws, ec2):
    vpc_id, (subnet_id, _) = network(ec2, 81)
    sg = ec2.create_security_group(GroupName="cli", Description="c", VpcId=vpc_id)["GroupId"]
    out = aws("run-instances", "--image-id", AMI, "--instance-type", "t3.micro",
              "--subnet-id", subnet_id, "--security-group-ids", sg, "--count", "2",
              "--tag-specifications", "ResourceType=instance,Tags=[{Key=Name,Value=cli}]")
    ids = [i["InstanceId"] for i in out["Instances"]]
    assert len(ids) == 2 and out["Instances"][0]["State"]["Name"] == "pending"
    out = aws("describe-instances", "--filters", f"Name=vpc-id,Values={vpc_id}",
              "--query", "Reservations[].Instances[].[InstanceId,Tags[0].Value]")
    assert sorted(out) == sorted([i, "cli"] for i in ids)
    with pytest.raises(AwsCliError) as e:
        aws("start-instances", "--instance-ids", "i-0123456789abcdef0")
    assert e.value.code == "InvalidInstanceID.NotFound"
    out = aws("terminate-instances", "--instance-ids", *ids)
    assert {c["CurrentState"]["Name"] for c in out["TerminatingInstances"]} == \
        {"shutting-down"}


def test_client_token(ec2):
    _, (subnet_id, _) = network(ec2, 82)
    first = run(ec2, subnet_id, ClientToken="tok-1")
    again = run(ec2, subnet_id, ClientToken="tok-1")
    assert again["Instances"][0]["InstanceId"] == first["Instances"][0]["InstanceId"]
    assert free_count(ec2, subnet_id) == 250
