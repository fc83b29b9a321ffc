"""The EC2 Query protocol as vpcd speaks it: SigV4, request decoding, error
documents, limits.  Requests here are signed by botocore's own signer and
sent raw, so each failure is exactly the one named."""
import datetime
import http.client
import re
import unittest.mock
import urllib.parse
import xml.etree.ElementTree as ET

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import pytest

from conftest import ClientError, error_code


def signed(vpcd, body, key="test", secret="test", region="us-east-1", method="POST",
           query="", when=None):
    url = vpcd.endpoint + "/" + (("?" + query) if query else "")
    req = botocore.awsrequest.AWSRequest(
        method=method, url=url, data=body if method == "POST" else None,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
        if method == "POST" else {})
    signer = botocore.auth.SigV4Auth(botocore.credentials.Credentials(key, secret), "ec2", region)
    if when is None:
        signer.add_auth(req)
    else:
        # add_auth() stamps the current time; sign as of 'when' instead.
        with unittest.mock.patch("botocore.auth.datetime.datetime") as fake:
            fake.utcnow.return_value = when
            signer.add_auth(req)
    return req


def send(vpcd, req, body_override=None, headers_override=None):
    u = urllib.parse.urlsplit(req.url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=20)
    headers = dict(req.headers.items())
    if headers_override:
        headers.update(headers_override)
    body = body_override if body_override is not None else req.body
    path = u.path + (("?" + u.query) if u.query else "")
    conn.request(req.method, path, body=body, headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, data


def code_of(data):
    root = ET.fromstring(data)
    code = root.find("./Errors/Error/Code")
    return code.text if code is not None else None


BODY = "Action=DescribeVpcs&Version=2016-11-15"


def test_signed_request_succeeds(vpcd):
    status, data = send(vpcd, signed(vpcd, BODY))
    assert status == 200, data
    root = ET.fromstring(data)
    assert root.tag.endswith("DescribeVpcsResponse")
    assert re.fullmatch(r"[0-9a-f-]{36}", root.find("{*}requestId").text)


def test_get_with_query_parameters(vpcd):
    status, data = send(vpcd, signed(vpcd, None, method="GET", query=BODY))
    assert status == 200, data


def test_wrong_secret_is_refused(vpcd):
    status, data = send(vpcd, signed(vpcd, BODY, secret="wrong"))
    assert status == 403 and code_of(data) == "SignatureDoesNotMatch"


def test_unknown_key_is_refused(vpcd):
    status, data = send(vpcd, signed(vpcd, BODY, key="AKIDUNKNOWN"))
    assert status == 401 and code_of(data) == "AuthFailure"


def test_tampered_body_is_refused_and_nothing_done(vpcd, ec2):
    req = signed(vpcd, "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.99.0.0%2F16")
    status, data = send(vpcd, req,
                        body_override="Action=CreateVpc&Version=2016-11-15&CidrBlock=10.98.0.0%2F16")
    assert status == 403 and code_of(data) == "SignatureDoesNotMatch"
    assert not ec2.describe_vpcs(Filters=[{"Name": "cidr", "Values": ["10.98.0.0/16"]}])["Vpcs"]


def test_missing_authorization(vpcd):
    status, data = send(vpcd, signed(vpcd, BODY), headers_override={"Authorization": ""})
    assert code_of(data) in ("MissingAuthenticationToken", "IncompleteSignature")
    assert 400 <= status < 500


def test_clock_skew(vpcd):
    old = datetime.datetime.utcnow() - datetime.timedelta(minutes=20)
    status, data = send(vpcd, signed(vpcd, BODY, when=old))
    assert status == 400 and code_of(data) == "RequestExpired"
    recent = datetime.datetime.utcnow() - datetime.timedelta(minutes=10)
    status, data = send(vpcd, signed(vpcd, BODY, when=recent))
    assert status == 200


def test_unknown_and_missing_action(vpcd):
    status, data = send(vpcd, signed(vpcd, "Action=FlyToTheMoon&Version=2016-11-15"))
    assert status == 400 and code_of(data) == "InvalidAction"
    status, data = send(vpcd, signed(vpcd, "Version=2016-11-15"))
    assert status == 400 and code_of(data) == "MissingAction"


def test_unknown_parameter(vpcd):
    status, data = send(vpcd, signed(vpcd, BODY + "&Colour=blue"))
    assert status == 400 and code_of(data) == "UnknownParameter"


@pytest.mark.parametrize("body", [
    BODY + "&VpcId.1=%zz",
    BODY + "&VpcId.1=%",
    BODY + "&VpcId.1=%C3%28",                       # invalid UTF-8
    BODY + "&Filter.99999999999999999999.Name=x",   # huge index
    BODY + "&Filter.0.Name=x",
    BODY + "&Filter.x.Name=x",
    BODY + "&MaxResults=12abc",
    BODY + "&MaxResults=99999999999999999999999",
    BODY + "&DryRun=maybe",
])
def test_bad_input_gets_client_error(vpcd, body):
    status, data = send(vpcd, signed(vpcd, body))
    assert 400 <= status < 500, data
    assert code_of(data) in ("InvalidParameterValue", "MalformedQueryString", "UnknownParameter")


def test_oversized_body_refused_and_daemon_lives(vpcd, ec2):
    big = BODY + "&VpcId.1=" + "a" * (2 * 1024 * 1024)
    status, data = send(vpcd, signed(vpcd, big))
    assert status == 413
    assert ec2.describe_vpcs()["Vpcs"] is not None


def test_error_document_shape(vpcd):
    status, data = send(vpcd, signed(vpcd, "Action=DeleteVpc&Version=2016-11-15&VpcId=vpc-0123456789abcdef0"))
    assert status == 400
    root = ET.fromstring(data)
    assert root.tag == "Response"
    assert root.find("./Errors/Error/Code").text == "InvalidVpcID.NotFound"
    assert "vpc-0123456789abcdef0" in root.find("./Errors/Error/Message").text
    assert re.fullmatch(r"[0-9a-f-]{36}", root.find("./RequestID").text)


def test_missing_required_parameter(vpcd):
    status, data = send(vpcd, signed(vpcd, "Action=DeleteVpc&Version=2016-11-15"))
    assert status == 400 and code_of(data) == "MissingParameter"


def test_other_region_has_its_own_resources(vpcd):
    east = vpcd.client("us-east-1")
    west = vpcd.client("eu-west-1")
    vpc_id = east.create_vpc(CidrBlock="10.77.0.0/16")["Vpc"]["VpcId"]
    with pytest.raises(ClientError) as e:
        west.describe_vpcs(VpcIds=[vpc_id])
    assert error_code(e) == "InvalidVpcID.NotFound"
    zones = {s["AvailabilityZone"] for s in west.describe_subnets(
        Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]}
    assert zones and all(z.startswith("eu-west-1") for z in zones)


def test_client_token_replays_first_answer(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.66.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.66.1.0/24")["Subnet"]["SubnetId"]
    first = ec2.create_network_interface(SubnetId=subnet, ClientToken="tok-1")["NetworkInterface"]
    again = ec2.create_network_interface(SubnetId=subnet, ClientToken="tok-1")["NetworkInterface"]
    assert first["NetworkInterfaceId"] == again["NetworkInterfaceId"]
    enis = ec2.describe_network_interfaces(
        Filters=[{"Name": "subnet-id", "Values": [subnet]}])["NetworkInterfaces"]
    assert len(enis) == 1
    with pytest.raises(ClientError) as e:
        ec2.create_network_interface(SubnetId=subnet, ClientToken="tok-1", Description="other")
    assert error_code(e) == "IdempotentParameterMismatch"
