# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash disable=SC2016,SC2154 # eval'd text; variables of k8s/lib.sh
# A pod asking for a device that does not exist fails with the plugin's msg
# and details in the sandbox error, nothing moved.
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

