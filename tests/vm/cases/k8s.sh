#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# shellcheck disable=SC2016,SC2317,SC2034 # jq variables and eval'd text (its variables too);
# functions called through check
# A Kubernetes node without kubelet: Debian's containerd (1.6) with its CRI plugin, driven by
# the tests' CRI client (tests/cri/cri), runs the CNI chain [ptp, rdma-netns] itself, with
# the environment a node gives it (CNI_ARGS with K8S_POD_*). A pod gets rxe0 in its network
# namespace and its container sees it; StopPodSandbox brings it home; RemovePodSandbox's
# second DEL (containerd 1.6 sends it with CNI_NETNS="") succeeds. A pod asking for a device
# that does not exist fails with the plugin's msg in the sandbox error, nothing moved.
# containerd is stopped by its PID at the end and leaves nothing behind.
set -eu
# shellcheck source-path=SCRIPTDIR source=../guest/lib.sh
. "$(dirname "$0")/../guest/lib.sh"

hook=$RNH_BIN_DIR/rdma-netns-hook
cri_dir=$(cd "$(dirname "$0")/../../cri" && pwd)
all=rxe0
preamble
d=$(mktemp -d /tmp/k8s.XXXXXX)
sock=$d/containerd.sock
image=localhost/rnh-busybox:1
export CONTAINER_RUNTIME_ENDPOINT=unix://$sock RNH_CRI_STUBS=$d/stubs

