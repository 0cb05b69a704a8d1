#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Guest script (tests/vm/run bench/dumps.sh HOOK_A HOOK_B [CYCLES]): what safe
# device dumps cost on a quiet node. On 32 rxe devices, times prestart+poststop
# of one container holding 1 and then 8 devices, CYCLES times (default 20) for
# each of two hook binaries, alternating cycle by cycle so that drift of the
# emulated clock falls on both alike. Prints one line per binary and size:
# "dumps: HOOK DEVICES median_ms min_ms".
set -eu
# shellcheck source-path=SCRIPTDIR source=../tests/vm/guest/lib.sh
. "$(dirname "$0")/../tests/vm/guest/lib.sh"

hooks=("$1" "$2")
cycles=${3:-20}
outdir=/tmp/out
mkdir -p "$outdir"
set_exclusive
for ((i = 0; i < 32; i++)); do
    ip link add "d$i" type dummy && ip link set "d$i" up && rdma link add "rxc$i" type rxe netdev "d$i"
done
unshare -n sleep 3600 &
holder=$!
make_bundle /tmp/cb >/dev/null

ms() { echo $(($(date +%s%N) / 1000000)); }
# cycle HOOK DEVICES : prestart then poststop; prints the milliseconds taken
cycle() {
    local state="\"id\":\"bench\",\"bundle\":\"/tmp/cb\",\"annotations\":{\"rdma.netns/devices\":\"$2\"}" t
    t=$(ms)
    echo "{\"ociVersion\":\"1.0.2\",$state,\"status\":\"creating\",\"pid\":$holder}" | "$1" prestart
    echo "{\"ociVersion\":\"1.0.2\",$state,\"status\":\"stopped\"}" | "$1" poststop
    echo $(($(ms) - t))
}
for n in 1 8; do
    devices=$(seq -s, -f 'rxc%g' 0 $((n - 1)))
    for h in 0 1; do : >"$outdir/t$h-$n"; done
    for ((c = 0; c < cycles; c++)); do
        for h in 0 1; do cycle "${hooks[$h]}" "$devices" >>"$outdir/t$h-$n"; done
    done
    for h in 0 1; do
        sort -n "$outdir/t$h-$n" | awk -v hook="${hooks[$h]}" -v n="$n" \
            '{ v[NR] = $1 } END { printf "dumps: %s %d median_ms %d min_ms %d\n", hook, n, v[int((NR + 1) / 2)], v[1] }'
    done
done
