#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# shellcheck disable=SC2086,SC2317,SC2016 # $all split into device names on purpose;
# functions called through check; variables expanded by eval
# Many containers at once on a node of 32 RDMA devices: the kernel's device dump
# comes in parts there, and devices leaving meanwhile must not make any hook miss
# one. Rounds of 16 starts with one device each, 4 starts with 4 devices each,
# and starts beside poststops and `recover`. Most rounds call the hook directly,
# with the OCI state on stdin, for namespaces held by `unshare -n sleep`; one
# round runs 16 runc containers. Every start succeeds, every device comes home,
# the journal stays true. Then the hook's prestart and the CNI plugin's ADD race
# for one device, round after round: exactly one wins. Jobs are released by a gate
# once all of them wait at it.
set -eu
# shellcheck source-path=SCRIPTDIR source=../guest/lib.sh
. "$(dirname "$0")/../guest/lib.sh"

hook=$RNH_BUILD_DIR/hook/rdma-netns-hook
outdir=/tmp/out
mkdir -p "$outdir"
busybox syslogd -C64
devices=32 rounds=${RNH_CONCURRENCY_ROUNDS:-3}
all=$(for ((i = 0; i < devices; i++)); do echo "rxc$i"; done)

# 32 soft-RoCE devices rxcI on dummy links dI
many_rxe() {
    local i
    for ((i = 0; i < devices; i++)); do
        ip link add "d$i" type dummy && ip link set "d$i" up &&
            rdma link add "rxc$i" type rxe netdev "d$i" || return 1
    done
}
check "exclusive mode" set_exclusive
check "create $devices rxe devices" many_rxe

# settled : every device in the host (one listing, taken while nothing moves), journal empty
settled() {
    local listed d
    listed=$(rdma dev show) || return 1
    for d in $all; do grep -q ": $d:" <<<"$listed" || { echo "$d is not in the host"; return 1; }; done
    "$hook" status --json | jq -e '.assignments == []' >/dev/null || { echo "journal not empty"; return 1; }
}

# Namespaces held by processes, as containers would hold them: holder N's pid in pid[N].
declare -a pid
hold() { unshare -n sleep 3600 & pid[$1]=$!; }
for n in $(seq 0 15); do hold "$n"; done
make_bundle /tmp/cb >/dev/null # for the hook runs, its config.json only names a network namespace
bundle_jq /tmp/cb '.annotations = {"rdma.netns/devices": "none"}' 

# state ID N DEVICES [STATUS] : the OCI state for container ID in holder N
state() {
    printf '{"ociVersion":"1.0.2","id":"%s","status":"%s",%s"bundle":"/tmp/cb","annotations":{"rdma.netns/devices":"%s"}}\n' \
        "$1" "${4:-creating}" "$([ "${4:-creating}" = stopped ] || echo "\"pid\":${pid[$2]},")" "$3"
}

# Jobs released together: each says it is ready, then waits for one line on a FIFO
# that the test fills at once, when every job is ready (opened read-write, so a late
# job still finds its line).
gate=$outdir/gate
mkfifo "$gate"
exec 9<>"$gate"
declare -a queued=() readies=()
# job NAME CMD... : run CMD at the gate; its status goes to NAME.rc, its output to NAME.log
job() {
    local name=$1
    shift
    rm -f "$outdir/$name.ready"
    (: >"$outdir/$name.ready" && read -r -t 120 _ <&9 && "$@") >"$outdir/$name.log" 2>&1 &&
        echo 0 >"$outdir/$name.rc" || echo 1 >"$outdir/$name.rc" &
    queued+=($!) readies+=("$outdir/$name.ready")
}
# hook_job NAME STAGE ID N DEVICES : the hook at STAGE for container ID in holder N
hook_job() {
    local stage=$2 status=creating
    [ "$stage" != poststop ] || status=stopped
    state "$3" "$4" "$5" "$status" >"$outdir/$1.json"
    job "$1" sh -c '"$1" "$2" <"$3"' sh "$hook" "$stage" "$outdir/$1.json"
}
# go : once every job queued is at the gate, open it for all of them; wait for them all
go() {
    local j r
    for r in "${readies[@]}"; do
        wait_for 120 test -e "$r" || { echo "# $r: the job never reached the gate"; return 1; }
    done
    for j in "${queued[@]}"; do echo; done >&9
    for j in "${queued[@]}"; do wait "$j" || true; done
    queued=() readies=()
}

failures=0 dump_failures=0 runs=0 bad=0
# tally NAME... : count the jobs that failed (in bad, failures, runs), and show
# why; dump_failures counts those that a dump missing a device explains
tally() {
    local name
    bad=0
    for name in "$@"; do
        runs=$((runs + 1))
        grep -qx 0 "$outdir/$name.rc" && continue
        bad=$((bad + 1))
        grep -q -e 'no RDMA device' -e 'was moved but' "$outdir/$name.log" &&
            dump_failures=$((dump_failures + 1))
        echo "# $name failed:" && sed 's/^/#   /' "$outdir/$name.log"
    done
    failures=$((failures + bad))
}
# inside N DEVICE... : DEVICEs are in holder N's namespace, not in the host
inside() {
    local n=$1 d
    shift
    for d in "$@"; do
        nsenter -t "${pid[$n]}" -n rdma dev show | grep -q ": $d:" || { echo "$d not in holder $n"; return 1; }
    done
    host_lacks "$@"
}

