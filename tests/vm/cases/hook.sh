#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# shellcheck disable=SC2016,SC2317 # jq variables; functions called through check
# The hook with real runtimes: devices move in before the workload starts, are the
# only ones it sees, carry traffic, and go home after; bad requests move nothing.
set -eu
# shellcheck source-path=SCRIPTDIR source=../guest/lib.sh
. "$(dirname "$0")/../guest/lib.sh"

hook=$RNH_BIN_DIR/rdma-netns-hook
all="rxe0 rxe1 rxe2 rxe3"
preamble

# The container's program: what it sees, RDMA traffic, then it waits for the host's go.
cat >"$outdir/workload" <<'SH'
#!/bin/sh
. /out/workload.sh
ip link set lo up
rdma dev show >/out/$1.rdma 2>&1
ibv_devinfo -l >/out/$1.ibv 2>&1
[ -z "$2" ] || pingpong "$1" "$2" 1 50
ready_then_wait "$1"
SH
chmod +x "$outdir/workload"

# hook_bundle DIR RUNTIME NAME PRE_STAGE ANNOTATIONS_JSON [PINGPONG_DEV]
hook_bundle() {
    local dir=$1 name=$3 stage=$4 annotations=$5 dev=${6:-}
    make_bundle "$dir" &&
        bundle_args "$dir" /out/workload "$name" "$dev" &&
        bundle_jq "$dir" '.annotations = $a
            | .mounts += [{destination: "/out", type: "bind", source: $out, options: ["rbind", "rw"]}]
            | .process.capabilities |= with_entries(.value += ["CAP_NET_ADMIN"])' \
            --argjson a "$annotations" --arg out "$outdir" &&
        bundle_hook "$dir" "$stage" "$hook" "$stage" &&
        bundle_hook "$dir" poststop "$hook" poststop
}

# start RUNTIME ID DIR : run the container in the background
start() { start_bg "$2" "$1" run -b "$3" "$2"; }
# sees ID DEV... : inside, rdma dev and ibv_devinfo listed exactly DEVs
sees() {
    local id=$1 want got
    shift
    want=$(printf '%s\n' "$@" | sort)
    got=$(sed -n 's/^[0-9]*: \([^:]*\):.*/\1/p' "$outdir/$id.rdma" | sort)
    [ "$got" = "$want" ] || { echo "rdma dev inside: $got; wanted: $want"; return 1; }
    got=$(sed -n 's/^[[:space:]]*\(rxe[0-9]*\)$/\1/p' "$outdir/$id.ibv" | sort)
    [ "$got" = "$want" ] || { echo "ibv_devinfo -l inside: $got; wanted: $want"; cat "$outdir/$id.ibv"; return 1; }
}
# traffic ID : ibv_rc_pingpong passed 50 iterations inside
traffic() { grep -q "50 iters" "$outdir/$1.client" || { cat "$outdir/$1.client" "$outdir/$1.server"; return 1; }; }
# refused RUNTIME ID DIR MESSAGE : the container fails to start and the user sees the hook's
# MESSAGE: runc shows a failing hook's stderr (with quotes escaped), crun writes it to the
# file named by the run.oci.hooks.stderr annotation. The system log has it too.
refused() {
    local rt=$1 id=$2 dir=$3 message=$4 shown=$outdir/$2.log
    [ "$rt" = crun ] && shown=$outdir/$id.hook-stderr
    bundle_jq "$dir" '.annotations["run.oci.hooks.stderr"] = $f' --arg f "$outdir/$id.hook-stderr"
    if "$rt" run -b "$dir" "$id" >"$outdir/$id.log" 2>&1; then
        echo "the container started"
        return 1
    fi
    sed 's/\\"/"/g' "$shown" | grep -qF "rdma-netns-hook: $message" ||
        { cat "$outdir/$id.log" "$shown"; return 1; }
    busybox logread | grep -qF "$message" || { echo "not in the system log"; busybox logread | tail -n 5; return 1; }
}

# --- shared mode (the boot default): refused with the remedy, nothing moves
check "create four rxe devices" rxe_setup 4
hook_bundle /tmp/b-shared runc shared prestart '{"rdma.netns/devices":"rxe0"}'
check "shared mode: runc refuses to start, the hook says how to switch" \
    refused runc shared /tmp/b-shared "the RDMA subsystem is in shared network namespace mode"
check "shared mode: every device is in the host" all_home
runc delete -f shared >/dev/null 2>&1 || true
check "switch to exclusive once the container's namespace is gone" wait_for 30 set_exclusive

