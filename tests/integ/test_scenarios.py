"""End-to-end VPC scenarios: topologies built through boto3 and the aws CLI,
checked with real programs (ping, nc, curl, python servers, iperf3) inside
the instances' network namespaces and the internet namespace.

One vpcd for the module with its own internet namespace (INET), so it never
meets another data-plane vpcd on this host.  The internet side serves on
192.0.2.10 (and 192.0.2.11, a second internet host) added to INET's lo.

    1 three tiers   10.10.0.0/16  web (public) -> app:8080 -> db:5432 by SG references
    2 IGW           10.20.0.0/16  1:1 NAT both ways, EIP associate/disassociate
    3 NAT gateway   10.30.0.0/16  out with the EIP as source, nothing in
    4 NACL order    10.40.0.0/16  lower rule number wins
    5 NACL state    10.50.0.0/16  replies need the ephemeral range
    6 SG revoke     10.60.0.0/16  tracked flow survives, new ones fail
    7 overlap       10.70.0.0/16 twice, same private IPs
    8 spoofing      10.80.0.0/16  source/dest check on and off
    9 restart       topologies 1 and 3 again after vpcd restarts
"""
import json
import os
import signal
import subprocess
import tempfile
import threading
import time

import pytest

from netns import NS_TIMEOUT, in_ns, ns_names, ping, sh, wait_for
from conftest import Vpcd, run_aws

INET = "vpcd-inet-scn"
INET_HOST = "192.0.2.10"
INET_STRANGER = "192.0.2.11"
AMI = "ami-0abcdef1234567890"
PYTHON = "/usr/bin/python3"

# A TCP server: greets each connection with "TAG peer=IP:PORT", then echoes
# lines until the client closes.  Logs "conn IP PORT" on stdout.
TCP_SERVER = r"""
import socket, sys, threading
host, port, tag = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((host, port))
s.listen(16)
print("listening", flush=True)
def serve(c, a):
    print("conn %s %d" % a, flush=True)
    with c:
        c.sendall(("%s peer=%s:%d\n" % (tag, a[0], a[1])).encode())
        for line in c.makefile("rb"):
            c.sendall(line)
while True:
    c, a = s.accept()
    threading.Thread(target=serve, args=(c, a), daemon=True).start()
"""

# A long-lived TCP client: prints what the server says, sends each stdin line
# and prints the echo.
TCP_CLIENT = r"""
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
s.settimeout(None)
f = s.makefile("rb")
print("greeting " + f.readline().decode().strip(), flush=True)
for line in sys.stdin:
    s.sendall(line.encode())
    print("echo " + f.readline().decode().strip(), flush=True)
"""

# A UDP receiver: logs "got DATA from IP" for every datagram.
UDP_SERVER = r"""
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(sys.argv[1])))
print("listening", flush=True)
while True:
    d, a = s.recvfrom(2048)
    print("got %s from %s" % (d.decode(errors="replace").strip(), a[0]), flush=True)
"""

# The internet side of a UDP exchange through a NAT: for each datagram,
# sends "stranger" to the sender's translated address from another internet
# host, then "reply" from the address the datagram was sent to.
UDP_RESPONDER = r"""
import socket, sys
host, port, stranger = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((host, port))
o = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
o.bind((stranger, 0))
print("listening", flush=True)
while True:
    d, a = s.recvfrom(2048)
    print("got %s from %s:%d" % (d.decode(), a[0], a[1]), flush=True)
    o.sendto(b"stranger", a)
    s.sendto(b"reply", a)
"""

# The inside of that exchange: sends one datagram, prints what comes back
# until "reply" or 3 s of silence.
UDP_ASKER = r"""
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.sendto(b"hello", (sys.argv[1], int(sys.argv[2])))
try:
    while True:
        d, a = s.recvfrom(2048)
        print("%s from %s:%d" % (d.decode(), a[0], a[1]), flush=True)
        if d == b"reply":
            break
except socket.timeout:
    pass
"""


# ---------------------------------------------------------------- helpers


def tcp_get(ns, host, port, src=None, wait=2):
    """Connects, closes its sending side, returns what the server sent ("" on
    failure)."""
    args = ["nc", "-n", "-N", "-w", str(wait)] + (["-s", src] if src else []) + [host, str(port)]
    r = in_ns(ns, *args, timeout=wait + 10)
    return r.stdout if r.returncode == 0 else ""


def tcp_get_until(ns, host, port, needle):
    """tcp_get, retried while the answer lacks 'needle' (the path may still
    be settling); the last answer."""
    out = []
    wait_for(lambda: out.append(tcp_get(ns, host, port)) or needle in out[-1])
    return out[-1]


