#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# shellcheck disable=SC2016,SC2317 # single quotes for eval; functions called through check
# Failure paths on a real kernel: setup --exclusive, a start where one move fails (siw0, which
# the kernel refuses to move), a return that fails, recover beside containers that hold
# devices, a poststop killed mid-way, the hook without its capabilities, namespace paths that
# are links or not network namespaces, the system log, bounded input (huge requests, names and
# CNI_* values refused before any lock file) and unreadable journal entries beside other
# containers. Every "nothing moved" check is made while the target namespace is alive, so the
# kernel's return of devices from a dead namespace cannot hide a move.
set -eu
# shellcheck source-path=SCRIPTDIR source=../guest/lib.sh
. "$(dirname "$0")/../guest/lib.sh"

hook=${RNH_BIN_DIR:-$RNH_BUILD_DIR/hook}/rdma-netns-hook
fault_hook=${RNH_FAULT_BIN_DIR:-$RNH_BUILD_DIR/hook}/rdma-netns-hook
outdir=/tmp/out
mkdir -p "$outdir" /tmp/b
busybox syslogd -C64

# run NAME CMD... : run CMD (stdin passed on), keep its output in NAME.out and status in NAME.rc
run() {
    local name=$1 rc=0
    shift
    "$@" >"$outdir/$name.out" 2>&1 || rc=$?
    echo "$rc" >"$outdir/$name.rc"
}
# refused NAME MESSAGE : the run NAME failed with "rdma-netns-hook: MESSAGE..." on stderr
refused() {
    grep -qvx 0 "$outdir/$1.rc" || { echo "it succeeded"; cat "$outdir/$1.out"; return 1; }
    grep -qF "rdma-netns-hook: $2" "$outdir/$1.out" || { cat "$outdir/$1.out"; return 1; }
}
# has NAME TEXT : the output of run NAME has TEXT
has() { grep -qF "$2" "$outdir/$1.out" || { cat "$outdir/$1.out"; return 1; }; }
# logged MESSAGE : the system log has "daemon.err rdma-netns-hook[PID]: MESSAGE"
logged() {
    busybox logread | grep -F "$1" | grep -q ' daemon\.err rdma-netns-hook\[[0-9]*\]: ' ||
        { echo "not in the system log:"; busybox logread | tail -n 5; return 1; }
}
# mode : the RDMA netns mode (shared or exclusive)
mode() { rdma system show | sed -n 's/.*netns \([a-z]*\).*/\1/p'; }
# in_ns NSPATH DEV... : the RDMA devices listed in the namespace NSPATH are exactly DEVs
in_ns() {
    local ns=$1 want got
    shift
    want=$(printf '%s\n' "$@" | sed '/^$/d' | sort)
    got=$(nsenter --net="$ns" rdma dev show | sed -n 's/^[0-9]*: \([^:]*\):.*/\1/p' | sort)
    [ "$got" = "$want" ] || { echo "in $ns: '$got'; wanted: '$want'"; return 1; }
}
# home DEV... : each DEV is in the host
home() {
    local d
    for d in "$@"; do rdma_has "$d" || { echo "$d is not in the host"; return 1; }; done
}
# journal : the assignments of the journal, as one line of JSON
journal() { "$hook" status --json | jq -cS .assignments; }
# journal_is JSON : the journal now is JSON
journal_is() { [ "$(journal)" = "$1" ] || { echo "journal: $(journal)"; echo "wanted:  $1"; return 1; }; }
# holds ID DEV... : the journal records exactly DEVs for container ID
holds() {
    local id=$1 want
    shift
    want=$(json_array "$@")
    "$hook" status --json | jq -e --arg id "$id" --argjson w "$want" \
        '[.assignments[] | select(.container_id == $id) | .devices[].name] | sort == ($w | sort)' \
        >/dev/null || { echo "journal: $(journal)"; return 1; }
}