cri() { "$cri_dir/cri" "$@"; }
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
# conflist DEVICE : the pod network, ptp then rdma-netns asking for DEVICE, as the one file
# of the configuration directory. containerd 1.6 reloads on a file's removal or write, not
# on its creation: the new file is renamed in, then the old one removed.
conflist() {
    printf '%s\n' '{"cniVersion": "1.0.0", "name": "rnh-pod", "plugins": [' \
        '{"type": "ptp", "ipMasq": false, "ipam": {"type": "host-local",' \
        "  \"ranges\": [[{\"subnet\": \"203.0.113.0/24\"}]], \"dataDir\": \"$d/ipam\"}}," \
        "{\"type\": \"rdma-netns\", \"devices\": [\"$1\"], \"args\": {\"cni\": {\"debug\": true}}}]}" \
        >"$d/net.conflist" || return 1
    local new=$d/net.d/10-$1.conflist f
    mv "$d/net.conflist" "$new" || return 1
    for f in "$d"/net.d/*; do [ "$f" = "$new" ] || rm "$f" || return 1; done
}
# cni_loaded DEVICE : containerd reports the pod network loaded with rdma-netns asking for DEVICE
cni_loaded() {
    cri status | jq -e --arg t "\"devices\": [\"$1\"]" \
        'any(.info.cniconfig.Networks[].Config.Source; contains($t))' >/dev/null
}
# cni_reloaded DEVICE : cni_loaded DEVICE within a minute, or what containerd has loaded
cni_reloaded() {
    wait_for 60 cni_loaded "$1" || { cri status | jq -r '.info.cniconfig.Networks[].Config.Source'; return 1; }
}
# no_netns : containerd's directory of pod network namespaces (p1's was there) is empty
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
# pod_json NAME : a pod's PodSandboxConfig
pod_json() {
    printf '{"metadata": {"name": "%s", "uid": "uid-%s", "namespace": "rnh"}, "hostname": "%s", "log_directory": "%s"}\n' \
        "$1" "$1" "$1" "$d/logs/$1" >"$d/$1.json"
}
# to FILE CMD... : CMD's stdout into FILE (a check's variables do not outlive it)
to() {
    local f=$1
    shift
    "$@" >"$f"
}

check "rdma system netns mode is exclusive" set_exclusive
check "rxe0" rxe_setup 1
mkdir -p /etc/rdma-netns-hook "$d/cni-bin" "$d/net.d" "$d/logs"
echo '{"policy":{"cni_requests":["deviceID","prevResult","devices"]}}' >/etc/rdma-netns-hook/config.json
ln -s /usr/lib/cni/* "$d/cni-bin/"
ln -s "$RNH_BIN_DIR/../lib/cni/rdma-netns" "$d/cni-bin/rdma-netns"
conflist rxe0
cat >"$d/config.toml" <<EOF
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
EOF
containerd --config "$d/config.toml" >"$d/containerd.log" 2>&1 &
containerd_pid=$!
check "containerd serves CRI v1" eval 'wait_for 120 test -S "$sock" && cri version | grep "^containerd 1\.6\..* (CRI v1)$"'
check "the busybox image, written without a registry, imports" \
    eval '"$cri_dir/busybox-image" --name "$image" "$d/image.tar" && ctr images import "$d/image.tar" && ctr images ls -q | grep -qx "$image"'

# --- a pod on the chain [ptp, rdma-netns], a container in it, its teardown
pod_json p1
check "RunPodSandbox of p1 succeeds" to "$d/p1.id" cri runp "$d/p1.json"
p1=$(cat "$d/p1.id")
cri inspectp "$p1" >"$d/p1.inspect" || true
pause=$(jq -r '.info.info.pid' "$d/p1.inspect")
netns=$(jq -r '.info.info.runtimeSpec.linux.namespaces[] | select(.type == "network") | .path' "$d/p1.inspect")
check "p1 is ready with an address of ptp's range" \
    jq -e '.status.state == "SANDBOX_READY" and (.status.network.ip | startswith("203.0.113."))' "$d/p1.inspect"
check "its pause process is in its network namespace, under containerd's state" \
    eval '[[ $netns == "$d/state/io.containerd.grpc.v1.cri/netns/"* ]] && [ "$(stat -L -c %i "/proc/$pause/ns/net")" = "$(stat -L -c %i "$netns")" ]'
check "rxe0 is in p1's network namespace, not in the host" eval 'in_netns_of "$pause" rxe0 && host_lacks rxe0'
check "the journal holds p1's attachment: its sandbox, eth0, the network, K8S_POD_UID from CNI_ARGS" \
    status_is '.assignments | length == 1 and (.[0] | [.cni.container_id, .cni.ifname, .cni.network, .cni.pod,
        [.devices[].name]] == [$p, "eth0", "rnh-pod", "uid-p1", ["rxe0"]])' --arg p "$p1"
check "the plugin's ADD came with K8S_POD_NAMESPACE and K8S_POD_NAME" plugin_said "ADD pod rnh/p1 on eth0" 1
printf '{"metadata": {"name": "c1"}, "image": {"image": "%s"}, "log_path": "c1.log",
  "command": ["sh", "-c", "ls /sys/class/infiniband; exec sleep inf"]}\n' "$image" >"$d/c1.json"
check "a container in p1 is created and started" eval 'to "$d/c1.id" cri create "$p1" "$d/c1.json" "$d/p1.json" &&
    cri start "$(cat "$d/c1.id")"'
c1=$(cat "$d/c1.id")
check "ps lists it running in p1" eval '[ "$(cri ps)" = "$(printf "%s\t%s\tc1\tCONTAINER_RUNNING" "$c1" "$p1")" ]'
# its sysfs is mounted in the pod's network namespace: the devices of that namespace
check "the container lists rxe0 in its /sys/class/infiniband" \
    eval 'wait_for 60 grep -q " stdout F rxe0$" "$d/logs/p1/c1.log" || { cat "$d/logs/p1/c1.log"; false; }'
cpid=$(ctr tasks ls | awk -v id="$c1" '$1 == id { print $2 }')
cgroups=$(cut -d: -f3 "/proc/$pause/cgroup" "/proc/$cpid/cgroup")
check "rdma dev in the container's network namespace lists rxe0" in_netns_of "$cpid" rxe0
check "the container is stopped and removed" eval 'cri stop "$c1" && cri rm "$c1" && [ -z "$(cri ps)" ]'
check "StopPodSandbox: one DEL, rxe0 home, the journal clean, the netns gone" \
    eval 'cri stopp "$p1" && plugin_said "DEL pod rnh/p1 on eth0" 1 && all_home && journal_empty && [ ! -e "$netns" ]'
check "RemovePodSandbox: the second DEL (no netns) succeeds; rxe0 home, the journal clean" \
    eval 'cri rmp "$p1" && plugin_said "DEL pod rnh/p1 on eth0" 2 && all_home && journal_empty'

# --- a pod asking for a device that does not exist
conflist nosuch
check "containerd reloads the network configuration" cni_reloaded nosuch
pod_json p2
# the plugin's error object as libcni words it: "<msg>; <details>"
check "RunPodSandbox of a pod asking for nosuch fails with the plugin's msg and details" \
    eval '! cri runp "$d/p2.json" 2>"$d/p2.err" &&
        grep -F "plugin type=\"rdma-netns\" failed (add): no RDMA device named \"nosuch\" in the host network namespace; RDMA devices in the host: rxe0;" "$d/p2.err" ||
        { cat "$d/p2.err"; false; }'
echo "# the sandbox error: $(cat "$d/p2.err")"
check "nothing moved: no pod netns left, rxe0 home, the journal clean" eval 'no_netns && all_home && journal_empty'

# --- containerd stopped by its PID: nothing left
kill "$containerd_pid"
wait "$containerd_pid" || true
check "after containerd: no mount under its directory, no shim, no cgroup of the pod's processes" \
    eval '! grep -F " $d/" /proc/self/mountinfo && ! pgrep -f containerd-shim && cgroups_gone $cgroups'
check "after containerd: rxe0 home, the journal clean" eval 'all_home && journal_empty'
finish