def tcp_connects(ns, host, port, wait=2):
    return in_ns(ns, "nc", "-n", "-z", "-w", str(wait), host, str(port),
                 timeout=wait + 10).returncode == 0


def curl(ns, url, wait=3):
    r = in_ns(ns, "curl", "-s", "--max-time", str(wait), url, timeout=wait + 10)
    return r.stdout if r.returncode == 0 else ""


def udp_send(ns, host, port, payload, src=None):
    args = ["nc", "-n", "-u", "-w", "0"] + (["-s", src] if src else []) + [host, str(port)]
    in_ns(ns, *args, input=payload + "\n", timeout=10)


class Bg:
    """A background program in a namespace, its output collected; stopped
    (its whole process group) when the `with` block ends."""

    def __init__(self, dp, ns, *argv):
        self.lines = []
        self.proc = subprocess.Popen(["ip", "netns", "exec", ns, *argv], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     bufsize=1, start_new_session=True)
        dp.procs.append(self)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line)

    def text(self):
        return "".join(self.lines)

    def expect(self, what, timeout=NS_TIMEOUT):
        return wait_for(lambda: what in self.text(), timeout)

    def send(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait(timeout=10)
        self.reader.join(timeout=10)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def tcp_server(dp, ns, port, tag, host="0.0.0.0"):
    srv = Bg(dp, ns, PYTHON, "-u", "-c", TCP_SERVER, host, str(port), tag)
    assert srv.expect("listening"), srv.text()
    return srv


def udp_server(dp, ns, port):
    srv = Bg(dp, ns, PYTHON, "-u", "-c", UDP_SERVER, str(port))
    assert srv.expect("listening"), srv.text()
    return srv


def http_server(dp, ns, port, body, tmp):
    root = tempfile.mkdtemp(dir=tmp)
    with open(os.path.join(root, "index.txt"), "w") as f:
        f.write(body + "\n")
    srv = Bg(dp, ns, PYTHON, "-u", "-m", "http.server", str(port), "--bind", "0.0.0.0",
             "--directory", root)
    assert srv.expect("Serving HTTP"), srv.text()
    return srv


def aws(dp, *args):
    return run_aws(dp.endpoint, *args)


def launch(dp, ec2, subnet, groups, public=False, ip=None):
    spec = {"DeviceIndex": 0, "SubnetId": subnet, "Groups": groups}
    if public:
        spec["AssociatePublicIpAddress"] = True
    if ip:
        spec["PrivateIpAddress"] = ip
    inst = ec2.run_instances(ImageId=AMI, InstanceType="t3.micro", MinCount=1, MaxCount=1,
                             NetworkInterfaces=[spec])["Instances"][0]
    dp.made.add(inst["InstanceId"])
    return inst


def ready(dp, *insts):
    """Waits until each instance's namespace has its address on eth0."""
    for inst in insts:
        ns, ip = inst["InstanceId"], inst["PrivateIpAddress"]
        assert wait_for(lambda: ns in ns_names()
                        and f" {ip}/" in in_ns(ns, "ip", "-o", "addr", "show", "dev", "eth0").stdout
                        and "default via" in in_ns(ns, "ip", "route").stdout), \
            f"{ns} never came up:\n{dp.log()}"


def internet_addresses():
    for addr in (INET_HOST, INET_STRANGER):
        r = sh("ip", "-n", INET, "addr", "replace", f"{addr}/32", "dev", "lo")
        assert r.returncode == 0, r.stderr


def vpc_with_igw(ec2, cidr):
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    return vpc, igw


def subnet(ec2, vpc, cidr, route=None):
    """A subnet; with 'route' (route kwargs for 0.0.0.0/0) its own route table."""
    sn = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr)["Subnet"]["SubnetId"]
    if route:
        rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
        ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", **route)
        ec2.associate_route_table(RouteTableId=rtb, SubnetId=sn)
    return sn


def sg(ec2, vpc, name, *perms):
    gid = ec2.create_security_group(VpcId=vpc, GroupName=name, Description=name)["GroupId"]
    if perms:
        ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=list(perms))
    return gid


def tcp_perm(port, cidr=None, group=None, to_port=None):
    p = {"IpProtocol": "tcp", "FromPort": port, "ToPort": to_port or port}
    if cidr:
        p["IpRanges"] = [{"CidrIp": cidr}]
    if group:
        p["UserIdGroupPairs"] = [{"GroupId": group}]
    return p


def udp_perm(port, cidr):
    return {"IpProtocol": "udp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": cidr}]}


