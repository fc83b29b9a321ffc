"""Real packets between instances (network namespaces named by instance id)
through vpcd's user-space pipeline, checked with ping and nc.

    vpc 10.0.0.0/16 ── igw                     vpcd-internet (192.0.2.10 on lo)
      ├─ a 10.0.1.0/24: web (public IP)              ▲
      └─ b 10.0.2.0/24: app                          │ 198.18.0.0/15 via vpcd0
"""
import os
import subprocess
import tempfile
import time

import pytest

from netns import in_ns, ns_names, ping, sh, wait_for
from conftest import Vpcd


@pytest.fixture(scope="module")
def dp():
    with tempfile.TemporaryDirectory(prefix="vpcd-dp-") as tmp:
        d = Vpcd(tmp, dataplane=True).start()
        made = set()
        d.made = made
        yield d
        code = d.stop()
        # vpcd removes what it made when it stops; make sure even if it died.
        left = ns_names() & (made | {"vpcd-internet"})
        for ns in left:
            sh("ip", "netns", "delete", ns)
        assert not left, f"vpcd left namespaces behind: {left}"
        assert code == 0, d.log()


@pytest.fixture(scope="module")
def net(dp):
    ec2 = dp.client()
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    a = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    b = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24")["Subnet"]["SubnetId"]
    sg = ec2.create_security_group(VpcId=vpc, GroupName="pingable", Description="icmp in")["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}])
    closed = ec2.create_security_group(VpcId=vpc, GroupName="closed", Description="nothing in")["GroupId"]
    return {"ec2": ec2, "vpc": vpc, "a": a, "b": b, "sg": sg, "closed": closed}


def run(dp, net, subnet, groups, **kw):
    inst = net["ec2"].run_instances(ImageId="ami-0abcdef1234567890", InstanceType="t3.micro",
                                    MinCount=1, MaxCount=1, SubnetId=subnet,
                                    SecurityGroupIds=groups, **kw)["Instances"][0]
    dp.made.add(inst["InstanceId"])
    assert wait_for(lambda: inst["InstanceId"] in ns_names()), dp.log()
    return inst


def test_instance_namespace_looks_like_aws(dp, net):
    inst = run(dp, net, net["a"], [net["sg"]])
    ns = inst["InstanceId"]
    eni = inst["NetworkInterfaces"][0]
    assert wait_for(lambda: "10.0.1." in in_ns(ns, "ip", "-o", "addr", "show", "dev", "eth0").stdout)
    link = in_ns(ns, "ip", "link", "show", "dev", "eth0").stdout
    assert eni["MacAddress"] in link and "mtu 9001" in link
    assert f"{inst['PrivateIpAddress']}/24" in in_ns(ns, "ip", "-o", "addr", "show", "dev", "eth0").stdout
    assert "default via 10.0.1.1 dev eth0" in in_ns(ns, "ip", "route").stdout
    assert "nameserver 10.0.0.2" in in_ns(ns, "cat", "/etc/resolv.conf").stdout


def test_ping_across_subnets_follows_security_groups(dp, net):
    a = run(dp, net, net["a"], [net["sg"]])
    b = run(dp, net, net["b"], [net["sg"]])
    shut = run(dp, net, net["b"], [net["closed"]])
    assert wait_for(lambda: ping(a["InstanceId"], b["PrivateIpAddress"])), dp.log()
    assert ping(b["InstanceId"], a["PrivateIpAddress"])
    # No inbound rule on 'closed': echo requests never reach it...
    assert not ping(a["InstanceId"], shut["PrivateIpAddress"], count=2)
    # ...but its own outbound ping is answered: the reply is tracked traffic.
    assert ping(shut["InstanceId"], a["PrivateIpAddress"])


def test_tcp_between_instances(dp, net):
    server = run(dp, net, net["b"], [net["sg"]])
    client = run(dp, net, net["a"], [net["sg"]])
    srv = subprocess.Popen(["ip", "netns", "exec", server["InstanceId"], "nc", "-l", "-p", "8080"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        time.sleep(0.3)
        out = sh("ip", "netns", "exec", client["InstanceId"], "sh", "-c",
                 f"echo hello-vpc | nc -w 2 -N {server['PrivateIpAddress']} 8080")
        assert out.returncode == 0, out.stderr
        assert srv.communicate(timeout=10)[0].strip() == "hello-vpc"
    finally:
        srv.kill()
        srv.wait(timeout=10)


def tcp_intact(src_ns, dst_ns, dst_addr, port, mbytes=16):
    with tempfile.NamedTemporaryFile(prefix="vpcd-bulk-") as f:
        f.write(os.urandom(mbytes << 20))
        f.flush()
        want = subprocess.run(["sha256sum", f.name], capture_output=True, text=True).stdout.split()[0]
        srv = subprocess.Popen(["ip", "netns", "exec", dst_ns, "timeout", "30", "sh", "-c",
                                f"nc -l -p {port} | sha256sum"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            time.sleep(0.3)
            in_ns(src_ns, "timeout", "30", "nc", "-N", "-w", "5", dst_addr, str(port),
                  timeout=40, stdin_path=f.name)
            got = srv.communicate(timeout=40)[0].split()
        finally:
            srv.kill()
            srv.wait(timeout=10)
    return bool(got) and got[0] == want


def test_bulk_tcp_arrives_intact(dp, net):
    a = run(dp, net, net["a"], [net["sg"]])
    b = run(dp, net, net["b"], [net["sg"]])
    assert wait_for(lambda: ping(a["InstanceId"], b["PrivateIpAddress"]))
    assert tcp_intact(a["InstanceId"], b["InstanceId"], b["PrivateIpAddress"], 8080), dp.log()


def test_stop_cuts_and_start_restores(dp, net):
    a = run(dp, net, net["a"], [net["sg"]])
    b = run(dp, net, net["b"], [net["sg"]])
    ec2 = net["ec2"]
    assert wait_for(lambda: ping(a["InstanceId"], b["PrivateIpAddress"]))
    ec2.stop_instances(InstanceIds=[b["InstanceId"]])
    assert wait_for(lambda: "eth0" not in in_ns(b["InstanceId"], "ip", "link").stdout)
    assert not ping(a["InstanceId"], b["PrivateIpAddress"], count=2)
    ec2.start_instances(InstanceIds=[b["InstanceId"]])
    assert wait_for(lambda: ping(a["InstanceId"], b["PrivateIpAddress"]))
    ec2.terminate_instances(InstanceIds=[b["InstanceId"]])
    assert wait_for(lambda: b["InstanceId"] not in ns_names())


def test_user_data_runs_and_console_output(dp, net):
    script = "#!/bin/sh\necho started-$(hostname -I 2>/dev/null | cut -d' ' -f1)\nip -o -4 addr show dev eth0\n"
    inst = run(dp, net, net["a"], [net["sg"]], UserData=script)
    ec2 = net["ec2"]

    def output():
        # botocore decodes the base64 Output for GetConsoleOutput itself.
        return ec2.get_console_output(InstanceId=inst["InstanceId"]).get("Output", "")
    assert wait_for(lambda: "started-" in output()), dp.log()
    assert inst["PrivateIpAddress"] in output()


def test_internet_gateway_both_ways(dp, net):
    ec2 = net["ec2"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=net["vpc"])
    rtb = ec2.create_route_table(VpcId=net["vpc"])["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    public = ec2.create_subnet(VpcId=net["vpc"], CidrBlock="10.0.9.0/24")["Subnet"]["SubnetId"]
    ec2.associate_route_table(RouteTableId=rtb, SubnetId=public)
    web = net["ec2"].run_instances(
        ImageId="ami-0abcdef1234567890", InstanceType="t3.micro", MinCount=1, MaxCount=1,
        NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": public, "Groups": [net["sg"]],
                            "AssociatePublicIpAddress": True}])["Instances"][0]
    dp.made.add(web["InstanceId"])
    private = run(dp, net, public, [net["sg"]])        # no public IP
    assert wait_for(lambda: web["InstanceId"] in ns_names())
    public_ip = web["PublicIpAddress"]
    assert public_ip.startswith("198.1")
    assert sh("ip", "-n", "vpcd-internet", "addr", "add", "192.0.2.10/32", "dev", "lo").returncode == 0
    assert wait_for(lambda: ping(web["InstanceId"], "192.0.2.10")), dp.log()
    assert not ping(private["InstanceId"], "192.0.2.10", count=2)      # no public IP: no way out
    assert ping("vpcd-internet", public_ip)                             # the internet reaches it
    assert not ping("vpcd-internet", private["PrivateIpAddress"], count=2)
    # Bulk TCP through the 1:1 NAT (address rewrites of offloaded frames).
    assert tcp_intact(web["InstanceId"], "vpcd-internet", "192.0.2.10", 9000), dp.log()


def test_instances_come_back_after_restart(dp, net):
    a = run(dp, net, net["a"], [net["sg"]])
    b = run(dp, net, net["b"], [net["sg"]])
    assert wait_for(lambda: ping(a["InstanceId"], b["PrivateIpAddress"]))
    dp.restart()
    assert wait_for(lambda: a["InstanceId"] in ns_names() and b["InstanceId"] in ns_names())
    assert wait_for(lambda: ping(a["InstanceId"], b["PrivateIpAddress"])), dp.log()


def vpcctl():
    return os.environ.get("VPCCTL_BIN", os.path.join(os.path.dirname(os.environ.get(
        "VPCD_BIN", "build/san/vpcd")), "vpcctl"))


def trace(dp, src, dst, proto, port=None):
    args = [vpcctl(), "trace", "--data-dir", dp.data_dir, "--from", src, "--to", dst,
            "--proto", proto] + (["--port", str(port)] if port else [])
    out = sh(*args)
    assert out.returncode in (0, 1), out.stderr
    return out.returncode == 0, out.stdout


def test_trace_agrees_with_real_packets(dp, net):
    a = run(dp, net, net["a"], [net["sg"]])
    b = run(dp, net, net["b"], [net["sg"]])
    shut = run(dp, net, net["b"], [net["closed"]])
    assert wait_for(lambda: ping(a["InstanceId"], b["PrivateIpAddress"]))

    def real_tcp(src, dst, port):
        srv = subprocess.Popen(["ip", "netns", "exec", dst["InstanceId"], "nc", "-l", "-p", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            time.sleep(0.3)
            sh("ip", "netns", "exec", src["InstanceId"], "sh", "-c",
               f"echo probe | nc -w 1 -N {dst['PrivateIpAddress']} {port}", timeout=10)
            try:
                return srv.communicate(timeout=2)[0].strip() == "probe"
            except subprocess.TimeoutExpired:
                return False
        finally:
            srv.kill()
            srv.wait(timeout=10)

    cases = [
        ("icmp a->b", lambda: ping(a["InstanceId"], b["PrivateIpAddress"]),
         (a["InstanceId"], b["PrivateIpAddress"], "icmp", None)),
        ("icmp a->closed", lambda: ping(a["InstanceId"], shut["PrivateIpAddress"], count=2),
         (a["InstanceId"], shut["PrivateIpAddress"], "icmp", None)),
        ("tcp a->b:8080", lambda: real_tcp(a, b, 8080),
         (a["InstanceId"], b["PrivateIpAddress"], "tcp", 8080)),
        ("tcp a->b:9090", lambda: real_tcp(a, b, 9090),
         (a["InstanceId"], b["PrivateIpAddress"], "tcp", 9090)),
    ]
    for name, real, (src, dst, proto, port) in cases:
        delivered, text = trace(dp, src, dst, proto, port)
        assert delivered == real(), f"{name}: trace says {'deliver' if delivered else 'drop'}:\n{text}"
    # The trace names the stage and the rule that decided.
    delivered, text = trace(dp, a["InstanceId"], shut["PrivateIpAddress"], "icmp")
    assert not delivered and "security-group-ingress" in text and "SG_INGRESS" in text
    delivered, text = trace(dp, a["InstanceId"], b["PrivateIpAddress"], "tcp", 8080)
    assert delivered and "route" in text and "10.0.0.0/16" in text


def test_nat_gateway_out_and_no_way_in(dp, net):
    ec2 = net["ec2"]
    igws = ec2.describe_internet_gateways(
        Filters=[{"Name": "attachment.vpc-id", "Values": [net["vpc"]]}])["InternetGateways"]
    if igws:
        igw = igws[0]["InternetGatewayId"]
    else:
        igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=net["vpc"])
    public = ec2.create_subnet(VpcId=net["vpc"], CidrBlock="10.0.20.0/24")["Subnet"]["SubnetId"]
    private = ec2.create_subnet(VpcId=net["vpc"], CidrBlock="10.0.21.0/24")["Subnet"]["SubnetId"]
    rtb_pub = ec2.create_route_table(VpcId=net["vpc"])["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rtb_pub, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=rtb_pub, SubnetId=public)
    eip = ec2.allocate_address(Domain="vpc")
    nat = ec2.create_nat_gateway(SubnetId=public, AllocationId=eip["AllocationId"])["NatGateway"]["NatGatewayId"]
    ec2.get_waiter("nat_gateway_available").wait(NatGatewayIds=[nat], WaiterConfig={"Delay": 1, "MaxAttempts": 20})
    rtb_priv = ec2.create_route_table(VpcId=net["vpc"])["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rtb_priv, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    ec2.associate_route_table(RouteTableId=rtb_priv, SubnetId=private)
    inside = run(dp, net, private, [net["sg"]])
    sh("ip", "-n", "vpcd-internet", "addr", "replace", "192.0.2.10/32", "dev", "lo")
    assert wait_for(lambda: ping(inside["InstanceId"], "192.0.2.10")), dp.log()
    # The internet sees the NAT gateway's Elastic IP, never the instance.
    cap = subprocess.Popen(["ip", "netns", "exec", "vpcd-internet", "timeout", "4", "nc", "-l", "-u", "-W", "1", "-p", "5353"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        time.sleep(0.3)
        in_ns(inside["InstanceId"], "sh", "-c", "echo via-nat | nc -u -w 1 192.0.2.10 5353")
        try:
            assert cap.communicate(timeout=6)[0].strip() == "via-nat"
        except subprocess.TimeoutExpired:
            raise AssertionError("UDP through the NAT gateway never arrived")
    finally:
        cap.kill()
        cap.wait(timeout=10)
    # Bulk TCP through the NAT gateway (address and port rewrites of offloaded frames).
    assert tcp_intact(inside["InstanceId"], "vpcd-internet", "192.0.2.10", 9001), dp.log()
    # No way in: the EIP answers nothing that was not asked from inside.
    assert not ping("vpcd-internet", eip["PublicIp"], count=2)
    delivered, text = trace(dp, inside["InstanceId"], "192.0.2.10", "udp", 5353)
    assert delivered and "nat-gateway-out" in text


def test_epoll_frame_io_forwards_too():
    """The fallback for kernels without io_uring multishot reads."""
    with tempfile.TemporaryDirectory(prefix="vpcd-epoll-") as tmp:
        d = Vpcd(tmp, dataplane=True, extra_args=["--frame-io", "epoll",
                                                  "--internet-namespace", "vpcd-inet-epoll"]).start()
        made = []
        try:
            ec2 = d.client()
            vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
            a = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
            b = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24")["Subnet"]["SubnetId"]
            sg = ec2.create_security_group(VpcId=vpc, GroupName="all", Description="all")["GroupId"]
            ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
                {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}])
            insts = [ec2.run_instances(ImageId="ami-0abcdef1234567890", InstanceType="t3.micro",
                                       MinCount=1, MaxCount=1, SubnetId=s,
                                       SecurityGroupIds=[sg])["Instances"][0] for s in (a, b)]
            made = [i["InstanceId"] for i in insts]
            assert wait_for(lambda: set(made) <= ns_names()), d.log()
            assert wait_for(lambda: ping(made[0], insts[1]["PrivateIpAddress"])), d.log()
            assert tcp_intact(made[0], made[1], insts[1]["PrivateIpAddress"], 8080, mbytes=4)
            assert "frame I/O: epoll" in d.log()
        finally:
            code = d.stop()
            for ns in ns_names() & (set(made) | {"vpcd-inet-epoll"}):
                sh("ip", "netns", "delete", ns)
        assert code == 0, d.log()


def test_without_root_the_api_still_works():
    """As an unprivileged user vpcd says once that the data plane is off and
    why, and instances still go through their states."""
    tmp = tempfile.TemporaryDirectory(prefix="vpcd-nobody-")
    os.chmod(tmp.name, 0o777)           # the user 'nobody' owns nothing else here
    d = Vpcd(tmp.name, dataplane=True,
             prefix=["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"])
    d.start()
    try:
        ec2 = d.client()
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
        inst = ec2.run_instances(ImageId="ami-0abcdef1234567890", InstanceType="t3.micro",
                                 MinCount=1, MaxCount=1, SubnetId=subnet)["Instances"][0]
        ec2.get_waiter("instance_running").wait(InstanceIds=[inst["InstanceId"]],
                                                WaiterConfig={"Delay": 1, "MaxAttempts": 10})
        assert inst["InstanceId"] not in ns_names()
        log = d.log()
        assert log.count("data plane off") == 1 and "not running as root" in log
    finally:
        code = d.stop()
        tmp.cleanup()
        assert code == 0
