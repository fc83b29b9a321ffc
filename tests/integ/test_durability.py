"""State survives restarts and kill -9: an acknowledged change is never lost,
nothing half-done appears, ids never repeat."""
import threading
import time

import pytest

from conftest import ClientError, error_code


def test_state_survives_restart(fresh_vpcd):
    d = fresh_vpcd.start()
    ec2 = d.client()
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=[
        {"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "keep"}]}])["Vpc"]
    ec2.modify_vpc_attribute(VpcId=vpc["VpcId"], EnableDnsHostnames={"Value": True})
    before = ec2.describe_vpcs()["Vpcs"]
    d.restart()
    ec2 = d.client()
    after = ec2.describe_vpcs()["Vpcs"]
    assert after == before
    assert ec2.describe_vpc_attribute(VpcId=vpc["VpcId"], Attribute="enableDnsHostnames")[
        "EnableDnsHostnames"]["Value"] is True
    # The default VPC is made once, not again on restart.
    assert len([v for v in after if v["IsDefault"]]) == 1


def test_deleted_default_vpc_stays_deleted(fresh_vpcd):
    d = fresh_vpcd.start()
    ec2 = d.client()
    default = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]
    # Take it apart as a user would: subnets, the gateway, then the VPC.
    for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [default["VpcId"]]}])["Subnets"]:
        ec2.delete_subnet(SubnetId=s["SubnetId"])
    for g in ec2.describe_internet_gateways(
            Filters=[{"Name": "attachment.vpc-id", "Values": [default["VpcId"]]}])["InternetGateways"]:
        ec2.detach_internet_gateway(InternetGatewayId=g["InternetGatewayId"], VpcId=default["VpcId"])
        ec2.delete_internet_gateway(InternetGatewayId=g["InternetGatewayId"])
    ec2.delete_vpc(VpcId=default["VpcId"])
    d.restart()
    ec2 = d.client()
    assert not ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    made = ec2.create_default_vpc()["Vpc"]
    assert made["IsDefault"] and made["CidrBlock"] == "172.31.0.0/16"


def test_kill9_during_creates_loses_nothing_acknowledged(fresh_vpcd):
    d = fresh_vpcd.start()
    acked = []
    errors = []
    stop = threading.Event()

    def writer(n):
        ec2 = d.client()
        i = 0
        while not stop.is_set() and i < 400:
            try:
                v = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]
                acked.append(v["VpcId"])
            except Exception as e:  # the kill cuts requests in flight
                errors.append(e)
                return
            i += 1

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    d.kill9()
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert acked, "no create was acknowledged before the kill"
    d.start()
    ec2 = d.client()
    stored = {v["VpcId"]: v for v in ec2.describe_vpcs()["Vpcs"]}
    missing = [v for v in acked if v not in stored]
    assert not missing, f"{len(missing)} acknowledged VPCs lost"
    # Nothing half-done: every stored VPC has its main route table, default ACL and group.
    rtbs = ec2.describe_route_tables()["RouteTables"]
    acls = ec2.describe_network_acls()["NetworkAcls"]
    sgs = ec2.describe_security_groups()["SecurityGroups"]
    for vpc_id in stored:
        assert sum(1 for r in rtbs if r["VpcId"] == vpc_id) == 1
        assert sum(1 for a in acls if a["VpcId"] == vpc_id and a["IsDefault"]) == 1
        assert sum(1 for g in sgs if g["VpcId"] == vpc_id and g["GroupName"] == "default") == 1
    # Ids never repeat after the restart.
    new = {ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"] for _ in range(20)}
    assert not new & set(stored)


def test_sigterm_shuts_down_cleanly(fresh_vpcd):
    d = fresh_vpcd.start()
    d.client().describe_vpcs()
    assert d.stop() == 0


def test_vpcctl_status_counts_stored_resources(fresh_vpcd):
    import os
    import subprocess
    d = fresh_vpcd.start()
    ec2 = d.client()
    for i in range(3):
        ec2.create_vpc(CidrBlock=f"10.{i}.0.0/16")
    d.stop()
    vpcctl = os.environ.get("VPCCTL_BIN", os.path.join(os.path.dirname(os.environ.get(
        "VPCD_BIN", "build/san/vpcd")), "vpcctl"))
    out = subprocess.run([vpcctl, "status", "--data-dir", d.data_dir], capture_output=True,
                         text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    header = lines[0].split()
    row = dict(zip(header, lines[1].split()))
    assert row["account"] == "000000000000" and row["region"] == "us-east-1"
    assert row["vpc"] == "4"          # three made here and the default VPC
    assert row["rtb"] == "4" and row["acl"] == "4" and row["sg"] == "4"


def test_failed_commit_answers_internal_error_and_keeps_state(fresh_vpcd):
    """A commit the disk refuses: the client gets InternalError, the model goes
    back to what is stored, and vpcd keeps serving (then stores again)."""
    import os
    import subprocess
    d = fresh_vpcd.start()
    ec2 = d.client()
    kept = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    wal = os.path.join(d.data_dir, "vpcd.sqlite3-wal")
    subprocess.run(["chattr", "+i", wal], check=True, timeout=10)   # even root can't write
    try:
        with pytest.raises(ClientError) as e:
            ec2.create_vpc(CidrBlock="10.1.0.0/16")
        assert error_code(e) == "InternalError"
        assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
        cidrs = {v["CidrBlock"] for v in ec2.describe_vpcs()["Vpcs"]}
        assert "10.1.0.0/16" not in cidrs and "10.0.0.0/16" in cidrs
    finally:
        subprocess.run(["chattr", "-i", wal], check=True, timeout=10)
    again = ec2.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]
    d.restart()
    ids = {v["VpcId"] for v in d.client().describe_vpcs()["Vpcs"]}
    assert {kept, again} <= ids
