#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# shellcheck disable=SC2015,SC2016,SC2317 # A && B || { print why; fail; }; jq variables; functions called through check
# RoCE: with rdma.netns/with-netdevs=true a device's netdev goes into the container with
# it, keeps its name, MTU, state and addresses there, and comes home as it was, whether
# the container stops, dies or is refused. rxn0/rxn1 are rxe devices on the virtio NICs
# eth0/eth1 (PCI functions that can change namespace and come back when one dies).
set -eu
# shellcheck source-path=SCRIPTDIR source=../guest/lib.sh
. "$(dirname "$0")/../guest/lib.sh"

hook=$RNH_BIN_DIR/rdma-netns-hook
all="rxn0 rxn1"
preamble

check "rdma system netns mode is exclusive" set_exclusive
check "rxn0 and rxn1 on eth0 and eth1" nic_rxe_setup
check "rxe0 on the veth v0" rxe_setup 1
check "eth0: MTU 1400, 10.9.0.1/24 and fd00:9::1/64; eth1: 10.9.1.1/24" eval '
    ip link set eth0 mtu 1400 && ip addr add 10.9.0.1/24 dev eth0 &&
    ip -6 addr add fd00:9::1/64 dev eth0 nodad && ip addr add 10.9.1.1/24 dev eth1'

# settings NETDEV : name, MTU, up or down, and the global addresses; the same script in the
# host and in the containers
cat >"$outdir/settings.sh" <<'SH'
settings() {
    link=$(ip -o link show dev "$1") || return 1
    mtu=$(echo "$link" | sed -n 's/.* mtu \([0-9]*\) .*/\1/p')
    case $link in *[\<,]UP[,\>]*) state=up ;; *) state=down ;; esac
    echo "$1 mtu $mtu $state"
    ip -o addr show dev "$1" scope global | sed 's/^[0-9]*: *[^ ]* *\([^ ]*\) *\([^ ]*\).*/\1 \2/' | sort
}
SH
# shellcheck source=/dev/null
. "$outdir/settings.sh"
settings eth0 >"$outdir/eth0.host"
settings eth1 >"$outdir/eth1.host"
check "eth0's settings as the host has them" grep -q 'eth0 mtu 1400 up' "$outdir/eth0.host"