def icmp_perm(cidr):
    return {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "IpRanges": [{"CidrIp": cidr}]}


def nacl_association(ec2, subnet_id):
    acls = ec2.describe_network_acls(
        Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}])["NetworkAcls"]
    for a in acls[0]["Associations"]:
        if a["SubnetId"] == subnet_id:
            return a["NetworkAclAssociationId"]
    raise AssertionError(f"no NACL association for {subnet_id}")


# ---------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def dp():
    tmp = tempfile.TemporaryDirectory(prefix="vpcd-scn-")
    d = Vpcd(tmp.name, dataplane=True, extra_args=["--internet-namespace", INET])
    d.made = set()
    d.procs = []
    d.tmp = tmp.name
    left = set()
    code = None
    try:
        d.start()
        assert wait_for(lambda: INET in ns_names()), d.log()
        internet_addresses()
        yield d
    finally:
        for p in d.procs:
            p.stop()
        log = d.log()
        code = d.stop()
        # vpcd removes what it made when it stops; make sure even if it died.
        left = ns_names() & (d.made | {INET})
        for ns in left:
            sh("ip", "netns", "delete", ns)
        tmp.cleanup()
    assert not left, f"vpcd left namespaces behind: {left}"
    assert code == 0, f"vpcd exited {code}:\n{log}"


@pytest.fixture(scope="module")
def three_tier(dp):
    ec2 = dp.client()
    vpc, igw = vpc_with_igw(ec2, "10.10.0.0/16")
    web_sn = subnet(ec2, vpc, "10.10.1.0/24", route={"GatewayId": igw})
    app_sn = subnet(ec2, vpc, "10.10.2.0/24")
    db_sn = subnet(ec2, vpc, "10.10.3.0/24")
    web_sg = sg(ec2, vpc, "web", tcp_perm(80, cidr="0.0.0.0/0"))
    app_sg = sg(ec2, vpc, "app", tcp_perm(8080, group=web_sg))
    db_sg = sg(ec2, vpc, "db")
    # The db rule through the aws CLI: --source-group makes a UserIdGroupPair.
    aws(dp, "authorize-security-group-ingress", "--group-id", db_sg, "--protocol", "tcp",
        "--port", "5432", "--source-group", app_sg)
    perms = ec2.describe_security_groups(GroupIds=[db_sg])["SecurityGroups"][0]["IpPermissions"]
    assert [p["UserIdGroupPairs"][0]["GroupId"] for p in perms] == [app_sg]
    web = launch(dp, ec2, web_sn, [web_sg], public=True)
    app = launch(dp, ec2, app_sn, [app_sg])
    db = launch(dp, ec2, db_sn, [db_sg])
    ready(dp, web, app, db)
    return {"ec2": ec2, "vpc": vpc, "web": web, "app": app, "db": db}


@pytest.fixture(scope="module")
def nat_net(dp):
    ec2 = dp.client()
    vpc, igw = vpc_with_igw(ec2, "10.30.0.0/16")
    public = subnet(ec2, vpc, "10.30.1.0/24", route={"GatewayId": igw})
    eip = ec2.allocate_address(Domain="vpc")
    nat = ec2.create_nat_gateway(SubnetId=public,
                                 AllocationId=eip["AllocationId"])["NatGateway"]["NatGatewayId"]
    ec2.get_waiter("nat_gateway_available").wait(NatGatewayIds=[nat],
                                                 WaiterConfig={"Delay": 1, "MaxAttempts": 20})
    private = subnet(ec2, vpc, "10.30.2.0/24", route={"NatGatewayId": nat})
    # The instance's SG lets anything in on 9000: only the NAT gateway keeps
    # the internet out.
    group = sg(ec2, vpc, "open9000", tcp_perm(9000, cidr="0.0.0.0/0"),
               udp_perm(9000, "0.0.0.0/0"), icmp_perm("0.0.0.0/0"))
    inside = launch(dp, ec2, private, [group])
    ready(dp, inside)
    return {"ec2": ec2, "vpc": vpc, "eip": eip["PublicIp"], "nat": nat, "inside": inside}


def check_nat_udp(dp, net):
    """UDP through the NAT gateway: the internet host sees the Elastic IP and
    its answer comes back; a datagram from another internet host to the same
    translated address and port does not (not a full-cone NAT)."""
    inside = net["inside"]["InstanceId"]
    with Bg(dp, INET, PYTHON, "-u", "-c", UDP_RESPONDER, INET_HOST, "7001", INET_STRANGER) as resp:
        assert resp.expect("listening")
        out = []
        assert wait_for(lambda: out.append(in_ns(inside, PYTHON, "-c", UDP_ASKER, INET_HOST,
                                                 "7001").stdout)
                        or "reply" in out[-1]), resp.text() + dp.log()
        assert f"got hello from {net['eip']}:" in resp.text(), resp.text()
        assert net["inside"]["PrivateIpAddress"] not in resp.text()
        assert f"reply from {INET_HOST}:7001" in out[-1]
        assert "stranger" not in out[-1]


