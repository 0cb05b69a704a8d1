#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# shellcheck disable=SC2119 # write_containerd_config takes no arguments here
# Usage: bench/churn.sh   (from the repo root, as root)
#
# Pod churn through containerd 1.6's CRI plugin in the test VM: RunPodSandbox to
# RemovePodSandbox (StopPodSandbox between them) of 1 pod, and of 16 pods at once, on the
# chain [ptp] and on [ptp, rdma-netns], where each pod asks for a device of its own by its
# annotation rdma.netns/devices (rxeI; the plugin declares the capability
# io.kubernetes.cri.pod-annotations, the policy honours podAnnotations). The difference is
# what the plugin costs a pod. Prints the median and 90th percentile per pod in ms.
# RNH_BENCH_ROUNDS (default 10) rounds after a warm-up round that checks each pod's
# namespace holds its device (on [ptp]: none); RNH_BENCH_PODS (default "1 16") the pods
# at once. Each round takes the chains and the pod counts in rotated order; after every
# round all devices are home, the journal is clean and no pod namespace is left. Not a
# test: bench.churn runs it once with 1 pod to see that it still runs. Runs the
# binaries `cmake --install build --prefix build/install` put there (RNH_BIN_DIR).
set -eu
if [ -z "${RNH_BENCH_GUEST:-}" ]; then
    # shellcheck source-path=SCRIPTDIR source=in-vm.sh
    . "$(dirname "$0")/in-vm.sh"
    in_vm "$0"
fi
bench=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../tests/vm/guest/lib.sh
. "$bench/../tests/vm/guest/lib.sh"
# shellcheck source-path=SCRIPTDIR source=../tests/vm/cases/k8s/lib.sh
. "$bench/../tests/vm/cases/k8s/lib.sh"
rounds=${RNH_BENCH_ROUNDS:-10}
read -ra counts <<<"${RNH_BENCH_PODS:-1 16}"
chains=(ptp rdma)

say() { echo "churn: $*"; }
die() {
    echo "churn: error: $*" >&2
    [ -z "${containerd_pid:-}" ] || stop_containerd
    exit 1
}
max=0
for n in "${counts[@]}"; do [ "$n" -le "$max" ] || max=$n; done
clock=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)
case $clock in
tsc | tsc-early) ;;
*) die "the clock source is $clock, not the TSC (boot with tsc=reliable tsc_early_khz=KHZ)" ;;
esac

