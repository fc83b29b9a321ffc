"""Route tables, routes and associations against a real vpcd, through boto3
and the aws CLI (vpc-semantics.md section 7).

    vpc 10.0.0.0/16 ── igw (attached)          other vpc 10.1.0.0/16
      ├─ subnet a 10.0.1.0/24  (eni, private NAT gateway)   └─ subnet 10.1.1.0/24 (eni)
      └─ subnet b 10.0.2.0/24
"""
import pytest

from conftest import AwsCliError, ClientError, error_code

NO_SUCH = "0123456789abcdef0"


class Net:
    """One VPC with two subnets and an attached internet gateway."""

    def __init__(self, ec2, cidr="10.0.0.0/16"):
        self.ec2 = ec2
        self.vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
        base = cidr.split(".")
        prefix = f"{base[0]}.{base[1]}"
        self.subnet_a = ec2.create_subnet(VpcId=self.vpc, CidrBlock=f"{prefix}.1.0/24")["Subnet"]["SubnetId"]
        self.subnet_b = ec2.create_subnet(VpcId=self.vpc, CidrBlock=f"{prefix}.2.0/24")["Subnet"]["SubnetId"]
        self.igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=self.igw, VpcId=self.vpc)
        self.cidr = cidr

    def table(self, **kw):
        return self.ec2.create_route_table(VpcId=self.vpc, **kw)["RouteTable"]["RouteTableId"]

    def main(self):
        f = [{"Name": "vpc-id", "Values": [self.vpc]}, {"Name": "association.main", "Values": ["true"]}]
        tables = self.ec2.describe_route_tables(Filters=f)["RouteTables"]
        assert len(tables) == 1
        return tables[0]

    def eni(self, subnet=None):
        return self.ec2.create_network_interface(SubnetId=subnet or self.subnet_a)[
            "NetworkInterface"]["NetworkInterfaceId"]


def describe(ec2, rtb):
    return ec2.describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]


def route(ec2, rtb, dst):
    routes = [r for r in describe(ec2, rtb)["Routes"]
              if r.get("DestinationCidrBlock", r.get("DestinationIpv6CidrBlock")) == dst]
    return routes[0] if routes else None


def refused(code, fn, **kw):
    with pytest.raises(ClientError) as e:
        fn(**kw)
    assert error_code(e) == code, e.value.response["Error"]
    return e.value.response["Error"]["Message"]


def test_create_describe_delete_route_table(ec2):
    net = Net(ec2)
    made = ec2.create_route_table(VpcId=net.vpc, TagSpecifications=[
        {"ResourceType": "route-table", "Tags": [{"Key": "Name", "Value": "public"}]}])["RouteTable"]
    rtb = made["RouteTableId"]
    assert rtb.startswith("rtb-") and len(rtb) == 21
    assert made["VpcId"] == net.vpc and made["OwnerId"] == "000000000000"
    assert made["Routes"] == [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local",
                               "Origin": "CreateRouteTable", "State": "active"}]
    assert made["Associations"] == [] and made.get("PropagatingVgws", []) == []
    assert made["Tags"] == [{"Key": "Name", "Value": "public"}]
    got = describe(ec2, rtb)
    assert got["RouteTableId"] == rtb and got["Tags"] == made["Tags"] and got["Routes"] == made["Routes"]
    ec2.delete_route_table(RouteTableId=rtb)
    refused("InvalidRouteTableID.NotFound", ec2.describe_route_tables, RouteTableIds=[rtb])
    msg = refused("InvalidRouteTableID.NotFound", ec2.delete_route_table, RouteTableId=rtb)
    assert rtb in msg
    refused("InvalidRouteTableID.Malformed", ec2.delete_route_table, RouteTableId="rtb-nope")
    refused("InvalidVpcID.NotFound", ec2.create_route_table, VpcId="vpc-" + NO_SUCH)
    refused("InvalidParameterValue", ec2.create_route_table, VpcId=net.vpc, TagSpecifications=[
        {"ResourceType": "vpc", "Tags": [{"Key": "a", "Value": "b"}]}])


def test_main_table_can_never_be_deleted(ec2, aws):
    net = Net(ec2)
    main = net.main()
    assert main["Associations"][0]["Main"] is True
    assert main["Associations"][0]["AssociationState"] == {"State": "associated"}
    assert "SubnetId" not in main["Associations"][0]
    with pytest.raises(AwsCliError) as e:
        aws("delete-route-table", "--route-table-id", main["RouteTableId"])
    assert e.value.code == "DependencyViolation"
    assert main["RouteTableId"] in e.value.message