def check_nat_tcp(dp, net):
    """TCP through the NAT gateway: the internet server sees the EIP."""
    inside = net["inside"]["InstanceId"]
    with tcp_server(dp, INET, 7000, "inet", host=INET_HOST):
        out = tcp_get_until(inside, INET_HOST, 7000, "inet")
        assert f"inet peer={net['eip']}:" in out, dp.log()
        assert net["inside"]["PrivateIpAddress"] not in out


def check_three_tier_app_db(dp, net):
    app, db = net["app"], net["db"]
    with tcp_server(dp, db["InstanceId"], 5432, "db"):
        out = tcp_get_until(app["InstanceId"], db["PrivateIpAddress"], 5432, "db peer=")
        assert f"db peer={app['PrivateIpAddress']}:" in out, dp.log()
        # The web tier is not in the app SG: refused by the db SG.
        assert not tcp_connects(net["web"]["InstanceId"], db["PrivateIpAddress"], 5432)


def unreachable_from_internet(vpc_cidr, url):
    """A packet from the internet for a private address (routed at vpcd by
    hand) is delivered nowhere."""
    r = sh("ip", "-n", INET, "route", "replace", vpc_cidr, "via", "198.18.255.254", "dev", "vpcd0",
           "onlink")
    assert r.returncode == 0, r.stderr
    try:
        return curl(INET, url, wait=2) == ""
    finally:
        sh("ip", "-n", INET, "route", "del", vpc_cidr)


# ---------------------------------------------------------------- scenarios

def test_three_tier_security_group_references(dp, three_tier):
    net = three_tier
    web, app, db = net["web"], net["app"], net["db"]
    assert web.get("PublicIpAddress") and not app.get("PublicIpAddress")
    with http_server(dp, app["InstanceId"], 8080, "tier=app", dp.tmp) as app_http, \
            http_server(dp, web["InstanceId"], 80, "tier=web", dp.tmp) as web_http:
        # web -> app:8080: admitted by the app SG's reference to the web SG.
        url = f"http://{app['PrivateIpAddress']}:8080/index.txt"
        assert wait_for(lambda: curl(web["InstanceId"], url) == "tier=app\n"), dp.log()
        assert app_http.expect(web["PrivateIpAddress"])
        # db -> app:8080: the db SG is not referenced by the app SG.
        assert curl(db["InstanceId"], url, wait=2) == ""
        # app -> db:5432 works, web -> db:5432 does not.
        check_three_tier_app_db(dp, net)
        # The internet never reaches the app tier: no public address, and a
        # packet for its private address goes nowhere...
        assert unreachable_from_internet("10.10.0.0/16", url)
        # ...but it reaches web's public IP on 80.
        public_url = f"http://{web['PublicIpAddress']}/index.txt"
        assert wait_for(lambda: curl(INET, public_url) == "tier=web\n"), dp.log()
        assert web_http.expect(INET_HOST)        # the internet's address, untranslated


@pytest.fixture(scope="module")
def igw_net(dp):
    ec2 = dp.client()
    vpc, igw = vpc_with_igw(ec2, "10.20.0.0/16")
    sn = subnet(ec2, vpc, "10.20.1.0/24", route={"GatewayId": igw})
    group = sg(ec2, vpc, "srv8000", tcp_perm(8000, cidr="0.0.0.0/0"), icmp_perm("0.0.0.0/0"))
    pub = launch(dp, ec2, sn, [group], public=True)
    nopub = launch(dp, ec2, sn, [group])
    ready(dp, pub, nopub)
    assert "PublicIpAddress" not in nopub
    return {"ec2": ec2, "pub": pub, "nopub": nopub}


