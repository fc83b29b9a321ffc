"""DescribeAvailabilityZones, DescribeRegions and DescribeAccountAttributes
against a real vpcd, in several regions, through boto3 and the aws CLI."""
import tempfile

import pytest

from conftest import ClientError, AwsCliError, Vpcd, error_code


def zone(name, zone_id, region):
    return {"State": "available", "OptInStatus": "opt-in-not-required", "Messages": [],
            "RegionName": region, "ZoneName": name, "ZoneId": zone_id, "GroupName": region,
            "NetworkBorderGroup": region, "ZoneType": "availability-zone"}


def test_zones_us_east_1(ec2):
    zones = ec2.describe_availability_zones()["AvailabilityZones"]
    assert [z["ZoneName"] for z in zones] == [f"us-east-1{c}" for c in "abcdef"]
    assert zones[0] == zone("us-east-1a", "use1-az1", "us-east-1")
    ids = [z["ZoneId"] for z in zones]
    assert sorted(ids) == [f"use1-az{i}" for i in range(1, 7)]


@pytest.mark.parametrize("region, expected", [
    ("eu-west-1", [("eu-west-1a", "euw1-az1"), ("eu-west-1b", "euw1-az2"),
                   ("eu-west-1c", "euw1-az3")]),
    # AWS retired ap-northeast-1b: new accounts see a, c and d.
    ("ap-northeast-1", [("ap-northeast-1a", "apne1-az4"), ("ap-northeast-1c", "apne1-az1"),
                        ("ap-northeast-1d", "apne1-az2")]),
    ("ap-northeast-3", [("ap-northeast-3a", "apne3-az3"), ("ap-northeast-3b", "apne3-az1"),
                        ("ap-northeast-3c", "apne3-az2")]),
    ("ca-central-1", [("ca-central-1a", "cac1-az1"), ("ca-central-1b", "cac1-az2"),
                      ("ca-central-1d", "cac1-az4")]),
    ("us-west-2", [("us-west-2a", "usw2-az1"), ("us-west-2b", "usw2-az2"),
                   ("us-west-2c", "usw2-az3"), ("us-west-2d", "usw2-az4")]),
])
def test_zones_per_region(vpcd, region, expected):
    zones = vpcd.client(region).describe_availability_zones()["AvailabilityZones"]
    assert zones == [zone(name, zid, region) for name, zid in expected]


def test_default_subnets_use_the_zones(vpcd):
    ec2 = vpcd.client("eu-west-1")
    names = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]]
    subnets = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])
    assert sorted(s["AvailabilityZone"] for s in subnets["Subnets"]) == names


def test_zone_names_and_ids(ec2):
    got = ec2.describe_availability_zones(ZoneNames=["us-east-1c", "us-east-1a"])
    assert [z["ZoneName"] for z in got["AvailabilityZones"]] == ["us-east-1a", "us-east-1c"]
    got = ec2.describe_availability_zones(ZoneIds=["use1-az4"])["AvailabilityZones"]
    assert [z["ZoneName"] for z in got] == ["us-east-1c"]
    got = ec2.describe_availability_zones(ZoneNames=["us-east-1a"], ZoneIds=["use1-az2"])
    assert [z["ZoneName"] for z in got["AvailabilityZones"]] == ["us-east-1a", "us-east-1b"]
    for kw in [{"ZoneNames": ["us-east-1z"]}, {"ZoneNames": ["eu-west-1a"]},
               {"ZoneNames": ["use1-az1"]}, {"ZoneIds": ["euw1-az1"]}]:
        with pytest.raises(ClientError) as e:
            ec2.describe_availability_zones(**kw)
        assert error_code(e) == "InvalidParameterValue", kw
    with pytest.raises(ClientError) as e:
        ec2.describe_availability_zones(ZoneNames=["us-east-1a", "us-east-1z"])
    assert e.value.response["Error"]["Message"] == "Invalid availability zone: [us-east-1z]"