def test_create_route_to_internet_gateway_and_state(ec2):
    net = Net(ec2)
    rtb = net.table()
    assert ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0",
                            GatewayId=net.igw)["Return"] is True
    assert route(ec2, rtb, "0.0.0.0/0") == {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": net.igw,
                                           "Origin": "CreateRoute", "State": "active"}
    # Canonical form, like every CIDR AWS stores.
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="203.0.113.77/24", GatewayId=net.igw)
    assert route(ec2, rtb, "203.0.113.0/24")["GatewayId"] == net.igw
    # State follows the gateway: detached -> blackhole, the route stays.
    ec2.detach_internet_gateway(InternetGatewayId=net.igw, VpcId=net.vpc)
    assert route(ec2, rtb, "0.0.0.0/0")["State"] == "blackhole"
    f = [{"Name": "vpc-id", "Values": [net.vpc]}, {"Name": "route.state", "Values": ["blackhole"]}]
    assert [t["RouteTableId"] for t in ec2.describe_route_tables(Filters=f)["RouteTables"]] == [rtb]
    refused("InvalidParameterValue", ec2.create_route, RouteTableId=rtb,
            DestinationCidrBlock="198.51.100.0/24", GatewayId=net.igw)
    ec2.attach_internet_gateway(InternetGatewayId=net.igw, VpcId=net.vpc)
    assert route(ec2, rtb, "0.0.0.0/0")["State"] == "active"
    assert not ec2.describe_route_tables(Filters=f)["RouteTables"]


def test_create_route_errors(ec2):
    net = Net(ec2)
    other = Net(ec2, "10.1.0.0/16")
    rtb = net.table()
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=net.igw)
    msg = refused("RouteAlreadyExists", ec2.create_route, RouteTableId=rtb,
                  DestinationCidrBlock="0.0.0.0/0", GatewayId=net.igw)
    assert msg == "The route identified by 0.0.0.0/0 already exists."
    dst = {"RouteTableId": rtb, "DestinationCidrBlock": "192.0.2.0/24"}
    msg = refused("InvalidGatewayID.NotFound", ec2.create_route, GatewayId="igw-" + NO_SUCH, **dst)
    assert "igw-" + NO_SUCH in msg
    refused("InvalidGatewayID.NotFound", ec2.create_route, GatewayId="vgw-" + NO_SUCH, **dst)
    refused("InvalidParameterValue", ec2.create_route, GatewayId=other.igw, **dst)
    refused("NatGatewayNotFound", ec2.create_route, NatGatewayId="nat-" + NO_SUCH, **dst)
    refused("InvalidNetworkInterfaceID.NotFound", ec2.create_route,
            NetworkInterfaceId="eni-" + NO_SUCH, **dst)
    refused("InvalidNetworkInterfaceID.Malformed", ec2.create_route, NetworkInterfaceId="eni-x", **dst)
    refused("InvalidParameterValue", ec2.create_route, NetworkInterfaceId=other.eni(), **dst)
    refused("InvalidInstanceID.NotFound", ec2.create_route, InstanceId="i-" + NO_SUCH, **dst)
    refused("InvalidInstanceID.Malformed", ec2.create_route, InstanceId="i-zz", **dst)
    refused("InvalidVpcPeeringConnectionID.NotFound", ec2.create_route,
            VpcPeeringConnectionId="pcx-" + NO_SUCH, **dst)
    refused("InvalidTransitGatewayID.NotFound", ec2.create_route, TransitGatewayId="tgw-" + NO_SUCH,
            **dst)
    refused("InvalidVpcEndpointId.NotFound", ec2.create_route, VpcEndpointId="vpce-" + NO_SUCH, **dst)
    refused("InvalidGatewayID.NotFound", ec2.create_route,
            EgressOnlyInternetGatewayId="eigw-" + NO_SUCH, **dst)
    # Exactly one target, exactly one destination.
    refused("MissingParameter", ec2.create_route, **dst)
    refused("InvalidParameterCombination", ec2.create_route, GatewayId=net.igw,
            NetworkInterfaceId=net.eni(), **dst)
    refused("MissingParameter", ec2.create_route, RouteTableId=rtb, GatewayId=net.igw)
    refused("InvalidParameterCombination", ec2.create_route, RouteTableId=rtb, GatewayId=net.igw,
            DestinationCidrBlock="192.0.2.0/24", DestinationIpv6CidrBlock="2001:db8::/32")
    msg = refused("InvalidParameterValue", ec2.create_route, RouteTableId=rtb, GatewayId=net.igw,
                  DestinationPrefixListId="pl-63a5400a")
    assert "not supported" in msg
    for bad in ("banana", "10.0.0.0/33", "10.0.0.256/8"):
        refused("InvalidParameterValue", ec2.create_route, RouteTableId=rtb, GatewayId=net.igw,
                DestinationCidrBlock=bad)
    # Reserved link-local destinations; a superset of them is fine.
    for bad in ("169.254.168.0/22", "169.254.169.254/32"):
        refused("InvalidParameterValue", ec2.create_route, RouteTableId=rtb, GatewayId=net.igw,
                DestinationCidrBlock=bad)
    ec2.create_route(RouteTableId=rtb, GatewayId=net.igw, DestinationCidrBlock="169.254.0.0/16")
    # The VPC block is the local route's; more specific routes only to a whole
    # subnet through a middlebox.
    refused("InvalidParameterValue", ec2.create_route, RouteTableId=rtb, GatewayId=net.igw,
            DestinationCidrBlock="10.0.0.0/16")
    refused("InvalidParameterValue", ec2.create_route, RouteTableId=rtb, GatewayId=net.igw,
            DestinationCidrBlock="10.0.1.0/24")
    eni = net.eni()
    refused("InvalidParameterValue", ec2.create_route, RouteTableId=rtb, NetworkInterfaceId=eni,
            DestinationCidrBlock="10.0.3.0/24")
    ec2.create_route(RouteTableId=rtb, NetworkInterfaceId=eni, DestinationCidrBlock="10.0.2.0/24")
    ec2.create_route(RouteTableId=rtb, GatewayId=net.igw, DestinationCidrBlock="10.0.0.0/8")
    refused("InvalidRouteTableID.NotFound", ec2.create_route, RouteTableId="rtb-" + NO_SUCH,
            GatewayId=net.igw, DestinationCidrBlock="192.0.2.0/24")
    # Nothing refused left a trace.
    dsts = sorted(r["DestinationCidrBlock"] for r in describe(ec2, rtb)["Routes"])
    assert dsts == ["0.0.0.0/0", "10.0.0.0/16", "10.0.0.0/8", "10.0.2.0/24", "169.254.0.0/16"]