# A container for the hook alone: a network namespace made with `ip netns add ID` (alive
# until deleted, whatever runs in it), a process in it, and a bundle whose config.json
# names the namespace's path. pid[ID] is the process.
declare -A pid
container() {
    local id=$1
    ip netns add "$id"
    mkdir -p "/tmp/b/$id"
    printf '{"ociVersion":"1.0.2","linux":{"namespaces":[{"type":"network","path":"/run/netns/%s"}]}}\n' \
        "$id" >"/tmp/b/$id/config.json"
    ip netns exec "$id" sleep 100000 &
    pid[$id]=$!
    # until `ip netns exec` has entered the namespace, the process is in the host's
    wait_for 30 eval '[ "$(stat -L -c %i "/proc/${pid[$id]}/ns/net")" = "$(stat -L -c %i "/run/netns/$id")" ]'
}
# state ID DEVICES [STATUS [PID]] : the OCI state a runtime gives the hook for container ID
state() {
    printf '{"ociVersion":"1.0.2","id":"%s","status":"%s",%s"bundle":"/tmp/b/%s","annotations":{"rdma.netns/devices":"%s"}}\n' \
        "$1" "${3:-creating}" "${4:+\"pid\":$4,}" "$1" "$2"
}
sequential=$outdir/sequential.json
echo '{"move_threads": 1, "return_timeout_ms": 1000}' >"$sequential"

# --- setup --exclusive, first: only while no network namespace but the initial one exists
check "after boot the RDMA subsystem is in shared mode" eval '[ "$(mode)" = shared ]'
run setup1 "$hook" setup --exclusive
check "setup --exclusive right after boot: says so, and the mode is exclusive" \
    eval 'grep -qx 0 "$outdir/setup1.rc" && has setup1 "RDMA netns mode: exclusive" && [ "$(mode)" = exclusive ]'
rdma system set netns shared
ip netns add early
run setup2 "$hook" setup --exclusive
check "setup --exclusive with a namespace alive: refused with the kernel's answer and the remedy" \
    refused setup2 "setting the RDMA network namespace mode to exclusive: Device or resource busy; the kernel changes it only while no network namespace but the initial one exists; set it at boot instead with the ib_core module parameter netns_mode=0"
check "the refusal left the mode shared" eval '[ "$(mode)" = shared ]'
check "the system log has the refusal with tag rdma-netns-hook and facility daemon" \
    logged "setting the RDMA network namespace mode to exclusive: Device or resource busy"
ip netns del early
check "once that namespace is gone, setup --exclusive succeeds" \
    wait_for 60 eval '"$hook" setup --exclusive && [ "$(mode)" = exclusive ]'

check "create rxe0 to rxe4 and siw0" eval 'rxe_setup 5 && siw_setup'
check "the kernel refuses to move siw0 (EOPNOTSUPP)" \
    eval 'ip netns add probe && ! rdma dev set siw0 netns probe 2>"$outdir/probe.err" &&
          grep -q "Operation not supported" "$outdir/probe.err" && rdma_has siw0'
ip netns del probe

# --- containers that hold devices throughout: h1 (runc, rxe3) and h2 (a namespace path and
# no pid in the state, as a pod's namespace: rxe4)
make_bundle /tmp/h1
bundle_args /tmp/h1 /bin/sh -c 'sleep 100000'
bundle_jq /tmp/h1 '.annotations = {"rdma.netns/devices": "rxe3"}'
bundle_hook /tmp/h1 prestart "$hook" prestart
bundle_hook /tmp/h1 poststop "$hook" poststop
runc run -b /tmp/h1 h1 >"$outdir/h1.log" 2>&1 &
h1_runtime=$!
check "h1 (runc) runs with rxe3" \
    wait_for 120 eval 'runc state h1 | jq -e ".status == \"running\"" && not rdma_has rxe3'
