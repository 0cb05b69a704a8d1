#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# shellcheck disable=SC2016,SC2317 # jq variables; functions called through check
# The hook where people run containers: Podman through hooks.d (crun and runc), Podman
# through a CDI spec from `cdi generate`, and the Debian package installed with dpkg.
set -eu
# shellcheck source-path=SCRIPTDIR source=../guest/lib.sh
. "$(dirname "$0")/../guest/lib.sh"

all="rxe0 rxe1"
rootfs=/tmp/podman-rootfs
preamble
podman_setup "$rootfs"

# The container's program: what it sees, then wait for the host's go.
cat >"$outdir/workload" <<'SH'
#!/bin/sh
. /out/workload.sh
rdma dev show >/out/$1.rdma 2>&1
ls /dev/infiniband >/out/$1.nodes 2>&1
ibv_devinfo >/out/$1.ibv 2>&1
ready_then_wait "$1"
SH
chmod +x "$outdir/workload"

# start ID [PODMAN OPTIONS...] : podman run --rm in the background
start() {
    local id=$1
    shift
    start_bg "$id" podman run --rm --name "$id" --network none -v /usr:/usr:ro -v "$outdir:/out" \
        -v /etc/libibverbs.d:/etc/libibverbs.d:ro "$@" --rootfs "$rootfs" /out/workload "$id"
}
# sees ID DEV... : inside, rdma dev listed exactly DEVs
sees() {
    local id=$1 want got
    shift
    want=$(printf '%s\n' "$@" | sort)
    got=$(sed -n 's/^[0-9]*: \([^:]*\):.*/\1/p' "$outdir/$id.rdma" | sort)
    [ "$got" = "$want" ] || { echo "rdma dev inside: '$got'; wanted: '$want'"; return 1; }
}

check "exclusive mode" set_exclusive
check "create rxe0 and rxe1" rxe_setup 2
check "cmake --install of the project" cmake --install "$RNH_BUILD_DIR" --prefix /usr/local
hooks=/usr/local/share/containers/oci/hooks.d
check "the installed hooks.d files name the installed hook" \
    jq -e '.hook.path == "/usr/local/bin/rdma-netns-hook"' "$hooks/rdma-netns-hook-prestart.json"

# --- hooks.d with both runtimes
for rt in crun runc; do
    opts=(--runtime "$rt" --cgroups=disabled)
    [ "$rt" = runc ] && opts=(--runtime runc --cgroup-manager=cgroupfs)
    start "h-$rt" --hooks-dir "$hooks" --annotation rdma.netns/devices=rxe0 "${opts[@]}"
    check "podman --runtime $rt, hooks.d, annotation rxe0: the container starts" ready "h-$rt"
    check "podman --runtime $rt: inside, rdma dev lists rxe0 only" sees "h-$rt" rxe0
    check "podman --runtime $rt: the host does not list rxe0" not rdma_has rxe0
    stop "h-$rt"
    check "podman --runtime $rt: the container exits cleanly" exited "h-$rt"
    check "podman --runtime $rt: after podman run --rm, rxe0 is home" all_home
done

start none --hooks-dir "$hooks" --runtime crun --cgroups=disabled
check "no annotation: the container starts" ready none
check "no annotation: inside, no RDMA device" sees none
check "no annotation: both devices stay in the host" all_home
stop none
check "no annotation: exits cleanly and nothing was recorded" \
    eval "exited none && /usr/local/bin/rdma-netns-hook status --json | jq -e '.assignments == []'"

# --- CDI: a spec from cdi generate; the device request needs no annotation
mkdir -p /etc/cdi
check "cdi generate writes a spec with rxe0, rxe1 and all" \
    eval "/usr/local/bin/rdma-netns-hook cdi generate --output /etc/cdi/rdma-netns.json &&
          jq -e '[.devices[].name] == [\"rxe0\",\"rxe1\",\"all\"]' /etc/cdi/rdma-netns.json"