def test_internet_gateway_both_ways(dp, igw_net):
    pub_id, public_ip = igw_net["pub"]["InstanceId"], igw_net["pub"]["PublicIpAddress"]
    nopub_id = igw_net["nopub"]["InstanceId"]
    # ICMP and UDP first: out with the public IP as source, and in.
    assert wait_for(lambda: ping(pub_id, INET_HOST)), dp.log()
    assert ping(INET, public_ip)
    with udp_server(dp, INET, 7002) as inet_udp:
        assert wait_for(lambda: udp_send(pub_id, INET_HOST, 7002, "udp-out")
                        or "got udp-out from" in inet_udp.text())
        assert f"got udp-out from {public_ip}" in inet_udp.text()
        # Without a public IP: no way out.
        assert not ping(nopub_id, INET_HOST, count=2)
        udp_send(nopub_id, INET_HOST, 7002, "udp-nopub")
        udp_send(pub_id, INET_HOST, 7002, "udp-control")
        assert inet_udp.expect("got udp-control")
        assert "udp-nopub" not in inet_udp.text()
    # TCP both ways: each side sees the other's public address.
    with tcp_server(dp, INET, 7000, "inet", host=INET_HOST), tcp_server(dp, pub_id, 8000, "pub"):
        out = tcp_get_until(pub_id, INET_HOST, 7000, "inet")
        assert f"inet peer={public_ip}:" in out, dp.log()
        assert f"pub peer={INET_HOST}:" in tcp_get(INET, public_ip, 8000)
        assert tcp_get(nopub_id, INET_HOST, 7000) == ""


def test_elastic_ip_gives_a_way_out_and_in(dp, igw_net):
    ec2 = igw_net["ec2"]
    nopub_id, pub_id = igw_net["nopub"]["InstanceId"], igw_net["pub"]["InstanceId"]
    eip = ec2.allocate_address(Domain="vpc")
    try:
        # Associated through the aws CLI.
        assoc = aws(dp, "associate-address", "--instance-id", nopub_id,
                    "--allocation-id", eip["AllocationId"])["AssociationId"]
        desc = ec2.describe_instances(InstanceIds=[nopub_id])["Reservations"][0]["Instances"][0]
        assert desc["PublicIpAddress"] == eip["PublicIp"]
        assert wait_for(lambda: ping(nopub_id, INET_HOST)), dp.log()
        assert ping(INET, eip["PublicIp"])
        with tcp_server(dp, INET, 7000, "inet", host=INET_HOST), \
                tcp_server(dp, nopub_id, 8000, "nopub"):
            try:
                out = tcp_get_until(nopub_id, INET_HOST, 7000, "inet")
                assert f"inet peer={eip['PublicIp']}:" in out, dp.log()
                assert f"nopub peer={INET_HOST}:" in tcp_get(INET, eip["PublicIp"], 8000)
            finally:
                aws(dp, "disassociate-address", "--association-id", assoc)
            # Without it, no way in or out again.
            assert wait_for(lambda: not ping(INET, eip["PublicIp"]))
            assert not ping(nopub_id, INET_HOST, count=2)
            assert tcp_get(INET, eip["PublicIp"], 8000) == ""
            assert tcp_get(nopub_id, INET_HOST, 7000) == ""
        assert ping(pub_id, INET_HOST)            # the other instance is untouched
    finally:
        addr = ec2.describe_addresses(AllocationIds=[eip["AllocationId"]])["Addresses"][0]
        if addr.get("AssociationId"):
            ec2.disassociate_address(AssociationId=addr["AssociationId"])
        ec2.release_address(AllocationId=eip["AllocationId"])


def test_nat_gateway_out_with_its_eip_and_nothing_in(dp, nat_net):
    net = nat_net
    inside = net["inside"]["InstanceId"]
    private_ip = net["inside"]["PrivateIpAddress"]
    assert wait_for(lambda: ping(inside, INET_HOST)), dp.log()
    check_nat_udp(dp, net)
    # Nothing from the internet opens a connection to the instance: not
    # through the EIP, not to its private address.
    with tcp_server(dp, inside, 9000, "inside"):
        assert "inside peer=" in tcp_get(inside, "127.0.0.1", 9000)      # it does listen
        assert tcp_get(INET, net["eip"], 9000) == ""
        assert unreachable_from_internet("10.30.0.0/16", f"http://{private_ip}:9000/")
    # A NAT gateway does not answer ping.
    assert not ping(INET, net["eip"], count=2)
    # TCP out; a web server on the internet logs the EIP.
    check_nat_tcp(dp, net)
    with http_server(dp, INET, 8088, "from-the-internet", dp.tmp) as web:
        assert curl(inside, f"http://{INET_HOST}:8088/index.txt") == "from-the-internet\n"
        assert web.expect(net["eip"])
        assert private_ip not in web.text()


def two_subnets(ec2, cidr16):
    base = cidr16.split(".")
    vpc = ec2.create_vpc(CidrBlock=cidr16)["Vpc"]["VpcId"]
    a = subnet(ec2, vpc, f"{base[0]}.{base[1]}.1.0/24")
    b = subnet(ec2, vpc, f"{base[0]}.{base[1]}.2.0/24")
    return vpc, a, b


