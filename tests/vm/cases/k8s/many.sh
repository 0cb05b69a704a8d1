# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash disable=SC2016,SC2154,SC2034 # eval'd text; variables of k8s/lib.sh; used in eval
# 16 pods started at once, each asking by annotation for a device of its own, then torn down
# at once: the CRI client issues the 16 calls from threads released together, and
# containerd's log shows all 16 begun before the first ended. No pod is refused (each ADD
# finds its device though others leave the host meanwhile), each device is in its pod's
# namespace alone, the journal holds the 16 attachments; after the teardown every device is
# home, the journal clean, no pod namespace left. Ends on the default network.
many=16
many_pods=() many_devs=() many_json=()
for ((i = 0; i < many; i++)); do
    many_pods+=("many$i") many_devs+=("rxm$i") many_json+=("$d/many$i.json")
    pod_json "many$i" "{\"rdma.netns/devices\": \"rxm$i\"}"
done
# many_ids : the pods' ids, in the order of many_pods
many_ids() { cat "$d/many.ids"; }
# many_in_pods : the Ith pod's network namespace (its pause process's) lists rxmI and nothing
# else, and the host none of them
many_in_pods() {
    local tasks i=0 id pid devs ids
    tasks=$(ctr tasks ls) && mapfile -t ids <"$d/many.ids" || return 1
    for id in "${ids[@]}"; do
        pid=$(awk -v id="$id" '$1 == id { print $2 }' <<<"$tasks")
        [ -n "$pid" ] || { echo "no task of pod many$i ($id)"; return 1; }
        devs=$(nsenter -t "$pid" -n rdma dev show </dev/null | awk '{ print $2 }')
        [ "$devs" = "rxm$i:" ] || { echo "the namespace of many$i lists: ${devs:-nothing}"; return 1; }
        i=$((i + 1))
    done
    [ "$i" -eq "$many" ] && host_lacks "${many_devs[@]}"
}
# many_journal : the journal holds one attachment per pod: its sandbox, its uid, its device
many_journal() {
    local want='' i=0 id ids st
    mapfile -t ids <"$d/many.ids" || return 1
    for id in "${ids[@]}"; do
        want+="${want:+,}[\"$id\", \"uid-many$i\", [\"rxm$i\"]]"
        i=$((i + 1))
    done
    local filter='[.assignments[] | [.cni.container_id, .cni.pod, [.devices[].name]]] | sort'
    st=$("$hook" status --json) || return 1
    jq -e --argjson want "[$want]" "$filter == (\$want | sort)" <<<"$st" >/dev/null ||
        { echo "the journal holds:"; jq -c "$filter | .[]" <<<"$st"; return 1; }
}
# many_said TEXT N : for each pod P, the plugin's debug line "TEXT pod rnh/P on eth0" N times
many_said() {
    local p
    for p in "${many_pods[@]}"; do plugin_said "$1 pod rnh/$p on eth0" "$2" || return 1; done
}
many_home() { all="${many_devs[*]}" all_home; }

check "16 soft-RoCE devices rxm0..rxm15 on dummy links" dummy_rxe_setup rxm "$many"
check "the pod network takes the pods' annotations, the policy honours them" pods_network
mark=$(log_mark)
check "16 RunPodSandbox at once, each pod asking for its rxmI: none refused" \
    eval 'to "$d/many.ids" cri runp "${many_json[@]}" && [ "$(wc -l <"$d/many.ids")" -eq "$many" ]'
check "containerd ran them at the same time: all 16 began before the first ended" at_once RunPodSandbox "$many" "$mark"
check "each pod's network namespace holds its device and no other; the host none of them" many_in_pods
check "the journal holds the 16 attachments, each with its pod's sandbox, uid and device" many_journal
check "16 ADDs, one per pod" many_said ADD 1

mark=$(log_mark)
check "16 StopPodSandbox at once succeed" eval 'cri stopp $(many_ids)'
check "containerd ran them at the same time" at_once StopPodSandbox "$many" "$mark"
check "one DEL each: every device home, the journal clean, no pod netns left" \
    eval 'many_said DEL 1 && many_home && journal_empty && no_netns'
mark=$(log_mark)
check "16 RemovePodSandbox at once succeed" eval 'cri rmp $(many_ids)'
check "containerd ran them at the same time" at_once RemovePodSandbox "$many" "$mark"
check "the second DELs: every device home, the journal clean, no pod netns left" \
    eval 'many_said DEL 2 && many_home && journal_empty && no_netns'
check "the 16 devices deleted; the default network again" eval 'dummy_rxe_remove rxm "$many" && default_network'
