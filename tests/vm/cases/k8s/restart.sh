# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash disable=SC2016,SC2154,SC2034 # eval'd text; variables of k8s/lib.sh; used in eval
# containerd killed (SIGKILL) and started again with pods running: the new containerd's
# StopPodSandbox and RemovePodSandbox return their devices. A pod whose pause process was
# killed: its device stays in its network namespace, which containerd's bind mount keeps,
# until StopPodSandbox's DEL brings it home. Before each teardown the test holds the pods'
# namespaces with bind mounts of its own, so a device found home afterwards was moved by the
# DEL, not returned by the kernel as the namespace died. Ends on the default network.

# run_pods NAME... : pods NAME asking by annotation for rxr0, rxr1... in turn, run at once
# ($d/NAME.id) and inspected ($d/NAME.inspect)
run_pods() {
    local p i=0 ids files=()
    for p in "$@"; do
        pod_json "$p" "{\"rdma.netns/devices\": \"rxr$i\"}" && files+=("$d/$p.json") && i=$((i + 1))
    done
    ids=$(cri runp "${files[@]}") || return 1
    for p in "$@"; do
        head -n 1 <<<"$ids" >"$d/$p.id" && ids=$(tail -n +2 <<<"$ids") &&
            to "$d/$p.inspect" cri inspectp "$(cat "$d/$p.id")" || return 1
    done
}
pod_netns() {
    jq -r '.info.info.runtimeSpec.linux.namespaces[] | select(.type == "network") | .path' "$d/$1.inspect"
}
# only_in NETNS_FILE DEV : DEV is the one RDMA device of that network namespace
only_in() {
    local devs
    devs=$(nsenter --net="$1" rdma dev show | awk '{ print $2 }') || return 1
    [ "$devs" = "$2:" ] || { echo "the namespace $1 lists: ${devs:-nothing}"; return 1; }
}
# hold NAME / unhold NAME : a bind mount of pod NAME's network namespace at $d/NAME.hold,
# which keeps it alive whatever containerd does with its own
hold() { touch "$d/$1.hold" && mount --bind "$(pod_netns "$1")" "$d/$1.hold"; }
unhold() { umount "$d/$1.hold" && rm "$d/$1.hold"; }
# held_empty NAME : pod NAME's namespace is alive (held) and lists no RDMA device
held_empty() {
    local devs
    devs=$(nsenter --net="$d/$1.hold" rdma dev show) || return 1
    [ -z "$devs" ] || { echo "the namespace of $1 lists: $devs"; return 1; }
}
# gone NAME... : the network namespaces of pods NAME are gone from containerd's directory
gone() {
    local p
    for p in "$@"; do [ ! -e "$(pod_netns "$p")" ] || { echo "the netns of $p is left"; return 1; }; done
}
# pod_state NAME STATE : PodSandboxStatus of pod NAME says STATE
pod_state() {
    cri inspectp "$(cat "$d/$1.id")" | jq -e --arg s "$2" '.status.state == $s' >/dev/null
}

check "soft-RoCE devices rxr0, rxr1, rxr2 on dummy links" dummy_rxe_setup rxr 3
check "the pod network takes the pods' annotations, the policy honours them" pods_network
check "pods rs1, rs2, rs3 run, asking for rxr0, rxr1, rxr2" run_pods rs1 rs2 rs3
check "rxr0 is in rs1's network namespace, rxr1 in rs2's, rxr2 in rs3's, none in the host" \
    eval 'only_in "$(pod_netns rs1)" rxr0 && only_in "$(pod_netns rs2)" rxr1 && only_in "$(pod_netns rs3)" rxr2 &&
        host_lacks rxr0 rxr1 rxr2'

kill -KILL "$containerd_pid"
wait "$containerd_pid" || echo "# containerd killed: status $?"
check "with containerd dead, the pods' pause processes live on" \
    eval 'for p in rs1 rs2 rs3; do kill -0 "$(jq -r .info.info.pid "$d/$p.inspect")" || exit 1; done'
start_containerd
check "containerd started again serves CRI v1 with the same pod network" \
    eval 'containerd_serves && cni_reloaded "\"capabilities\": {\"io.kubernetes.cri.pod-annotations\": true}"'
check "it recovered the pods ready, their devices still in them" \
    eval 'pod_state rs1 SANDBOX_READY && pod_state rs2 SANDBOX_READY && pod_state rs3 SANDBOX_READY &&
        only_in "$(pod_netns rs1)" rxr0 && only_in "$(pod_netns rs2)" rxr1 && only_in "$(pod_netns rs3)" rxr2'
check "the test holds the namespaces of rs1 and rs2" eval 'hold rs1 && hold rs2'
check "StopPodSandbox of rs1 and rs2 at once, by the new containerd: one DEL each; the journal holds rs3's only" \
    eval 'cri stopp "$(cat "$d/rs1.id")" "$(cat "$d/rs2.id")" && plugin_said "DEL pod rnh/rs1 on eth0" 1 &&
        plugin_said "DEL pod rnh/rs2 on eth0" 1 && status_is "[.assignments[].devices[].name] == [\"rxr2\"]"'
check "rxr0 and rxr1 are home, their pods' namespaces still alive (held) and without them" \
    eval 'all="rxr0 rxr1" all_home && held_empty rs1 && held_empty rs2'
check "RemovePodSandbox of both: the second DELs; their netns gone, the journal holds rs3's only" \
    eval 'cri rmp "$(cat "$d/rs1.id")" "$(cat "$d/rs2.id")" && plugin_said "DEL pod rnh/rs1 on eth0" 2 &&
        plugin_said "DEL pod rnh/rs2 on eth0" 2 && gone rs1 rs2 && status_is "[.assignments[].devices[].name] == [\"rxr2\"]"'
check "the holds are released; rxr0 and rxr1 home" eval 'unhold rs1 && unhold rs2 && all="rxr0 rxr1" all_home'

rs3=$(cat "$d/rs3.id" 2>/dev/null) || true
pause=$(jq -r .info.info.pid "$d/rs3.inspect" 2>/dev/null) || true
check "rs3's pause killed (SIGKILL): containerd reports it not ready; rxr2 stays in rs3's namespace (kept by containerd's bind mount), not home, in the journal, no DEL yet" \
    eval 'kill -KILL "$pause" && wait_for 60 pod_state rs3 SANDBOX_NOTREADY && ! kill -0 "$pause" 2>/dev/null &&
        only_in "$(pod_netns rs3)" rxr2 && host_lacks rxr2 &&
        status_is "[.assignments[].devices[].name] == [\"rxr2\"]" && plugin_said "DEL pod rnh/rs3 on eth0" 0'
check "the test holds rs3's namespace" hold rs3
check "StopPodSandbox of rs3: its DEL brings rxr2 home while the namespace is still alive (held); the journal clean" \
    eval 'cri stopp "$rs3" && plugin_said "DEL pod rnh/rs3 on eth0" 1 && all=rxr2 all_home && held_empty rs3 && journal_empty'
check "RemovePodSandbox of rs3: the second DEL; the journal clean, no pod netns left" \
    eval 'cri rmp "$rs3" && plugin_said "DEL pod rnh/rs3 on eth0" 2 && journal_empty && no_netns'
check "the hold is released; rxr0..rxr2 home and deleted; the default network again" \
    eval 'unhold rs3 && all="rxr0 rxr1 rxr2" all_home && dummy_rxe_remove rxr 3 && default_network'