def test_ipv6_routes(ec2):
    net = Net(ec2)
    rtb = net.table()
    ec2.create_route(RouteTableId=rtb, DestinationIpv6CidrBlock="::/0", GatewayId=net.igw)
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=net.igw)
    assert route(ec2, rtb, "::/0") == {"DestinationIpv6CidrBlock": "::/0", "GatewayId": net.igw,
                                      "Origin": "CreateRoute", "State": "active"}
    refused("RouteAlreadyExists", ec2.create_route, RouteTableId=rtb,
            DestinationIpv6CidrBlock="::/0", GatewayId=net.igw)
    refused("InvalidParameterValue", ec2.create_route, RouteTableId=rtb,
            DestinationIpv6CidrBlock="fd00:ec2::254/128", GatewayId=net.igw)
    f = [{"Name": "route.destination-ipv6-cidr-block", "Values": ["::/0"]},
         {"Name": "vpc-id", "Values": [net.vpc]}]
    assert [t["RouteTableId"] for t in ec2.describe_route_tables(Filters=f)["RouteTables"]] == [rtb]
    ec2.delete_route(RouteTableId=rtb, DestinationIpv6CidrBlock="::/0")
    assert route(ec2, rtb, "::/0") is None and route(ec2, rtb, "0.0.0.0/0")


