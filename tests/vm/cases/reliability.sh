#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# shellcheck disable=SC2016,SC2317,SC2086,SC2020 # jq variables; functions called through check;
# $all split into device names on purpose; tr maps single characters on purpose
# Faults, races and long runs: a hook killed between two moves, containers killed,
# two runtimes racing for one device, 100 start/stop cycles, a device deleted while
# assigned. After each, no device is lost and the journal tells the truth.
set -eu
# shellcheck source-path=SCRIPTDIR source=../guest/lib.sh
. "$(dirname "$0")/../guest/lib.sh"

hook=$RNH_FAULT_BIN_DIR/rdma-netns-hook
outdir=/tmp/out
all="rxe0 rxe1 rxe2 rxe3"
mkdir -p "$outdir"
busybox syslogd -C64

journal_empty() { "$hook" status --json | jq -e '.assignments == []' >/dev/null; }
settled() { all_home && journal_empty && invariant "$hook" $all; }

# The hook's settings in every bundle below; moves one device at a time.
sequential=$outdir/sequential.json
echo '{"move_threads": 1}' >"$sequential"
hook_args=()

# bundle DIR STAGE DEVICES SECONDS [HOOK_ENV...] : a container that holds DEVICES for
# SECONDS, its hook run with "${hook_args[@]}"
bundle() {
    local dir=$1 stage=$2 devices=$3 seconds=$4 envs=() e
    shift 4
    for e in "$@"; do envs+=(--env "$e"); done
    make_bundle "$dir" &&
        bundle_args "$dir" /bin/sh -c "sleep $seconds" &&
        bundle_jq "$dir" '.annotations = {"rdma.netns/devices": $d, "run.oci.hooks.stderr": $e}' \
            --arg d "$devices" --arg e "$dir/hook-stderr" &&
        bundle_hook "$dir" "$stage" "${envs[@]}" "$hook" "${hook_args[@]}" "$stage" &&
        bundle_hook "$dir" poststop "${envs[@]}" "$hook" "${hook_args[@]}" poststop
}

check "exclusive mode" set_exclusive
check "create four rxe devices" rxe_setup 4

# --- 1. the hook SIGKILLed between moving device 1 and device 2
hook_args=(--config "$sequential")
bundle /tmp/f1 prestart rxe0,rxe1 30 RNH_FAULT=between-moves RNH_FAULT_MARKER=$outdir/f1.paused
bundle_jq /tmp/f1 'del(.hooks.poststop)' # no poststop: recovery alone must clean up
runc run -b /tmp/f1 f1 >"$outdir/f1.log" 2>&1 &
runtime=$!
check "fault: the hook stops between the two moves" wait_for 120 test -s "$outdir/f1.paused"
check "fault: rxe0 has moved, rxe1 not yet" eval 'not rdma_has rxe0 && rdma_has rxe1'
kill -KILL "$(cat "$outdir/f1.paused")"
status=0
wait "$runtime" || status=$?
check "fault: with its hook killed, the container does not start" test "$status" -ne 0
runc delete -f f1 >/dev/null 2>&1 || true
check "fault: the journal shows the interrupted start" \
    eval "'$hook' status --json | jq -e '.assignments[0].container_id == \"f1\" and .assignments[0].phase == \"moving\"'"
check "fault: recover reports what it recovered" eval "'$hook' recover | grep -q 'recovered container f1'"
check "fault: after recover every device is home and the journal empty" settled

# ... and a retried start of the same container after such a kill
bundle /tmp/f2 prestart rxe0,rxe1 1 RNH_FAULT=between-moves RNH_FAULT_MARKER=$outdir/f2.paused
runc run -b /tmp/f2 f2 >"$outdir/f2.log" 2>&1 &
runtime=$!
check "retry: the hook stops between the two moves" wait_for 120 test -s "$outdir/f2.paused"
kill -KILL "$(cat "$outdir/f2.paused")"
wait "$runtime" || true
runc delete -f f2 >/dev/null 2>&1 || true
bundle_jq /tmp/f2 '.hooks |= map_values(map(del(.env)))'
check "retry: the same container id starts again and runs" eval "runc run -b /tmp/f2 f2 >'$outdir/f2b.log' 2>&1 || { cat '$outdir/f2b.log' /tmp/f2/hook-stderr; false; }"
check "retry: every device is home and the journal empty" settled
hook_args=()

