# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash disable=SC2016,SC2154,SC2034 # eval'd text; variables of k8s/lib.sh; used in eval
# A pod on the chain [ptp, rdma-netns], a container in it, its teardown with
# containerd 1.6's two DELs. Leaves $cgroups: the cgroups of p1's processes.
pod_json p1
check "RunPodSandbox of p1 succeeds" to "$d/p1.id" cri runp "$d/p1.json"
read -r p1 pause netns <<<"$(sandbox p1)"
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