# --- runc, prestart + poststop, by name and by netdev
hook_bundle /tmp/b-runc runc r1 prestart '{"rdma.netns/devices":"rxe0","rdma.netns/netdevs":"v1"}' rxe0
start runc r1 /tmp/b-runc
check "runc: container starts with rxe0 (by name) and rxe1 (by netdev v1)" ready r1
check "runc: inside, rdma dev and ibv_devinfo list exactly rxe0 and rxe1" sees r1 rxe0 rxe1
check "runc: ibv_rc_pingpong over rxe0 inside the container" traffic r1
check "runc: the host does not list rxe0 or rxe1 while it runs" host_lacks rxe0 rxe1
check "runc: status --json records the assignment" \
    eval "'$hook' status --json | jq -e '.assignments[0].container_id == \"r1\" and ([.assignments[0].devices[].name] | sort) == [\"rxe0\",\"rxe1\"]'"
stop r1
check "runc: container exits cleanly" exited r1
check "runc: after poststop every device is home" all_home
check "runc: the journal is empty" eval "'$hook' status --json | jq -e '.assignments == []'"

# --- crun, createRuntime + poststop
hook_bundle /tmp/b-crun crun c1 createRuntime '{"rdma.netns/devices":"rxe2, rxe3"}' rxe3
start crun c1 /tmp/b-crun
check "crun: container starts with rxe2 and rxe3" ready c1
check "crun: inside, exactly rxe2 and rxe3" sees c1 rxe2 rxe3
check "crun: ibv_rc_pingpong over rxe3 inside the container" traffic c1
check "crun: the host does not list rxe2 or rxe3" host_lacks rxe2 rxe3
stop c1
check "crun: container exits cleanly" exited c1
check "crun: after poststop every device is home" all_home

# --- no request: the hook does nothing and says nothing (a shell in front of it keeps what
# it prints: runc shows a hook's output only when the hook fails)
hook_bundle /tmp/b-none runc n1 prestart '{"other":"x"}'
bundle_jq /tmp/b-none '.hooks |= map_values(map(.args = ["/bin/sh", "-c", $sh, .path, .args[1]]
    | .path = "/bin/sh"))' --arg sh "exec \"\$0\" \"\$1\" >>$outdir/n1.hook-out 2>&1"
logged_before=$(busybox logread | grep -c rdma-netns-hook || true)
start runc n1 /tmp/b-none
check "no annotation: container starts" ready n1
check "no annotation: inside, no device" sees n1
check "no annotation: every device in the host" all_home
stop n1
check "no annotation: container exits cleanly" exited n1
# silent : the hook ran at prestart and poststop (the shell made its file), printed nothing
# and logged nothing
silent() {
    test -e "$outdir/n1.hook-out" || { echo "the hook did not run"; return 1; }
    ! test -s "$outdir/n1.hook-out" || { cat "$outdir/n1.hook-out"; return 1; }
    [ "$(busybox logread | grep -c rdma-netns-hook)" = "$logged_before" ] || { busybox logread | tail -n 3; return 1; }
}
check "no annotation: the hook ran, printed nothing and logged nothing" silent

# --- bad requests: the container does not start and nothing moves. The refused containers
# join the namespace "held", which outlives them: a device moved in and not brought back
# would stay there, where the kernel's return of devices from a dead namespace cannot hide it.
ip netns add held
# in_held BUNDLE : the container of BUNDLE joins the namespace "held"
in_held() { bundle_jq "$1" '.linux.namespaces |= map(if .type == "network" then .path = "/var/run/netns/held" else . end)'; }
# nothing_moved : every device is home and "held" holds none
nothing_moved() {
    all_home && { [ -z "$(ip netns exec held rdma dev show)" ] || { echo "in held:"; ip netns exec held rdma dev show; return 1; }; }
}
for rt in runc crun; do
    stage=prestart
    [ "$rt" = crun ] && stage=createRuntime
    hook_bundle "/tmp/b-$rt-unknown" "$rt" u1 "$stage" '{"rdma.netns/devices":"rxe0,rxe9"}'
    in_held "/tmp/b-$rt-unknown"
    check "$rt: one good and one unknown device: refused, naming the unknown one" \
        refused "$rt" "u-$rt" "/tmp/b-$rt-unknown" 'no RDMA device named "rxe9" in the host network namespace'
    check "$rt: after the refusal nothing moved (its namespace is alive)" nothing_moved
    "$rt" delete -f "u-$rt" >/dev/null 2>&1 || true
done
hook_bundle /tmp/b-badname runc b1 prestart '{"rdma.netns/devices":"rxe0;reboot"}'
in_held /tmp/b-badname
check "a malformed name is refused with what is allowed" \
    refused runc b1 /tmp/b-badname 'annotation rdma.netns/devices: "rxe0;reboot" is not a valid RDMA device name'
