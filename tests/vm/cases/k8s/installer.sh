# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash disable=SC2016,SC2154 # eval'd text; variables of k8s/lib.sh
# The shipped DaemonSet (deploy/daemonset.yaml) as kubelet would run it, turned into CRI
# calls by tests/cri/pod-from-manifest, its hostPaths under the node root $host in $d
# (nothing of the guest's own is touched): the installer image, imported without a
# registry, installs; installs again while another pod's ADD and DEL run through the
# plugin it replaces, neither failing; then uninstalls, leaving containerd's
# config.toml byte for byte as before. Leaves the pod network asking for rxe0.
host=$d/host
manifest=$cri_dir/../../deploy/daemonset.yaml
placed="/opt/cni/bin/rdma-netns /opt/rdma-netns/bin/rdma-netns-hook /opt/rdma-netns/bin/rdma-netns-runtime
    /etc/containers/oci/hooks.d/rdma-netns-hook-prestart.json /etc/containers/oci/hooks.d/rdma-netns-hook-poststop.json"
mkdir -p "$host/etc/containerd"
# a node's config.toml as `containerd config default` writes it (bin_dir /opt/cni/bin)
containerd config default >"$host/etc/containerd/config.toml"
cp -p "$host/etc/containerd/config.toml" "$d/config.before"

# state_of POD NAME : the state of POD's container NAME, as `cri ps` says it
state_of() { cri ps --pod "$1" | awk -v n="$2" '$3 == n { print $4 }'; }
# installer_pod NAME [ARG...] : the DaemonSet's pod as NAME, with ARG after the init
# container's args; the init container run to its end (its last line in its log, then
# exited); the pod id in $d/NAME/pod.id, the container's output $d/NAME/logs/install.log
installer_pod() {
    local n=$1 pod c
    shift
    "$cri_dir/pod-from-manifest" "$manifest" "$d/$n" --name "$n" --host-prefix "$host" "${@/#/--extra-arg=}" &&
        pod=$(cri runp "$d/$n/pod.json") && echo "$pod" >"$d/$n/pod.id" &&
        c=$(cri create "$pod" "$d/$n/install.json" "$d/$n/pod.json") && cri start "$c" &&
        wait_for 120 grep -qE " (stderr|stdout F rdma-netns-install: (the runtime handler|removed))" \
            "$d/$n/logs/install.log" &&
        wait_for 60 eval '[ "$(state_of "$pod" install)" = CONTAINER_EXITED ]'
}
# said POD TEXT : POD's init container printed TEXT on stdout and nothing on stderr
said() {
    if grep -q " stdout F rdma-netns-install: $2" "$d/$1/logs/install.log" &&
        ! grep -q " stderr " "$d/$1/logs/install.log"; then return 0; fi
    cat "$d/$1/logs/install.log"
    return 1
}
# remove_pod NAME : StopPodSandbox and RemovePodSandbox of the pod $d/NAME/pod.id
remove_pod() { cri stopp "$(cat "$d/$1/pod.id")" && cri rmp "$(cat "$d/$1/pod.id")"; }
placed_all() {
    local p
    for p in $placed; do [ -f "$host$p" ] || { echo "$p is missing"; return 1; }; done
    cmp "$RNH_BUILD_DIR/cni/rdma-netns" "$host/opt/cni/bin/rdma-netns" &&
        cmp "$RNH_BUILD_DIR/hook/rdma-netns-hook" "$host/opt/rdma-netns/bin/rdma-netns-hook" &&
        cmp "$RNH_BUILD_DIR/runtime/rdma-netns-runtime" "$host/opt/rdma-netns/bin/rdma-netns-runtime"
}
none_left() {
    local p
    for p in $placed; do [ ! -e "$host$p" ] || { echo "$p is left"; return 1; }; done
}
# handler_loaded : containerd reads the node's config.toml with the handler rdma running
# the wrapper, and bin_dir as before
handler_loaded() {
    containerd --config "$host/etc/containerd/config.toml" config dump >"$d/config.dump" &&
        grep -qF '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.rdma.options]' "$d/config.dump" &&
        grep -qF 'BinaryName = "/opt/rdma-netns/bin/rdma-netns-runtime"' "$d/config.dump" &&
        grep -qF 'pod_annotations = ["rdma.netns/*"]' "$d/config.dump" &&
        grep -qF 'bin_dir = "/opt/cni/bin"' "$d/config.dump" &&
        [ "$(grep -c '^# >>> rdma-netns-install' "$host/etc/containerd/config.toml")" = 1 ]
}
# pod_cycles : p3 run, stopped and removed (ADD, DEL, DEL) until $d/race.stop exists, at
# least once; the number of cycles in $d/race.cycles
pod_cycles() {
    local n=0 p
    while [ $n -eq 0 ] || [ ! -e "$d/race.stop" ]; do
        if ! { p=$(cri runp "$d/p3.json") && cri stopp "$p" && cri rmp "$p"; }; then
            echo "cycle $n failed"
            return 1
        fi
        n=$((n + 1))
    done
    echo $n >"$d/race.cycles"
}
# install_during_cycles : installer_pod inst2 while pod_cycles runs; both succeed
install_during_cycles() {
    local cycles s=0
    rm -f "$d/race.stop"
    pod_cycles &
    cycles=$!
    installer_pod inst2 || s=$?
    touch "$d/race.stop"
    wait "$cycles" && [ "$s" -eq 0 ]
}