# The container's program: what it sees, then it waits for the host's go.
# workload ID DEV NETDEV [GID_INDEX [ipv4-only]]: with GID_INDEX, ibv_rc_pingpong of DEV to
# itself; ipv4-only: no IPv6 address is coming (Docker disables IPv6), so the GID table is
# awaited with the IPv4 address alone
cat >"$outdir/workload" <<'SH'
#!/bin/sh
. /out/settings.sh
. /out/workload.sh
id=$1 dev=$2 nd=$3
rdma dev show >/out/$id.rdma 2>&1
rdma link show >/out/$id.link 2>&1
settings "$nd" >/out/$id.settings 2>&1
i=0
while [ $i -lt 100 ]; do
    gids=$(cat /sys/class/infiniband/$dev/ports/1/gids/* 2>/dev/null)
    case $5,$gids in
    ,*ffff:0a09:0001*fd00:0009:0000:0000:0000:0000:0000:0001*) break ;;
    ipv4-only,*ffff:0a09:0001*) break ;;
    esac
    sleep 0.1
    i=$((i + 1))
done
cat /sys/class/infiniband/$dev/ports/1/gids/* >/out/$id.gids 2>&1
if [ -n "$4" ]; then
    ip link set lo up
    pingpong "$id" "$dev" "$4" 20
fi
ready_then_wait "$id" 120
SH
chmod +x "$outdir/workload"

# roce_bundle DIR ID STAGE ANNOTATIONS_JSON DEV NETDEV [GID_INDEX] [--no-poststop]
roce_bundle() {
    local dir=$1 id=$2 stage=$3 annotations=$4 dev=$5 nd=$6 gid=${7:-} post=${8:-}
    make_bundle "$dir" &&
        bundle_args "$dir" /out/workload "$id" "$dev" "$nd" "$gid" &&
        bundle_jq "$dir" '.annotations = $a
            | .mounts += [{destination: "/out", type: "bind", source: $out, options: ["rbind", "rw"]}]' \
            --argjson a "$annotations" --arg out "$outdir" &&
        bundle_hook "$dir" "$stage" "$hook" "$stage" &&
        if [ "$post" != --no-poststop ]; then bundle_hook "$dir" poststop "$hook" poststop; fi
}
# in_ns DIR NS : the container of DIR joins the namespace /var/run/netns/NS
in_ns() { bundle_jq "$1" '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' --arg p "/var/run/netns/$2"; }
run_bg() { start_bg "$2" "$1" run -b "$3" "$2"; }

# inside ID DEV NETDEV : the container saw exactly DEV, bound to NETDEV, NETDEV with the
# host's settings, and DEV's GID table holding NETDEV's IPv4 and IPv6 addresses
inside() {
    local id=$1 dev=$2 nd=$3 got
    got=$(sed -n 's/^[0-9]*: \([^:]*\):.*/\1/p' "$outdir/$id.rdma")
    [ "$got" = "$dev" ] || { echo "rdma dev inside: $got"; return 1; }
    grep -Eq "link $dev/1 .* netdev $nd( |\$)" "$outdir/$id.link" || { echo "rdma link inside:"; cat "$outdir/$id.link"; return 1; }
    diff "$outdir/$nd.host" "$outdir/$id.settings" || return 1
    grep -q '0000:0000:0000:0000:0000:ffff:0a09:0001' "$outdir/$id.gids" &&
        grep -q 'fd00:0009:0000:0000:0000:0000:0000:0001' "$outdir/$id.gids" ||
        { echo "GID table inside:"; sort -u "$outdir/$id.gids"; return 1; }
}
# gone DEV NETDEV : the host lists neither
gone() { host_lacks "$1" && { not ip link show "$2" >/dev/null 2>&1 || { echo "$2 is in the host"; return 1; }; }; }
# home DEV NETDEV : both in the host, DEV on NETDEV, NETDEV with its settings as before
home() {
    rdma_has "$1" || { echo "$1 is not in the host"; return 1; }
    [ "$(rdma_netdev "$1")" = "$2" ] || { echo "$1 is on '$(rdma_netdev "$1")'"; return 1; }
    settings "$2" >"$outdir/$2.now" && diff "$outdir/$2.host" "$outdir/$2.now"
}
journal_empty() { "$hook" status --json | jq -e '.assignments == []' >/dev/null || { "$hook" status; return 1; }; }
# refused RUNTIME ID DIR MESSAGE : the container does not start; the hook says MESSAGE
refused() {
    local rt=$1 id=$2 dir=$3 message=$4 shown=$outdir/$2.log
    [ "$rt" = crun ] && shown=$outdir/$id.hook-stderr
    bundle_jq "$dir" '.annotations["run.oci.hooks.stderr"] = $f' --arg f "$outdir/$id.hook-stderr"
    if "$rt" run -b "$dir" "$id" >"$outdir/$id.log" 2>&1; then
        echo "the container started"
        return 1
    fi
    sed 's/\\"/"/g' "$shown" | grep -qF "$message" || { cat "$outdir/$id.log" "$shown"; return 1; }
}
with='"rdma.netns/with-netdevs":"true"'

# --- refusals first, into the namespace "held", which outlives the refused containers:
# what moved in and was not brought back would be seen there
ip netns add held
held_links() { ip -n held -o link show | sed 's/^[0-9]*: \([^:@]*\).*/\1/'; }
held_links >"$outdir/held.links"
# held_empty [NETDEV] : held has no RDMA device, and its own links (and NETDEV) only
held_empty() {
    [ -z "$(ip netns exec held rdma dev show)" ] &&
        held_links | sort >"$outdir/held.now" &&
        { cat "$outdir/held.links"; [ -z "${1:-}" ] || echo "$1"; } | sort | diff - "$outdir/held.now" ||
        { ip netns exec held rdma dev show; return 1; }
}
roce_bundle /tmp/b-virt v1 prestart "{\"rdma.netns/devices\":\"rxe0\",$with}" rxe0 v0 && in_ns /tmp/b-virt held
check "a netdev with a link kind (veth) is refused" \
    refused runc v1 /tmp/b-virt 'network interface v0 of RDMA device rxe0 is a virtual link (veth)'
