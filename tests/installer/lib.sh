# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash disable=SC2154,SC2034,SC2001 # set by the sourcing test; used by it; one prefix per line
# What the installer's tests share: a node's root in a temporary directory, with
# Debian's containerd configuration (`containerd config default` where the package
# has none), and the built programs in one directory for --from.
# usage (sourced): installer=... hook=... runtime=... plugin=... . lib.sh
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
host=$tmp/host
from=$tmp/from
config=$host/etc/containerd/config.toml
mkdir -p "$from" "$host/etc/containerd" "$host/opt/cni/bin" "$host/usr/lib/cni"
ln -s "$hook" "$from/rdma-netns-hook"
ln -s "$runtime" "$from/rdma-netns-runtime"
ln -s "$plugin" "$from/rdma-netns"
if [ -f /etc/containerd/config.toml ]; then
    cp /etc/containerd/config.toml "$config"
else
    containerd config default >"$config"
fi
cp -p "$config" "$tmp/config.before"

# What is placed, as node paths; the plugin in the bin_dir of the configuration.
bin_dir=$(containerd --config "$config" config dump | sed -n 's/^ *bin_dir = "\(.*\)"$/\1/p')
placed=("$bin_dir/rdma-netns" /opt/rdma-netns/bin/rdma-netns-hook /opt/rdma-netns/bin/rdma-netns-runtime
    /etc/containers/oci/hooks.d/rdma-netns-hook-prestart.json
    /etc/containers/oci/hooks.d/rdma-netns-hook-poststop.json)

failed=0
# check DESC CMD... : prints "ok - DESC" or "not ok - DESC" with CMD's output
check() {
    local desc=$1 out
    shift
    if out=$("$@" 2>&1); then
        echo "ok - $desc"
    else
        echo "not ok - $desc"
        [ -z "$out" ] || sed 's/^/#   /' <<<"$out"
        failed=1
    fi
}
install() { "$installer" --host-root "$host" --from "$from" "$@"; }
