# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash disable=SC2016,SC2154,SC2034 # eval'd text; variables of k8s/lib.sh; used in eval
# containerd 1.6's two routes to the hook without CNI, for pods annotated
# rdma.netns/devices=rxe0 on the pod network [ptp] (no rdma-netns), each a runtime handler
# that lets the pod's rdma.netns/* annotations through (pod_annotations):
# (1) rdma, as a RuntimeClass names it: rdma-netns-runtime is its runc, and adds the hook to
# every container of the pod, the sandbox's (pause) included: rxe0 moves as the pod starts
# and returns as it stops.
# (2) rdma-spec: its containers' spec starts from a file (base_runtime_spec) that holds the
# hook. containerd 1.6 builds the sandbox's spec without that file, so rxe0 moves as the
# pod's container starts and returns as it stops.
# The handlers are the node's (node_config in k8s/lib.sh).
# ptp_only : containerd's pod network has no rdma-netns
ptp_only() {
    cri status | jq -e 'all(.info.cniconfig.Networks[].Config.Source; contains("rdma-netns") | not)' >/dev/null
}
conflist ptp
check "containerd reloads the pod network [ptp], without rdma-netns" wait_for 60 ptp_only

# annotated_pod NAME : pod_json NAME, annotated rdma.netns/devices=rxe0
annotated_pod() {
    pod_json "$1" && jq '.annotations = {"rdma.netns/devices": "rxe0"}' "$d/$1.json" >"$d/$1.json.new" &&
        mv "$d/$1.json.new" "$d/$1.json"
}
# lister NAME : a container NAME's configuration, in $d/NAME.json: it lists its
# /sys/class/infiniband, then sleeps
lister() {
    printf '{"metadata": {"name": "%s"}, "image": {"image": "%s"}, "log_path": "%s.log",
  "command": ["sh", "-c", "ls /sys/class/infiniband; exec sleep inf"]}\n' "$1" "$image" "$1" >"$d/$1.json"
}
# started POD NAME : the container NAME created in the pod named POD and started; its id in $d/NAME.id
started() { to "$d/$2.id" cri create "$(cat "$d/$1.id")" "$d/$2.json" "$d/$1.json" && cri start "$(cat "$d/$2.id")"; }
# listed POD NAME DEV : the container NAME of POD listed DEV in its /sys/class/infiniband
listed() {
    wait_for 60 grep -q " stdout F $3\$" "$d/logs/$1/$2.log" || { cat "$d/logs/$1/$2.log"; return 1; }
}
# holders ID... : the journal holds exactly these containers, each with rxe0
holders() {
    status_is '([.assignments[] | [.container_id, [.devices[].name]]] | sort) == ([$ids[] | [., ["rxe0"]]] | sort)' \
        --argjson ids "$(json_array "$@")"
}

# --- (1) the RuntimeClass route: the handler rdma runs rdma-netns-runtime
annotated_pod p4
check "RunPodSandbox of p4 with the handler rdma succeeds" to "$d/p4.id" cri runp --runtime rdma "$d/p4.json"
read -r p4 pause4 netns4 <<<"$(sandbox p4)"
check "rdma: rxe0 is in p4's network namespace, not in the host" eval 'in_netns_of "$pause4" rxe0 && host_lacks rxe0'
check "rdma: the journal holds p4's sandbox container with rxe0" holders "$p4"
lister c4
check "rdma: a container in p4 is created and started, and lists rxe0 in its /sys/class/infiniband" \
    eval 'started p4 c4 && listed p4 c4 rxe0'
c4=$(cat "$d/c4.id")
check "rdma: the journal holds the sandbox and the container, each with rxe0" holders "$p4" "$c4"
check "rdma: the container stopped and removed, rxe0 stays with the sandbox" \
    eval 'cri stop "$c4" && cri rm "$c4" && in_netns_of "$pause4" rxe0 && holders "$p4"'
check "rdma: StopPodSandbox: rxe0 home, the journal clean, the netns gone" \
    eval 'cri stopp "$p4" && all_home && journal_empty && [ ! -e "$netns4" ]'
check "rdma: RemovePodSandbox succeeds; rxe0 home, the journal clean" eval 'cri rmp "$p4" && all_home && journal_empty'

# --- (2) the base_runtime_spec route: the handler rdma-spec, the hook in the spec's file
annotated_pod p5
check "RunPodSandbox of p5 with the handler rdma-spec succeeds; rxe0 stays home (the sandbox has no hook)" \
    eval 'to "$d/p5.id" cri runp --runtime rdma-spec "$d/p5.json" && all_home && journal_empty'
read -r p5 pause5 _ <<<"$(sandbox p5)"
lister c5
check "rdma-spec: a container in p5 is created and started, and lists rxe0 in its /sys/class/infiniband" \
    eval 'started p5 c5 && listed p5 c5 rxe0'
c5=$(cat "$d/c5.id")
check "rdma-spec: the sandbox's spec has no hooks (containerd 1.6 builds it without base_runtime_spec)" \
    eval 'ctr containers info "$p5" >"$d/p5.info" && jq -e ".Spec.process and .Spec.hooks == null" "$d/p5.info" >/dev/null ||
        { jq -c ".Spec.hooks" "$d/p5.info"; false; }'
check "rdma-spec: the container's spec holds the base spec's hooks and the pod's annotation" \
    eval 'ctr containers info "$c5" >"$d/c5.info" && jq -e --arg h "$hook" ".Spec | [.hooks.prestart[0].path,
        .hooks.poststop[0].path, .annotations[\"rdma.netns/devices\"]] == [\$h, \$h, \"rxe0\"]" "$d/c5.info" ||
        { jq -c ".Spec | {hooks, annotations}" "$d/c5.info"; false; }'
check "rdma-spec: rxe0 is in p5's network namespace, not in the host; the journal holds the container" \
    eval 'in_netns_of "$pause5" rxe0 && host_lacks rxe0 && holders "$c5"'
check "rdma-spec: StopContainer: rxe0 home, the journal clean" eval 'cri stop "$c5" && all_home && journal_empty'
check "rdma-spec: the container removed, StopPodSandbox, RemovePodSandbox: rxe0 home, the journal clean" \
    eval 'cri rm "$c5" && cri stopp "$p5" && cri rmp "$p5" && all_home && journal_empty'

conflist rxe0
check "containerd reloads the pod network [ptp, rdma-netns rxe0]" cni_reloaded rxe0