check "after it, rxe0 and v0 are in the host, held has nothing" eval 'rdma_has rxe0 && ip link show v0 >/dev/null && held_empty'
runc delete -f v1 >/dev/null 2>&1 || true

ip route add default via 10.9.1.2 dev eth1
roce_bundle /tmp/b-route d1 prestart "{\"rdma.netns/devices\":\"rxn1\",$with}" rxn1 eth1 && in_ns /tmp/b-route held
check "the default route's netdev is refused" \
    refused runc d1 /tmp/b-route 'network interface eth1 of RDMA device rxn1 carries the host'"'"'s default route'
check "after it, rxn1 and eth1 are home as they were, held has nothing" eval 'home rxn1 eth1 && held_empty'
runc delete -f d1 >/dev/null 2>&1 || true
ip route del default

ip -n held link add eth0 type dummy
roce_bundle /tmp/b-clash n1 prestart "{\"rdma.netns/devices\":\"rxn0\",$with}" rxn0 eth0 && in_ns /tmp/b-clash held
check "a netdev whose name the container's namespace has is refused" \
    refused runc n1 /tmp/b-clash 'its network namespace already has an interface named eth0'
check "after it, rxn0 and eth0 are home as they were, held has its own eth0 only" \
    eval 'home rxn0 eth0 && held_empty eth0'
runc delete -f n1 >/dev/null 2>&1 || true
ip -n held link del eth0

# --- a netdev tied to another of the host's (a port of a bond or bridge, the lower device of a
# macvlan, ipvlan or VLAN) is refused before anything moves: the host's links and RDMA
# devices are as they were, held (alive) has none of them
host_view() { ip -o link show | sed 's/^\([0-9]*: [^:]*\):.*/\1/'; rdma dev show | sed 's/ node_guid.*//'; }
# tied ID DEV NETDEV MESSAGE : a container into held asking for DEV with its netdev is refused
# with MESSAGE, and host_view and held are unchanged
tied() {
    local id=$1 dev=$2 nd=$3 message=$4
    host_view >"$outdir/$id.before" &&
        roce_bundle "/tmp/b-$id" "$id" prestart "{\"rdma.netns/devices\":\"$dev\",$with}" "$dev" "$nd" &&
        in_ns "/tmp/b-$id" held &&
        refused runc "$id" "/tmp/b-$id" "$message" &&
        { runc delete -f "$id" >/dev/null 2>&1 || true; } &&
        host_view | diff "$outdir/$id.before" - && rdma_has "$dev" && held_empty ''
}
# (bond1: the bonding driver makes an empty bond0 itself)
ip link add bond1 type bond && ip link set eth1 down && ip link set eth1 master bond1 && ip link set bond1 up
check "a port of a bond is refused, nothing moved" \
    tied tb rxn1 eth1 'network interface eth1 of RDMA device rxn1 is a port of bond1 (bond): moving it would take it out of its master'
ip link del bond1
ip link add br0 type bridge && ip link set eth1 master br0 && ip link set br0 up &&
    ip -6 addr add fd00:7::1/64 dev br0 nodad && ip -6 route add default via fd00:7::2 dev br0
check "a port of a bridge carrying the IPv6 default route is refused, nothing moved" \
    tied tr rxn1 eth1 'network interface eth1 of RDMA device rxn1 is a port of br0 (bridge), which carries the host'"'"'s default route'
ip link del br0
ip link set eth1 up
check "eth1 out of bond and bridge: rxn1 and eth1 as they were" home rxn1 eth1
ip link add m0 link eth0 type macvlan
check "the lower device of a macvlan is refused, nothing moved" \
    tied tm rxn0 eth0 'network interface eth0 of RDMA device rxn0 is the lower device of m0 (macvlan)'
ip link del m0
ip link add i0 link eth0 type ipvlan mode l2
check "the lower device of an ipvlan is refused, nothing moved" \
    tied ti rxn0 eth0 'network interface eth0 of RDMA device rxn0 is the lower device of i0 (ipvlan)'
ip link del i0
ip link add link eth0 name eth0.5 type vlan id 5
check "the lower device of a VLAN is refused, nothing moved" \
    tied tv rxn0 eth0 'network interface eth0 of RDMA device rxn0 is the lower device of eth0.5 (vlan)'
