#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# shellcheck source-path=SCRIPTDIR disable=SC2016 # eval'd text
# A Kubernetes node without kubelet: Debian's containerd (1.6) with its CRI plugin, driven by
# the tests' CRI client (tests/cri/cri), runs the CNI chain itself with the environment a
# node gives it (CNI_ARGS with K8S_POD_*). One boot, one containerd, the sections of k8s/
# in turn (each says what it shows); containerd is stopped by its PID at the end and
# leaves nothing behind.
set -eu
# shellcheck source=../guest/lib.sh
. "$(dirname "$0")/../guest/lib.sh"
k8s=$(dirname "$0")/k8s
# shellcheck source=k8s/lib.sh
. "$k8s/lib.sh"
all=rxe0
preamble

check "rdma system netns mode is exclusive" set_exclusive
check "rxe0" rxe_setup 1
mkdir -p /etc/rdma-netns-hook "$d/cni-bin" "$d/net.d" "$d/logs"
echo '{"policy":{"cni_requests":["deviceID","prevResult","devices"]}}' >/etc/rdma-netns-hook/config.json
ln -s /usr/lib/cni/* "$d/cni-bin/"
ln -s "$RNH_BIN_DIR/../lib/cni/rdma-netns" "$d/cni-bin/rdma-netns"
conflist rxe0
check "a base runtime spec: containerd's default with the hook at prestart and poststop" base_spec "$d/base-spec.json"
node_config
start_containerd
cri_serve
check "containerd serves CRI v1 with the handlers rdma, rdma-spec and runc" \
    eval 'containerd_serves && handlers_are "[\"rdma\",\"rdma-spec\",\"runc\"]"'
check "the busybox image, written without a registry, imports" \
    eval '"$cri_dir/busybox-image" --name "$image" "$d/image.tar" && ctr images import "$d/image.tar" && ctr images ls -q | grep -qx "$image"'

# shellcheck source=k8s/pod.sh
. "$k8s/pod.sh"
# shellcheck source=k8s/refused.sh
. "$k8s/refused.sh"
# shellcheck source=k8s/installer.sh
. "$k8s/installer.sh"
# shellcheck source=k8s/annotations.sh
. "$k8s/annotations.sh"
# shellcheck source=k8s/multus.sh
. "$k8s/multus.sh"
# shellcheck source=k8s/routes.sh
. "$k8s/routes.sh"
# shellcheck source=k8s/many.sh
. "$k8s/many.sh"
# shellcheck source=k8s/restart.sh
. "$k8s/restart.sh"

stop_containerd
kill "$cri_pid"
check "after containerd: no mount under its directory, no shim, no cgroup of the pod's processes" \
    eval '! grep -F " $d/" /proc/self/mountinfo && ! pgrep -f containerd-shim && cgroups_gone $cgroups'
check "after containerd: rxe0 home, the journal clean" eval 'all_home && journal_empty'
finish