set_exclusive || die "could not switch RDMA to exclusive netns mode"
rxe_setup "$max" || die "rxe_setup $max failed"
all=$(seq -s ' ' -f 'rxe%g' 0 $((max - 1)))
mkdir -p /etc/rdma-netns-hook "$d/cni-bin" "$d/net.d" "$d/logs"
echo '{"policy": {"cni_requests": ["podAnnotations"]}}' >/etc/rdma-netns-hook/config.json
ln -s /usr/lib/cni/* "$d/cni-bin/"
ln -s "$RNH_BIN_DIR/../lib/cni/rdma-netns" "$d/cni-bin/rdma-netns"
for ((i = 0; i < max; i++)); do pod_json "churn$i" "{\"rdma.netns/devices\": \"rxe$i\"}"; done

# write_chain NAME : the pod network as the one file of the configuration directory,
# renamed in and the old one removed (k8s/lib.sh's conflist() says why): NAME ptp is
# [ptp], rdma is [ptp, rdma-netns] taking the pods' annotations
write_chain() {
    local rdma='' new=$d/net.d/10-churn-$1.conflist f
    [ "$1" = ptp ] || rdma=', {"type": "rdma-netns", "capabilities": {"io.kubernetes.cri.pod-annotations": true}}'
    printf '{"cniVersion": "1.0.0", "name": "churn-%s", "plugins": [{"type": "ptp", "ipMasq": false, "ipam": {"type": "host-local", "ranges": [[{"subnet": "203.0.113.0/24"}]], "dataDir": "%s/ipam"}}%s]}\n' \
        "$1" "$d" "$rdma" >"$d/net.conflist"
    mv "$d/net.conflist" "$new"
    for f in "$d"/net.d/*; do [ "$f" = "$new" ] || rm "$f"; done
}
# chain NAME : write_chain NAME, then wait until containerd has loaded it
chain() {
    write_chain "$1"
    cni_reloaded "\"churn-$1\"" >/dev/null || die "containerd did not load the chain $1"
}
# round CHAIN N R [--check yes|no] : N pods at once (bench/churn.py); their lines to
# $d/times, then the devices home, the journal clean and no pod namespace left
round() {
    local chain=$1 n=$2 r=$3 i configs=()
    shift 3
    for ((i = 0; i < n; i++)); do configs+=("$d/churn$i.json"); done
    "$bench/churn.py" "$@" "${configs[@]}" >"$d/round.out" 2>"$d/round.err" ||
        die "round $r, $n pods on [$chain]: $(cat "$d/round.err")"
    if ! { all_home && journal_empty && no_netns; } >"$d/round.err"; then
        die "after round $r, $n pods on [$chain]: $(cat "$d/round.err")"
    fi
    [ "$r" -eq 0 ] || jq -c --arg c "$chain" --argjson r "$r" --argjson n "$n" \
        '. + {chain: $c, round: $r, pods: $n}' "$d/round.out" >>"$d/times"
    say "round $r, $n pods on [$chain]: $(jq -r 'select(.kind == "round") | .wall_us / 1000 | floor' "$d/round.out") ms"
}
# rotate R ITEM... : the items from the R-th on, cyclically
rotate() {
    local r=$1
    shift
    local items=("$@") i
    for ((i = 0; i < ${#items[@]}; i++)); do echo "${items[(r + i) % ${#items[@]}]}"; done
}

write_containerd_config
write_chain ptp # containerd reloads on a removal or a write, not on the first file's creation
start_containerd
containerd_serves >/dev/null || die "containerd does not serve CRI v1: $(tail -5 "$d/containerd.log")"
if ! { "$cri_dir/busybox-image" --name "$image" "$d/image.tar" && ctr images import "$d/image.tar"; } >/dev/null; then
    die "importing the busybox image failed"
fi
say "containerd $(cri version), $(nproc) CPUs, $rounds rounds of ${counts[*]} pods at once"

: >"$d/times"
for c in "${chains[@]}"; do
    chain "$c"
    for n in "${counts[@]}"; do round "$c" "$n" 0 --check "$([ "$c" = rdma ] && echo yes || echo no)"; done
done
for ((r = 1; r <= rounds; r++)); do
    for c in $(rotate "$r" "${chains[@]}"); do
        chain "$c"
        for n in $(rotate "$r" "${counts[@]}"); do round "$c" "$n" "$r"; done
    done
done
stop_containerd
containerd_pid=

# The figures: per pod, the median and 90th percentile of RunPodSandbox +
# StopPodSandbox + RemovePodSandbox, and the median of each call; per round, its wall
# time (first request to last reply); the plugin's cost is [ptp, rdma-netns] - [ptp].
sed 's/^/churn-sample /' "$d/times"
jq -rs --argjson counts "[$(IFS=, && echo "${counts[*]}")]" '
    def q(p): sort | .[((length * p) | ceil) - 1];
    def ms: . / 1000 | . * 10 | round / 10;
    def signed: if . < 0 then tostring else "+" + tostring end;
    . as $all
    | "| pods at once | chain | pods timed | p50 | p90 | RunPodSandbox p50 | StopPodSandbox p50 | RemovePodSandbox p50 | round wall p50 |",
      "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
      ($counts[] as $n | ("ptp", "rdma") as $c
       | [$all[] | select(.pods == $n and .chain == $c)] as $x
       | [$x[] | select(.kind == null)] as $p
       | "| \($n) | \(if $c == "ptp" then "[ptp]" else "[ptp, rdma-netns]" end) | \($p | length) | \($p | map(.total_us) | q(0.5) | ms) | \($p | map(.total_us) | q(0.9) | ms) | \($p | map(.run_us) | q(0.5) | ms) | \($p | map(.stop_us) | q(0.5) | ms) | \($p | map(.remove_us) | q(0.5) | ms) | \([$x[] | select(.kind == "round") | .wall_us] | q(0.5) | ms) |"),
      "",
      ($counts[] as $n
       | [$all[] | select(.pods == $n and .kind == null)] as $p
       | def med(c; f): [$p[] | select(.chain == c) | f] | q(0.5);
       "the plugin per pod, \($n) at once: p50 \(med("rdma"; .total_us) - med("ptp"; .total_us) | ms | signed) ms (RunPodSandbox \(med("rdma"; .run_us) - med("ptp"; .run_us) | ms | signed), StopPodSandbox \(med("rdma"; .stop_us) - med("ptp"; .stop_us) | ms | signed), RemovePodSandbox \(med("rdma"; .remove_us) - med("ptp"; .remove_us) | ms | signed))")
' "$d/times" | sed 's/^/churn: /'
