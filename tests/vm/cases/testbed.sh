#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# shellcheck disable=SC2016,SC2317 # jq variables; functions called through check
# The test bed itself: soft-RoCE devices, net namespace moves, verbs traffic, PCI NICs whose
# rxe devices follow them, a device the kernel refuses to move, runtimes, hooks.
set -eu
# shellcheck source-path=SCRIPTDIR source=../guest/lib.sh
. "$(dirname "$0")/../guest/lib.sh"

# --- (a) devices and mode; exclusive mode must be set before any other netns exists
check "rdma system netns mode is exclusive" set_exclusive
check "create rxe0 and rxe1 on veth pairs" rxe_setup 2
check "rxe0 and rxe1 are listed" eval 'rdma_has rxe0 && rdma_has rxe1'
check "create rxn0 and rxn1 on the virtio NICs eth0 and eth1" nic_rxe_setup
check "create siw0 on dummy link s0" siw_setup

# --- (b) a move into a named netns and back
# pingpong NETNS DEV : RC traffic between two QPs on DEV, both ends in NETNS
pingpong() {
    local ns=$1 dev=$2 srv log=/tmp/pingpong-server.log out
    in_netns "$ns" timeout 60 ibv_rc_pingpong -d "$dev" -g 1 -n 100 >"$log" 2>&1 &
    srv=$!
    # until the server listens (or has died)
    if wait_for 30 eval "! kill -0 $srv || in_netns '$ns' ss -Hltn 'sport = :18515' | grep -q ." &&
        out=$(in_netns "$ns" timeout 60 ibv_rc_pingpong -d "$dev" -g 1 -n 100 localhost 2>&1) &&
        wait "$srv" && grep -q "100 iters" <<<"$out"; then
        return 0
    fi
    [ -z "${out:-}" ] || printf 'client:\n%s\n' "$out"
    echo "server:"
    cat "$log"
    return 1
}

ip netns add t1
ip netns exec t1 ip link set lo up
check "rdma dev set rxe0 netns t1" rdma dev set rxe0 netns t1
check "rxe0 is gone from the host" not rdma_has rxe0
check "rxe1 stays in the host" rdma_has rxe1
check "rxe0 is listed in t1" rdma_has rxe0 t1
check "ibv_devinfo -d rxe0 in t1 shows an active port" \
    eval "ip netns exec t1 ibv_devinfo -d rxe0 | grep -q PORT_ACTIVE"
check "ibv_rc_pingpong over rxe0 inside t1" pingpong t1 rxe0
check "the MAD layer re-created QP1 after the move" \
    not eval "dmesg | grep -i \"couldn't create ib_mad\""
ip netns del t1
check "deleting t1 brings rxe0 home" wait_for 20 rdma_has rxe0