def test_nat_gateway_and_interface_targets(ec2):
    net = Net(ec2)
    other = Net(ec2, "10.1.0.0/16")
    rtb = net.table()
    nat = ec2.create_nat_gateway(SubnetId=net.subnet_a, ConnectivityType="private")[
        "NatGateway"]["NatGatewayId"]
    other_nat = ec2.create_nat_gateway(SubnetId=other.subnet_a, ConnectivityType="private")[
        "NatGateway"]["NatGatewayId"]
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    assert route(ec2, rtb, "0.0.0.0/0") == {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": nat,
                                           "Origin": "CreateRoute", "State": "active"}
    # EC2 takes a NAT gateway given as GatewayId and shows it as a NAT target.
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="192.0.2.0/24", GatewayId=nat)
    assert route(ec2, rtb, "192.0.2.0/24")["NatGatewayId"] == nat
    assert "GatewayId" not in route(ec2, rtb, "192.0.2.0/24")
    refused("InvalidParameterValue", ec2.create_route, RouteTableId=rtb,
            DestinationCidrBlock="198.51.100.0/24", NatGatewayId=other_nat)
    # A middlebox between subnets: the subnet CIDR through a NAT gateway.
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="10.0.2.0/24", NatGatewayId=nat)
    # A detached interface is a blackhole target; the route is kept.
    eni = net.eni()
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="172.16.0.0/12", NetworkInterfaceId=eni)
    assert route(ec2, rtb, "172.16.0.0/12") == {
        "DestinationCidrBlock": "172.16.0.0/12", "NetworkInterfaceId": eni,
        "Origin": "CreateRoute", "State": "blackhole"}
    ec2.delete_network_interface(NetworkInterfaceId=eni)
    assert route(ec2, rtb, "172.16.0.0/12")["State"] == "blackhole"
    f = [{"Name": "vpc-id", "Values": [net.vpc]}]
    by = lambda name, value: [t["RouteTableId"] for t in ec2.describe_route_tables(
        Filters=f + [{"Name": name, "Values": [value]}])["RouteTables"]]
    assert by("route.nat-gateway-id", nat) == [rtb]
    assert by("route.network-interface-id", eni) == [rtb]
    # Deleting the NAT gateway blackholes its routes; new ones are refused.
    ec2.delete_nat_gateway(NatGatewayId=nat)
    assert route(ec2, rtb, "0.0.0.0/0")["State"] == "blackhole"
    assert route(ec2, rtb, "10.0.2.0/24")["State"] == "blackhole"
    refused("NatGatewayNotFound", ec2.create_route, RouteTableId=rtb,
            DestinationCidrBlock="198.51.100.0/24", NatGatewayId=nat)


def test_replace_and_delete_routes_with_the_cli(ec2, aws):
    net = Net(ec2)
    rtb = net.table()
    nat = ec2.create_nat_gateway(SubnetId=net.subnet_a, ConnectivityType="private")[
        "NatGateway"]["NatGatewayId"]
    aws("create-route", "--route-table-id", rtb, "--destination-cidr-block", "0.0.0.0/0",
        "--gateway-id", net.igw)
    aws("replace-route", "--route-table-id", rtb, "--destination-cidr-block", "0.0.0.0/0",
        "--nat-gateway-id", nat)
    got = aws("describe-route-tables", "--route-table-ids", rtb)["RouteTables"][0]["Routes"]
    assert {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": nat, "Origin": "CreateRoute",
            "State": "active"} in got
    with pytest.raises(AwsCliError) as e:
        aws("replace-route", "--route-table-id", rtb, "--destination-cidr-block", "10.9.0.0/16",
            "--gateway-id", net.igw)
    assert e.value.code == "InvalidRoute.NotFound"
    assert e.value.message.endswith(f"no route with destination-cidr-block 10.9.0.0/16 in route table {rtb}")
    with pytest.raises(AwsCliError) as e:
        aws("delete-route", "--route-table-id", rtb, "--destination-cidr-block", "10.9.0.0/16")
    assert e.value.code == "InvalidRoute.NotFound"
    with pytest.raises(AwsCliError) as e:
        aws("delete-route", "--route-table-id", rtb, "--destination-cidr-block", "10.0.0.0/16")
    assert e.value.code == "InvalidParameterValue"
    assert e.value.message.endswith(f"cannot remove local route 10.0.0.0/16 in route table {rtb}")
    aws("delete-route", "--route-table-id", rtb, "--destination-cidr-block", "0.0.0.0/0")
    got = aws("describe-route-tables", "--route-table-ids", rtb)["RouteTables"][0]["Routes"]
    assert [r["DestinationCidrBlock"] for r in got] == ["10.0.0.0/16"]


def test_local_route_target_replace_and_restore(ec2, aws):
    net = Net(ec2)
    rtb = net.table()
    eni = net.eni()
    refused("InvalidParameterValue", ec2.replace_route, RouteTableId=rtb,
            DestinationCidrBlock="10.0.0.0/16", GatewayId=net.igw)
    ec2.replace_route(RouteTableId=rtb, DestinationCidrBlock="10.0.0.0/16", NetworkInterfaceId=eni)
    local = route(ec2, rtb, "10.0.0.0/16")
    assert local["NetworkInterfaceId"] == eni and local["Origin"] == "CreateRouteTable"
    assert "GatewayId" not in local
    refused("InvalidParameterValue", ec2.delete_route, RouteTableId=rtb,
            DestinationCidrBlock="10.0.0.0/16")
    aws("replace-route", "--route-table-id", rtb, "--destination-cidr-block", "10.0.0.0/16",
        "--local-target")
    assert route(ec2, rtb, "10.0.0.0/16") == {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local",
                                             "Origin": "CreateRouteTable", "State": "active"}
    # LocalTarget only restores the local route.
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=net.igw)
    refused("InvalidParameterValue", ec2.replace_route, RouteTableId=rtb,
            DestinationCidrBlock="0.0.0.0/0", LocalTarget=True)
    refused("InvalidParameterCombination", ec2.replace_route, RouteTableId=rtb,
            DestinationCidrBlock="10.0.0.0/16", LocalTarget=True, NetworkInterfaceId=eni)


