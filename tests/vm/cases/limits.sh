#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# shellcheck disable=SC2016,SC2317 # jq variables; functions called through check
# What a container needs besides its devices, with runc and crun, as a non-root user
# inside: the locked-memory limit (config memlock, annotation rdma.netns/memlock bounded by
# policy.max_memlock, config.json's own rlimit winning) and rdma.max of its cgroup for
# exactly its devices (policy.rdma_limits), with a refusal or a warning when the cgroup has
# no rdma controller.
set -eu
# shellcheck source-path=SCRIPTDIR source=../guest/lib.sh
. "$(dirname "$0")/../guest/lib.sh"

hook=$RNH_BIN_DIR/rdma-netns-hook
all="rxe0 rxe1 rxe2"
preamble
chmod 777 "$outdir"
check "exclusive mode" set_exclusive
check "create three rxe devices" rxe_setup 3
# a non-root user opens the verbs nodes as udev would let it
chmod 666 /dev/infiniband/uverbs*
ip netns add held
size=67108864 # 64 MiB: above the default locked-memory limit of 8 MiB
default_kib=$(ulimit -l)

cat >/tmp/mem.json <<'JSON'
{"memlock": "128M", "policy": {"max_memlock": "256M"}}
JSON
cat >/tmp/rdma.json <<'JSON'
{"memlock": "128M", "policy": {"rdma_limits": {"hca_handle": 1, "hca_object": 100}}}
JSON