def test_nacl_lower_rule_number_wins(dp):
    ec2 = dp.client()
    vpc, a, b = two_subnets(ec2, "10.40.0.0/16")
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    for egress in (False, True):
        ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="-1",
                                     RuleAction="allow", Egress=egress, CidrBlock="0.0.0.0/0")
    ec2.replace_network_acl_association(AssociationId=nacl_association(ec2, b), NetworkAclId=acl)
    server_sg = sg(ec2, vpc, "web8080", tcp_perm(8080, cidr="10.40.0.0/16"))
    client = launch(dp, ec2, a, [server_sg])
    server = launch(dp, ec2, b, [server_sg])
    ready(dp, client, server)
    url = f"http://{server['PrivateIpAddress']}:8080/index.txt"
    cid = client["InstanceId"]

    def entry(verb, number, action):
        args = [verb, "--network-acl-id", acl, "--ingress", "--rule-number", str(number)]
        if verb != "delete-network-acl-entry":
            args += ["--protocol", "6", "--port-range", "From=8080,To=8080",
                     "--cidr-block", "10.40.1.0/24", "--rule-action", action]
        aws(dp, *args)

    with http_server(dp, server["InstanceId"], 8080, "nacl", dp.tmp):
        assert wait_for(lambda: curl(cid, url) == "nacl\n"), dp.log()
        entry("create-network-acl-entry", 150, "deny")       # behind the allow: no effect
        assert curl(cid, url) == "nacl\n"
        entry("create-network-acl-entry", 50, "deny")        # ahead of it: blocks
        assert wait_for(lambda: curl(cid, url, wait=1) == "")
        entry("replace-network-acl-entry", 50, "allow")
        assert wait_for(lambda: curl(cid, url) == "nacl\n")
        entry("replace-network-acl-entry", 50, "deny")
        assert wait_for(lambda: curl(cid, url, wait=1) == "")
        entry("delete-network-acl-entry", 50, None)
        assert wait_for(lambda: curl(cid, url) == "nacl\n")
        numbers = sorted(e["RuleNumber"] for e in ec2.describe_network_acls(
            NetworkAclIds=[acl])["NetworkAcls"][0]["Entries"] if not e["Egress"])
        assert numbers == [100, 150, 32767]


def test_nacl_is_stateless_replies_need_ephemeral_ports(dp):
    ec2 = dp.client()
    vpc, a, b = two_subnets(ec2, "10.50.0.0/16")
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="6",
                                 RuleAction="allow", Egress=False, CidrBlock="0.0.0.0/0",
                                 PortRange={"From": 8080, "To": 8080})
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="-1",
                                 RuleAction="allow", Egress=True, CidrBlock="0.0.0.0/0")
    for s in (a, b):
        ec2.replace_network_acl_association(AssociationId=nacl_association(ec2, s),
                                            NetworkAclId=acl)
    server_sg = sg(ec2, vpc, "web8080", tcp_perm(8080, cidr="10.50.0.0/16"))
    client = launch(dp, ec2, a, [server_sg])
    server = launch(dp, ec2, b, [server_sg])
    ready(dp, client, server)
    url = f"http://{server['PrivateIpAddress']}:8080/index.txt"
    cid = client["InstanceId"]
    with http_server(dp, server["InstanceId"], 8080, "stateless", dp.tmp) as srv:
        # The SYN passes (8080 in), the SYN-ACK to the client's ephemeral
        # port does not: the connection never opens.
        assert curl(cid, url, wait=3) == ""
        assert "GET /index.txt" not in srv.text()
        ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=110, Protocol="6",
                                     RuleAction="allow", Egress=False, CidrBlock="0.0.0.0/0",
                                     PortRange={"From": 1024, "To": 65535})
        assert wait_for(lambda: curl(cid, url) == "stateless\n"), dp.log()
        assert srv.expect(client["PrivateIpAddress"])


