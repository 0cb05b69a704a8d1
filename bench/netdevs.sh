#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Move latency with and without netdevs: rdma-netns-hook prestart, then poststop, of 1 and
# of N soft-RoCE devices on the guest's PCI NICs (rxnI on ethI, an address on each), with
# rdma.netns/with-netdevs=false and =true, each run into a fresh network namespace. Not a
# test: run it in the test VM, with as many NICs as the largest count, and the TSC as clock:
#   RNH_VM_NICS=8 RNH_VM_APPEND="tsc=reliable tsc_early_khz=KHZ" \
#       RNH_BUILD_DIR=build RNH_BIN_DIR=build/... tests/vm/run bench/netdevs.sh
# Environment: RNH_BENCH_RUNS (21), RNH_BENCH_DEVICES ("1 8"), RNH_BENCH_WITH
# ("false true"). Prints one `RNH-BENCH {json}` line per run, then per leg the median and
# p90 of the move in (prestart), out (poststop) and both, in ms. A =true leg whose netdevs
# did not go in, or a run after which a device, a netdev or its address is not home, stops
# the bench.
set -eu
# shellcheck source-path=SCRIPTDIR source=../tests/vm/guest/lib.sh
. "$(dirname "$0")/../tests/vm/guest/lib.sh"

hook=${RNH_BIN_DIR:?RNH_BIN_DIR must name the directory of rdma-netns-hook}/rdma-netns-hook
runs=${RNH_BENCH_RUNS:-21}
read -ra counts <<<"${RNH_BENCH_DEVICES:-1 8}"
read -ra legs <<<"${RNH_BENCH_WITH:-false true}"
work=/run/rnh-bench-netdevs
note() { echo "bench: $*"; }
die() {
    echo "bench: error: $*" >&2
    exit 1
}

clock=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)
case $clock in
tsc | tsc-early) ;;
*) note "warning: the clock source is $clock, not the TSC: timings come in 4 ms steps" ;;
esac
set_exclusive || die "could not switch RDMA to exclusive netns mode"
nics=$(nics_rxe_setup) || die "could not put rxe on the NICs"
pcis=
for ((i = 0; i < nics; i++)); do pcis+=" eth$i=$(netdev_pci "eth$i")"; done
note "$nics NICs with rxe:$pcis"
for n in "${counts[@]}"; do
    [ "$n" -le "$nics" ] || die "$n devices asked for, the guest has $nics NICs (set RNH_VM_NICS)"
done
for ((i = 0; i < nics; i++)); do
    ip addr add "10.77.$i.1/24" dev "eth$i" || die "could not give eth$i an address"
done
mkdir -p "$work"
printf '{"state_dir": "%s/state"}\n' "$work" >"$work/config.json"

# home : every rxnI, every ethI with its address, in the host
home() {
    local i
    for ((i = 0; i < nics; i++)); do
        rdma_has "rxn$i" || die "rxn$i is not in the host after the run"
        ip -4 addr show dev "eth$i" 2>/dev/null | grep -q "inet 10.77.$i.1/24" ||
            die "eth$i is not in the host with its address after the run"
    done
}
# netdevs_inside PID N : eth0..eth(N-1) are in PID's namespace
netdevs_inside() {
    local i
    for ((i = 0; i < $2; i++)); do
        nsenter --net="/proc/$1/ns/net" ip link show "eth$i" >/dev/null 2>&1 || return 1
    done
}

# measure WITH N RUN : one assignment in and out; sets in_us out_us
measure() {
    local with=$1 n=$2 run=$3 holder names='' i t1 t2 t3 comm=''
    for ((i = 0; i < n; i++)); do names+=${names:+,}rxn$i; done
    unshare -n sleep 3600 &
    holder=$!
    # unshare execs sleep once the namespace exists
    until [ "$comm" = sleep ]; do read -r comm <"/proc/$holder/comm" || die "the namespace holder died"; done
    local annotations="{\"rdma.netns/devices\":\"$names\",\"rdma.netns/with-netdevs\":\"$with\"}"
    local id=nd-$with-$n-$run
    printf '{"ociVersion":"1.0.2","id":"%s","status":"created","pid":%d,"bundle":"%s","annotations":%s}\n' \
        "$id" "$holder" "$work" "$annotations" >"$work/in.json"
    printf '{"ociVersion":"1.0.2","id":"%s","status":"stopped","bundle":"%s","annotations":%s}\n' \
        "$id" "$work" "$annotations" >"$work/out.json"
    t1=${EPOCHREALTIME/./}
    "$hook" --config "$work/config.json" prestart <"$work/in.json" || die "prestart failed ($n devices, with-netdevs=$with)"
    t2=${EPOCHREALTIME/./}
    if [ "$with" = true ] && ! netdevs_inside "$holder" "$n"; then
        die "with-netdevs=true left the netdevs in the host: this hook cannot move netdevs yet"
    fi
    t3=${EPOCHREALTIME/./}
    "$hook" --config "$work/config.json" poststop <"$work/out.json" || die "poststop failed ($n devices, with-netdevs=$with)"
    out_us=$((${EPOCHREALTIME/./} - t3))
    in_us=$((t2 - t1))
    kill "$holder"
    wait "$holder" 2>/dev/null || true
    home
}

# stats FILE : "median p90" of the numbers in FILE (nearest rank), in ms
stats() {
    sort -n "$1" | awk '{ v[NR] = $1 } END {
        m = int((NR + 1) / 2); p = int(NR * 0.9 + 0.999)
        printf "%.1f %.1f", v[m] / 1000, v[p] / 1000 }'
}

note "a warm-up run, then $runs runs of each leg: ${counts[*]} devices, with-netdevs ${legs[*]}"
for with in "${legs[@]}"; do
    for n in "${counts[@]}"; do
        measure "$with" "$n" 0
        : >"$work/in-$with-$n" && : >"$work/out-$with-$n" && : >"$work/total-$with-$n"
    done
done
for ((r = 1; r <= runs; r++)); do
    for with in "${legs[@]}"; do
        for n in "${counts[@]}"; do
            measure "$with" "$n" "$r"
            echo "$in_us" >>"$work/in-$with-$n"
            echo "$out_us" >>"$work/out-$with-$n"
            echo "$((in_us + out_us))" >>"$work/total-$with-$n"
            printf 'RNH-BENCH {"kind":"netdevs","with_netdevs":%s,"devices":%d,"run":%d,"in_us":%d,"out_us":%d}\n' \
                "$with" "$n" "$r" "$in_us" "$out_us"
        done
    done
done

printf '%-12s %-8s %-18s %-18s %-18s\n' with-netdevs devices "in median/p90" "out median/p90" "total median/p90"
for with in "${legs[@]}"; do
    for n in "${counts[@]}"; do
        printf '%-12s %-8s' "$with" "$n"
        for part in in out total; do
            read -r med p90 <<<"$(stats "$work/$part-$with-$n")"
            printf ' %-18s' "$med / $p90 ms"
        done
        echo
    done
done