# ... and while moving four devices from four threads at once
bundle /tmp/f3 prestart "${all// /,}" 30 RNH_FAULT=between-moves RNH_FAULT_MARKER=$outdir/f3.paused
bundle_jq /tmp/f3 'del(.hooks.poststop)'
runc run -b /tmp/f3 f3 >"$outdir/f3.log" 2>&1 &
runtime=$!
check "parallel fault: the hook stops after a move" wait_for 120 test -s "$outdir/f3.paused"
check "parallel fault: some devices have moved" eval 'not all_home'
kill -KILL "$(cat "$outdir/f3.paused")"
wait "$runtime" || true
runc delete -f f3 >/dev/null 2>&1 || true
check "parallel fault: recover brings every device home, journal empty" \
    eval "'$hook' recover | grep -q 'recovered container f3' && settled"

# --- 2. the container SIGKILLed: its namespace dies before poststop runs
for rt in runc crun; do
    stage=prestart
    [ "$rt" = crun ] && stage=createRuntime
    bundle "/tmp/k-$rt" "$stage" rxe2,rxe3 600 "RNH_USAGE_LOG=$outdir/k-$rt.usage"
    "$rt" run -b "/tmp/k-$rt" "k-$rt" >"$outdir/k-$rt.log" 2>&1 &
    runtime=$!
    check "$rt kill: the container runs with rxe2 and rxe3" wait_for 120 eval 'not rdma_has rxe2 && not rdma_has rxe3 && test -n "$('"$rt"' state k-'"$rt"' 2>/dev/null)"'
    pid=$("$rt" state "k-$rt" | jq -r .pid)
    kill -KILL "$pid"
    status=0
    wait "$runtime" || status=$?
    # The hook appends one usage line at the end of each run: prestart's and poststop's.
    check "$rt kill: the runtime reports the kill (status 137) and poststop ran to its end" \
        eval '[ "$status" -eq 137 ] && [ "$(wc -l <"$outdir/k-$rt.usage")" -eq 2 ] || { echo "status $status"; cat "$outdir/k-$rt.usage"; false; }'
    check "$rt kill: every device home within the deadline, journal empty" wait_for 15 settled
done

# --- 3. runc and crun race for rxe0, RNH_RACE_ROUNDS rounds (default 10): exactly one wins
# each round. A gate makes it a race: runc's prestart and crun's createRuntime hook each wait
# there until both runtimes have reached it, then both are let go at once. The winner's
# container holds rxe0 until the loser's runtime has exited.
race_rounds=${RNH_RACE_ROUNDS:-10}
gate=$outdir/race.gate
mkfifo "$gate"
exec 8<>"$gate"
# The hook entry's program: race-gate NAME HOOK ARGS... (hooks run without PATH)
cat >/tmp/race-gate <<SH
#!/bin/sh
/usr/bin/touch $outdir/race.\$1.arrived
read -r _ <$gate
shift
exec "\$@"
SH
chmod +x /tmp/race-gate
# race_bundle RUNTIME STAGE : /tmp/race-RUNTIME, whose STAGE hook goes through the gate and
# whose container ends once the test releases it
race_bundle() {
    bundle "/tmp/race-$1" "$2" rxe0 0 &&
        bundle_args "/tmp/race-$1" /bin/sh -c 'until [ -e /out/race.release ]; do sleep 0.05; done' &&
        bundle_jq "/tmp/race-$1" '.mounts += [{destination: "/out", type: "bind", source: $out, options: ["rbind", "rw"]}]
            | .hooks[$stage][0] |= {path: "/tmp/race-gate", args: (["/tmp/race-gate", $rt, .path] + .args[1:])}' \
            --arg out "$outdir" --arg stage "$2" --arg rt "$1"
}
race_bundle runc prestart
race_bundle crun createRuntime
# arrived : how many hooks wait at the gate; racing : both runtimes still run
arrived() { find "$outdir" -maxdepth 1 -name 'race.*.arrived' | wc -l; }
racing() { kill -0 "$a" 2>/dev/null && kill -0 "$b" 2>/dev/null; }
runc_won=0 crun_won=0 bad_rounds=0
for round in $(seq 1 "$race_rounds"); do
    rm -f /tmp/race-*/hook-stderr "$outdir"/race.*.arrived "$outdir/race.release"
    runc run -b /tmp/race-runc "a$round" >"$outdir/race-runc.log" 2>&1 &
    a=$!
    crun run -b /tmp/race-crun "b$round" >"$outdir/race-crun.log" 2>&1 &
    b=$!
    wait_for 60 eval '[ "$(arrived)" -eq 2 ] || ! racing' || true
    for _ in $(seq 1 "$(arrived)"); do echo go; done >&8
    wait_for 60 not racing || true
    touch "$outdir/race.release"
    ra=0 rb=0
    wait "$a" || ra=$?
    wait "$b" || rb=$?
    runc delete -f "a$round" >/dev/null 2>&1 || true
    crun delete -f "b$round" >/dev/null 2>&1 || true
    if [ "$ra" -eq 0 ] && [ "$rb" -ne 0 ] && grep -q 'rdma-netns-hook: RDMA device rxe0 is held by container a' /tmp/race-crun/hook-stderr; then
        runc_won=$((runc_won + 1))
    elif [ "$rb" -eq 0 ] && [ "$ra" -ne 0 ] && grep -q 'RDMA device rxe0 is held by container b' "$outdir/race-runc.log"; then
        crun_won=$((crun_won + 1))
    else
        bad_rounds=$((bad_rounds + 1))
        echo "# round $round: runc $ra, crun $rb, $(arrived) at the gate"
        cat "$outdir/race-runc.log" /tmp/race-crun/hook-stderr 2>/dev/null | sed 's/^/#   /'
    fi
    wait_for 15 rdma_has rxe0 || { echo "# round $round: rxe0 did not come home"; bad_rounds=$((bad_rounds + 1)); }
