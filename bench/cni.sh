#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Usage: bench/cni.sh [RUNS]   (from the repo root; default 21 runs)
#
# The CNI plugin's ADD+DEL latency beside the hook's prestart+poststop, at 1 and
# 8 rxe devices, in the test VM: each run is a fresh namespace (`ip netns add`
# for the plugin, `unshare -n sleep` for the hook), every device home after it.
# Prints the median and the 90th percentile in ms. Not a test. Runs the binaries
# that `cmake --install build --prefix build/install` put there (RNH_BIN_DIR).
set -eu
if [ -z "${RNH_BENCH_GUEST:-}" ]; then
    # shellcheck source-path=SCRIPTDIR source=in-vm.sh
    . "$(dirname "$0")/in-vm.sh"
    export RNH_BENCH_RUNS=${1:-21}
    in_vm "$0"
fi
# shellcheck source-path=SCRIPTDIR source=../tests/vm/guest/lib.sh
. "$(dirname "$0")/../tests/vm/guest/lib.sh"
plugin=$RNH_BIN_DIR/../lib/cni/rdma-netns
hook=$RNH_BIN_DIR/rdma-netns-hook
runs=$RNH_BENCH_RUNS
if ! set_exclusive || ! rxe_setup 8; then
    echo "bench: no test bed"
    exit 1
fi
make_bundle /tmp/cb >/dev/null
# the plugin takes a "devices" list only when the settings say so (policy.cni_requests)
mkdir -p /etc/rdma-netns-hook
echo '{"policy": {"cni_requests": ["devices"]}}' >/etc/rdma-netns-hook/config.json

now() { echo "${EPOCHREALTIME/./}"; }
# cni CMD LIST : the plugin for pod b, devices LIST (a JSON array)
cni() {
    env -i CNI_COMMAND="$1" CNI_NETNS=/run/netns/b CNI_IFNAME=rdma0 CNI_CONTAINERID=b \
        "$plugin" <<<"{\"cniVersion\":\"1.1.0\",\"name\":\"bench\",\"devices\":$2}" >/dev/null
}
# hook STAGE PID LIST : the hook for container h in PID's namespace, devices LIST (comma-separated)
hook() {
    printf '{"ociVersion":"1.0.2","id":"h","status":"%s",%s"bundle":"/tmp/cb","annotations":{"rdma.netns/devices":"%s"}}' \
        "$([ "$1" = prestart ] && echo creating || echo stopped)" "$([ "$1" = prestart ] && echo "\"pid\":$2,")" "$3" |
        "$hook" "$1"
}
# stats NAME FILE : median and p90 of the microseconds in FILE, in ms
stats() {
    sort -n "$2" | awk -v name="$1" '{ v[NR] = $1 } END {
        m = int((NR + 1) / 2); p = int(NR * 0.9 + 0.999)
        printf "bench: %-24s median %7.1f ms  p90 %7.1f ms  (%d runs)\n", name, v[m] / 1000, v[p] / 1000, NR }'
}

for n in 1 8; do
    names=()
    for ((i = 0; i < n; i++)); do names+=("rxe$i"); done
    list=$(json_array "${names[@]}")
    csv=$(IFS=, && echo "${names[*]}")
    : >/tmp/cni.$n
    : >/tmp/hook.$n
    for ((r = 0; r < runs; r++)); do
        ip netns add b
        t0=$(now)
        if ! { cni ADD "$list" && cni DEL "$list"; }; then echo "bench: plugin failed" && exit 1; fi
        t1=$(now)
        echo $((t1 - t0)) >>/tmp/cni.$n
        ip netns del b
        unshare -n sleep 600 &
        holder=$!
        sleep 0.2
        t0=$(now)
        if ! { hook prestart $holder "$csv" && hook poststop $holder "$csv"; }; then echo "bench: hook failed" && exit 1; fi
        t1=$(now)
        echo $((t1 - t0)) >>/tmp/hook.$n
        kill $holder
        wait $holder 2>/dev/null || true
        all="${names[*]}" all_home || exit 1
    done
    stats "rdma-netns ADD+DEL, $n dev" /tmp/cni.$n
    stats "hook prestart+poststop, $n dev" /tmp/hook.$n
done