def test_subnet_associations(ec2):
    net = Net(ec2)
    other = Net(ec2, "10.1.0.0/16")
    rtb = net.table()
    main = net.main()["RouteTableId"]
    out = ec2.associate_route_table(RouteTableId=rtb, SubnetId=net.subnet_a)
    assoc = out["AssociationId"]
    assert assoc.startswith("rtbassoc-")
    assert out["AssociationState"] == {"State": "associated"}
    assert describe(ec2, rtb)["Associations"] == [{
        "Main": False, "RouteTableAssociationId": assoc, "RouteTableId": rtb,
        "SubnetId": net.subnet_a, "AssociationState": {"State": "associated"}}]
    msg = refused("Resource.AlreadyAssociated", ec2.associate_route_table, RouteTableId=main,
                  SubnetId=net.subnet_a)
    assert main in msg
    refused("InvalidParameterValue", ec2.associate_route_table, RouteTableId=rtb,
            SubnetId=other.subnet_a)
    refused("InvalidSubnetID.NotFound", ec2.associate_route_table, RouteTableId=rtb,
            SubnetId="subnet-" + NO_SUCH)
    refused("MissingParameter", ec2.associate_route_table, RouteTableId=rtb)
    refused("InvalidParameterCombination", ec2.associate_route_table, RouteTableId=rtb,
            SubnetId=net.subnet_b, GatewayId=net.igw)
    refused("DependencyViolation", ec2.delete_route_table, RouteTableId=rtb)
    # ReplaceRouteTableAssociation moves the subnet under a new association id.
    rtb2 = net.table()
    out = ec2.replace_route_table_association(AssociationId=assoc, RouteTableId=rtb2)
    new = out["NewAssociationId"]
    assert new != assoc and out["AssociationState"] == {"State": "associated"}
    assert describe(ec2, rtb)["Associations"] == []
    assert describe(ec2, rtb2)["Associations"][0]["SubnetId"] == net.subnet_a
    refused("InvalidAssociationID.NotFound", ec2.disassociate_route_table, AssociationId=assoc)
    refused("InvalidParameterValue", ec2.replace_route_table_association, AssociationId=new,
            RouteTableId=other.main()["RouteTableId"])
    # Disassociating returns the subnet to the main table.
    ec2.disassociate_route_table(AssociationId=new)
    assert describe(ec2, rtb2)["Associations"] == []
    f = [{"Name": "association.subnet-id", "Values": [net.subnet_a]}]
    assert ec2.describe_route_tables(Filters=f)["RouteTables"] == []
    ec2.delete_route_table(RouteTableId=rtb)
    ec2.delete_route_table(RouteTableId=rtb2)
    # Deleting a subnet drops its association.
    rtb3 = net.table()
    ec2.associate_route_table(RouteTableId=rtb3, SubnetId=net.subnet_b)
    ec2.delete_subnet(SubnetId=net.subnet_b)
    assert describe(ec2, rtb3)["Associations"] == []


def test_main_association_replacement_with_the_cli(ec2, aws):
    net = Net(ec2)
    old_main = net.main()
    main_assoc = old_main["Associations"][0]["RouteTableAssociationId"]
    with pytest.raises(AwsCliError) as e:
        aws("disassociate-route-table", "--association-id", main_assoc)
    assert e.value.code == "InvalidParameterValue"
    assert e.value.message.endswith(
        f"cannot disassociate the main route table association {main_assoc}")
    rtb = aws("create-route-table", "--vpc-id", net.vpc)["RouteTable"]["RouteTableId"]
    out = aws("replace-route-table-association", "--association-id", main_assoc,
              "--route-table-id", rtb)
    assert out["NewAssociationId"].startswith("rtbassoc-") and out["NewAssociationId"] != main_assoc
    assert out["AssociationState"]["State"] == "associated"
    assert net.main()["RouteTableId"] == rtb
    assert net.main()["Associations"] == [{
        "Main": True, "RouteTableAssociationId": out["NewAssociationId"], "RouteTableId": rtb,
        "AssociationState": {"State": "associated"}}]
    aws("delete-route-table", "--route-table-id", old_main["RouteTableId"])
    with pytest.raises(AwsCliError) as e:
        aws("delete-route-table", "--route-table-id", rtb)
    assert e.value.code == "DependencyViolation"
    assoc = aws("associate-route-table", "--route-table-id", rtb, "--subnet-id", net.subnet_a)
    assert assoc["AssociationState"]["State"] == "associated"
    aws("disassociate-route-table", "--association-id", assoc["AssociationId"])


