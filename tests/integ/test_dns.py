"""The Amazon-provided DNS resolver in the data plane (vpc-semantics.md section
3): real `dig` queries from instance namespaces, answered by vpcd's pipeline
at the VPC's base + 2 and at 169.254.169.253.

    us-east-1  vpc 10.0.0.0/16, enableDnsHostnames ── igw
                 ├─ a 10.0.1.0/24: client (group "closed": no rule in or out)
                 └─ b 10.0.2.0/24: app; web (public IP)
               vpc 10.0.0.0/16 (same CIDR), DNS hostnames off: other
    eu-west-1  vpc 172.16.0.0/16, enableDnsHostnames: euro

vpcd runs its own internet namespace (vpcd-inet-dns); every namespace it
made is removed at the end even if a test fails.
"""
import os
import re
import shutil
import tempfile

import pytest

from netns import ns_names, sh, wait_for
from conftest import Vpcd

INET_NS = "vpcd-inet-dns"
AMI = "ami-0abcdef1234567890"


def dig(ns, *args):
    """dig in instance namespace 'ns' (its /etc/netns resolv.conf); one try
    of at most 2 s, so a resolver that never answers costs a bounded wait."""
    return sh("ip", "netns", "exec", ns, "dig", "+time=2", "+tries=1", *args, timeout=20)


def short(ns, *args):
    """The answers of `dig +short`, or None when nothing answered."""
    out = dig(ns, "+short", *args)
    return out.stdout.split() if out.returncode == 0 else None


def status(ns, *args):
    """'NOERROR', 'NXDOMAIN', ... from dig's header, the answer count; or
    (None, 0) when nothing answered."""
    out = dig(ns, *args)
    m = re.search(r"status: (\w+)", out.stdout)
    n = re.search(r"ANSWER: (\d+)", out.stdout)
    return (m.group(1), int(n.group(1))) if out.returncode == 0 and m else (None, 0)


@pytest.fixture(scope="module")
def dp():
    tmp = tempfile.mkdtemp(prefix="vpcd-dns-")
    d = Vpcd(tmp, dataplane=True, extra_args=["--internet-namespace", INET_NS])
    d.made = set()
    try:
        d.start()
        yield d
    finally:
        code = d.stop()
        # vpcd removes what it made when it stops; make sure even if it died.
        left = ns_names() & (d.made | {INET_NS})
        for ns in left:
            sh("ip", "netns", "delete", ns)
        for ns in d.made:
            shutil.rmtree(os.path.join("/etc/netns", ns), ignore_errors=True)
        log = d.log()
        shutil.rmtree(tmp, ignore_errors=True)
    assert not left, f"vpcd left namespaces behind: {left}"
    assert code == 0, log