# --- (c) the NICs are PCI functions; rxe on them reaches the function through its netdev
declare -A pci
# nic_on_pci I : ethI is a PCI function driven by virtio_net; keeps its address in pci[I]
nic_on_pci() {
    pci[$1]=$(netdev_pci "eth$1") &&
        [[ ${pci[$1]} =~ ^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$ ]] &&
        [ "$(basename "$(readlink "/sys/class/net/eth$1/device/driver")")" = virtio_net ] &&
        echo "eth$1 is ${pci[$1]}"
}
# rxe_via_netdev I : rxnI has no parent device (its sysfs is virtual), yet reaches ethI's
# PCI function through its port's netdev
rxe_via_netdev() {
    [[ $(readlink -e "/sys/class/infiniband/rxn$1") == /sys/devices/virtual/* ]] &&
        [ "$(rdma_netdev "rxn$1")" = "eth$1" ] && [ "$(rdma_pci "rxn$1")" = "${pci[$1]}" ]
}
for i in 0 1; do
    nic_on_pci "$i" >/dev/null || true
    check "eth$i is a virtio-net PCI function (${pci[$i]:-none})" nic_on_pci "$i"
    check "rxn$i reaches eth$i's PCI function through its port's netdev" rxe_via_netdev "$i"
done
check "eth0 and eth1 are different PCI functions" test "${pci[0]}" != "${pci[1]}"

# --- (d) a NIC and its rxe device move together: netdev first, back device first
ip netns add n1
ip netns exec n1 ip link set lo up
ip netns attach host 1 # a name for the initial namespace, for `rdma dev set ... netns`
# in_ns_only NETNS : eth0 and rxn0 are in NETNS, not in the host
in_ns_only() {
    in_netns "$1" ip link show eth0 >/dev/null && rdma_has rxn0 "$1" &&
        not ip link show eth0 >/dev/null 2>&1 && host_lacks rxn0
}
# home : eth0 and rxn0 are in the host, rxn0 on eth0
home() {
    ip link show eth0 >/dev/null && rdma_has rxn0 && [ "$(rdma_netdev rxn0)" = eth0 ]
}
check "ip link set eth0 netns n1 (the netdev first)" ip link set eth0 netns n1
check "rxn0 survives its netdev's move and is still in the host" rdma_has rxn0
check "rdma dev set rxn0 netns n1" rdma dev set rxn0 netns n1
check "eth0 and rxn0 are in n1 and gone from the host" in_ns_only n1
check "eth1 and rxn1 stay in the host" eval 'ip link show eth1 >/dev/null && rdma_has rxn1'
check "in n1, rxn0's port netdev is eth0" eval '[ "$(rdma_netdev rxn0 n1)" = eth0 ]'
check "in n1, an address on eth0 enters rxn0's GID table" eval \
    'ip netns exec n1 ip link set eth0 up && ip netns exec n1 ip addr add 10.9.0.1/24 dev eth0 &&
     wait_for 10 eval "ip netns exec n1 ibv_devinfo -v -d rxn0 | grep -q \"GID.*::ffff:10.9.0.1,\""'
check "from n1: rdma dev set rxn0 netns host (the device first)" ip netns exec n1 rdma dev set rxn0 netns host
check "rxn0 is back in the host, eth0 still in n1" eval 'rdma_has rxn0 && not rdma_has rxn0 n1 && ip netns exec n1 ip link show eth0'
check "from n1: ip link set eth0 netns 1" ip netns exec n1 ip link set eth0 netns 1
check "eth0 and rxn0 are home, rxn0 on eth0 and eth0's PCI function" \
    eval "home && [ \"\$(rdma_pci rxn0)\" = '${pci[0]}' ]"

# --- (e) a namespace that dies holding a NIC and its device returns both, as with real NICs
ip netns add n2
check "eth0 and rxn0 moved into n2" eval 'ip link set eth0 netns n2 && rdma dev set rxn0 netns n2 && in_ns_only n2'
ip netns del n2
check "deleting n2 returns eth0 and rxn0 to the host" wait_for 30 home

# --- (f) a device whose move the kernel refuses: siw has no disassociate_ucontext
ip netns add n3
# refused DEV NETNS : moving DEV to NETNS fails with EOPNOTSUPP
refused() {
    local out
    if out=$(rdma dev set "$1" netns "$2" 2>&1); then
        echo "the move of $1 succeeded"
        return 1
    fi
    grep -q "Operation not supported" <<<"$out" || { echo "$out"; return 1; }
}
check "rdma dev set siw0 netns n3 is refused: Operation not supported" refused siw0 n3
check "siw0 stays in the host, not in n3" eval 'rdma_has siw0 && not rdma_has siw0 n3'
ip netns del n3

# --- (g) runtimes run the test bundle and call its hooks with the OCI state
mkdir -p /tmp/hooks /tmp/out
cat >/tmp/hooks/save-state <<'HOOK'
#!/bin/sh
# save-state FILE: keep the OCI state from stdin and the hook's environment
/bin/cat >"$1"
/usr/bin/env >"$1.env"
HOOK
chmod +x /tmp/hooks/save-state

runtime_case() {
    local rt=$1 id=$2 b=/tmp/bundle-$1 out=/tmp/out/$1 stage
    check "$rt: make the test bundle" make_bundle "$b"
    bundle_args "$b" /bin/sh -c 'echo in-container; ibv_devices; rdma dev; ls /dev/infiniband'
    for stage in prestart createRuntime poststop; do
        bundle_hook "$b" "$stage" --env RNH_HOOK_VAR=set /tmp/hooks/save-state "$out-$stage.json"
    done
    check "$rt run of the test bundle" eval "$rt run -b '$b' $id >'$out.log' 2>&1 || { cat '$out.log'; false; }"
    check "$rt: container ran its command" grep -q in-container "$out.log"
    check "$rt: container sees uverbs nodes" grep -q uverbs0 "$out.log"
    check "$rt: no RDMA device in the container's own netns (exclusive)" not grep -Eq 'rx[en][0-9]|siw' "$out.log"
    for stage in prestart createRuntime; do
        check "$rt: $stage hook got the state with id and pid" \
            jq -e --arg id "$id" '.id == $id and (.pid | type == "number") and .pid > 0' "$out-$stage.json"
    done
    check "$rt: poststop hook got the state of the stopped container" \
        jq -e --arg id "$id" '.id == $id and .status == "stopped"' "$out-poststop.json"
    check "$rt: hook env holds the entry's env" grep -qx RNH_HOOK_VAR=set "$out-prestart.json.env"
}
runtime_case runc c1
runtime_case crun c2

finish