node=$(jq -r '.devices[] | select(.name == "rxe1") | .containerEdits.deviceNodes[0].path' /etc/cdi/rdma-netns.json)
start cdi --device rdma.netns/device=rxe1 --runtime crun --cgroups=disabled
check "CDI --device rdma.netns/device=rxe1: the container starts" ready cdi
check "CDI: inside, rdma dev lists rxe1 only" sees cdi rxe1
check "CDI: inside, the spec's verbs node ${node##*/} is present" grep -qx "${node##*/}" "$outdir/cdi.nodes"
check "CDI: inside, ibv_devinfo opens rxe1 through it" grep -q 'hca_id:.*rxe1' "$outdir/cdi.ibv"
check "CDI: the host does not list rxe1" not rdma_has rxe1
stop cdi
check "CDI: the container exits cleanly" exited cdi
check "CDI: after podman run --rm, rxe1 is home" all_home

# --- the Debian package, used from Podman's default hooks directories
check "dpkg -i of the package" eval "dpkg -i '$RNH_BUILD_DIR'/rdma-netns-hook_*.deb >'$outdir/dpkg.log' 2>&1 || { cat '$outdir/dpkg.log'; false; }"
check "the package's hooks.d file names /usr/bin/rdma-netns-hook" \
    jq -e '.hook.path == "/usr/bin/rdma-netns-hook"' /usr/share/containers/oci/hooks.d/rdma-netns-hook-prestart.json
manual() { MANPAGER=cat MANWIDTH=80 man "$1" 2>&1 | grep -q "$2" || { man "$1" 2>&1 | head -5; return 1; }; }
check "the package's manual pages: man rdma-netns-hook" manual rdma-netns-hook 'give a container its own RDMA devices'
check "the package's manual pages: man rdma-netns-runtime" manual rdma-netns-runtime 'RDMA_NETNS_DEVICES'
check "the package's copyright and changelog" \
    test -s /usr/share/doc/rdma-netns-hook/copyright -a -s /usr/share/doc/rdma-netns-hook/changelog.gz
start deb --annotation rdma.netns/devices=rxe1 --runtime crun --cgroups=disabled
check "packaged hook: the container starts" ready deb
check "packaged hook: inside, rdma dev lists rxe1 only" sees deb rxe1
check "packaged hook: the host does not list rxe1" not rdma_has rxe1
stop deb
check "packaged hook: the container exits cleanly" exited deb
check "packaged hook: rxe1 is home after podman run --rm" all_home

# --- a stale CDI spec: rxe1's verbs node now belongs to rxe0; the hook must refuse
rdma link delete rxe0 && rdma link delete rxe1
rdma link add rxe1 type rxe netdev v1 && rdma link add rxe0 type rxe netdev v0
check "the re-created rxe1 took verbs node uverbs0, rxe0 took uverbs1" \
    eval "grep -qx rxe1 /sys/class/infiniband_verbs/uverbs0/ibdev && grep -qx rxe0 /sys/class/infiniband_verbs/uverbs1/ibdev"
# The container joins the namespace "held", which outlives it: rxe1, moved in before the
# node check, must be brought back, not left for the kernel to return when the namespace dies.
ip netns add held
if podman run --rm --name stale --network ns:/run/netns/held -v /usr:/usr:ro --runtime crun --cgroups=disabled \
    --annotation run.oci.hooks.stderr="$outdir/stale.hook-stderr" \
    --device rdma.netns/device=rxe1 --rootfs "$rootfs" /bin/true >"$outdir/stale.log" 2>&1; then
    echo started >"$outdir/stale.rc"
fi
check "stale spec: the container does not start" not test -e "$outdir/stale.rc"
check "stale spec: the hook says the node changed and how to fix it" \
    grep -qF "rdma-netns-hook: RDMA device rxe1 has the verbs node uverbs0 after the move, but the container was given uverbs1; regenerate the CDI spec" "$outdir/stale.hook-stderr"
check "stale spec: rxe1 and rxe0 are in the host, none in its namespace (alive)" \
    eval 'all_home && [ -z "$(ip netns exec held rdma dev show)" ]'
check "stale spec: nothing is recorded" \
    eval "rdma-netns-hook status --json | jq -e '.assignments == []'"

ip netns del held
check "invariant: every device home or held by a live container in the journal" invariant /usr/local/bin/rdma-netns-hook rxe0 rxe1
finish