@pytest.fixture(scope="module")
def net(dp):
    ec2 = dp.client()
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    a = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    b = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24")["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    # Resolver traffic bypasses security groups: the client's group admits nothing.
    closed = ec2.create_security_group(VpcId=vpc, GroupName="closed", Description="no rules")["GroupId"]
    ec2.revoke_security_group_egress(GroupId=closed, IpPermissions=[
        {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    client = run(dp, ec2, SubnetId=a, SecurityGroupIds=[closed])
    app = run(dp, ec2, SubnetId=b)
    web = run(dp, ec2, NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": b,
                                           "AssociatePublicIpAddress": True}])
    # The same CIDR in another VPC, hostnames off (the default).
    other_vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    other_subnet = ec2.create_subnet(VpcId=other_vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    other = run(dp, ec2, SubnetId=other_subnet)
    # eu-west-1 names its hosts <region>.compute.internal.
    eu = dp.client(region="eu-west-1")
    eu_vpc = eu.create_vpc(CidrBlock="172.16.0.0/16")["Vpc"]["VpcId"]
    eu.modify_vpc_attribute(VpcId=eu_vpc, EnableDnsHostnames={"Value": True})
    eu_subnet = eu.create_subnet(VpcId=eu_vpc, CidrBlock="172.16.0.0/24")["Subnet"]["SubnetId"]
    euro = run(dp, eu, SubnetId=eu_subnet)

    web = ec2.describe_instances(InstanceIds=[web["InstanceId"]])["Reservations"][0]["Instances"][0]
    net = {"ec2": ec2, "vpc": vpc, "client": client, "app": app, "web": web, "other": other,
           "euro": euro, "other_vpc": other_vpc}
    # Up: the client's namespace answers through its TAP.
    assert wait_for(lambda: short(client["InstanceId"], app["PrivateDnsName"])), dp.log()
    return net


def run(dp, ec2, **kw):
    inst = ec2.run_instances(ImageId=AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1,
                             **kw)["Instances"][0]
    dp.made.add(inst["InstanceId"])
    ns = inst["InstanceId"]
    assert wait_for(lambda: ns in ns_names()), dp.log()
    assert wait_for(lambda: inst["PrivateIpAddress"] in sh(
        "ip", "-n", ns, "-o", "addr", "show", "dev", "eth0").stdout), dp.log()
    return inst


def test_private_name_through_resolv_conf(dp, net):
    client, app = net["client"]["InstanceId"], net["app"]
    assert app["PrivateDnsName"] == "ip-" + app["PrivateIpAddress"].replace(".", "-") + ".ec2.internal"
    assert "nameserver 10.0.0.2" in sh("ip", "netns", "exec", client, "cat", "/etc/resolv.conf").stdout
    assert short(client, app["PrivateDnsName"]) == [app["PrivateIpAddress"]]
    # Its own name, in capitals: case does not matter.
    own = net["client"]
    assert short(client, own["PrivateDnsName"].upper()) == [own["PrivateIpAddress"]]


def test_both_resolver_addresses_and_tcp(dp, net):
    client, app = net["client"]["InstanceId"], net["app"]
    want = [app["PrivateIpAddress"]]
    assert short(client, "@10.0.0.2", app["PrivateDnsName"]) == want
    assert short(client, "@169.254.169.253", app["PrivateDnsName"]) == want
    assert short(client, "+tcp", "@10.0.0.2", app["PrivateDnsName"]) == want
    # Only base + 2 of the primary block is the resolver.
    assert short(client, "@10.0.1.2", app["PrivateDnsName"]) is None


def test_reply_header_like_amazons(dp, net):
    out = dig(net["client"]["InstanceId"], net["app"]["PrivateDnsName"])
    assert out.returncode == 0, out.stdout
    flags = re.search(r"flags: ([a-z ]+);", out.stdout).group(1).split()
    assert sorted(flags) == ["qr", "ra", "rd"]
    assert re.search(r"\s60\s+IN\s+A\s+" + re.escape(net["app"]["PrivateIpAddress"]), out.stdout)


def test_public_name_is_private_inside_public_outside(dp, net):
    web = net["web"]
    name, public, private = web["PublicDnsName"], web["PublicIpAddress"], web["PrivateIpAddress"]
    assert name == "ec2-" + public.replace(".", "-") + ".compute-1.amazonaws.com"
    assert short(net["client"]["InstanceId"], name) == [private]      # split horizon
    assert short(net["other"]["InstanceId"], name) == [public]        # another VPC
    assert short(net["euro"]["InstanceId"], name) == [public]         # another region


def test_negative_answers(dp, net):
    client, app = net["client"]["InstanceId"], net["app"]
    assert status(client, "ip-10-0-9-99.ec2.internal") == ("NXDOMAIN", 0)
    assert status(client, "ec2-198-18-255-254.compute-1.amazonaws.com") == ("NXDOMAIN", 0)
    assert status(client, "AAAA", app["PrivateDnsName"]) == ("NOERROR", 0)
    assert status(client, "MX", app["PrivateDnsName"]) == ("NOERROR", 0)
    # vpcd never reaches the real internet.
    assert status(client, "example.com") == ("SERVFAIL", 0)


def test_region_naming(dp, net):
    euro = net["euro"]
    assert euro["PrivateDnsName"].endswith(".eu-west-1.compute.internal")
    ns = euro["InstanceId"]
    assert "nameserver 172.16.0.2" in sh("ip", "netns", "exec", ns, "cat", "/etc/resolv.conf").stdout
    assert wait_for(lambda: short(ns, euro["PrivateDnsName"]) == [euro["PrivateIpAddress"]]), dp.log()
    # The us-east-1 spelling is not this VPC's domain.
    alt = "ip-" + euro["PrivateIpAddress"].replace(".", "-") + ".ec2.internal"
    assert status(ns, alt) == ("SERVFAIL", 0)


def test_hostnames_off_means_no_names(dp, net):
    other = net["other"]
    # Its VPC has enableDnsHostnames false: the resolver answers, the names don't exist.
    assert wait_for(lambda: status(other["InstanceId"], "example.com")[0] == "SERVFAIL"), dp.log()
    assert status(other["InstanceId"], other["PrivateDnsName"]) == ("NXDOMAIN", 0)
    ec2 = net["ec2"]
    ec2.modify_vpc_attribute(VpcId=net["other_vpc"], EnableDnsHostnames={"Value": True})
    try:
        assert wait_for(lambda: short(other["InstanceId"], other["PrivateDnsName"])
                        == [other["PrivateIpAddress"]])
    finally:
        ec2.modify_vpc_attribute(VpcId=net["other_vpc"], EnableDnsHostnames={"Value": False})


def test_dns_support_off_means_no_answer(dp, net):
    ec2, client, app = net["ec2"], net["client"]["InstanceId"], net["app"]
    ec2.modify_vpc_attribute(VpcId=net["vpc"], EnableDnsSupport={"Value": False})
    try:
        # dig times out (bounded: one try of 2 s) at both addresses.
        assert wait_for(lambda: short(client, app["PrivateDnsName"]) is None)
        assert short(client, "@169.254.169.253", app["PrivateDnsName"]) is None
        out = dig(client, "@10.0.0.2", app["PrivateDnsName"])
        assert out.returncode == 9 and "timed out" in out.stdout
    finally:
        ec2.modify_vpc_attribute(VpcId=net["vpc"], EnableDnsSupport={"Value": True})
    assert wait_for(lambda: short(client, app["PrivateDnsName"]) == [app["PrivateIpAddress"]])