# one_jobs PREFIX STAGE CONTAINER N... : queue STAGE of containers CONTAINERn with
# device rxcN in holder N, for each N
one_jobs() {
    local prefix=$1 stage=$2 container=$3 n
    shift 3
    for n in "$@"; do hook_job "$prefix-$n" "$stage" "$container$n" "$n" "rxc$n" && names+=("$prefix-$n"); done
}

# batch PREFIX STAGE CONTAINER N... : one_jobs at once, then tally them
batch() {
    names=()
    one_jobs "$@"
    go
    tally "${names[@]}"
}

# --- 1. 16 containers with one device each, prestart at the same moment, then poststop
for round in $(seq 1 "$rounds"); do
    batch "s$round" prestart one $(seq 0 15)
    check "16x1 round $round: every start succeeded" test "$bad" -eq 0
    check "16x1 round $round: each device is in its container" \
        eval 'for n in $(seq 0 15); do inside $n rxc$n || exit 1; done'
    batch "p$round" poststop one $(seq 0 15)
    check "16x1 round $round: every poststop succeeded" test "$bad" -eq 0
    check "16x1 round $round: every device home, journal empty" settled
done

# --- 2. 4 containers with 4 devices each, at once
# four_jobs PREFIX STAGE : STAGE of containers four0..four3, each with its 4 devices
four_jobs() {
    local n b
    names=()
    for n in 0 1 2 3; do
        b=$((n * 4 + 16))
        hook_job "$1-$n" "$2" "four$n" "$n" "rxc$b,rxc$((b + 1)),rxc$((b + 2)),rxc$((b + 3))"
        names+=("$1-$n")
    done
    go
}
for round in 1 2; do # 4x4
    four_jobs "q$round" prestart
    tally "${names[@]}"
    check "4x4 round $round: every start succeeded" test "$bad" -eq 0
    check "4x4 round $round: the 16 devices are in their containers" \
        eval 'for n in 0 1 2 3; do b=$((n * 4 + 16)); inside $n rxc$b rxc$((b + 1)) rxc$((b + 2)) rxc$((b + 3)) || exit 1; done'
    four_jobs "r$round" poststop
    tally "${names[@]}"
    check "4x4 round $round: every poststop succeeded" test "$bad" -eq 0
    check "4x4 round $round: every device home, journal empty" settled
done

# --- 3. starts beside poststops, recover, and a container whose namespace dies
batch "m" prestart mix $(seq 0 7)
check "mixed: the first 8 started" test "$bad" -eq 0
kill "${pid[7]}" # holder 7 dies: the kernel returns rxc7 by itself, recover clears the journal
wait "${pid[7]}" 2>/dev/null || true
names=()
one_jobs "mp" poststop mix $(seq 0 6)
one_jobs "ms" prestart mix $(seq 8 15)
for n in 1 2; do
    job "recover-$n" "$hook" recover && names+=("recover-$n")
    job "status-$n" "$hook" status --json && names+=("status-$n")
done
go
tally "${names[@]}"
check "mixed: starts, poststops, recover and status beside each other all succeeded" test "$bad" -eq 0
check "mixed: the 8 new containers hold their devices" \
    eval 'for n in $(seq 8 15); do inside $n rxc$n || exit 1; done'
check "mixed: the stopped ones and the dead one's device are home" \
    eval 'for n in $(seq 0 7); do rdma_has rxc$n || { echo rxc$n; exit 1; }; done'
batch "me" poststop mix $(seq 8 15)
check "mixed: the last poststops succeeded" test "$bad" -eq 0
"$hook" recover >/dev/null 2>&1 || true # the dead holder's entry, if the first recover ran too early
check "mixed: every device home, journal empty" settled
hold 7

# --- 4. 16 runc containers with one device each, started at once
bundle_hook /tmp/cb prestart "$hook" prestart
bundle_hook /tmp/cb poststop "$hook" poststop
for n in $(seq 0 15); do
    cp -a /tmp/cb "/tmp/rc$n"
    sed -i "s/\"rdma.netns\/devices\": \"[^\"]*\"/\"rdma.netns\/devices\": \"rxc$((n + 16))\"/" "/tmp/rc$n/config.json"
done
names=()
for n in $(seq 0 15); do job "runc-$n" runc run -b "/tmp/rc$n" "rc$n" && names+=("runc-$n"); done
go
tally "${names[@]}"
check "runc: 16 containers started at once all ran" test "$bad" -eq 0
check "runc: every device home, journal empty" settled

