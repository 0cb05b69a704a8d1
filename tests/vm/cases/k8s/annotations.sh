# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash disable=SC2016,SC2154,SC2034 # eval'd text; variables of k8s/lib.sh; used in eval
# Pods asking by annotation: rdma-netns declares the capability
# io.kubernetes.cri.pod-annotations, and containerd passes the pod's annotations to it.
# Refused unless policy.cni_requests honours "podAnnotations", and then only the kinds
# policy.request_annotations honours; a pod asking nothing gets nothing.
policy() { echo "{\"policy\": $1}" >/etc/rdma-netns-hook/config.json; }
capability='"capabilities": {"io.kubernetes.cri.pod-annotations": true}'
conflist pods "$capability"
check "containerd reloads the network that takes the pods' annotations" cni_reloaded "$capability"

pod_json p3 '{"rdma.netns/devices": "rxe0"}'
check "without podAnnotations in the policy, a pod asking for rxe0 by annotation is refused" \
    eval '! cri runp "$d/p3.json" 2>"$d/p3.err" &&
        grep -F "failed (add): a request in the pod'"'"'s rdma.netns/ annotations is not honoured on this host;" "$d/p3.err" ||
        { cat "$d/p3.err"; false; }'
check "nothing moved: no pod netns left, rxe0 home, the journal clean" eval 'no_netns && all_home && journal_empty'

policy '{"cni_requests": ["podAnnotations"], "request_annotations": ["pci"]}'
check "with podAnnotations but only pci annotations honoured, rdma.netns/devices is refused" \
    eval '! cri runp "$d/p3.json" 2>"$d/p3.err" &&
        grep -F "failed (add): requests by annotation rdma.netns/devices are not honoured on this host;" "$d/p3.err" ||
        { cat "$d/p3.err"; false; }'
check "nothing moved: no pod netns left, rxe0 home, the journal clean" eval 'no_netns && all_home && journal_empty'

policy '{"cni_requests": ["podAnnotations"]}'
check "with podAnnotations honoured, RunPodSandbox of the pod asking for rxe0 succeeds" \
    to "$d/p3.id" cri runp "$d/p3.json"
p3=$(cat "$d/p3.id")
pause3=$(cri inspectp "$p3" | jq -r '.info.info.pid')
check "rxe0 is in the pod's network namespace, not in the host" eval 'in_netns_of "$pause3" rxe0 && host_lacks rxe0'
check "the journal holds its attachment with rxe0" \
    status_is '.assignments | length == 1 and (.[0] | [.cni.pod, [.devices[].name]] == ["uid-p3", ["rxe0"]])'
check "its teardown (two DELs) brings rxe0 home, the journal clean" \
    eval 'cri stopp "$p3" && cri rmp "$p3" && all_home && journal_empty && no_netns'

pod_json p4 '{"app": "no-rdma"}'
check "a pod without rdma.netns/ annotations on that network starts with nothing moved" \
    eval 'to "$d/p4.id" cri runp "$d/p4.json" && all_home && journal_empty'
check "and is torn down" eval 'cri stopp "$(cat "$d/p4.id")" && cri rmp "$(cat "$d/p4.id")" && no_netns'

policy '{"cni_requests": ["deviceID", "prevResult", "devices"]}'
conflist rxe0
check "containerd reloads the pod network asking for rxe0" cni_reloaded rxe0