check "after the malformed name nothing moved (its namespace is alive)" nothing_moved
runc delete -f b1 >/dev/null 2>&1 || true

# --- the operator's policy refuses before anything moves, naming the rule
cat >/tmp/policy.json <<'JSON'
{"policy": {"deny": ["rxe3"], "max_devices": 2, "request_annotations": ["devices", "netdevs"]}}
JSON
policy_bundle() {
    hook_bundle "$1" runc "$2" prestart "$3" && in_held "$1" &&
        bundle_jq "$1" '.hooks.prestart[0].args = [.hooks.prestart[0].args[0], "--config", "/tmp/policy.json", "prestart"]'
}
policy_bundle /tmp/b-deny d1 '{"rdma.netns/devices":"rxe2,rxe3"}'
check "policy: a denied device is refused, naming the rule" \
    refused runc d1 /tmp/b-deny 'RDMA device rxe3 is refused by the policy: it matches the deny rule "rxe3"'
policy_bundle /tmp/b-max d2 '{"rdma.netns/devices":"rxe0,rxe1,rxe2"}'
check "policy: more devices than max_devices are refused" \
    refused runc d2 /tmp/b-max 'the container would hold 3 RDMA devices; the policy allows at most 2'
policy_bundle /tmp/b-kind d3 '{"rdma.netns/pci":"0000:00:02.0"}'
check "policy: a request kind that is not honoured is refused" \
    refused runc d3 /tmp/b-kind 'requests by annotation rdma.netns/pci are not honoured on this host'
check "policy: after the refusals nothing moved (their namespace is alive)" nothing_moved
for id in d1 d2 d3; do runc delete -f "$id" >/dev/null 2>&1 || true; done

# --- a device held by a running container is not handed to another one
hook_bundle /tmp/b-owner runc o1 prestart '{"rdma.netns/devices":"rxe2"}'
start runc o1 /tmp/b-owner
check "owner: the first container starts with rxe2" ready o1
hook_bundle /tmp/b-thief runc o2 prestart '{"rdma.netns/devices":"rxe2"}'
in_held /tmp/b-thief
check "owner: a second container asking for rxe2 is refused, naming the holder" \
    refused runc o2 /tmp/b-thief 'RDMA device rxe2 is held by container o1'
check "owner: rxe2 is still inside the first container, not in the refused one's namespace" \
    eval 'host_lacks rxe2 && sees o1 rxe2 && not rdma_has rxe2 held'
runc delete -f o2 >/dev/null 2>&1 || true
stop o1
check "owner: the first container exits cleanly and rxe2 is home" eval 'exited o1 && all_home'

# --- bad process ids in the state: refused, nothing moves
state_with_pid() { printf '{"id":"p%s","status":"creating","pid":%s,"bundle":"/tmp/b-runc","annotations":{"rdma.netns/devices":"rxe0"}}' "$1" "$1"; }
hook_says() {
    local out
    out=$("$hook" prestart 2>&1 <<<"$1") && { echo "the hook succeeded"; return 1; }
    grep -qF "rdma-netns-hook: $2" <<<"$out" || { echo "$out"; return 1; }
}
check "a pid that is not running is refused" hook_says "$(state_with_pid 999999)" "container process 999999 does not exist"
check "pid 1 (the host's own namespace) is refused" hook_says "$(state_with_pid 1)" "container p1 shares the host's network namespace"
check "after the bad pids every device is home" all_home

# --- a pod: two containers in one namespace; devices go home with the last one
ip netns add pod
pod_bundle() {
    hook_bundle "$1" runc "$2" prestart '{"rdma.netns/devices":"rxe1"}' &&
        bundle_jq "$1" '.linux.namespaces |= map(if .type == "network" then .path = "/var/run/netns/pod" else . end)'
}
pod_bundle /tmp/b-pod1 p1
pod_bundle /tmp/b-pod2 p2
start runc p1 /tmp/b-pod1
check "pod: first container starts with rxe1" ready p1
start runc p2 /tmp/b-pod2
check "pod: second container in the same namespace starts too" ready p2
check "pod: both see rxe1" eval 'sees p1 rxe1 && sees p2 rxe1'
stop p1
check "pod: first container exits cleanly" exited p1
check "pod: rxe1 stays in the pod's namespace" eval 'host_lacks rxe1 && rdma_has rxe1 pod'
stop p2
check "pod: second container exits cleanly" exited p2
check "pod: rxe1 is home after the last one" all_home
check "pod: the journal is empty" eval "'$hook' status --json | jq -e '.assignments == []'"
ip netns del pod
ip netns del held

check "invariant: every device home or held by a live container in the journal" invariant "$hook" rxe0 rxe1 rxe2 rxe3
finish