def test_gateway_edge_association(ec2):
    net = Net(ec2)
    other = Net(ec2, "10.1.0.0/16")
    edge = net.table()
    # Not a gateway of this VPC, not a gateway at all, the main table.
    refused("InvalidParameterValue", ec2.associate_route_table, RouteTableId=edge, GatewayId=other.igw)
    refused("InvalidGatewayID.NotFound", ec2.associate_route_table, RouteTableId=edge,
            GatewayId="igw-" + NO_SUCH)
    refused("InvalidParameterValue", ec2.associate_route_table,
            RouteTableId=net.main()["RouteTableId"], GatewayId=net.igw)
    # A table that routes to the internet can't be an edge table.
    ec2.create_route(RouteTableId=edge, DestinationCidrBlock="0.0.0.0/0", GatewayId=net.igw)
    refused("InvalidParameterValue", ec2.associate_route_table, RouteTableId=edge, GatewayId=net.igw)
    ec2.delete_route(RouteTableId=edge, DestinationCidrBlock="0.0.0.0/0")
    out = ec2.associate_route_table(RouteTableId=edge, GatewayId=net.igw)
    assert out["AssociationState"] == {"State": "associated"}
    assert describe(ec2, edge)["Associations"] == [{
        "Main": False, "RouteTableAssociationId": out["AssociationId"], "RouteTableId": edge,
        "GatewayId": net.igw, "AssociationState": {"State": "associated"}}]
    f = [{"Name": "association.gateway-id", "Values": [net.igw]}]
    assert [t["RouteTableId"] for t in ec2.describe_route_tables(Filters=f)["RouteTables"]] == [edge]
    refused("Resource.AlreadyAssociated", ec2.associate_route_table, RouteTableId=net.table(),
            GatewayId=net.igw)
    # While associated: middlebox routes to the VPC or a whole subnet only.
    eni = net.eni()
    refused("InvalidParameterValue", ec2.create_route, RouteTableId=edge,
            DestinationCidrBlock="0.0.0.0/0", GatewayId=net.igw)
    refused("InvalidParameterValue", ec2.create_route, RouteTableId=edge,
            DestinationCidrBlock="0.0.0.0/0", NetworkInterfaceId=eni)
    ec2.create_route(RouteTableId=edge, DestinationCidrBlock="10.0.1.0/24", NetworkInterfaceId=eni)
    ec2.replace_route(RouteTableId=edge, DestinationCidrBlock="10.0.0.0/16", NetworkInterfaceId=eni)
    # The main association never moves to a gateway table.
    main_assoc = net.main()["Associations"][0]["RouteTableAssociationId"]
    refused("InvalidParameterValue", ec2.replace_route_table_association,
            AssociationId=main_assoc, RouteTableId=edge)
    ec2.disassociate_route_table(AssociationId=out["AssociationId"])
    ec2.delete_route_table(RouteTableId=edge)


