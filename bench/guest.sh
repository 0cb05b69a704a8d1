#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The VM half of bench/run (see BENCHMARKS.md); runs in the test VM as
# `tests/vm/run bench/guest.sh`, from the repo root, as root. It measures:
#   a  floor_bench: only the RDMA netlink SET messages, in and back out
#   b1 rdma-netns-hook prestart, then poststop, with "move_threads": 1 (one
#      device after another)
#   b4 the same with the default "move_threads" (4 devices at once)
#   c  bench/shell-hook prestart, then poststop (jq + iproute2)
#   s  rdma-netns-hook --version: what starting the hook costs
# at each device count in RNH_BENCH_DEVICES, every round taking the variants
# and the counts in rotated order; then floor_bench with several threads; then
# containers started and run to exit with runc and crun, with and without the
# hook; then the hook's peak RSS. Every measurement uses a fresh network
# namespace (held by `unshare -n sleep`) and checks afterwards that every
# device is home. Each result is one line `RNH-BENCH {json}` on the console,
# printed at the end; progress lines start with `bench:`.
# shellcheck disable=SC2016 # $names in single quotes are jq variables
set -eu
# shellcheck source-path=SCRIPTDIR source=../tests/vm/guest/lib.sh
. "$(dirname "$0")/../tests/vm/guest/lib.sh"

build=${RNH_BUILD_DIR:?RNH_BUILD_DIR must name the build directory}
hook=${RNH_BIN_DIR:-$build/hook}/rdma-netns-hook
floor=$build/bench/floor_bench
shell_hook=$(cd "$(dirname "$0")" && pwd)/shell-hook
runs=${RNH_BENCH_RUNS:-21}
read -ra counts <<<"${RNH_BENCH_DEVICES:-1 8 32}"
read -ra thread_counts <<<"${RNH_BENCH_THREADS:-1 2 4}"
ctr_devices=${RNH_BENCH_CONTAINER_DEVICES:-4}
work=/run/rnh-bench
results=$work/results
cfg=$work/config.json   # the hook's defaults: (b4), containers, RSS
cfg1=$work/config-1.json # "move_threads": 1: (b1)

note() { echo "bench: $*"; }
die() {
    echo "bench: error: $*" >&2
    exit 1
}
# record JSON : keep one result line for the end
record() { printf '%s\n' "$1" >>"$results"; }

for f in "$hook" "$floor" "$shell_hook"; do [ -x "$f" ] || die "$f is missing (build first)"; done
mkdir -p "$work"
: >"$results"
# tsc-early until the kernel switches to tsc a few seconds after boot: the same counter
clock=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)
case $clock in
tsc | tsc-early) ;;
*) die "the clock source is $clock, not the TSC: timings would be in 4 ms steps (boot with tsc=reliable tsc_early_khz=KHZ)" ;;
esac
echo "bench: clock $EPOCHREALTIME"

# --- the test bed: exclusive mode first, while no other namespace exists
set_exclusive || die "could not switch RDMA to exclusive netns mode"
max=$ctr_devices
for n in "${counts[@]}"; do [ "$n" -le "$max" ] || max=$n; done
t0=${EPOCHREALTIME/./}
rxe_setup "$max" >/dev/null || die "rxe_setup $max failed"
note "created $max rxe devices on veth pairs in $(((${EPOCHREALTIME/./} - t0) / 1000)) ms"

# Device indices by name, read once: the floor is given known indices, and a
# device keeps its index when it changes namespace.
declare -A index_of
while read -r line; do
    [[ $line =~ ^([0-9]+):\ (rxe[0-9]+): ]] && index_of[${BASH_REMATCH[2]}]=${BASH_REMATCH[1]}
