# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash disable=SC2016,SC2154,SC2034 # eval'd text; variables of k8s/lib.sh; used in eval
# A second network as Multus gives a pod one, here from containerd itself (max_conf_num = 2):
# the pod network [ptp], and, sorted second, [host-device with the NIC eth1, rdma-netns
# naming no device], where rdma-netns takes rxn1 from host-device's result (prevResult).
# containerd names a network's interface by its prefix and index: the second is eth1 (Multus
# would say net1).
made_rxn1=
if ! rdma_has rxn1; then made_rxn1=1; fi
check "rxn1 on the NIC eth1" eval '{ rdma_has rxn1 || { ip link set eth1 up && rdma link add rxn1 type rxe netdev eth1; }; } &&
    [ "$(rdma_netdev rxn1)" = eth1 ]'
mac1=$(cat /sys/class/net/eth1/address)
# the pod network without rdma-netns, then the NIC's network
conflist ptp
printf '%s\n' '{"cniVersion": "1.0.0", "name": "rnh-nic", "plugins": [' \
    '{"type": "host-device", "device": "eth1"},' \
    '{"type": "rdma-netns", "args": {"cni": {"debug": true}}}]}' >"$d/net.d/20-nic.conflist"
# networks_are JSON : containerd's loaded networks as [[name, interface], ...]
networks_are() {
    local got
    got=$(cri status | jq -c '[.info.cniconfig.Networks[] | [.Config.Name, .IFName]]') || return 1
    [ "$got" = "$1" ] || { echo "loaded: $got"; return 1; }
}
check "containerd reloads both networks: rnh-pod on eth0, rnh-nic on eth1" \
    wait_for 60 networks_are '[["cni-loopback","lo"],["rnh-pod","eth0"],["rnh-nic","eth1"]]'

pod_json p3
check "RunPodSandbox of p3 on both networks succeeds" to "$d/p3.id" cri runp "$d/p3.json"
read -r p3 pause3 netns3 <<<"$(sandbox p3)"
# nic_in PID : the NIC (eth1's MAC) is in the network namespace of PID as eth1
nic_in() { nsenter -t "$1" -n ip -o link show eth1 | grep -qF "link/ether $mac1 "; }
# nic_home : the NIC is back in the host under its name
nic_home() { ip -o link show eth1 | grep -qF "link/ether $mac1 "; }
check "the NIC and rxn1 are in p3's network namespace (as eth1), the host has neither" \
    eval 'nic_in "$pause3" && in_netns_of "$pause3" rxn1 && host_lacks rxn1 && ! ip -o link | grep -qF "$mac1"'
check "the journal holds p3's attachment on eth1 of rnh-nic, with rxn1" \
    status_is '.assignments | length == 1 and (.[0] | [.cni.container_id, .cni.ifname, .cni.network, .cni.pod,
        [.devices[].name]] == [$p, "eth1", "rnh-nic", "uid-p3", ["rxn1"]])' --arg p "$p3"
check "StopPodSandbox: one DEL, rxn1 and the NIC home, the journal clean, the netns gone" \
    eval 'cri stopp "$p3" && plugin_said "DEL pod rnh/p3 on eth1" 1 && rdma_has rxn1 && nic_home &&
        journal_empty && [ ! -e "$netns3" ]'
check "RemovePodSandbox: the second DEL (no netns) succeeds; rxn1 and the NIC home, the journal clean" \
    eval 'cri rmp "$p3" && plugin_said "DEL pod rnh/p3 on eth1" 2 && rdma_has rxn1 && nic_home && journal_empty'

[ -z "$made_rxn1" ] || rdma link delete rxn1 || true
conflist rxe0
check "containerd reloads the pod network [ptp, rdma-netns rxe0], on eth0 alone" \
    eval 'cni_reloaded rxe0 && wait_for 60 networks_are "[[\"cni-loopback\",\"lo\"],[\"rnh-pod\",\"eth0\"]]"'