def test_describe_filters(ec2):
    net = Net(ec2)
    tag = [{"ResourceType": "route-table", "Tags": [{"Key": "tier", "Value": "web"}]}]
    a = net.table(TagSpecifications=tag)
    b = net.table()
    main = net.main()
    ec2.create_route(RouteTableId=a, DestinationCidrBlock="0.0.0.0/0", GatewayId=net.igw)
    assoc = ec2.associate_route_table(RouteTableId=b, SubnetId=net.subnet_b)["AssociationId"]

    def ids(*filters):
        f = [{"Name": "vpc-id", "Values": [net.vpc]}] + [
            {"Name": n, "Values": v if isinstance(v, list) else [v]} for n, v in filters]
        return {t["RouteTableId"] for t in ec2.describe_route_tables(Filters=f)["RouteTables"]}

    everything = {a, b, main["RouteTableId"]}
    assert ids() == everything
    assert ids(("route-table-id", a)) == {a}
    assert ids(("route-table-id", [a, b])) == {a, b}
    assert ids(("owner-id", "000000000000")) == everything
    assert ids(("association.route-table-association-id", assoc)) == {b}
    assert ids(("association.route-table-id", b)) == {b}
    assert ids(("association.subnet-id", net.subnet_b)) == {b}
    assert ids(("association.main", "true")) == {main["RouteTableId"]}
    assert ids(("association.main", "false")) == {b}     # tables without associations don't match
    assert ids(("route.destination-cidr-block", "0.0.0.0/0")) == {a}
    assert ids(("route.destination-cidr-block", "10.0.0.0/16")) == everything
    assert ids(("route.gateway-id", net.igw)) == {a}
    assert ids(("route.gateway-id", "local")) == everything
    assert ids(("route.origin", "CreateRoute")) == {a}
    assert ids(("route.state", "active"), ("route.origin", "CreateRoute")) == {a}
    assert ids(("route.instance-id", "i-" + NO_SUCH)) == set()
    assert ids(("route.vpc-peering-connection-id", "pcx-*")) == set()
    assert ids(("route.transit-gateway-id", "tgw-*")) == set()
    assert ids(("route.egress-only-internet-gateway-id", "eigw-*")) == set()
    assert ids(("tag:tier", "web")) == {a}
    assert ids(("route.destination-cidr-block", "0.0.0.*")) == {a}
    refused("InvalidParameterValue", ec2.describe_route_tables,
            Filters=[{"Name": "route.colour", "Values": ["x"]}])
    refused("InvalidRouteTableID.NotFound", ec2.describe_route_tables,
            RouteTableIds=[a, "rtb-" + NO_SUCH])
    # IDs and filters combine.
    got = ec2.describe_route_tables(RouteTableIds=[a, b], Filters=[
        {"Name": "association.subnet-id", "Values": [net.subnet_b]}])["RouteTables"]
    assert [t["RouteTableId"] for t in got] == [b]


def test_pagination(ec2, aws):
    net = Net(ec2)
    made = [net.main()["RouteTableId"]] + [net.table() for _ in range(6)]
    f = [{"Name": "vpc-id", "Values": [net.vpc]}]
    page = ec2.describe_route_tables(Filters=f, MaxResults=5)
    assert len(page["RouteTables"]) == 5 and page["NextToken"]
    rest = ec2.describe_route_tables(Filters=f, MaxResults=5, NextToken=page["NextToken"])
    assert "NextToken" not in rest
    assert [t["RouteTableId"] for t in page["RouteTables"] + rest["RouteTables"]] == made
    paginator = ec2.get_paginator("describe_route_tables")
    seen = [t["RouteTableId"] for p in paginator.paginate(Filters=f, PaginationConfig={"PageSize": 5})
            for t in p["RouteTables"]]
    assert seen == made
    # The CLI pages by itself.
    out = aws("describe-route-tables", "--filters", f"Name=vpc-id,Values={net.vpc}",
              "--page-size", "5")
    assert [t["RouteTableId"] for t in out["RouteTables"]] == made
    refused("InvalidNextToken", ec2.describe_route_tables, NextToken="garbage")


def test_dry_run(ec2):
    net = Net(ec2)
    f = [{"Name": "vpc-id", "Values": [net.vpc]}]
    before = len(ec2.describe_route_tables(Filters=f)["RouteTables"])
    refused("DryRunOperation", ec2.create_route_table, VpcId=net.vpc, DryRun=True)
    assert len(ec2.describe_route_tables(Filters=f)["RouteTables"]) == before
    rtb = net.table()
    refused("DryRunOperation", ec2.create_route, RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0",
            GatewayId=net.igw, DryRun=True)
    refused("InvalidGatewayID.NotFound", ec2.create_route, RouteTableId=rtb,
            DestinationCidrBlock="0.0.0.0/0", GatewayId="igw-" + NO_SUCH, DryRun=True)
    assert route(ec2, rtb, "0.0.0.0/0") is None
    refused("DryRunOperation", ec2.associate_route_table, RouteTableId=rtb, SubnetId=net.subnet_a,
            DryRun=True)
    assert describe(ec2, rtb)["Associations"] == []
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=net.igw)
    refused("DryRunOperation", ec2.delete_route, RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0",
            DryRun=True)
    refused("DryRunOperation", ec2.replace_route, RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0",
            NetworkInterfaceId=net.eni(), DryRun=True)
    assert route(ec2, rtb, "0.0.0.0/0")["GatewayId"] == net.igw
    main_assoc = net.main()["Associations"][0]["RouteTableAssociationId"]
    refused("DryRunOperation", ec2.replace_route_table_association, AssociationId=main_assoc,
            RouteTableId=rtb, DryRun=True)
    refused("InvalidParameterValue", ec2.disassociate_route_table, AssociationId=main_assoc,
            DryRun=True)
    refused("DryRunOperation", ec2.delete_route_table, RouteTableId=rtb, DryRun=True)
    assert describe(ec2, rtb)["RouteTableId"] == rtb
    assert net.main()["RouteTableId"] != rtb