h1_ns=/proc/$(runc state h1 | jq -r .pid)/ns/net
container h2
run h2 "$hook" prestart <<<"$(state h2 rxe4)"
check "h2 (a namespace path, no pid) starts with rxe4" eval 'grep -qx 0 "$outdir/h2.rc" && in_ns /run/netns/h2 rxe4'
held=$(journal)
# others_untouched : h1 and h2 still hold their devices, in their namespaces and in the journal
others_untouched() {
    in_ns "$h1_ns" rxe3 && in_ns /run/netns/h2 rxe4 &&
        jq -e --argjson held "$held" '[.[] | select(.container_id == "h1" or .container_id == "h2")] == $held' \
            <<<"$(journal)" >/dev/null
}

# --- a start asking for four devices where the kernel refuses one move, with 1 and 4 threads
for threads in 1 4; do
    id=m$threads
    echo "{\"move_threads\": $threads}" >"$outdir/$id.json"
    container "$id"
    run "$id" "$hook" --config "$outdir/$id.json" prestart <<<"$(state "$id" rxe0,rxe1,siw0,rxe2 creating "${pid[$id]}")"
    check "$threads move threads: the start fails, naming siw0 and the kernel's answer" \
        refused "$id" "moving RDMA device siw0 into the container's network namespace: device index"
    check "$threads move threads: the error has the kernel's EOPNOTSUPP" has "$id" "Operation not supported"
    check "$threads move threads: every device is back in the host" home rxe0 rxe1 rxe2 siw0
    check "$threads move threads: the container's namespace (alive) holds no device" in_ns "/run/netns/$id"
    check "$threads move threads: the journal is as before" journal_is "$held"
done

# --- a return that fails (fault point "return"): the device is kept for recover
container r1
run r1 env RNH_FAULT=return "$fault_hook" --config "$sequential" prestart <<<"$(state r1 rxe0,siw0 creating "${pid[r1]}")"
check "failed return: the start fails, saying what it could not return and to run recover" \
    eval 'refused r1 "moving RDMA device siw0 into the container'"'"'s network namespace" &&
          has r1 "; then returning rxe0 to the host: returning RDMA device rxe0" &&
          has r1 "run \`rdma-netns-hook recover\` once the cause is fixed"'
check "failed return: rxe0 stays in the container's namespace" in_ns /run/netns/r1 rxe0
check "failed return: the journal keeps rxe0 for r1" \
    eval '"$hook" status --json | jq -e "any(.assignments[]; .container_id == \"r1\" and any(.devices[]; .name == \"rxe0\"))"'
run r1-recover env RNH_FAULT=return "$fault_hook" --config "$sequential" recover
check "recover while the return still fails: fails naming rxe0" \
    refused r1-recover "recovery left devices out of the host; RDMA devices of container r1 did not return to the host within 1000 ms: rxe0"
check "recover while the return still fails: the journal keeps rxe0 for r1" holds r1 rxe0
check "recover while the return still fails: h1 and h2 untouched" others_untouched

# --- a poststop killed mid-way (between its two returns), then recover
container k1
run k1 "$hook" --config "$sequential" prestart <<<"$(state k1 rxe1,rxe2 creating "${pid[k1]}")"
check "k1 starts with rxe1 and rxe2" eval 'grep -qx 0 "$outdir/k1.rc" && in_ns /run/netns/k1 rxe1 rxe2'
kill "${pid[k1]}"
wait "${pid[k1]}" || true
RNH_FAULT=between-moves RNH_FAULT_MARKER=$outdir/k1.paused \
    "$fault_hook" --config "$sequential" poststop <<<"$(state k1 rxe1,rxe2 stopped)" >"$outdir/k1-poststop.out" 2>&1 &
poststop=$!
check "k1's poststop stops between its two returns" wait_for 120 test -s "$outdir/k1.paused"
kill -KILL "$(cat "$outdir/k1.paused")"
wait "$poststop" || true
check "killed poststop: rxe1 is home, rxe2 still in k1's namespace" eval 'home rxe1 && in_ns /run/netns/k1 rxe2'
check "killed poststop: the journal still records k1" holds k1 rxe1 rxe2

# --- recover beside h1 and h2: brings home r1's and k1's devices, touches none of theirs
run recover "$hook" recover
check "recover succeeds and names what it recovered" \
    eval 'grep -qx 0 "$outdir/recover.rc" && has recover "recovered container r1 (its prestart was interrupted)" &&
          has recover "recovered container k1 (its process ${pid[k1]} is gone)"'