done
echo "race: runc won $runc_won rounds, crun won $crun_won, bad $bad_rounds"
check "race: in all $race_rounds rounds exactly one container got rxe0, the other was told who holds it" test "$bad_rounds" -eq 0
check "race: every device home and the journal empty" settled

# --- 4. soak: 100 start/stop cycles (RNH_SOAK_CYCLES), alternating runc and crun, 4 devices each
cycles=${RNH_SOAK_CYCLES:-100}
runs=$((2 * cycles))
bundle /tmp/soak-runc prestart rxe0,rxe1,rxe2,rxe3 0 RNH_USAGE_LOG=$outdir/usage.log
bundle /tmp/soak-crun createRuntime rxe0,rxe1,rxe2,rxe3 0 RNH_USAGE_LOG=$outdir/usage.log
failed_cycles=0
start=$(date +%s)
for cycle in $(seq 1 "$cycles"); do
    rt=runc
    [ $((cycle % 2)) -eq 0 ] && rt=crun
    if ! "$rt" run -b "/tmp/soak-$rt" "s$cycle" >"$outdir/soak.log" 2>&1; then
        failed_cycles=$((failed_cycles + 1))
        sed 's/^/#   /' "$outdir/soak.log"
    fi
done
elapsed=$(($(date +%s) - start))
usage() { sed -n "$1" "$outdir/usage.log" | tr ' =' '\n\n' | awk -v k="$2" 'p==k {print} {p=$0}' | sort -n | tail -n 1; }
# the first and the last 40 runs are compared (or halves, in a shorter soak)
w=$((runs / 2 < 40 ? runs / 2 : 40))
first_fds=$(usage "1,${w}p" fds) last_fds=$(usage "$((runs - w + 1)),${runs}p" fds)
first_rss=$(usage "1,${w}p" peak_rss_kb) last_rss=$(usage "$((runs - w + 1)),${runs}p" peak_rss_kb)
echo "soak: $cycles cycles in $elapsed s; hook runs logged: $(wc -l <"$outdir/usage.log");" \
    "open fds at exit, most in the first/last $w runs: $first_fds/$last_fds;" \
    "peak RSS kB, most in the first/last $w runs: $first_rss/$last_rss"
check "soak: all $cycles cycles ran" test "$failed_cycles" -eq 0
check "soak: $runs hook runs (prestart and poststop of each cycle) reported their usage" \
    test "$(wc -l <"$outdir/usage.log")" -eq "$runs"
check "soak: open fds of the hook did not grow" test "$last_fds" -le "$first_fds"
check "soak: peak RSS of the hook did not grow by more than 5%" test "$last_rss" -le $((first_rss * 105 / 100))
check "soak: every device home and the journal empty" settled

# --- 5. a device deleted while assigned: poststop reports it and returns the others
bundle /tmp/del prestart rxe2,rxe3 600
runc run -b /tmp/del del >"$outdir/del.log" 2>&1 &
runtime=$!
check "deleted: the container runs with rxe2 and rxe3" wait_for 120 eval 'not rdma_has rxe2 && not rdma_has rxe3 && test -n "$(runc state del 2>/dev/null)"'
# The host cannot see an assigned device: delete it from inside the container's namespace.
check "deleted: rdma link delete rxe3 while it is assigned" \
    nsenter --net="/proc/$(runc state del | jq -r .pid)/ns/net" rdma link delete rxe3
runc kill del KILL
status=0
wait "$runtime" || status=$?
check "deleted: poststop succeeded for the rest" eval "! grep -q 'rdma-netns-hook' '$outdir/del.log' || { cat '$outdir/del.log'; false; }"
check "deleted: rxe2 is home" rdma_has rxe2
check "deleted: the system log says rxe3 no longer exists" \
    eval "busybox logread | grep -q 'RDMA device rxe3 of container del no longer exists'"
check "deleted: the journal is empty" journal_empty
all="rxe0 rxe1 rxe2"
check "invariant: every device home or held by a live container in the journal" invariant "$hook" $all
finish