def test_zone_filters(ec2):
    def names(filters, **kw):
        zones = ec2.describe_availability_zones(Filters=filters, **kw)["AvailabilityZones"]
        return [z["ZoneName"] for z in zones]

    everything = [f"us-east-1{c}" for c in "abcdef"]
    assert names([{"Name": "zone-name", "Values": ["us-east-1b", "*-1f"]}]) == \
        ["us-east-1b", "us-east-1f"]
    assert names([{"Name": "zone-id", "Values": ["use1-az6"]}]) == ["us-east-1d"]
    for name, value in [("state", "available"), ("region-name", "us-east-1"),
                        ("group-name", "us-east-1"), ("zone-type", "availability-zone"),
                        ("opt-in-status", "opt-in-not-required"),
                        ("network-border-group", "us-east-1")]:
        assert names([{"Name": name, "Values": [value]}]) == everything, name
    assert names([{"Name": "state", "Values": ["impaired"]}]) == []
    assert names([{"Name": "zone-type", "Values": ["local-zone"]}]) == []
    assert names([{"Name": "region-name", "Values": ["eu-west-1"]}]) == []
    # Filters AND, also with zone names.
    assert names([{"Name": "zone-name", "Values": ["us-east-1?"]},
                  {"Name": "zone-id", "Values": ["use1-az1", "use1-az2"]}],
                 ZoneNames=["us-east-1b", "us-east-1c"]) == ["us-east-1b"]
    assert names([], AllAvailabilityZones=True) == everything
    for bad in ["availability-zone", "tag:Name", "zone_name"]:
        with pytest.raises(ClientError) as e:
            names([{"Name": bad, "Values": ["x"]}])
        assert error_code(e) == "InvalidParameterValue", bad


def test_zones_cli(aws):
    out = aws("describe-availability-zones", region="eu-central-1")
    assert [(z["ZoneName"], z["ZoneId"]) for z in out["AvailabilityZones"]] == \
        [("eu-central-1a", "euc1-az2"), ("eu-central-1b", "euc1-az3"),
         ("eu-central-1c", "euc1-az1")]
    out = aws("describe-availability-zones", "--filters", "Name=zone-name,Values=ap-southeast-2b",
              region="ap-southeast-2")
    assert [z["ZoneId"] for z in out["AvailabilityZones"]] == ["apse2-az2"]
    with pytest.raises(AwsCliError) as e:
        aws("describe-availability-zones", "--zone-names", "us-east-1q")
    assert e.value.code == "InvalidParameterValue"


def test_zones_dry_run(ec2):
    with pytest.raises(ClientError) as e:
        ec2.describe_availability_zones(DryRun=True)
    assert error_code(e) == "DryRunOperation"


def test_regions(vpcd):
    for client_region in ["us-east-1", "eu-west-1", "ap-northeast-1"]:
        regions = vpcd.client(client_region).describe_regions()["Regions"]
        names = [r["RegionName"] for r in regions]
        assert names == sorted(names)
        for must in ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1",
                     "eu-central-1", "ap-northeast-1", "ap-southeast-2", "sa-east-1",
                     "ca-central-1", "af-south-1", "me-south-1"]:
            assert must in names
        for r in regions:
            assert r["Endpoint"] == f"ec2.{r['RegionName']}.amazonaws.com"
            assert r["OptInStatus"] in ("opt-in-not-required", "opted-in")
        by_name = {r["RegionName"]: r["OptInStatus"] for r in regions}
        assert by_name["us-east-1"] == "opt-in-not-required"
        assert by_name["af-south-1"] == "opted-in"
        # Every region listed is one vpcd serves.
        for name in names[:3] + names[-3:]:
            vpcd.client(name).describe_availability_zones()


def test_region_names_and_filters(ec2):
    got = ec2.describe_regions(RegionNames=["eu-west-1", "us-east-1"])["Regions"]
    assert got == [
        {"Endpoint": "ec2.eu-west-1.amazonaws.com", "RegionName": "eu-west-1",
         "OptInStatus": "opt-in-not-required"},
        {"Endpoint": "ec2.us-east-1.amazonaws.com", "RegionName": "us-east-1",
         "OptInStatus": "opt-in-not-required"},
    ]
    with pytest.raises(ClientError) as e:
        ec2.describe_regions(RegionNames=["us-east-1", "us-middle-1"])
    assert error_code(e) == "InvalidParameterValue"
    assert "us-middle-1" in e.value.response["Error"]["Message"]

    def names(filters, **kw):
        return [r["RegionName"] for r in ec2.describe_regions(Filters=filters, **kw)["Regions"]]

    assert names([{"Name": "region-name", "Values": ["us-*"]}]) == \
        ["us-east-1", "us-east-2", "us-west-1", "us-west-2"]
    assert names([{"Name": "endpoint", "Values": ["ec2.eu-west-?.amazonaws.com"]}]) == \
        ["eu-west-1", "eu-west-2", "eu-west-3"]
    opted = names([{"Name": "opt-in-status", "Values": ["opted-in"]}])
    assert "af-south-1" in opted and "us-east-1" not in opted
    assert names([{"Name": "opt-in-status", "Values": ["not-opted-in"]}]) == []
    assert names([{"Name": "region-name", "Values": ["us-*"]}], AllRegions=True) == \
        ["us-east-1", "us-east-2", "us-west-1", "us-west-2"]
    with pytest.raises(ClientError) as e:
        names([{"Name": "zone-name", "Values": ["x"]}])
    assert error_code(e) == "InvalidParameterValue"


