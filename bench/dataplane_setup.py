"""Builds the benchmark VPC in a running vpcd through the EC2 API (boto3),
mirroring the rule load of shared/perf's f2-kernel-nft forwarder as far as
AWS's quotas allow:

  vpc 10.0.0.0/16: subnet a 10.0.1.0/24 (i1 = 10.0.1.10), subnet b 10.0.2.0/24 (i2 = 10.0.2.10)
  network ACLs on both subnets: 38 non-matching entries per direction (AWS's maximum is
      40 per direction, the '*' rule included) then allow-all, so every packet walks them
  security group on both instances: 49 non-matching TCP rules + allow 10.0.0.0/16
  route table of both subnets: 1,000 routes (999 non-matching /24s to the IGW + local)

Prints "i1 i2" (instance ids) on stdout.  Usage: dataplane_setup.py ENDPOINT
"""
import sys
import time

import boto3

ep = sys.argv[1]
ec2 = boto3.client("ec2", endpoint_url=ep, region_name="us-east-1",
                   aws_access_key_id="test", aws_secret_access_key="test")
vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
a = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
b = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24")["Subnet"]["SubnetId"]

acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
for egress in (False, True):
    for i in range(1, 39):
        ec2.create_network_acl_entry(
            NetworkAclId=acl, RuleNumber=i, Egress=egress, Protocol="6", RuleAction="deny",
            CidrBlock=f"172.{16 + i // 250}.{i % 250}.0/24", PortRange={"From": 1000 + i, "To": 1000 + i})
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=1000, Egress=egress, Protocol="-1",
                                 RuleAction="allow", CidrBlock="0.0.0.0/0")
for s in (a, b):
    cur = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [s]}])
    assoc = [x for x in cur["NetworkAcls"][0]["Associations"] if x["SubnetId"] == s][0]
    ec2.replace_network_acl_association(AssociationId=assoc["NetworkAclAssociationId"], NetworkAclId=acl)

sg = ec2.create_security_group(VpcId=vpc, GroupName="bench", Description="bench")["GroupId"]
ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
    {"IpProtocol": "tcp", "FromPort": 4000 + i, "ToPort": 4000 + i,
     "IpRanges": [{"CidrIp": f"192.168.{i}.0/24"}]} for i in range(1, 50)] + [
    {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}])

igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
rtb = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
for i in range(999):
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock=f"100.{64 + i // 250}.{i % 250}.0/24",
                     GatewayId=igw)
for s in (a, b):
    ec2.associate_route_table(RouteTableId=rtb, SubnetId=s)

ids = []
for subnet, ip in ((a, "10.0.1.10"), (b, "10.0.2.10")):
    inst = ec2.run_instances(ImageId="ami-0abcdef1234567890", InstanceType="c5.large",
                             MinCount=1, MaxCount=1, SubnetId=subnet, SecurityGroupIds=[sg],
                             PrivateIpAddress=ip)["Instances"][0]
    ids.append(inst["InstanceId"])
print(" ".join(ids))