def test_vpc_keeps_custom_tables_as_dependencies(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.5.0.0/16")["Vpc"]["VpcId"]
    rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    refused("DependencyViolation", ec2.delete_vpc, VpcId=vpc)
    # A new VPC block adds a local route to every table; removing it takes it away.
    assoc = ec2.associate_vpc_cidr_block(VpcId=vpc, CidrBlock="10.6.0.0/16")[
        "CidrBlockAssociation"]["AssociationId"]
    assert route(ec2, rtb, "10.6.0.0/16")["GatewayId"] == "local"
    ec2.disassociate_vpc_cidr_block(AssociationId=assoc)
    assert route(ec2, rtb, "10.6.0.0/16") is None
    ec2.delete_route_table(RouteTableId=rtb)
    ec2.delete_vpc(VpcId=vpc)
    refused("InvalidRouteTableID.NotFound", ec2.describe_route_tables, RouteTableIds=[rtb])


def test_route_limit(ec2):
    net = Net(ec2)
    rtb = net.table()
    # The local route is one of the table's IPv4 routes (limit 1000).
    for i in range(999):
        ec2.create_route(RouteTableId=rtb, DestinationCidrBlock=f"100.{64 + i // 256}.{i % 256}.0/24",
                         GatewayId=net.igw)
    refused("RouteLimitExceeded", ec2.create_route, RouteTableId=rtb,
            DestinationCidrBlock="198.51.100.0/24", GatewayId=net.igw)
    assert len(describe(ec2, rtb)["Routes"]) == 1000


def test_survives_restart(fresh_vpcd):
    d = fresh_vpcd.start()
    ec2 = d.client()
    net = Net(ec2)
    eni = net.eni()
    rtb = net.table(TagSpecifications=[{"ResourceType": "route-table",
                                        "Tags": [{"Key": "Name", "Value": "kept"}]}])
    edge = net.table()
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="0.0.0.0/0", GatewayId=net.igw)
    ec2.create_route(RouteTableId=rtb, DestinationIpv6CidrBlock="::/0", GatewayId=net.igw)
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="10.0.2.0/24", NetworkInterfaceId=eni)
    subnet_assoc = ec2.associate_route_table(RouteTableId=rtb, SubnetId=net.subnet_a)["AssociationId"]
    ec2.replace_route(RouteTableId=edge, DestinationCidrBlock="10.0.0.0/16", NetworkInterfaceId=eni)
    edge_assoc = ec2.associate_route_table(RouteTableId=edge, GatewayId=net.igw)["AssociationId"]
    old_main = net.main()
    main_assoc = ec2.replace_route_table_association(
        AssociationId=old_main["Associations"][0]["RouteTableAssociationId"],
        RouteTableId=rtb)["NewAssociationId"]
    f = [{"Name": "vpc-id", "Values": [net.vpc]}]
    before = sorted(ec2.describe_route_tables(Filters=f)["RouteTables"], key=lambda t: t["RouteTableId"])

    d.restart()
    ec2 = d.client()
    after = sorted(ec2.describe_route_tables(Filters=f)["RouteTables"], key=lambda t: t["RouteTableId"])
    assert after == before
    table = describe(ec2, rtb)
    assert {a["RouteTableAssociationId"] for a in table["Associations"]} == {subnet_assoc, main_assoc}
    assert table["Tags"] == [{"Key": "Name", "Value": "kept"}]
    assert describe(ec2, edge)["Associations"][0]["RouteTableAssociationId"] == edge_assoc
    assert route(ec2, edge, "10.0.0.0/16")["NetworkInterfaceId"] == eni
    assert route(ec2, rtb, "::/0")["GatewayId"] == net.igw
    # State is still computed after the restart.
    ec2.detach_internet_gateway(InternetGatewayId=net.igw, VpcId=net.vpc)
    assert route(ec2, rtb, "0.0.0.0/0")["State"] == "blackhole"
    # The rules still hold after the restart.
    refused("RouteAlreadyExists", ec2.create_route, RouteTableId=rtb,
            DestinationCidrBlock="10.0.2.0/24", NetworkInterfaceId=eni)
    refused("DependencyViolation", ec2.delete_route_table, RouteTableId=rtb)
    ec2.delete_route_table(RouteTableId=old_main["RouteTableId"])