done <<<"$(rdma dev show)"
[ "${#index_of[@]}" -eq "$max" ] || die "rdma dev show lists ${#index_of[@]} rxe devices, not $max"
# names N / indices N : rxe0..rxe(N-1), comma-separated
names() {
    local i s=
    for ((i = 0; i < $1; i++)); do s+=${s:+,}rxe$i; done
    echo "$s"
}
indices() {
    local i s=
    for ((i = 0; i < $1; i++)); do s+=${s:+,}${index_of[rxe$i]}; done
    echo "$s"
}

# all_home : every rxe device is in this (the initial) namespace
all_home() {
    local got
    got=$(rdma dev show | grep -c '^[0-9]*: rxe') || true
    [ "$got" -eq "$max" ] || die "only $got of $max rxe devices are in the host after the last run"
}

printf '{"state_dir": "%s/state"}\n' "$work" >"$cfg"
printf '{"state_dir": "%s/state", "move_threads": 1}\n' "$work" >"$cfg1"
make_bundle "$work/bundle" >/dev/null || die "make_bundle failed"

# --- a fresh network namespace per measurement, held by a sleeping process
holder=
new_holder() {
    unshare -n sleep 3600 &
    holder=$!
    local comm=
    # unshare execs sleep once the namespace exists
    until [ "$comm" = sleep ]; do
        read -r comm <"/proc/$holder/comm" || die "the namespace holder died"
    done
}
end_holder() {
    kill "$holder"
    wait "$holder" 2>/dev/null || true
    holder=
}

# write_states ID N : the OCI states a runtime would give the hooks
write_states() {
    local annotations
    annotations=$(printf '{"rdma.netns/devices":"%s"}' "$(names "$2")")
    printf '{"ociVersion":"1.0.2","id":"%s","status":"created","pid":%d,"bundle":"%s","annotations":%s}\n' \
        "$1" "$holder" "$work/bundle" "$annotations" >"$work/state-in.json"
    printf '{"ociVersion":"1.0.2","id":"%s","status":"stopped","bundle":"%s","annotations":%s}\n' \
        "$1" "$work/bundle" "$annotations" >"$work/state-out.json"
}

# Timing: bash's $EPOCHREALTIME, so no process is started to read the clock.
# (bench/run boots the VM with the TSC as clock source; the default, jiffies,
# ticks every 4 ms.)
now() { t=${EPOCHREALTIME/./}; }

# measure VARIANT N RUN : one move in and out; sets in_us out_us total_us
measure() {
    local variant=$1 n=$2 run=$3 t t1 t2 t3 json idx
    new_holder
    write_states "bench-$variant-$n-$run" "$n"
    idx=$(indices "$n")
    case $variant in
    a)
        now && t1=$t
        "$floor" --netns "/proc/$holder/ns/net" --index "$idx" >"$work/floor.out" ||
            die "floor_bench failed with $n devices"
        now && t2=$t
        read -r json <"$work/floor.out"
        [[ $json =~ \"in_us\":([0-9]+),\"out_us\":([0-9]+) ]] || die "floor_bench printed: $json"
        in_us=${BASH_REMATCH[1]} out_us=${BASH_REMATCH[2]} total_us=$((t2 - t1))
        ;;
    s)
        now && t1=$t
        "$hook" --version >/dev/null || die "rdma-netns-hook --version failed"
        now && t2=$t
        in_us=$((t2 - t1)) out_us=0 total_us=$((t2 - t1))
        ;;
    b1 | b4 | c)
        local cmd=("$hook" --config "$cfg")
        [ "$variant" = b1 ] && cmd=("$hook" --config "$cfg1")
        [ "$variant" = c ] && cmd=("$shell_hook")
        now && t1=$t
        "${cmd[@]}" prestart <"$work/state-in.json" || die "variant $variant: prestart failed with $n devices"
        now && t2=$t
        "${cmd[@]}" poststop <"$work/state-out.json" || die "variant $variant: poststop failed with $n devices"
        now && t3=$t
        in_us=$((t2 - t1)) out_us=$((t3 - t2)) total_us=$((t3 - t1))
        ;;
    esac
    end_holder
    all_home
}

