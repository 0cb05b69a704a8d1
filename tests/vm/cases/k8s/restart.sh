# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash disable=SC2016,SC2154,SC2034 # eval'd text; variables of k8s/lib.sh; used in eval
# containerd killed (SIGKILL) and started again with pods running: the new containerd's
# StopPodSandbox and RemovePodSandbox return their devices. A pod whose pause process was
# killed: its device stays in its network namespace, which containerd's bind mount keeps,
# until StopPodSandbox's DEL brings it home. Before each teardown the test holds the pods'
# namespaces with bind mounts of its own, so a device found home afterwards was moved by the
# DEL, not returned by the kernel as the namespace died. Ends on the conflist rxe0.

# run_pod NAME DEVICE : the conflist asking for DEVICE loaded, pod NAME run ($d/NAME.id) and
# inspected ($d/NAME.inspect)
run_pod() {
    conflist "$2" && cni_reloaded "$2" && pod_json "$1" && to "$d/$1.id" cri runp "$d/$1.json" &&
        to "$d/$1.inspect" cri inspectp "$(cat "$d/$1.id")"
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
# pod_state NAME STATE : PodSandboxStatus of pod NAME says STATE
pod_state() {
    cri inspectp "$(cat "$d/$1.id")" | jq -e --arg s "$2" '.status.state == $s' >/dev/null
}

check "soft-RoCE devices rxr0 and rxr1 on dummy links" dummy_rxe_setup rxr 2
check "pod rs1 runs with rxr0 (conflist rxr0)" run_pod rs1 rxr0
check "pod rs2 runs with rxr1 (conflist rxr1)" run_pod rs2 rxr1
check "rxr0 is in rs1's network namespace and rxr1 in rs2's, neither in the host" \
    eval 'only_in "$(pod_netns rs1)" rxr0 && only_in "$(pod_netns rs2)" rxr1 && host_lacks rxr0 rxr1'

kill -KILL "$containerd_pid"
wait "$containerd_pid" || echo "# containerd killed: status $?"
check "with containerd dead, the pods' pause processes live on" \
    eval 'for p in rs1 rs2; do kill -0 "$(jq -r .info.info.pid "$d/$p.inspect")" || exit 1; done'
start_containerd
check "containerd started again serves CRI v1 with the conflist rxr1" \
    eval 'containerd_serves && cni_reloaded rxr1'
check "it recovered rs1 and rs2 ready, their devices still in them" \
    eval 'pod_state rs1 SANDBOX_READY && pod_state rs2 SANDBOX_READY &&
        only_in "$(pod_netns rs1)" rxr0 && only_in "$(pod_netns rs2)" rxr1'
check "the test holds both namespaces" eval 'hold rs1 && hold rs2'
check "StopPodSandbox of rs1 and rs2 at once, by the new containerd: one DEL each, the journal clean" \
    eval 'cri stopp "$(cat "$d/rs1.id")" "$(cat "$d/rs2.id")" && plugin_said "DEL pod rnh/rs1 on eth0" 1 &&
        plugin_said "DEL pod rnh/rs2 on eth0" 1 && journal_empty'
check "rxr0 and rxr1 are home, their namespaces still alive (held) and empty of RDMA devices" \
    eval 'rdma_has rxr0 && rdma_has rxr1 &&
        for p in rs1 rs2; do nsenter --net="$d/$p.hold" true && [ -z "$(nsenter --net="$d/$p.hold" rdma dev show)" ] || exit 1; done'
check "RemovePodSandbox of both: the second DELs; the journal clean, no pod netns left" \
    eval 'cri rmp "$(cat "$d/rs1.id")" "$(cat "$d/rs2.id")" && plugin_said "DEL pod rnh/rs1 on eth0" 2 &&
        plugin_said "DEL pod rnh/rs2 on eth0" 2 && journal_empty && no_netns'
check "the holds are released; rxr0 and rxr1 home" eval 'unhold rs1 && unhold rs2 && rdma_has rxr0 && rdma_has rxr1'

check "pod rs3 runs with rxr0 (conflist rxr0)" run_pod rs3 rxr0
rs3=$(cat "$d/rs3.id" 2>/dev/null) || true
pause=$(jq -r .info.info.pid "$d/rs3.inspect" 2>/dev/null) || true
check "its pause process killed (SIGKILL): containerd reports rs3 not ready" \
    eval 'kill -KILL "$pause" && wait_for 60 pod_state rs3 SANDBOX_NOTREADY'
check "rxr0 stays in rs3's network namespace, which containerd's bind mount keeps: not home, still in the journal, no DEL yet" \
    eval '! kill -0 "$pause" 2>/dev/null && only_in "$(pod_netns rs3)" rxr0 && host_lacks rxr0 &&
        status_is "[.assignments[].devices[].name] == [\"rxr0\"]" && plugin_said "DEL pod rnh/rs3 on eth0" 0'
check "the test holds rs3's namespace" hold rs3
check "StopPodSandbox of rs3: its DEL brings rxr0 home while the namespace is still alive (held); the journal clean" \
    eval 'cri stopp "$rs3" && plugin_said "DEL pod rnh/rs3 on eth0" 1 && rdma_has rxr0 &&
        nsenter --net="$d/rs3.hold" true && [ -z "$(nsenter --net="$d/rs3.hold" rdma dev show)" ] && journal_empty'
check "RemovePodSandbox of rs3: the second DEL; the journal clean, no pod netns left" \
    eval 'cri rmp "$rs3" && plugin_said "DEL pod rnh/rs3 on eth0" 2 && journal_empty && no_netns'
check "the hold is released; rxr0 and rxr1 home and deleted; the conflist rxe0 again" \
    eval 'unhold rs3 && rdma_has rxr0 && rdma_has rxr1 && dummy_rxe_remove rxr 2 && conflist rxe0 && cni_reloaded rxe0'