# --- 5. the hook's prestart and the CNI plugin's ADD for one device, released by the
# gate together, many rounds: exactly one wins, the other is refused naming the device,
# the loser's poststop or DEL leaves the winner's device alone, and it all comes home
plugin=$RNH_BUILD_DIR/cni/rdma-netns
mkdir -p /etc/rdma-netns-hook
echo '{"policy":{"cni_requests":["deviceID","prevResult","devices"]}}' >/etc/rdma-netns-hook/config.json
ip netns add cr
# Both leave the gate together; each then waits 0 to 99 ms at random, so that either
# may reach the device first (the plugin does more before it does: alone, it lost 19
# of 20 rounds, and 17 with 0 to 39 ms), and sometimes both at the same moment.
jitter() { printf "0.%03d" $((RANDOM % 100)); }
# cni CMD R : the plugin's CMD for attachment podR in /run/netns/cr, its configuration xa-R.conf
cni() {
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin CNI_COMMAND="$1" CNI_NETNS=/run/netns/cr \
        CNI_IFNAME=net1 CNI_CONTAINERID="pod$2" CNI_PATH=/usr/lib/cni "$plugin" <"$outdir/xa-$2.conf"
}
# jittered CMD... : CMD after its jitter
jittered() { sleep "$(jitter)" && "$@"; }
# race_jobs R DEVICE : round R's hook prestart (job xh-R) for container raceR in holder 0,
# and the plugin's ADD (job xa-R) for attachment podR, both for DEVICE, each after its jitter
race_jobs() {
    state "race$1" 0 "$2" >"$outdir/xh-$1.json"
    printf '{"cniVersion":"1.1.0","name":"race","type":"rdma-netns","devices":["%s"]}' "$2" >"$outdir/xa-$1.conf"
    job "xh-$1" jittered sh -c '"$1" prestart <"$2"' sh "$hook" "$outdir/xh-$1.json"
    job "xa-$1" jittered cni ADD "$1"
}
# holds JOB DEVICE : the side of JOB (xh-R: the hook, in holder 0; xa-R: the plugin, in cr)
# holds DEVICE, and the host does not
holds() {
    case $1 in
    xh-*) inside 0 "$2" ;;
    *) { rdma_has "$2" cr && host_lacks "$2"; } || { echo "$2 is not in cr"; return 1; } ;;
    esac
}
# teardown JOB R DEVICE : round R's hook poststop (JOB xh-R) or DEL (JOB xa-R)
teardown() {
    case $1 in
    xh-*) state "race$2" 0 "$3" stopped | "$hook" poststop ;;
    *) cni DEL "$2" ;;
    esac
}
# one_winner WINNER LOSER DEVICE : the job WINNER (none when both or neither succeeded)
# holds DEVICE, alone in the journal; the job LOSER was refused naming it
one_winner() {
    [ "$1" != none ] || { cat "$outdir/xh-$round.log" "$outdir/xa-$round.log"; return 1; }
    holds "$1" "$3" || return 1
    grep -q "$3" "$outdir/$2.log" || { cat "$outdir/$2.log"; return 1; }
    "$hook" status --json | jq -e '.assignments | length == 1' >/dev/null ||
        { "$hook" status; return 1; }
}
race_rounds=${RNH_CNI_RACE_ROUNDS:-10} hook_wins=0 plugin_wins=0 winner='' loser=''
for round in $(seq 1 "$race_rounds"); do
    d=rxc$((round % devices))
    race_jobs "$round" "$d"
    go
    case $(cat "$outdir/xh-$round.rc" "$outdir/xa-$round.rc" | tr -d '\n') in
    01) winner=xh-$round loser=xa-$round hook_wins=$((hook_wins + 1)) ;;
    10) winner=xa-$round loser=xh-$round plugin_wins=$((plugin_wins + 1)) ;;
    *) winner=none loser=none ;;
    esac
    check "hook against ADD round $round: exactly one holds $d, the other was refused naming it" \
        one_winner "$winner" "$loser" "$d"
    if [ "$winner" = none ]; then
        teardown "xh-$round" "$round" "$d" || true
        teardown "xa-$round" "$round" "$d" || true
        continue
    fi
    echo "# round $round: $winner won; $loser said: $(tail -n 1 "$outdir/$loser.log" | cut -c1-160)"
    # the loser's teardown first: it must leave the winner's device where it is
    check "hook against ADD round $round: the loser's teardown succeeds, the winner keeps $d" \
        eval 'teardown "$loser" "$round" "$d" && holds "$winner" "$d"'
    check "hook against ADD round $round: the winner's teardown brings $d home, journal empty" \
        eval 'teardown "$winner" "$round" "$d" && settled'
done
echo "# hook against ADD: the hook won $hook_wins and the plugin $plugin_wins of $race_rounds rounds"
ip netns del cr
rm /etc/rdma-netns-hook/config.json

echo "concurrency: $failures of $runs hook and runtime runs failed, $dump_failures of them for a device missing from a dump"
finish
