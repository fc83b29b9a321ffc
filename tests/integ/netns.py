"""Helpers the data-plane tests share: run commands (inside a namespace),
list namespaces, wait with a timeout, ping."""
import subprocess
import time

NS_TIMEOUT = 15


def sh(*args, timeout=20, input=None, stdin_path=None):
    if stdin_path is not None:
        with open(stdin_path, "rb") as f:
            return subprocess.run(list(args), stdin=f, capture_output=True, timeout=timeout)
    return subprocess.run(list(args), capture_output=True, text=True, timeout=timeout,
                          input=input, stdin=None if input is not None else subprocess.DEVNULL)


def in_ns(ns, *args, timeout=20, input=None, stdin_path=None):
    return sh("ip", "netns", "exec", ns, *args, timeout=timeout, input=input,
              stdin_path=stdin_path)


def ns_names():
    return {line.split()[0] for line in sh("ip", "netns", "list").stdout.splitlines() if line}


def wait_for(predicate, timeout=NS_TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def ping(ns, addr, count=1, wait=1, src=None):
    args = ["ping", "-n", "-c", str(count), "-W", str(wait), "-i", "0.2"]
    if src:
        args += ["-I", src]
    return in_ns(ns, *args, addr).returncode == 0
