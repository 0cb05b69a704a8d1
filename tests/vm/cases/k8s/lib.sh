# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash disable=SC2016,SC2034 # jq variables; variables the sections use
# What vm.k8s's sections share: the node's directory $d, containerd started and stopped
# by its PID, the CRI client (as a server), and the checks on the journal, namespaces and
# cgroups.
# Sourced by k8s.sh after guest/lib.sh.

hook=$RNH_BIN_DIR/rdma-netns-hook
cri_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../cri" && pwd)
d=$(mktemp -d /tmp/k8s.XXXXXX)
sock=$d/containerd.sock
image=localhost/rnh-busybox:1
export CONTAINER_RUNTIME_ENDPOINT=unix://$sock RNH_CRI_STUBS=$d/stubs

# cri ARGS... : the tests' CRI client (tests/cri/cri), answered by the server that cri_serve
# started if there is one, so that Python and gRPC start once, not at every call
cri() {
    [ -n "${cri_in:-}" ] || { "$cri_dir/cri" "$@"; return; }
    local r rc part='' reply
    r=$(mktemp -d "$d/cri/call.XXXXXX") && printf '%s\0' "$@" >"$r/args" && mkfifo "$r/done" || return 1
    exec {reply}<>"$r/done"
    echo "$r" >&"$cri_in"
    # a read that times out keeps what it read of the line ("0" of "0\n"): kept in part
    until read -r -t 1 -u "$reply" rc; do
        part+=$rc
        kill -0 "$cri_pid" 2>/dev/null || { echo "cri: cri serve is gone; see $d/cri/log" >&2 && part=1 && rc= && break; }
    done
    rc=$part$rc
    exec {reply}>&-
    cat "$r/out" 2>/dev/null
    cat "$r/err" >&2 2>/dev/null
    rm -rf "$r"
    return "$rc"
}
# cri_serve : the CRI client started as a server (cri serve) for cri's calls, its PID in
# cri_pid; not in a check (a check's variables and jobs do not outlive it)
cri_serve() {
    mkdir -p "$d/cri" && mkfifo "$d/cri/in" || return 1
    exec {cri_in}<>"$d/cri/in"
    "$cri_dir/cri" serve "$d/cri/in" 2>>"$d/cri/log" &
    cri_pid=$!
}
ctr() { command ctr --address "$sock" -n k8s.io "$@"; }
# status_is JQ [JQ OPTIONS...] : `rdma-netns-hook status --json` passes the jq test
status_is() {
    local st filter=$1
    shift
    if st=$("$hook" status --json) && jq -e "$filter" "$@" <<<"$st" >/dev/null; then return 0; fi
    echo "$st"
    return 1
}
journal_empty() { status_is '.assignments == []'; }
# in_netns_of PID DEV : the network namespace of PID lists DEV
in_netns_of() { nsenter -t "$1" -n rdma dev show | grep -q "^[0-9]*: $2:"; }
# plugin_said TEXT N : the plugin's debug line TEXT is in containerd's log N times
plugin_said() {
    local n
    n=$(grep -cF "rdma-netns: $1: done" "$d/containerd.log") || true
    [ "$n" -eq "$2" ] || { echo "\"$1\" logged $n times, not $2"; return 1; }
}
# conflist DEVICE [KEYS] : the pod network, ptp then rdma-netns asking for DEVICE (or with
# the JSON members KEYS instead; DEVICE ptp: ptp alone), as the one file of the
# configuration directory. containerd 1.6 reloads on a file's removal or write, not on its
# creation (a rename into the directory): the new file is renamed in, then the old one
# removed.
conflist() {
    local rdma=''
    [ "$1" = ptp ] ||
        rdma=", {\"type\": \"rdma-netns\", ${2:-\"devices\": [\"$1\"]}, \"args\": {\"cni\": {\"debug\": true}}}"
    printf '%s\n' '{"cniVersion": "1.0.0", "name": "rnh-pod", "plugins": [' \
        '{"type": "ptp", "ipMasq": false, "ipam": {"type": "host-local",' \
        "  \"ranges\": [[{\"subnet\": \"203.0.113.0/24\"}]], \"dataDir\": \"$d/ipam\"}}$rdma]}" \
        >"$d/net.conflist" || return 1
    local new=$d/net.d/10-$1.conflist f
    mv "$d/net.conflist" "$new" || return 1
    for f in "$d"/net.d/*; do [ "$f" = "$new" ] || rm "$f" || return 1; done
}
# cni_loaded DEVICE|TEXT : containerd reports the pod network loaded with rdma-netns asking
# for DEVICE (a name), or with its source containing TEXT (a JSON fragment, starting with ")
cni_loaded() {
    local text=$1
    [[ $text == '"'* ]] || text="\"devices\": [\"$1\"]"
    cri status | jq -e --arg t "$text" \
        'any(.info.cniconfig.Networks[].Config.Source; contains($t))' >/dev/null
}
# cni_reloaded DEVICE|TEXT : cni_loaded within a minute, or what containerd has loaded
cni_reloaded() {
    wait_for 60 cni_loaded "$1" || { cri status | jq -r '.info.cniconfig.Networks[].Config.Source'; return 1; }
}
# no_netns : containerd's directory of pod network namespaces is empty
no_netns() {
    local dir=$d/state/io.containerd.grpc.v1.cri/netns
    if [ -d "$dir" ] && [ -z "$(ls -A "$dir")" ]; then return 0; fi
    ls -lA "$dir"
    return 1
}
# cgroups_gone PATH... : none of these cgroups (of cgroup2's tree, not its root) exists
cgroups_gone() {
    local c
    for c in "$@"; do
        if [ "$c" = / ] || [ -e "/sys/fs/cgroup$c" ]; then echo "cgroup $c is left"; return 1; fi
    done
}
# pod_json NAME [ANNOTATIONS] : a pod's PodSandboxConfig in $d/NAME.json, with the JSON
# object ANNOTATIONS as its annotations
pod_json() {
    printf '{"metadata": {"name": "%s", "uid": "uid-%s", "namespace": "rnh"}, "hostname": "%s", "log_directory": "%s", "annotations": %s}\n' \
        "$1" "$1" "$1" "$d/logs/$1" "${2:-{\}}" >"$d/$1.json"
}
# sandbox NAME : "ID PAUSE NETNS" of the pod NAME that RunPodSandbox started (its id in
# $d/NAME.id): the sandbox's id, its pause process, its network namespace's path; its CRI
# status in $d/NAME.inspect. For read -r ... <<<"$(sandbox NAME)": a pod that did not
# start leaves them empty, for the checks that follow to fail.
sandbox() {
    local id
    id=$(cat "$d/$1.id")
    cri inspectp "$id" >"$d/$1.inspect" || true
    jq -r --arg id "$id" '[$id, .info.info.pid,
        (.info.info.runtimeSpec.linux.namespaces[] | select(.type == "network") | .path)] | join(" ")' "$d/$1.inspect"
}
# to FILE CMD... : CMD's stdout into FILE (a check's variables do not outlive it)
to() {
    local f=$1
    shift
    "$@" >"$f"
}
# write_containerd_config [TOML...] : $d/config.toml, containerd's root, state and socket
# under $d, the CRI plugin's CNI directories $d/cni-bin and $d/net.d, then the lines TOML
# (in the table [plugins."io.containerd.grpc.v1.cri".cni] unless they open another)
write_containerd_config() {
    cat >"$d/config.toml" <<EOT
version = 2
root = "$d/root"
state = "$d/state"
[grpc]
  address = "$sock"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$image"
  netns_mounts_under_state_dir = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$d/cni-bin"
    conf_dir = "$d/net.d"
EOT
    [ $# -eq 0 ] || printf '%s\n' "$@" >>"$d/config.toml"
}
# base_spec FILE : containerd's default spec (ctr oci spec) with the hook at prestart and poststop
base_spec() {
    ctr oci spec >"$1.default" && jq --arg h "$hook" '.hooks = {prestart: [{path: $h, args: ["rdma-netns-hook", "prestart"]}],
        poststop: [{path: $h, args: ["rdma-netns-hook", "poststop"]}]}' "$1.default" >"$1"
}
# node_config : write_containerd_config with all the sections need, so that only restart.sh
# restarts containerd: a second network (max_conf_num = 2: multus.sh); the runtime handlers
# rdma (rdma-netns-runtime as its runc) and rdma-spec (base_runtime_spec $d/base-spec.json,
# of base_spec), both letting the pods' rdma.netns/* annotations through (routes.sh); and
# runc, declared again because declaring any runtime drops containerd 1.6's implicit one
node_config() {
    local rt='[plugins."io.containerd.grpc.v1.cri".containerd.runtimes'
    write_containerd_config 'max_conf_num = 2' \
        "$rt.runc]" '  runtime_type = "io.containerd.runc.v2"' \
        "$rt.rdma]" '  runtime_type = "io.containerd.runc.v2"' '  pod_annotations = ["rdma.netns/*"]' \
        "$rt.rdma.options]" "  BinaryName = \"$RNH_BIN_DIR/rdma-netns-runtime\"" \
        "$rt.rdma-spec]" '  runtime_type = "io.containerd.runc.v2"' '  pod_annotations = ["rdma.netns/*"]' \
        "  base_runtime_spec = \"$d/base-spec.json\""
}
# handlers_are JSON : containerd's runtime handlers, sorted, are the JSON array
handlers_are() {
    local got
    got=$(cri status | jq -c '.info.config.containerd.runtimes | keys') || return 1
    [ "$got" = "$1" ] || { echo "handlers: $got"; return 1; }
}
# start_containerd : containerd on $d/config.toml, its log appended to $d/containerd.log,
# its PID in $containerd_pid. Not in a check: a check's variables and jobs do not outlive it.
start_containerd() {
    rm -f "$sock"
    containerd --config "$d/config.toml" >>"$d/containerd.log" 2>&1 &
    containerd_pid=$!
}
# containerd_serves : within two minutes containerd answers CRI v1 as 1.6 (its socket is
# there before its CRI plugin is: "server is not initialized yet")
containerd_serves() {
    wait_for 120 eval 'cri version | grep -q "^containerd 1\.6\..* (CRI v1)$"' || { cri version; return 1; }
}
# stop_containerd : containerd stopped by its PID, and waited for (not in a check either)
stop_containerd() {
    kill "$containerd_pid"
    wait "$containerd_pid" || true
}
# pods_network : the pod network takes the pods' rdma.netns/ annotations (rdma-netns declares
# the capability io.kubernetes.cri.pod-annotations), the policy honours them, containerd has
# loaded it. default_network : the policy and the conflist rxe0 that k8s.sh starts with.
pods_network() {
    local capability='"capabilities": {"io.kubernetes.cri.pod-annotations": true}'
    echo '{"policy": {"cni_requests": ["podAnnotations"]}}' >/etc/rdma-netns-hook/config.json &&
        conflist pods "$capability" && cni_reloaded "$capability"
}
default_network() {
    echo '{"policy":{"cni_requests":["deviceID","prevResult","devices"]}}' >/etc/rdma-netns-hook/config.json &&
        conflist rxe0 && cni_reloaded rxe0
}
# log_mark : how many lines containerd's log has now
log_mark() { wc -l <"$d/containerd.log"; }
# at_once CALL N MARK : in containerd's log after line MARK, N CRI calls CALL (RunPodSandbox...)
# began before the first of them ended: they ran at the same time
at_once() {
    tail -n +"$(($3 + 1))" "$d/containerd.log" | awk -v name="$1" -v n="$2" '
        index($0, "msg=\"" name " ") { if (/ returns | failed[,"]/) exit; began++ }
        END { if (began != n) { printf "%d of %d %s calls began before the first ended\n", began, n, name; exit 1 } }'
}