ip link del eth0.5
check "after the ties are gone, rxn0 and eth0 as they were" home rxn0 eth0

# a start that fails after both moved (the verbs node a CDI spec would give is not
# rxn0's): the device comes back, then eth0, with its settings
roce_bundle /tmp/b-undo u1 prestart "{\"rdma.netns/devices\":\"rxn0\",$with}" rxn0 eth0 &&
    in_ns /tmp/b-undo held && bundle_jq /tmp/b-undo '.hooks.prestart[0].args += ["--verbs-node", "rxn0=uverbs9"]'
check "a start failing after the moves (wrong verbs node) is refused" \
    refused runc u1 /tmp/b-undo 'after the move, but the container was given uverbs9'
check "after it, rxn0 and eth0 are home as they were, held has nothing" eval 'home rxn0 eth0 && held_empty'
runc delete -f u1 >/dev/null 2>&1 || true
check "the refusals left the journal empty" journal_empty

# --- runc (prestart) and crun (createRuntime), by name
for rt in runc crun; do
    stage=prestart
    [ "$rt" = crun ] && stage=createRuntime
    roce_bundle "/tmp/b-$rt" "$rt" "$stage" "{\"rdma.netns/devices\":\"rxn0\",$with}" rxn0 eth0
    run_bg "$rt" "$rt" "/tmp/b-$rt"
    check "$rt: container starts with rxn0 and eth0" ready "$rt"
    check "$rt: inside, rxn0 on eth0, eth0 as in the host, GID table with both addresses" inside "$rt" rxn0 eth0
    check "$rt: the host has neither rxn0 nor eth0" gone rxn0 eth0
    check "$rt: status shows the netdev with its host settings" eval \
        "'$hook' status --json | jq -e '.assignments[0].netdevs[0] | .name == \"eth0\" and .mtu == 1400 and .up and (.addresses | length) == 2'"
    stop "$rt"
    check "$rt: container exits cleanly" exited "$rt"
    check "$rt: after poststop rxn0 and eth0 are home as they were" home rxn0 eth0
    check "$rt: the journal is empty" journal_empty
done

# --- without with-netdevs, eth0 stays in the host (today's behaviour)
roce_bundle /tmp/b-plain p1 prestart '{"rdma.netns/devices":"rxn0"}' rxn0 eth0 1
run_bg runc p1 /tmp/b-plain
check "without with-netdevs: container starts, eth0 stays in the host" eval 'ready p1 && ip link show eth0 >/dev/null && host_lacks rxn0'
check "without with-netdevs: ibv_rc_pingpong of rxn0 to itself inside passes" \
    eval 'grep -q "20 iters" "$outdir/p1.client" || { cat "$outdir/p1.client" "$outdir/p1.server"; false; }'
stop p1
check "without with-netdevs: all home" eval 'exited p1 && home rxn0 eth0'

# --- by PCI address (eth0's function: rxe has no parent, its netdev's function counts)
pci0=$(netdev_pci eth0)
roce_bundle /tmp/b-pci pc prestart "{\"rdma.netns/pci\":\"$pci0\",$with}" rxn0 eth0
run_bg runc pc /tmp/b-pci
check "by rdma.netns/pci=$pci0: container starts with rxn0 and eth0" ready pc
check "by pci: inside, rxn0 on eth0 as in the host" inside pc rxn0 eth0
stop pc
check "by pci: home as they were" eval 'exited pc && home rxn0 eth0'

# --- by netdev
roce_bundle /tmp/b-nd nd prestart "{\"rdma.netns/netdevs\":\"eth0\",$with}" rxn0 eth0
run_bg runc nd /tmp/b-nd
check "by rdma.netns/netdevs=eth0: container starts with rxn0 and eth0" ready nd
check "by netdevs: inside, rxn0 on eth0 as in the host" inside nd rxn0 eth0
stop nd
check "by netdevs: home as they were" eval 'exited nd && home rxn0 eth0'

# --- a pod: two containers in one namespace ask for rxn0; both stay until the last one stops
ip netns add pod
for id in pa pb; do
    roce_bundle "/tmp/b-$id" "$id" prestart "{\"rdma.netns/devices\":\"rxn0\",$with}" rxn0 eth0 && in_ns "/tmp/b-$id" pod
    run_bg runc "$id" "/tmp/b-$id"
    check "pod: container $id starts with rxn0 and eth0" eval "ready $id && inside $id rxn0 eth0"
