#!/bin/sh
# Installs the Debian packages vpcd needs to build, run and test, if any is
# missing.  Called by the Makefile before it builds; safe to run again.
set -eu

PACKAGES="gcc make pkg-config libmicrohttpd-dev libsqlite3-dev libssl-dev libjansson-dev \
python3 python3-pytest python3-boto3 python3-botocore awscli \
iproute2 iputils-ping netcat-openbsd curl iperf3 sqlite3 e2fsprogs bind9-dnsutils liburing-dev"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages:$missing (run as root, or install them)" >&2
    exit 1
fi
echo "install-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq $missing >/dev/null