# rotate R ITEM... : the items, starting at the R-th (mod count): each variant
# goes first, second, third... equally often
rotate() {
    local r=$1
    shift
    local items=("$@") i
    for ((i = 0; i < ${#items[@]}; i++)); do
        echo "${items[(r + i) % ${#items[@]}]}"
    done
}

# --- (a), (b1), (b4), (c), and (s): the hook starting and exiting (--version), to
# tell its start-up from its work. Every round measures every variant at every
# device count, both in rotated order, so that the host's load, which comes
# and goes, weighs on all of them alike.
note "a warm-up round, then $runs rounds of a, b1, b4, c, s at ${counts[*]} devices"
for n in "${counts[@]}"; do
    for v in a b1 b4 c s; do measure "$v" "$n" 0; done
done
for ((r = 1; r <= runs; r++)); do
    for n in $(rotate "$r" "${counts[@]}"); do
        line=
        for v in $(rotate "$r" a b1 b4 c s); do
            measure "$v" "$n" "$r"
            record "$(printf '{"kind":"latency","variant":"%s","devices":%d,"run":%d,"total_us":%d,"in_us":%d,"out_us":%d}' \
                "$v" "$n" "$r" "$total_us" "$in_us" "$out_us")"
            line+=" $v=$((total_us / 1000))ms"
        done
        note "round $r, $n devices:$line"
    done
done

# --- floor_bench with N threads: do moves of different devices overlap?
thread_devices=()
for n in "${counts[@]}"; do [ "$n" -lt 8 ] || thread_devices+=("$n"); done
note "a warm-up round, then $runs rounds of floor_bench with ${thread_counts[*]} threads at ${thread_devices[*]} devices"
for ((r = 0; r <= runs; r++)); do
    for n in $(rotate "$r" "${thread_devices[@]}"); do
        line=
        for th in $(rotate "$r" "${thread_counts[@]}"); do
            new_holder
            "$floor" --netns "/proc/$holder/ns/net" --index "$(indices "$n")" --threads "$th" \
                >"$work/floor.out" || die "floor_bench --threads $th failed"
            end_holder
            all_home
            read -r json <"$work/floor.out"
            [[ $json =~ \"in_us\":([0-9]+),\"out_us\":([0-9]+) ]] || die "floor_bench printed: $json"
            [ "$r" -eq 0 ] && continue # warm-up
            record "$(printf '{"kind":"threads","threads":%d,"devices":%d,"run":%d,"in_us":%d,"out_us":%d}' \
                "$th" "$n" "$r" "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}")"
            line+=" $th=$(((BASH_REMATCH[1] + BASH_REMATCH[2]) / 1000))ms"
        done
        [ "$r" -eq 0 ] || note "threads round $r, $n devices:$line"
    done
done

# --- containers from start to exit, with and without the hook
# container_bundle DIR HOOK(yes/no) ARGS... : a bundle that runs ARGS
container_bundle() {
    local dir=$1 with_hook=$2
    shift 2
    make_bundle "$dir" >/dev/null && bundle_args "$dir" "$@" || return 1
    [ "$with_hook" = yes ] || return 0
    bundle_jq "$dir" '.annotations = {"rdma.netns/devices": $d}' --arg d "$(names "$ctr_devices")" &&
        bundle_hook "$dir" prestart "$hook" --config "$cfg" prestart &&
        bundle_hook "$dir" poststop "$hook" --config "$cfg" poststop
}
container_bundle "$work/ctr-plain" no /bin/true || die "making the container bundle failed"
container_bundle "$work/ctr-hook" yes /bin/true || die "making the container bundle failed"
# First make sure the hook really runs: this container fails unless it sees rxe0.
container_bundle "$work/ctr-check" yes /bin/sh -c "[ -e /sys/class/infiniband/rxe0 ]" ||
    die "making the container bundle failed"
for rt in runc crun; do
    "$rt" run -b "$work/ctr-check" "check-$rt" </dev/null >"$work/ctr.log" 2>&1 ||
        die "$rt: the container with the hook does not see rxe0: $(cat "$work/ctr.log")"
    all_home
done

note "containers: a warm-up round, then $runs rounds of runc and crun, with and without the hook ($ctr_devices devices)"
for ((r = 0; r <= runs; r++)); do
    line=
    for v in $(rotate "$r" runc crun runc+hook crun+hook); do
        rt=${v%+hook} dir=$work/ctr-plain
        [ "$v" = "$rt" ] || dir=$work/ctr-hook
        id=bench-${v/+/-}-$r
        now && t1=$t
        "$rt" run -b "$dir" "$id" </dev/null >"$work/ctr.log" 2>&1 || die "$v run $r failed: $(cat "$work/ctr.log")"
        now && t2=$t
        all_home
        [ "$r" -eq 0 ] && continue
        record "$(printf '{"kind":"container","variant":"%s","devices":%d,"run":%d,"total_us":%d}' \
            "$v" "$([ "$v" = "$rt" ] && echo 0 || echo "$ctr_devices")" "$r" "$((t2 - t1))")"
        line+=" $v=$(((t2 - t1) / 1000))ms"
    done
    [ "$r" -eq 0 ] || note "containers round $r:$line"
done

# --- peak RSS (GNU time's %M: the largest resident set, KiB), three runs each
note "peak RSS of the hook and of floor_bench"
for n in "${counts[@]}"; do
    for ((r = 1; r <= 3; r++)); do
        new_holder
        write_states "bench-rss-$n-$r" "$n"
        /usr/bin/time -f %M -o "$work/rss.in" "$hook" --config "$cfg" prestart <"$work/state-in.json" ||
            die "prestart under time failed"
        /usr/bin/time -f %M -o "$work/rss.out" "$hook" --config "$cfg" poststop <"$work/state-out.json" ||
            die "poststop under time failed"
        /usr/bin/time -f %M -o "$work/rss.floor" "$floor" --netns "/proc/$holder/ns/net" \
            --index "$(indices "$n")" >/dev/null || die "floor_bench under time failed"
        end_holder
        all_home
        for what in in out floor; do
            read -r kib <"$work/rss.$what"
            case $what in in) p=rdma-netns-hook-prestart ;; out) p=rdma-netns-hook-poststop ;; *) p=floor_bench ;; esac
            record "$(printf '{"kind":"rss","program":"%s","devices":%d,"run":%d,"kib":%d}' "$p" "$n" "$r" "$kib")"
        done
    done
done

# and what a program costs by merely starting
for ((r = 1; r <= 3; r++)); do
    /usr/bin/time -f %M -o "$work/rss.version" "$hook" --version >/dev/null || die "$hook --version failed"
    /usr/bin/time -f %M -o "$work/rss.true" /bin/true || die "/bin/true under time failed"
    read -r kib <"$work/rss.version"
    record "$(printf '{"kind":"rss","program":"rdma-netns-hook --version","devices":0,"run":%d,"kib":%d}' "$r" "$kib")"
    read -r kib <"$work/rss.true"
    record "$(printf '{"kind":"rss","program":"/bin/true","devices":0,"run":%d,"kib":%d}' "$r" "$kib")"
done

# --- what ran
record "$(printf '{"kind":"meta","kernel":"%s","cpus":%d,"runs":%d,"container_devices":%d,"runc":"%s","crun":"%s","iproute2":"%s","clocksource":"%s"}' \
    "$(uname -r)" "$(nproc)" "$runs" "$ctr_devices" "$(runc --version | sed -n 's/^runc version //p')" \
    "$(crun --version | sed -n 's/^crun version //p')" "$(ip -V | sed -n 's/.*iproute2-\([^ ,]*\).*/\1/p')" \
    "$clock")"

echo "bench: clock $EPOCHREALTIME"
lines=$(wc -l <"$results")
sed 's/^/RNH-BENCH /' "$results"
echo "RNH-BENCH-END $lines"