done
stop pa
check "pod: after the first stops, rxn0 and eth0 are still in the pod" \
    eval 'exited pa && rdma_has rxn0 pod && ip -n pod link show eth0 >/dev/null && gone rxn0 eth0'
stop pb
check "pod: after the last stops, both are home as they were" eval 'exited pb && home rxn0 eth0'
ip netns del pod
check "pod: the journal is empty" journal_empty

# --- killed: the namespace dies with the container; poststop waits for the kernel to
# return both, then restores eth0
roce_bundle /tmp/b-kill k1 prestart "{\"rdma.netns/devices\":\"rxn0\",$with}" rxn0 eth0
run_bg runc k1 /tmp/b-kill
check "killed: container starts with rxn0 and eth0" ready k1
runc kill k1 KILL
wait "${RNH_BG_PID[k1]}" || true
check "killed: after poststop rxn0 and eth0 are home as they were" home rxn0 eth0
check "killed: the journal is empty" journal_empty

# --- recover: no poststop at all; the namespace dies, `recover` brings eth0 back as it was
roce_bundle /tmp/b-rec r1 prestart "{\"rdma.netns/devices\":\"rxn0\",$with}" rxn0 eth0 '' --no-poststop
run_bg runc r1 /tmp/b-rec
check "recover: container starts with rxn0 and eth0" ready r1
stop r1
check "recover: without poststop eth0 is not restored (down, no addresses)" \
    eval 'wait_for 30 ip link show eth0 && not home rxn0 eth0'
check "recover: recover names the container" eval "'$hook' recover | grep -q 'recovered container r1'"
check "recover: rxn0 and eth0 home as they were, journal empty" eval 'home rxn0 eth0 && journal_empty'

# --- renamed: the name is taken in the host when the namespace dies; the kernel returns
# eth0 as dev<ifindex>, poststop cannot rename it back and says so, the journal keeps it;
# once the name is free, recover renames and restores it
roce_bundle /tmp/b-ren rn prestart "{\"rdma.netns/devices\":\"rxn0\",$with}" rxn0 eth0
run_bg runc rn /tmp/b-ren
check "renamed: container starts with rxn0 and eth0" ready rn
ip link add eth0 type dummy
runc kill rn KILL
wait "${RNH_BG_PID[rn]}" || true
check "renamed: eth0 came back as devN, and the journal keeps it" eval \
    "ip -o link show | grep -q ': dev[0-9]*:' && '$hook' status --json | jq -e '.assignments[0].netdevs[0].name == \"eth0\"'"
ip link del eth0
check "renamed: recover renames it eth0 and restores it" eval "'$hook' recover | grep -q 'recovered container rn'"
check "renamed: rxn0 and eth0 home as they were, journal empty" eval 'home rxn0 eth0 && journal_empty'

# --- the container names its netdev after a host netdev (eth1, rxn1's): it comes home as
# eth0, the name it had, in the request that moves it; the host's eth1 is untouched
roce_bundle /tmp/b-nm nm prestart "{\"rdma.netns/devices\":\"rxn0\",$with}" rxn0 eth0 && in_ns /tmp/b-nm held
run_bg runc nm /tmp/b-nm
check "named: container starts with rxn0 and eth0" ready nm
ip -o link show eth1 | cut -d' ' -f1-2 >"$outdir/eth1.index"
check "named: inside, eth0 is renamed eth1" ip netns exec held sh -c 'ip link set eth0 down && ip link set eth0 name eth1'
stop nm
# eth1 : the host's eth1 is the same link (ifindex), with rxn1 on it and its settings
eth1_untouched() { ip -o link show eth1 | cut -d' ' -f1-2 | diff "$outdir/eth1.index" - && home rxn1 eth1; }
check "named: rxn0 and eth0 home as they were, the host's eth1 untouched, held has nothing, journal empty" \
    eval 'exited nm && home rxn0 eth0 && eth1_untouched && held_empty && journal_empty'