check "recover: rxe0, rxe1 and rxe2 are home" home rxe0 rxe1 rxe2
check "recover: the namespaces of r1 and k1 (alive) hold no device" eval 'in_ns /run/netns/r1 && in_ns /run/netns/k1'
check "recover: h1 and h2 still hold rxe3 and rxe4, and the journal says so" others_untouched
check "recover: the journal holds h1 and h2 only" journal_is "$held"

# --- without CAP_NET_ADMIN or CAP_SYS_ADMIN: refused before anything moves
container p1
for cap in net_admin sys_admin; do
    run "nocap-$cap" setpriv --bounding-set "-$cap" --inh-caps "-$cap" "$hook" prestart <<<"$(state p1 rxe1 creating "${pid[p1]}")"
    check "without CAP_${cap^^}: refused, naming the capabilities" \
        refused "nocap-$cap" "rdma-netns-hook needs CAP_NET_ADMIN and CAP_SYS_ADMIN in the host's initial user namespace, and does not have them"
    check "without CAP_${cap^^}: nothing moved (p1's namespace, alive, holds nothing)" \
        eval 'home rxe1 && in_ns /run/netns/p1 && journal_is "$held"'
done

# --- the namespace path of config.json (a state without pid, as a runtime would give only
# after the container's process is gone): a link is followed only in procfs
ln -s /run/netns/p1 /tmp/nslink
touch /tmp/plain
mkfifo /tmp/fifo
p1_pid=${pid[p1]}
# ns_path NAME PATH : prestart of container NAME for rxe1, its config.json naming PATH
ns_path() {
    mkdir -p "/tmp/b/$1"
    printf '{"ociVersion":"1.0.2","linux":{"namespaces":[{"type":"network","path":"%s"}]}}\n' "$2" >"/tmp/b/$1/config.json"
    run "$1" timeout 60 "$hook" prestart <<<"$(state "$1" rxe1)"
}
ns_path link /tmp/nslink
check "a symbolic link as namespace path: refused" \
    refused link "the network namespace path from config.json (/tmp/nslink) is a symbolic link, which is not followed; name the namespace itself"
ns_path plain /tmp/plain
check "a regular file as namespace path: refused" \
    refused plain "/tmp/plain is not a namespace; give a network namespace path"
ns_path fifo /tmp/fifo
check "a FIFO as namespace path: refused at once" refused fifo "/tmp/fifo is not a namespace"
ns_path uts "/proc/$p1_pid/ns/uts"
check "another kind of namespace (/proc/PID/ns/uts): refused" \
    refused uts "/proc/$p1_pid/ns/uts is a namespace, but not a network namespace"
ns_path relative netns/p1
check "a relative namespace path: refused" \
    refused relative '/tmp/b/relative/config.json: an entry of "linux.namespaces" has a network namespace path "netns/p1" that is not absolute'
check "after these refusals nothing moved (p1's namespace, alive, holds nothing)" \
    eval 'home rxe1 && in_ns /run/netns/p1 && journal_is "$held"'
ns_path magic "/proc/$p1_pid/ns/net"
check "/proc/PID/ns/net (a link the kernel made) is followed: rxe1 moves in" \
    eval 'grep -qx 0 "$outdir/magic.rc" && in_ns /run/netns/p1 rxe1'
ns_path dirlink /var/run/netns/p1
check "a link in a directory of the path (/var/run) is followed: the same namespace, already there" \
    eval 'grep -qx 0 "$outdir/dirlink.rc" && in_ns /run/netns/p1 rxe1'
for id in magic dirlink; do run "$id-stop" "$hook" poststop <<<"$(state "$id" rxe1 stopped)"; done
check "poststop of both returns rxe1" eval 'home rxe1 && journal_is "$held"'