def test_revoke_keeps_tracked_flow_but_stops_new_ones(dp):
    ec2 = dp.client()
    vpc, a, b = two_subnets(ec2, "10.60.0.0/16")
    # A narrow rule (one port, one /24): the flow it admits is tracked.
    group = ec2.create_security_group(VpcId=vpc, GroupName="echo", Description="echo")["GroupId"]
    rule = ec2.authorize_security_group_ingress(
        GroupId=group, IpPermissions=[tcp_perm(7000, cidr="10.60.1.0/24")])
    rule_id = rule["SecurityGroupRules"][0]["SecurityGroupRuleId"]
    client = launch(dp, ec2, a, [group])
    server = launch(dp, ec2, b, [group])
    ready(dp, client, server)
    cid, sip = client["InstanceId"], server["PrivateIpAddress"]
    with tcp_server(dp, server["InstanceId"], 7000, "echo"):
        assert wait_for(lambda: "echo peer=" in tcp_get(cid, sip, 7000)), dp.log()
        with Bg(dp, cid, PYTHON, "-u", "-c", TCP_CLIENT, sip, "7000") as session:
            assert session.expect("greeting echo peer="), session.text()
            session.send("before-revoke")
            assert session.expect("echo before-revoke"), session.text()
            ec2.revoke_security_group_ingress(GroupId=group, SecurityGroupRuleIds=[rule_id])
            assert ec2.describe_security_groups(
                GroupIds=[group])["SecurityGroups"][0]["IpPermissions"] == []
            # New connections fail...
            assert wait_for(lambda: not tcp_connects(cid, sip, 7000, wait=1))
            assert not tcp_connects(cid, sip, 7000)
            # ...the established one goes on, both ways.
            session.send("after-revoke")
            assert session.expect("echo after-revoke"), session.text() + dp.log()
            assert session.proc.poll() is None


def test_overlapping_vpcs_never_meet(dp):
    ec2 = dp.client()
    nets = []
    for name in ("left", "right"):
        vpc = ec2.create_vpc(CidrBlock="10.70.0.0/16")["Vpc"]["VpcId"]
        sn = subnet(ec2, vpc, "10.70.1.0/24")
        group = sg(ec2, vpc, "mesh", icmp_perm("10.70.0.0/16"), tcp_perm(7000, cidr="10.70.0.0/16"),
                   tcp_perm(5201, cidr="10.70.0.0/16"))
        x = launch(dp, ec2, sn, [group], ip="10.70.1.10")
        y = launch(dp, ec2, sn, [group], ip="10.70.1.20")
        assert (x["PrivateIpAddress"], y["PrivateIpAddress"]) == ("10.70.1.10", "10.70.1.20")
        nets.append({"name": name, "vpc": vpc, "x": x, "y": y})
    ready(dp, *[n[k] for n in nets for k in ("x", "y")])
    left, right = nets
    with tcp_server(dp, left["y"]["InstanceId"], 7000, left["y"]["InstanceId"]) as ls, \
            tcp_server(dp, right["y"]["InstanceId"], 7000, right["y"]["InstanceId"]) as rs:
        for n in nets:
            xid = n["x"]["InstanceId"]
            assert wait_for(lambda: ping(xid, "10.70.1.20")), dp.log()
            # The neighbour that answers is the one in the same VPC.
            out = tcp_get(xid, "10.70.1.20", 7000)
            assert out.startswith(f"{n['y']['InstanceId']} peer=10.70.1.10:"), out
        assert ls.text().count("conn ") == 1 and rs.text().count("conn ") == 1

        # iperf3 smoke (1 s) inside one VPC: data moves.
        with Bg(dp, left["y"]["InstanceId"], "iperf3", "-s", "-1", "-p", "5201",
                "--forceflush") as iperf:
            assert iperf.expect("Server listening"), iperf.text()
            r = in_ns(left["x"]["InstanceId"], "iperf3", "-c", "10.70.1.20", "-p", "5201",
                      "-t", "1", "-J", "--connect-timeout", "3000", timeout=30)
            assert r.returncode == 0, r.stdout[-2000:] + r.stderr
            end = json.loads(r.stdout)["end"]
            assert end["sum_sent"]["bytes"] > 0 and end["sum_received"]["bytes"] > 0

        # With the left neighbour stopped, 10.70.1.20 is gone for the left
        # VPC even though the right VPC has a listening 10.70.1.20.
        ec2.stop_instances(InstanceIds=[left["y"]["InstanceId"]])
        assert wait_for(lambda: "eth0" not in in_ns(left["y"]["InstanceId"], "ip", "link").stdout)
        assert tcp_get(left["x"]["InstanceId"], "10.70.1.20", 7000) == ""
        assert not ping(left["x"]["InstanceId"], "10.70.1.20", count=2)
        assert rs.text().count("conn ") == 1
        assert right["y"]["InstanceId"] in tcp_get(right["x"]["InstanceId"], "10.70.1.20", 7000)