def test_regions_cli(aws):
    out = aws("describe-regions", "--region-names", "ap-northeast-1", region="eu-west-1")
    assert out["Regions"] == [{"Endpoint": "ec2.ap-northeast-1.amazonaws.com",
                               "RegionName": "ap-northeast-1",
                               "OptInStatus": "opt-in-not-required"}]
    out = aws("describe-regions", "--all-regions", "--filters", "Name=region-name,Values=sa-*")
    assert [r["RegionName"] for r in out["Regions"]] == ["sa-east-1"]


EXPECTED_ORDER = ["vpc-max-security-groups-per-interface", "max-instances",
                  "supported-platforms", "default-vpc", "max-elastic-ips", "vpc-max-elastic-ips"]


def attributes(ec2, **kw):
    out = ec2.describe_account_attributes(**kw)["AccountAttributes"]
    return [(a["AttributeName"], [v["AttributeValue"] for v in a["AttributeValues"]])
            for a in out]


def test_account_attributes(vpcd, ec2):
    default_vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])
    default_vpc = default_vpc["Vpcs"][0]["VpcId"]
    assert attributes(ec2) == [
        ("vpc-max-security-groups-per-interface", ["5"]),
        ("max-instances", ["20"]),
        ("supported-platforms", ["VPC"]),
        ("default-vpc", [default_vpc]),
        ("max-elastic-ips", ["5"]),
        ("vpc-max-elastic-ips", ["5"]),
    ]
    assert attributes(ec2, AttributeNames=["default-vpc"]) == [("default-vpc", [default_vpc])]
    # In AWS's order, whatever the order asked.
    got = attributes(ec2, AttributeNames=["supported-platforms", "max-instances"])
    assert [a for a, _ in got] == ["max-instances", "supported-platforms"]
    # Each region has its own default VPC.
    eu = vpcd.client("eu-west-1")
    eu_default = attributes(eu, AttributeNames=["default-vpc"])[0][1][0]
    assert eu_default.startswith("vpc-") and eu_default != default_vpc
    assert eu.describe_vpcs(VpcIds=[eu_default])["Vpcs"][0]["IsDefault"] is True
    with pytest.raises(ClientError) as e:
        ec2.describe_account_attributes(AttributeNames=["max-cats"])
    assert error_code(e) == "InvalidParameterValue"
    with pytest.raises(ClientError) as e:
        ec2.describe_account_attributes(DryRun=True)
    assert error_code(e) == "DryRunOperation"


def test_account_attributes_cli(aws):
    out = aws("describe-account-attributes", "--attribute-names", "max-instances",
              "vpc-max-elastic-ips")
    assert out["AccountAttributes"] == [
        {"AttributeName": "max-instances", "AttributeValues": [{"AttributeValue": "20"}]},
        {"AttributeName": "vpc-max-elastic-ips", "AttributeValues": [{"AttributeValue": "5"}]},
    ]
    out = aws("describe-account-attributes", region="ap-northeast-1")
    assert [a["AttributeName"] for a in out["AccountAttributes"]] == EXPECTED_ORDER


def test_no_default_vpc_is_none():
    with tempfile.TemporaryDirectory(prefix="vpcd-test-") as tmp:
        d = Vpcd(tmp, ["--no-default-vpc"]).start()
        try:
            ec2 = d.client()
            assert attributes(ec2, AttributeNames=["default-vpc"]) == [("default-vpc", ["none"])]
            vpc = ec2.create_default_vpc()["Vpc"]["VpcId"]
            assert attributes(ec2, AttributeNames=["default-vpc"]) == [("default-vpc", [vpc])]
            d.restart()
            ec2 = d.client()
            assert attributes(ec2, AttributeNames=["default-vpc"]) == [("default-vpc", [vpc])]
        finally:
            assert d.stop() == 0, d.log()