# --- both names taken: the container names it eth1, and the host takes eth0 meanwhile; it
# comes home as devN, nothing of the host's renamed; once eth0 is free, recover restores it
roce_bundle /tmp/b-nb nb prestart "{\"rdma.netns/devices\":\"rxn0\",$with}" rxn0 eth0 && in_ns /tmp/b-nb held
run_bg runc nb /tmp/b-nb
check "both names taken: container starts with rxn0 and eth0" ready nb
ip netns exec held sh -c 'ip link set eth0 down && ip link set eth0 name eth1'
ip link add eth0 type dummy
stop nb
check "both names taken: it came home as devN; the host's eth0 (dummy) and eth1 untouched; the journal keeps it" eval \
    "ip -o link show | grep -q ': dev[0-9]*:' && ip -d link show eth0 | grep -q dummy && eth1_untouched && held_empty &&
     '$hook' status --json | jq -e '.assignments[0].netdevs[0].name == \"eth0\"'"
ip link del eth0
check "both names taken: recover renames it eth0 and restores it" eval "'$hook' recover | grep -q 'recovered container nb'"
check "both names taken: rxn0 and eth0 home as they were, journal empty" eval 'home rxn0 eth0 && journal_empty'

# --- the container moves its netdev on into another namespace: poststop cannot find it and
# says so, the journal keeps it NOT HOME; recover finds it once that namespace is gone
ip netns add nested
roce_bundle /tmp/b-ne ne prestart "{\"rdma.netns/devices\":\"rxn0\",$with}" rxn0 eth0 && in_ns /tmp/b-ne held
run_bg runc ne /tmp/b-ne
check "nested: container starts with rxn0 and eth0" ready ne
check "nested: inside, eth0 is moved on into the namespace nested" ip netns exec held ip link set eth0 netns nested
stop ne
check "nested: poststop says eth0 is NOT HOME" eval \
    '{ cat "$outdir/ne.log"; busybox logread; } | grep -q "NOT HOME.*moved on into another namespace): eth0" ||
        { cat "$outdir/ne.log"; busybox logread | tail -n 3; false; }'
check "nested: status shows eth0 NOT HOME, the journal keeps its record" eval \
    "'$hook' status | grep -q 'netdev eth0 with rxn0 NOT HOME' &&
     '$hook' status --json | jq -e '.assignments[0].netdevs[0] | .name == \"eth0\" and .not_home and .mtu == 1400'"
check "nested: recover, while eth0 is still away, fails and keeps it" eval \
    "not '$hook' recover && '$hook' status --json | jq -e '.assignments[0].netdevs[0].not_home'"
ip netns del nested
check "nested: once nested is gone, recover brings eth0 home as it was, journal empty" eval \
    "wait_for 30 ip link show eth0 && '$hook' recover | grep -q 'recovered container ne' && home rxn0 eth0 && held_empty && journal_empty"

# --- Podman: hooks.d (annotations) and CDI (a spec from cdi generate --with-netdevs)
rootfs=/tmp/podman-rootfs
podman_setup "$rootfs"
check "cmake --install of the project" cmake --install "$RNH_BUILD_DIR" --prefix /usr/local
# podman_bg ID [PODMAN OPTIONS...] : podman run --rm of the workload, in the background
podman_bg() {
    local id=$1
    shift
    start_bg "$id" podman run --rm --name "$id" --network none -v /usr:/usr:ro -v "$outdir:/out" \
        "$@" --runtime crun --cgroups=disabled --rootfs "$rootfs" /out/workload "$id" rxn0 eth0 ''
}
podman_bg ph --hooks-dir /usr/local/share/containers/oci/hooks.d \
    --annotation rdma.netns/devices=rxn0 --annotation rdma.netns/with-netdevs=true
check "podman hooks.d: container starts with rxn0 and eth0" ready ph
check "podman hooks.d: inside, rxn0 on eth0 as in the host" inside ph rxn0 eth0
check "podman hooks.d: the host has neither" gone rxn0 eth0
stop ph
check "podman hooks.d: home as they were" eval 'exited ph && home rxn0 eth0 && journal_empty'

mkdir -p /etc/cdi
check "cdi generate --with-netdevs: rxn0's hook entry carries --with-netdevs" eval \
    "/usr/local/bin/rdma-netns-hook cdi generate --with-netdevs --output /etc/cdi/rdma-netns.json &&
     jq -e '.devices[] | select(.name == \"rxn0\") | .containerEdits.hooks[0].args | index(\"--with-netdevs\")' /etc/cdi/rdma-netns.json"