def test_spoofed_sources_and_source_dest_check(dp):
    ec2 = dp.client()
    vpc, a, b = two_subnets(ec2, "10.80.0.0/16")
    s_sg = sg(ec2, vpc, "router", udp_perm(7001, "10.80.0.0/16"))
    r_sg = sg(ec2, vpc, "receiver", udp_perm(7000, "0.0.0.0/0"), icmp_perm("0.0.0.0/0"))
    sender = launch(dp, ec2, a, [s_sg])
    receiver = launch(dp, ec2, b, [r_sg])
    eni = sender["NetworkInterfaces"][0]["NetworkInterfaceId"]
    # The receiver's subnet routes 172.31.99.0/24 to the sender's ENI (a
    # router appliance).
    rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="172.31.99.0/24",
                     NetworkInterfaceId=eni)
    ec2.associate_route_table(RouteTableId=rtb, SubnetId=b)
    ready(dp, sender, receiver)
    sid, rid = sender["InstanceId"], receiver["InstanceId"]
    sip, rip = sender["PrivateIpAddress"], receiver["PrivateIpAddress"]
    spoof, routed = "10.80.1.200", "172.31.99.5"
    for addr in (spoof, routed):
        r = in_ns(sid, "ip", "addr", "add", f"{addr}/32", "dev", "eth0")
        assert r.returncode == 0, r.stderr

    def arrives(srv, from_ns, to, port, tag, src=None):
        """Sends 'tag' (from 'src'), then a control datagram from the real
        address: once the control is in, 'tag' would be too."""
        udp_send(from_ns, to, port, tag, src=src)
        control = f"control-{tag}"
        assert wait_for(lambda: udp_send(from_ns, to if to != routed else sip, port, control)
                        or control in srv.text()), srv.text() + dp.log()
        return f"got {tag} from" in srv.text()

    with udp_server(dp, rid, 7000) as at_receiver, udp_server(dp, sid, 7001) as at_sender:
        # Source/dest check on (the default): the spoofed source is dropped
        # on the way out, traffic routed to the ENI for an address that is
        # not its own is dropped on the way in.
        assert not arrives(at_receiver, sid, rip, 7000, "spoof-1", src=spoof)
        assert f"got control-spoof-1 from {sip}" in at_receiver.text()
        assert not ping(sid, rip, count=2, src=spoof)
        assert not arrives(at_sender, rid, routed, 7001, "routed-1")

        # Disabled (aws CLI): both pass, as for a NAT instance or firewall.
        aws(dp, "modify-network-interface-attribute", "--network-interface-id", eni,
            "--no-source-dest-check")
        assert ec2.describe_network_interfaces(
            NetworkInterfaceIds=[eni])["NetworkInterfaces"][0]["SourceDestCheck"] is False
        assert wait_for(lambda: udp_send(sid, rip, 7000, "spoof-2", src=spoof)
                        or f"got spoof-2 from {spoof}" in at_receiver.text()), \
            at_receiver.text() + dp.log()
        assert wait_for(lambda: udp_send(rid, routed, 7001, "routed-2")
                        or f"got routed-2 from {rip}" in at_sender.text()), \
            at_sender.text() + dp.log()
        # The reply to an address no interface owns goes nowhere.
        assert not ping(sid, rip, count=2, src=spoof)

        # Enabled again: dropped again.
        ec2.modify_network_interface_attribute(NetworkInterfaceId=eni,
                                               SourceDestCheck={"Value": True})
        assert wait_for(lambda: not arrives(at_receiver, sid, rip, 7000,
                                            f"spoof-3-{time.monotonic_ns()}", src=spoof))


def test_restart_with_traffic_and_nat_gateway(dp, three_tier, nat_net):
    web = three_tier["web"]
    before = three_tier["ec2"].describe_instances(
        InstanceIds=[web["InstanceId"]])["Reservations"][0]["Instances"][0]["PublicIpAddress"]
    dp.restart()
    # vpcd made the internet namespace anew.
    assert wait_for(lambda: INET in ns_names()), dp.log()
    internet_addresses()
    ready(dp, three_tier["web"], three_tier["app"], three_tier["db"], nat_net["inside"])
    after = three_tier["ec2"].describe_instances(
        InstanceIds=[web["InstanceId"]])["Reservations"][0]["Instances"][0]["PublicIpAddress"]
    assert after == before
    # SG references, the NAT gateway (UDP, still no way in), then TCP to and
    # from the internet: all as before.
    check_three_tier_app_db(dp, three_tier)
    check_nat_udp(dp, nat_net)
    assert tcp_get(INET, nat_net["eip"], 9000) == ""
    check_nat_tcp(dp, nat_net)
    with http_server(dp, web["InstanceId"], 80, "tier=web", dp.tmp):
        assert wait_for(lambda: curl(INET, f"http://{before}/index.txt") == "tier=web\n"), dp.log()