# --- bounded input: a huge request is refused before any lock file, journal entry or move
# (p1's namespace, alive, as the target; h1 and h2 holding theirs), with how long it took
plugin=${RNH_BIN_DIR:+$RNH_BIN_DIR/../lib/cni}
plugin=${plugin:-$RNH_BUILD_DIR/cni}/rdma-netns
locks=/run/rdma-netns-hook/locks
lock_files() { find "$locks" -name '*.lock' -printf '%f\n' | sort; }
locks_before=$(lock_files)
# refused_with NAME TEXT : the run NAME failed and its output has TEXT
refused_with() { grep -qvx 0 "$outdir/$1.rc" && has "$1" "$2"; }
# untouched : nothing moved, no lock file was made, the journal is as before
untouched() {
    home rxe0 rxe1 rxe2 siw0 && in_ns /run/netns/p1 && others_untouched &&
        { [ "$(lock_files)" = "$locks_before" ] || { echo "lock files: $(lock_files | tr '\n' ' ')"; return 1; }; }
}
# names PREFIX N : PREFIX0,PREFIX1,... N names
names() { seq -f "$1%g" 0 $(($2 - 1)) | paste -sd,; }
# took LABEL CMD... : CMD, then how long it took, as "# LABEL took N ms"
took() {
    local label=$1 t0
    shift
    t0=$(date +%s%N)
    "$@"
    echo "# $label took $((($(date +%s%N) - t0) / 1000000)) ms"
}
# cni NAME CMD NETNS IFNAME ARGS CONF : the plugin for container c1 with a runtime's
# environment; stdout in NAME.out, stderr in NAME.err, exit status in NAME.rc
cni() {
    local name=$1 rc=0
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin CNI_COMMAND="$2" CNI_NETNS="$3" CNI_IFNAME="$4" \
        CNI_CONTAINERID=c1 CNI_ARGS="$5" CNI_PATH=/usr/lib/cni "$plugin" <<<"$6" \
        >"$outdir/$name.out" 2>"$outdir/$name.err" || rc=$?
    echo "$rc" >"$outdir/$name.rc"
}
# cni_error NAME CODE TEXT : cni NAME exited 1 with one CNI error object of CODE whose msg has TEXT
cni_error() {
    if grep -qx 1 "$outdir/$1.rc" &&
        jq -se --argjson c "$2" --arg t "$3" 'length == 1 and .[0].code == $c and (.[0].msg | contains($t))' \
            "$outdir/$1.out" >/dev/null; then
        return 0
    fi
    echo "exit $(cat "$outdir/$1.rc")"
    cat "$outdir/$1.out" "$outdir/$1.err"
    return 1
}
took "refusing 5000 device names" run n5000 "$hook" prestart <<<"$(state p1 "$(names nodev 5000)" creating "$p1_pid")"
check "a request of 5000 device names: refused, naming the cap" \
    refused_with n5000 "annotation rdma.netns/devices lists more than 1024 items"
check "5000 names: nothing moved, no lock file made" untouched
run ghosts "$hook" prestart <<<"$(state p1 "rxe1,$(names ghost 1000)" creating "$p1_pid")"
check "1000 names of no device (and rxe1): refused, naming the first" \
    refused_with ghosts 'no RDMA device named "ghost0" in the host network namespace'
check "1000 names of no device: nothing moved, no lock file made for any of them" untouched
# the bounds, not the policy, refuse what follows: the settings honour the lists
mkdir -p /etc/rdma-netns-hook
echo '{"policy":{"cni_requests":["deviceID","prevResult","devices"]}}' >/etc/rdma-netns-hook/config.json
long_name=$(head -c 200000 /dev/zero | tr '\0' n)
took "refusing a 200 kB network name" cni cni-name ADD /run/netns/p1 net1 "" \
    "{\"cniVersion\":\"1.1.0\",\"name\":\"$long_name\",\"type\":\"rdma-netns\",\"devices\":[\"rxe1\"]}"
check "a 200 kB network name: error object of code 7, the name cut in the message" \
    eval 'cni_error cni-name 7 "is not a valid network name" && ! grep -q "n\{65\}" "$outdir/cni-name.out"'
