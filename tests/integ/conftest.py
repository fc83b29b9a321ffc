"""Integration-test fixtures: a real vpcd on a free loopback port with a fresh
data directory, driven by boto3 and by the aws CLI (/usr/bin/aws).

    def test_something(ec2, aws):
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]
        out = aws("describe-vpcs", "--vpc-ids", vpc["VpcId"])

`vpcd` is one daemon per test module (tests make their own resources and
find them by id); `fresh_vpcd` is a daemon of the test's own.
"""
import json
import os
import signal
import socket
import subprocess
import tempfile
import time

import boto3
import botocore.config
import botocore.exceptions
import pytest

VPCD_BIN = os.environ.get("VPCD_BIN", os.path.join(os.path.dirname(__file__), "../../build/san/vpcd"))
AWS_CLI = "/usr/bin/aws"
START_TIMEOUT = 20


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Vpcd:
    """A vpcd process; restartable on the same data directory."""

    def __init__(self, data_dir, extra_args=(), dataplane=False, prefix=()):
        self.data_dir = data_dir
        self.prefix = list(prefix)          # e.g. setpriv to run as another user
        # Only one vpcd per host may own the namespace vpcd-internet: API tests
        # run without a data plane, the data-plane tests start their own.
        self.extra_args = list(extra_args) + ([] if dataplane else ["--no-dataplane"])
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.proc = None
        self.log_path = os.path.join(data_dir, "vpcd.log")

    def start(self):
        log = open(self.log_path, "a")
        self.proc = subprocess.Popen(
            [*self.prefix, VPCD_BIN, "--listen", f"127.0.0.1:{self.port}", "--data-dir", self.data_dir,
             *self.extra_args],
            stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"vpcd exited with {self.proc.returncode}:\n{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"vpcd did not listen within {START_TIMEOUT}s:\n{self.log()}")

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=timeout)
        code = self.proc.returncode if self.proc else None
        self.proc = None
        return code

    def kill9(self):
        return self.stop(signal.SIGKILL)

    def restart(self):
        self.stop()
        return self.start()

    def log(self):
        try:
            with open(self.log_path) as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def client(self, region="us-east-1", key="test", secret="test"):
        return boto3.client(
            "ec2", endpoint_url=self.endpoint, region_name=region,
            aws_access_key_id=key, aws_secret_access_key=secret,
            config=botocore.config.Config(retries={"max_attempts": 1}))


def _start(tmp, extra_args=()):
    d = Vpcd(tmp, extra_args).start()
    return d


@pytest.fixture(scope="module")
def vpcd():
    with tempfile.TemporaryDirectory(prefix="vpcd-test-") as tmp:
        d = _start(tmp)
        yield d
        code = d.stop()
        # ASan/UBSan findings make vpcd exit non-zero at shutdown.
        assert code == 0, f"vpcd exited {code}:\n{d.log()}"


@pytest.fixture
def fresh_vpcd():
    with tempfile.TemporaryDirectory(prefix="vpcd-test-") as tmp:
        d = Vpcd(tmp)
        yield d
        d.stop()


@pytest.fixture
def ec2(vpcd):
    return vpcd.client()


class AwsCliError(Exception):
    def __init__(self, code, message, returncode, stderr):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.returncode = returncode
        self.stderr = stderr


def run_aws(endpoint, *args, region="us-east-1", timeout=60):
    """Runs `aws ec2 ARGS` against 'endpoint'; returns parsed JSON output
    (None when empty), raises AwsCliError with the AWS error code."""
    env = dict(os.environ)
    env.update({"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                "AWS_DEFAULT_REGION": region, "AWS_PAGER": "",
                "AWS_MAX_ATTEMPTS": "1", "AWS_RETRY_MODE": "standard"})
    env.pop("AWS_PROFILE", None)
    p = subprocess.run([AWS_CLI, "--endpoint-url", endpoint, "--output", "json", "ec2", *args],
                       capture_output=True, text=True, env=env, timeout=timeout)
    if p.returncode != 0:
        import re
        m = re.search(r"An error occurred \(([^)]+)\) when calling the \w+ operation"
                      r"(?: \(reached max retries: \d+\))?: (.*)", p.stderr)
        if m:
            raise AwsCliError(m.group(1), m.group(2).strip(), p.returncode, p.stderr)
        raise AwsCliError(None, p.stderr.strip(), p.returncode, p.stderr)
    return json.loads(p.stdout) if p.stdout.strip() else None


@pytest.fixture
def aws(vpcd):
    def run(*args, region="us-east-1"):
        return run_aws(vpcd.endpoint, *args, region=region)
    return run


def error_code(excinfo):
    """The AWS error code of a botocore ClientError caught by pytest.raises."""
    return excinfo.value.response["Error"]["Code"]


ClientError = botocore.exceptions.ClientError