check "the installer image, written without a registry, imports" \
    eval 'ctr images import "$RNH_BUILD_DIR/rdma-netns-install-image.tar" &&
        ctr images ls -q | grep -qx "$(tar -xOf "$RNH_BUILD_DIR/rdma-netns-install-image.tar" index.json |
            jq -r ".manifests[0].annotations[\"io.containerd.image.name\"]")"'
check "the DaemonSet's pod: its init container rdma-netns-install ends well" \
    eval 'installer_pod inst1 && said inst1 "the runtime handler \"rdma\" is in /etc/containerd/config.toml"'
check "every file is placed under the node root, the programs as built" placed_all
check "containerd reads config.toml with the handler rdma (one block), bin_dir kept" handler_loaded
check "the DaemonSet's pause container runs, then stops; the pod goes" \
    eval 'pod=$(cat "$d/inst1/pod.id") && c=$(cri create "$pod" "$d/inst1/pause.json" "$d/inst1/pod.json") &&
        cri start "$c" && [ "$(state_of "$pod" pause)" = CONTAINER_RUNNING ] &&
        cri stop --timeout 30 "$c" && remove_pod inst1'

# the pod network's plugin is the one placed, which the second install replaces
ln -sfn "$host/opt/cni/bin/rdma-netns" "$d/cni-bin/rdma-netns"
conflist rxe0
check "containerd reloads the pod network, asking for rxe0" cni_reloaded rxe0
pod_json p3
cp "$host/etc/containerd/config.toml" "$d/config.installed"
check "installing again while p3's ADD and DEL run through the placed plugin: neither fails" \
    eval 'install_during_cycles && said inst2 "the runtime handler" && remove_pod inst2'
echo "# p3's cycles during the second install: $(cat "$d/race.cycles" 2>/dev/null)"
check "each of p3's ADDs and DELs was done by the plugin; rxe0 home, the journal clean" \
    eval 'n=$(cat "$d/race.cycles") && plugin_said "ADD pod rnh/p3 on eth0" "$n" &&
        plugin_said "DEL pod rnh/p3 on eth0" $((2 * n)) && all_home && journal_empty'
check "the second install left config.toml as the first, the files as built" \
    eval 'cmp "$host/etc/containerd/config.toml" "$d/config.installed" && placed_all'
ln -sfn "$RNH_BIN_DIR/../lib/cni/rdma-netns" "$d/cni-bin/rdma-netns"

check "the DaemonSet's pod with --uninstall ends well" \
    eval 'installer_pod inst3 --uninstall && said inst3 "removed" && remove_pod inst3'
check "after --uninstall: config.toml byte for byte as before, every file gone" \
    eval 'cmp "$host/etc/containerd/config.toml" "$d/config.before" && none_left'