podman_bg pcdi --device rdma.netns/device=rxn0
check "podman CDI: container starts with rxn0 and eth0" ready pcdi
check "podman CDI: inside, rxn0 on eth0 as in the host" inside pcdi rxn0 eth0
check "podman CDI: the host has neither" gone rxn0 eth0
stop pcdi
check "podman CDI: home as they were" eval 'exited pcdi && home rxn0 eth0 && journal_empty'

# --- Docker through rdma-netns-runtime
docker() { /usr/bin/docker "$@"; }
unset RDMA_NETNS_HOOK
dockerd --iptables=false --ip-masq=false --bridge=none --storage-driver=vfs \
    --exec-opt native.cgroupdriver=cgroupfs --add-runtime "rdma=$RNH_BIN_DIR/rdma-netns-runtime" \
    >"$outdir/dockerd.log" 2>&1 &
dockerd_up() { wait_for 180 test -S /var/run/docker.sock && docker info >/dev/null 2>&1 || { tail -n 20 "$outdir/dockerd.log"; return 1; }; }
check "dockerd starts with the runtime rdma" dockerd_up
make_image() {
    mkdir -p /tmp/img/{usr,proc,sys,dev,etc,out}
    for d in bin sbin lib lib64; do [ -L "/$d" ] && ln -sfn "$(readlink "/$d")" "/tmp/img/$d"; done
    tar -C /tmp/img -c . | docker import - rnh-base >/dev/null
}
check "a base image is imported" make_image
start_bg dk docker run --rm --network none -v /usr:/usr:ro -v "$outdir:/out" --runtime rdma \
    -e RDMA_NETNS_DEVICES=rxn0 -e RDMA_NETNS_WITH_NETDEVS=1 rnh-base /out/workload dk rxn0 eth0 '' ipv4-only
check "docker RDMA_NETNS_WITH_NETDEVS=1: container starts with rxn0 and eth0" ready dk
# Docker disables IPv6 in its containers: eth0 keeps its IPv4 address there, the hook logs
# why the IPv6 one is not set, and restores it at home
docker_inside() {
    grep -Eq "link rxn0/1 .* netdev eth0( |\$)" "$outdir/dk.link" &&
        [ "$(head -n 1 "$outdir/eth0.host")" = "$(head -n 1 "$outdir/dk.settings")" ] &&
        grep -qx 'inet 10.9.0.1/24' "$outdir/dk.settings" && ! grep -q inet6 "$outdir/dk.settings" &&
        busybox logread | grep -q 'IPv6 is disabled in the container.s network namespace, so its address fd00:9::1/64 was not set' ||
        { cat "$outdir/dk.link" "$outdir/dk.settings"; busybox logread | tail -n 3; return 1; }
}
check "docker: inside, rxn0 on eth0, up with its MTU and IPv4 address; IPv6 disabled there, logged" docker_inside
check "docker: the host has neither" gone rxn0 eth0
stop dk
check "docker: home as they were" eval 'exited dk && home rxn0 eth0 && journal_empty'

# --- at the end: every RDMA device in the host on its netdev, the journal empty, no
# network namespace but the host's (named, or of a process)
final_invariant() {
    local d nd
    for d in rxn0:eth0 rxn1:eth1 rxe0:v0; do
        nd=${d#*:} d=${d%:*}
        rdma_has "$d" && [ "$(rdma_netdev "$d")" = "$nd" ] && ip link show "$nd" >/dev/null ||
            { echo "$d or $nd is not in the host"; return 1; }
    done
    journal_empty && invariant "$hook" rxn0 rxn1 rxe0 &&
        [ -z "$(ip netns list)" ] || { echo "namespaces left: $(ip netns list)"; return 1; }
    [ "$(stat -L -c '%d:%i' /proc/[0-9]*/ns/net 2>/dev/null | sort -u | wc -l)" = 1 ] ||
        { echo "a process is in another network namespace"; return 1; }
}
check "the final invariant sees the namespace held left" not final_invariant
ip netns del held
check "final invariant: every device on its netdev in the host, journal empty, no namespace left" final_invariant

finish