# The container's program, as uid 1000 with CAP_NET_ADMIN only (for lo):
# workload ID DEV [pingpong SIZE | hold]
cat >"$outdir/workload" <<'SH'
#!/bin/sh
. /out/workload.sh
ip link set lo up
{ id -u; ulimit -l; } >/out/$1.limits
case $3 in
pingpong) pingpong "$1" "$2" 1 2 "$4" ;;
hold)
    ibv_devinfo -d "$2" >/out/$1.open1 2>&1 && echo opened >>/out/$1.open1
    # a server waiting for a client holds the device open
    stdbuf -oL ibv_rc_pingpong -d "$2" -g 1 >/out/$1.holder 2>&1 &
    i=0 # until it has its queue pair (and says so) or has died
    until grep -q "local address" /out/$1.holder || ! kill -0 $! 2>/dev/null || [ $i -ge 300 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    ibv_devinfo -d "$2" >/out/$1.open2 2>&1 && echo opened >>/out/$1.open2
    kill -0 $! 2>/dev/null && echo alive >>/out/$1.holder
    kill $!
    wait
    ibv_devinfo -d "$2" >/out/$1.open3 2>&1 && echo opened >>/out/$1.open3
    ;;
esac
ready_then_wait "$1"
SH
chmod +x "$outdir/workload"

# bundle RUNTIME ID CONFIG ANNOTATIONS_JSON [pingpong SIZE | hold] : /tmp/b-ID, workload on rxe0, the hook with
# --config CONFIG ("" for none) at prestart (runc) or createRuntime (crun)
bundle() {
    local rt=$1 id=$2 config=$3 annotations=$4 dir=/tmp/b-$2 stage=prestart
    shift 4
    [ "$rt" = crun ] && stage=createRuntime
    make_bundle "$dir" &&
        bundle_args "$dir" /out/workload "$id" rxe0 "$@" &&
        bundle_jq "$dir" '.annotations = $a
            | .annotations["run.oci.hooks.stderr"] = $out + "/" + $id + ".hook-stderr"
            | .mounts += [{destination: "/out", type: "bind", source: $out, options: ["rbind", "rw"]}]
            | .process.user = {uid: 1000, gid: 1000}
            | .process.capabilities = ({bounding: 0, effective: 0, permitted: 0, inheritable: 0,
                ambient: 0} | map_values(["CAP_NET_ADMIN"]))' \
            --argjson a "$annotations" --arg out "$outdir" --arg id "$id" &&
        bundle_hook "$dir" "$stage" "$hook" ${config:+--config "$config"} "$stage" &&
        bundle_hook "$dir" poststop "$hook" ${config:+--config "$config"} poststop
}
# run_ct RUNTIME ID : start the container of /tmp/b-ID in the background
run_ct() { start_bg "$2" "$1" run -b "/tmp/b-$2" "$2"; }
# limits_are ID KIB : inside, the workload ran as uid 1000 with `ulimit -l` KIB
limits_are() {
    local got
    got=$(xargs <"$outdir/$1.limits")
    [ "$got" = "1000 $2" ] || { echo "uid and ulimit -l inside: $got; wanted: 1000 $2"; return 1; }
}
# passed ID : ibv_rc_pingpong's client did its 2 iterations
passed() { grep -q "2 iters" "$outdir/$1.client" || { cat "$outdir/$1.server" "$outdir/$1.client"; return 1; }; }
# mr_refused ID : the server could not register its buffer
mr_refused() { grep -q "Couldn't register MR" "$outdir/$1.server" || { cat "$outdir/$1.server"; return 1; }; }
# done_ok ID : the runtime exited 0 and every device is home (after `stop ID`)
done_ok() { exited "$1" && all_home; }
# refused RUNTIME ID MESSAGE : the container does not start; the hook's MESSAGE is in the
# system log; nothing moved (its namespace "held" outlives it)
refused() {
    local rt=$1 id=$2
    # (a container started by mistake ends at once)
    bundle_jq "/tmp/b-$id" '.process.args = ["/bin/true"]
        | .linux.namespaces |= map(if .type == "network" then .path = "/var/run/netns/held" else . end)'
    if "$rt" run -b "/tmp/b-$id" "$id" >"$outdir/$id.log" 2>&1; then
        echo "the container started"
        return 1
    fi
    "$rt" delete -f "$id" >/dev/null 2>&1 || true
    busybox logread | grep -qF "$3" || { cat "$outdir/$id.log"; busybox logread | tail -n 3; return 1; }
    all_home && [ -z "$(ip netns exec held rdma dev show)" ]
}
# rdma_max_file RUNTIME ID : the container's rdma.max, from its process's cgroup (v2)
rdma_max_file() {
    local pid cg
    pid=$("$1" state "$2" | jq -r .pid) && cg=$(sed -n 's/^0:://p' "/proc/$pid/cgroup") &&
        echo "/sys/fs/cgroup$cg/rdma.max"
}
rdma_max_of() { cat "$(rdma_max_file "$1" "$2")"; }
# audit_says ID STATUS [LINE...] : `audit ID` exits with STATUS and its stderr has each LINE
audit_says() {
    local id=$1 want=$2 rc=0 line
    shift 2
    "$hook" audit "$id" >"$outdir/$id.audit" 2>"$outdir/$id.audit-err" || rc=$?
    [ "$rc" = "$want" ] || { echo "audit exited $rc"; cat "$outdir/$id.audit" "$outdir/$id.audit-err"; return 1; }
    for line in "$@"; do
        grep -qF "$line" "$outdir/$id.audit-err" || { echo "no \"$line\""; cat "$outdir/$id.audit-err"; return 1; }
    done
}
# limited_exactly RUNTIME ID LINE... : the lines of rdma.max that are not all "max" are LINEs
limited_exactly() {
    local rt=$1 id=$2 got want
    shift 2
    got=$(rdma_max_of "$rt" "$id" | awk '$2 != "hca_handle=max" || $3 != "hca_object=max"' | sed 's/ *$//')
    want=$(printf '%s\n' "$@")
    [ "$got" = "$want" ] || { echo "rdma.max limits: $got; wanted: $want"; rdma_max_of "$rt" "$id"; return 1; }
}
# second_open_refused ID : alone the device opened; while a process held it, a second
# open failed and the holder lived on; once it ended, the device opened again
second_open_refused() {
    grep -q opened "$outdir/$1.open1" || { cat "$outdir/$1.open1"; return 1; }
    not grep -q opened "$outdir/$1.open2" || { echo "a second open worked"; return 1; }
    grep -q "Failed to open device" "$outdir/$1.open2" || { cat "$outdir/$1.open2"; return 1; }
    { grep -q "local address" "$outdir/$1.holder" && grep -q alive "$outdir/$1.holder"; } ||
        { cat "$outdir/$1.holder"; return 1; }
    grep -q opened "$outdir/$1.open3" || { cat "$outdir/$1.open3"; return 1; }
}

for rt in runc crun; do
    # --- without the option: the runtime's default, and 64 MiB cannot be registered
    bundle "$rt" "$rt-default" "" '{"rdma.netns/devices":"rxe0"}' pingpong "$size"
    run_ct "$rt" "$rt-default"
    check "$rt: without memlock the container starts with rxe0" ready "$rt-default"
    check "$rt: without memlock, ulimit -l is the default ($default_kib)" limits_are "$rt-default" "$default_kib"
    check "$rt: without memlock, registering 64 MiB fails" mr_refused "$rt-default"
    check "$rt: without memlock, the journal records no limits" \
        eval "'$hook' status --json | jq -e '.assignments[0] | has(\"limits\") | not'"
    stop "$rt-default"
    check "$rt: container exits, devices home" done_ok "$rt-default"

    # --- config memlock: the value, and 64 MiB ibv_rc_pingpong passes
    bundle "$rt" "$rt-mem" /tmp/mem.json '{"rdma.netns/devices":"rxe0"}' pingpong "$size"
    run_ct "$rt" "$rt-mem"
    check "$rt: memlock 128M: the container starts" ready "$rt-mem"
    check "$rt: memlock 128M: ulimit -l is 131072" limits_are "$rt-mem" 131072
    check "$rt: memlock 128M: ibv_rc_pingpong with a 64 MiB buffer passes" passed "$rt-mem"
    check "$rt: memlock 128M: status shows it" eval "'$hook' status | grep -q 'memlock 128M'"
    stop "$rt-mem"
    check "$rt: container exits, devices home" done_ok "$rt-mem"

    # --- the annotation, up to policy.max_memlock, wins over the config's value
    bundle "$rt" "$rt-ann" /tmp/mem.json '{"rdma.netns/devices":"rxe0","rdma.netns/memlock":"96M"}'
    run_ct "$rt" "$rt-ann"
    check "$rt: annotation 96M: the container starts" ready "$rt-ann"
    check "$rt: annotation 96M: ulimit -l is 98304" limits_are "$rt-ann" 98304
    stop "$rt-ann"
    check "$rt: container exits, devices home" done_ok "$rt-ann"

    # --- config.json's RLIMIT_MEMLOCK wins over the hook's
    bundle "$rt" "$rt-spec" /tmp/mem.json '{"rdma.netns/devices":"rxe0"}'
    bundle_jq "/tmp/b-$rt-spec" '.process.rlimits += [{type: "RLIMIT_MEMLOCK", soft: 16777216, hard: 16777216}]'
    run_ct "$rt" "$rt-spec"
    check "$rt: config.json sets 16 MiB: the container starts" ready "$rt-spec"
    check "$rt: config.json sets 16 MiB: ulimit -l is 16384" limits_are "$rt-spec" 16384
    stop "$rt-spec"
    check "$rt: container exits, devices home" done_ok "$rt-spec"

    # --- above policy.max_memlock: refused, nothing moved
    bundle "$rt" "$rt-over" /tmp/mem.json '{"rdma.netns/devices":"rxe0,rxe1","rdma.netns/memlock":"1G"}'
    check "$rt: annotation 1G above max_memlock 256M: refused, nothing moved" refused "$rt" "$rt-over" \
        "annotation rdma.netns/memlock (1G) is above policy.max_memlock (256M)"

    # --- rdma.max for exactly its devices; with hca_handle=1 a second open fails
    bundle "$rt" "$rt-rdma" /tmp/rdma.json '{"rdma.netns/devices":"rxe0,rxe1"}' hold
    run_ct "$rt" "$rt-rdma"
    check "$rt: rdma_limits: the container starts with rxe0 and rxe1" ready "$rt-rdma"
    check "$rt: rdma.max of its cgroup limits exactly rxe0 and rxe1" limited_exactly "$rt" "$rt-rdma" \
        "rxe0 hca_handle=1 hca_object=100" "rxe1 hca_handle=1 hca_object=100"
    check "$rt: hca_handle=1: a second open fails while the first holds the device" \
        second_open_refused "$rt-rdma"
    check "$rt: status --json records the rdma.max lines" \
        eval "'$hook' status --json | jq -e '.assignments[0].limits.rdma_max == [\"rxe0 hca_handle=1 hca_object=100\", \"rxe1 hca_handle=1 hca_object=100\"]'"
    check "$rt: audit finds the limits as the hook set them" audit_says "$rt-rdma" 0
    pid=$("$rt" state "$rt-rdma" | jq -r .pid)
    prlimit --pid "$pid" --memlock=8388608
    echo "rxe1 hca_handle=max" >"$(dirname "$(rdma_max_file "$rt" "$rt-rdma")")/rdma.max"
    check "$rt: audit reports memlock and rdma.max changed behind the hook's back" audit_says "$rt-rdma" 1 \
        "container $rt-rdma: RLIMIT_MEMLOCK of pid $pid is 8M, but the hook set 128M" \
        "rdma.max has \"rxe1 hca_handle=max hca_object=100\", but the hook set \"rxe1 hca_handle=1 hca_object=100\""
    stop "$rt-rdma"
    check "$rt: container exits, devices home" done_ok "$rt-rdma"
done

# --- a cgroup whose parent does not enable the rdma controller: the hook itself, on a
# process put there, refuses (the default) or warns and starts without the limits
mkdir -p /sys/fs/cgroup/plain/c
ip netns add bare
ip netns exec bare sleep 600 &
sleeper=$!
echo "$sleeper" >/sys/fs/cgroup/plain/c/cgroup.procs
in_bare() { [ "$(readlink "/proc/$sleeper/ns/net")" != "$(readlink /proc/self/ns/net)" ]; }
check "a process in namespace bare and cgroup plain/c, whose parent enables no controller" wait_for 10 in_bare
mkdir -p /tmp/b-bare
echo '{}' >/tmp/b-bare/config.json
bare_state() {
    printf '{"id":"bare","status":"%s","pid":%s,"bundle":"/tmp/b-bare","annotations":{"rdma.netns/devices":"rxe2"}}' "$1" "$sleeper"
}
hook_fails_with() {
    local out
    out=$("$hook" --config "$1" prestart 2>&1 <<<"$(bare_state creating)") && { echo "the hook succeeded"; return 1; }
    grep -qF "$2" <<<"$out" || { echo "$out"; return 1; }
}
check "no rdma controller: refused by default, naming the cgroup and the fix" hook_fails_with /tmp/rdma.json \
    "the rdma cgroup controller is not enabled for the container's cgroup /sys/fs/cgroup/plain/c (it has no rdma.max); enable it with \`echo +rdma > /sys/fs/cgroup/plain/cgroup.subtree_control\`"
check "no rdma controller: after the refusal rxe2 is home" all_home
jq '.missing_rdma_controller = "warn"' /tmp/rdma.json >/tmp/rdma-warn.json
check "no rdma controller, \"warn\": the start goes on" eval "'$hook' --config /tmp/rdma-warn.json prestart <<<'$(bare_state creating)'"
check "no rdma controller, \"warn\": rxe2 is in the namespace, the log says why no limits" \
    eval 'rdma_has rxe2 bare && busybox logread | grep -qF "container bare starts without policy.rdma_limits"'
check "no rdma controller, \"warn\": poststop brings rxe2 home" \
    eval "'$hook' poststop <<<'$(bare_state stopped)' && all_home"
kill "$sleeper"
wait "$sleeper" || true
ip netns del bare
ip netns del held

check "invariant: every device home or held by a live container in the journal" invariant "$hook" rxe0 rxe1 rxe2
finish