check "a 200 kB network name: nothing moved, no lock file made" untouched
cni cni-array ADD /run/netns/p1 net1 "" \
    "{\"cniVersion\":\"1.1.0\",\"name\":\"rdma\",\"type\":\"rdma-netns\",\"devices\":[\"$(names nodev 5000 | sed 's/,/","/g')\"]}"
check "5000 names in a CNI array: error object of code 7, the cap of the annotations" \
    cni_error cni-array 7 "\"devices\" of the network configuration lists more than 1024 items"
check "5000 names in a CNI array: nothing moved, no lock file made" untouched

# --- CNI_* values that are not printable UTF-8 or too long: the error object of code 4
# (a non-UTF-8 value aborted the plugin with exit 134 before)
rdma_conf='{"cniVersion":"1.1.0","name":"rdma","type":"rdma-netns","devices":["rxe1"]}'
cni env-utf8 ADD $'/run/netns/p1\xff' net1 "" "$rdma_conf"
check "CNI_NETNS not UTF-8: code 4, the byte escaped" \
    cni_error env-utf8 4 'CNI_NETNS "/run/netns/p1\xff" has control characters or is not valid UTF-8'
cni env-ctrl ADD /run/netns/p1 $'net\e[2J' "" "$rdma_conf"
check "CNI_IFNAME with an escape sequence: code 4" \
    cni_error env-ctrl 4 'CNI_IFNAME "net\x1b[2J" has control characters'
cni env-long ADD /run/netns/p1 net1 "K8S_POD_NAME=$(head -c 5000 /dev/zero | tr '\0' p)" "$rdma_conf"
check "CNI_ARGS of 5013 bytes: code 4" cni_error env-long 4 "CNI_ARGS is 5013 bytes long, over the limit of 4096"
check "bad CNI_* values: nothing moved, no lock file made" untouched
rm /etc/rdma-netns-hook/config.json

# --- an unreadable journal entry (torn, or over the bound) is skipped by every other
# container's start, stop and recover, and listed by status
printf '{"version": 1, "contai' >/run/rdma-netns-hook/containers/torn.json
head -c 300000 /dev/zero | tr '\0' ' ' >/run/rdma-netns-hook/containers/huge.json
container j1
run j1 "$hook" prestart <<<"$(state j1 rxe1 creating "${pid[j1]}")"
check "beside a torn and an oversized entry, j1 starts with rxe1" \
    eval 'grep -qx 0 "$outdir/j1.rc" && in_ns /run/netns/j1 rxe1 && holds j1 rxe1'
run j1-status "$hook" status
check "status lists both entries as unreadable, with why" \
    eval 'grep -qx 0 "$outdir/j1-status.rc" && has j1-status "unreadable journal entries" &&
          has j1-status "containers/huge.json is larger than 262144 bytes" &&
          has j1-status "containers/torn.json is not valid JSON"'
run j1-recover "$hook" recover
check "recover beside them succeeds and leaves j1, h1 and h2 alone" \
    eval 'grep -qx 0 "$outdir/j1-recover.rc" && in_ns /run/netns/j1 rxe1 && others_untouched'
run j1-stop "$hook" poststop <<<"$(state j1 rxe1 stopped)"
check "beside them, j1's poststop returns rxe1" \
    eval 'grep -qx 0 "$outdir/j1-stop.rc" && home rxe1 && in_ns /run/netns/j1 && journal_is "$held"'
rm /run/rdma-netns-hook/containers/torn.json /run/rdma-netns-hook/containers/huge.json

# --- the end: h2's and h1's poststop return their devices
run h2-stop "$hook" poststop <<<"$(state h2 rxe4 stopped)"
runc kill h1 KILL
wait "$h1_runtime" || true
check "after the holders stop, every device is home and the journal is empty" \
    eval 'home rxe0 rxe1 rxe2 rxe3 rxe4 siw0 && journal_is "[]"'
check "invariant: every device home or held by a live container in the journal" \
    invariant "$hook" rxe0 rxe1 rxe2 rxe3 rxe4 siw0
finish
