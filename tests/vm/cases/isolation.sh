#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# shellcheck disable=SC2016,SC2317 # jq variables; functions called through check
# Every access path to an RDMA device is isolated by network namespace in exclusive mode.
# A container given rxe0 by the hook, with ALL of /dev/infiniband bind-mounted in, reaches
# rxe0 and nothing of rxe1 on every path (RDMA netlink, sysfs, verbs nodes, MAD nodes,
# rdma_cm), the host the reverse, and `rdma-netns-hook audit` says so, or names the breach.
# With soft-RoCE on the PCI NICs, audit says whether a device's netdev went along, and names
# a netdev of a host RDMA device that leaked into a container.
set -eu
# shellcheck source-path=SCRIPTDIR source=../guest/lib.sh
. "$(dirname "$0")/../guest/lib.sh"

hook=$RNH_BIN_DIR/rdma-netns-hook
preamble

# --- helpers on the host

# node DEV CLASS PREFIX : DEV's node of that sysfs class (infiniband_verbs: uverbs;
# infiniband_mad: umad, issm), read in the host, whose sysfs has every device's nodes
node() {
    local f
    for f in /sys/class/"$2"/"$3"[0-9]*/ibdev; do
        [ "$(cat "$f" 2>/dev/null)" = "$1" ] && { basename "$(dirname "$f")"; return 0; }
    done
    echo "no $3 node for $1" >&2
    return 1
}
# nodes DEV : its verbs, umad and issm nodes
nodes() {
    echo "$(node "$1" infiniband_verbs uverbs) $(node "$1" infiniband_mad umad)" \
        "$(node "$1" infiniband_mad issm)"
}
# The device lists of each path, as one sorted line.
by_rdma() { sed -n 's/^[0-9]*: \([^:]*\):.*/\1/p' | sort | xargs; }
by_ibv() { awk 'NR > 2 { print $1 }' | sort | xargs; }
by_ls() { sort | xargs; }
# lists WANT LISTER CMD... : CMD's output, put through LISTER, is the device list WANT
lists() {
    local want=$1 lister=$2 got
    shift 2
    got=$("$@" 2>&1 | "$lister")
    [ "$got" = "$want" ] || { echo "got \"$got\", wanted \"$want\""; return 1; }
}
# host_open NODE : open(O_RDWR) /dev/infiniband/NODE from a shell of the host; prints the error
host_open() { (exec 3<>"/dev/infiniband/$1") 2>&1; }
# host_opens NODE... / host_eperm NODE... : each opens / each fails with EPERM, in the host
host_opens() {
    local n out
    for n in "$@"; do out=$(host_open "$n") || { echo "$n: $out"; return 1; }; done
}
host_eperm() {
    local n out
    for n in "$@"; do
        if out=$(host_open "$n"); then echo "$n opened"; return 1; fi
        case $out in *"Operation not permitted"*) ;; *) echo "$n: $out"; return 1 ;; esac
    done
}
# audit_clean ARGS... : audit exits 0 (its output in $outdir/audit.out)
audit_clean() {
    "$hook" audit "$@" >"$outdir/audit.out" 2>&1 || { cat "$outdir/audit.out"; return 1; }
}
# audit_breach TARGET TEXT : audit exits 1 with a line "rdma-netns-hook: TEXT..." on stderr
audit_breach() {
    local rc=0
    "$hook" audit "$1" >"$outdir/audit.out" 2>"$outdir/audit.err" || rc=$?
    if [ "$rc" -ne 1 ] || ! grep -qF "rdma-netns-hook: $2" "$outdir/audit.err"; then
        echo "exit $rc"
        cat "$outdir/audit.out" "$outdir/audit.err"
        return 1
    fi
}
# not_root : audit run by nobody exits 1 saying it needs root
not_root() {
    local rc=0 out
    out=$(setpriv --reuid 65534 --regid 65534 --clear-groups "$hook" audit 1 2>&1) || rc=$?
    [ "$rc" -eq 1 ] || { echo "exit $rc: $out"; return 1; }
    [[ $out == "rdma-netns-hook: audit must run as root"* ]] || { echo "$out"; return 1; }
}

# --- the container's program: what it sees and opens, RDMA traffic, then it waits
# usage: workload ID PINGPONG_DEV NODE... (PINGPONG_DEV may be empty)
cat >"$outdir/workload" <<'SH'
#!/bin/sh
. /out/workload.sh
id=$1 dev=$2
shift 2
ip link set lo up
rdma dev show >/out/$id.rdma 2>&1
ls /sys/class/infiniband >/out/$id.sysfs 2>&1
ibv_devices >/out/$id.ibv 2>&1
cat /sys/class/infiniband_verbs/uverbs*/ibdev >/out/$id.verbs-class 2>&1
: >/out/$id.open
for n in "$@" rdma_cm; do
    if err=$( (exec 3<>"/dev/infiniband/$n") 2>&1); then
        echo "$n opens"
    else
        echo "$n $err"
    fi >>/out/$id.open
done
[ -z "$dev" ] || pingpong "$id" "$dev" 1 50
ready_then_wait "$id"
SH
chmod +x "$outdir/workload"

# iso_bundle DIR STAGE ID PINGPONG_DEV NODE... : a container given rxe0 by the hook, with all
# of /dev/infiniband (make_bundle) and rdma_cm allowed besides the verbs major 231
iso_bundle() {
    local dir=$1 stage=$2 id=$3 dev=$4 cm
    shift 4
    cm=$(stat -c '%t %T' /dev/infiniband/rdma_cm) || return 1
    make_bundle "$dir" &&
        bundle_args "$dir" /out/workload "$id" "$dev" "$@" &&
        bundle_jq "$dir" '.annotations = {"rdma.netns/devices": "rxe0"}
            | .mounts += [{destination: "/out", type: "bind", source: $out, options: ["rbind", "rw"]}]
            | .process.capabilities |= with_entries(.value += ["CAP_NET_ADMIN"])
            | .linux.resources.devices += [{allow: true, type: "c", major: $major, minor: $minor,
                                             access: "rw"}]' \
            --arg out "$outdir" --argjson major $((16#${cm% *})) --argjson minor $((16#${cm#* })) &&
        bundle_hook "$dir" "$stage" "$hook" "$stage" &&
        bundle_hook "$dir" poststop "$hook" poststop
}

# start RUNTIME ID DIR : run the container in the background
start() { start_bg "$2" "$1" run -b "$3" "$2"; }
# inside_opens ID NODE... / inside_eperm ID NODE... : what the workload's open() of each did
inside_opens() {
    local id=$1 n
    shift
    for n in "$@"; do
        grep -qx "$n opens" "$outdir/$id.open" || { cat "$outdir/$id.open"; return 1; }
    done
}
inside_eperm() {
    local id=$1 n
    shift
    for n in "$@"; do
        grep -q "^$n .*Operation not permitted" "$outdir/$id.open" ||
            { cat "$outdir/$id.open"; return 1; }
    done
}
# traffic ID : ibv_rc_pingpong passed 50 iterations inside
traffic() {
    grep -q "50 iters" "$outdir/$1.client" || { cat "$outdir/$1.client" "$outdir/$1.server"; return 1; }
}

# --- shared mode (the boot default): nothing is isolated, and audit says so
check "create rxe0 and rxe1" rxe_setup 2
ip netns add fresh
check "shared mode: audit of a fresh namespace exits 1, says nothing is isolated and how to fix it" \
    audit_breach /run/netns/fresh "the RDMA subsystem is in shared network namespace mode, so nothing is isolated: the target sees every RDMA device (rxe0, rxe1); switch to exclusive mode: \`rdma system set netns exclusive\`"
sed 's/^/#   /' "$outdir/audit.err"
ip netns del fresh
check "switch to exclusive once that namespace is gone" wait_for 30 set_exclusive

# --- exclusive mode, audits that need no container
ip netns add empty
check "audit of a namespace given nothing that reaches nothing: clean, exit 0" \
    audit_clean /run/netns/empty
check "  ...its table: sysfs was mounted inside the namespace, rxe0 and rxe1 refuse to open" \
    eval "grep -q 'sysfs: a sysfs mounted inside the namespace' $outdir/audit.out &&
          grep -q '^rxe0  *no  *-  *-  *uverbs[0-9]* EPERM' $outdir/audit.out"
ip netns del empty
check "audit of the host's own namespace is refused: nothing was assigned there" \
    audit_breach 1 "process 1 is in the host's network namespace, where the host's RDMA devices belong"
check "audit of a container the journal does not know is refused" \
    audit_breach nosuch "no container nosuch in the journal"
check "audit as a user that is not root gets a clear error" not_root

# --- a container holding rxe0 with all of /dev/infiniband, rxe1 in the host, per runtime
for rt in runc crun; do
    stage=prestart id=r1
    [ "$rt" = crun ] && stage=createRuntime id=c1
    read -r -a mine <<<"$(nodes rxe0)"
    read -r -a theirs <<<"$(nodes rxe1)"
    iso_bundle "/tmp/b-$rt" "$stage" "$id" rxe0 "${mine[@]}" "${theirs[@]}"
    start "$rt" "$id" "/tmp/b-$rt"
    check "$rt: the container starts with rxe0 (${mine[*]}), rxe1 (${theirs[*]}) stays home" ready "$id"
    check "$rt: inside, rdma dev lists exactly rxe0" lists rxe0 by_rdma cat "$outdir/$id.rdma"
    check "$rt: inside, ls /sys/class/infiniband lists exactly rxe0" lists rxe0 by_ls cat "$outdir/$id.sysfs"
    check "$rt: inside, ibv_devices lists exactly rxe0" lists rxe0 by_ibv cat "$outdir/$id.ibv"
    check "$rt: inside, rxe0's uverbs, umad and issm nodes open" inside_opens "$id" "${mine[@]}"
    check "$rt: inside, rxe1's uverbs, umad and issm nodes fail with EPERM" inside_eperm "$id" "${theirs[@]}"
    check "$rt: inside, rdma_cm opens" inside_opens "$id" rdma_cm
    sed 's/^/#   open() inside: /' "$outdir/$id.open"
    check "$rt: inside, ibv_rc_pingpong passes traffic over rxe0" traffic "$id"
    check "$rt: inside, /sys/class/infiniband_verbs still names rxe1 (that class is not namespaced)" \
        grep -qx rxe1 "$outdir/$id.verbs-class"

    check "$rt: host, rdma dev lists exactly rxe1" lists rxe1 by_rdma rdma dev show
    check "$rt: host, ls /sys/class/infiniband lists exactly rxe1" lists rxe1 by_ls ls /sys/class/infiniband
    check "$rt: host, ibv_devices lists exactly rxe1" lists rxe1 by_ibv ibv_devices
    check "$rt: host, rxe0's uverbs, umad and issm nodes fail with EPERM" host_eperm "${mine[@]}"
    check "$rt: host, rxe1's uverbs, umad and issm nodes open" host_opens "${theirs[@]}"
    check "$rt: host, rdma_cm opens" host_opens rdma_cm

    pid=$("$rt" state "$id" | jq -r .pid)
    check "$rt: audit of the container's pid: clean, exit 0" audit_clean "$pid"
    sed 's/^/#   /' "$outdir/audit.out"
    check "  ...its table: rxe0 assigned and reached on every path, rxe1 refused on every node" \
        eval "grep -q '^rxe0  *yes  *listed  *listed  *${mine[0]} opens  *${mine[1]} opens, ${mine[2]} opens' $outdir/audit.out &&
              grep -q '^rxe1  *no  *-  *-  *${theirs[0]} EPERM  *${theirs[1]} EPERM, ${theirs[2]} EPERM' $outdir/audit.out &&
              grep -q \"sysfs: the target's own /sys\" $outdir/audit.out"
    check "$rt: audit --json of the container id: clean, rxe0 only, every rxe1 node EPERM" \
        eval "'$hook' audit '$id' --json | jq -e '.clean and .assigned == [\"rxe0\"]
            and ([.devices[] | select(.assigned) | .netlink and .sysfs and all(.nodes[]; .opens)] == [true])
            and ([.devices[] | select(.name == \"rxe1\") | .netlink, .sysfs] == [false, false])
            and ([.devices[] | select(.name == \"rxe1\") | .nodes[].error] == [\"EPERM\", \"EPERM\", \"EPERM\"])
            and .rdma_cm.opens'"
    check "$rt: audit of /proc/PID/ns/net (a bare namespace path): clean, with a sysfs of its own" \
        eval "audit_clean /proc/$pid/ns/net && grep -q 'sysfs: a sysfs mounted inside' $outdir/audit.out"

    stop "$id"
    check "$rt: the container exits cleanly" exited "$id"
    read -r -a mine <<<"$(nodes rxe0)"
    check "$rt: after it stops, rdma dev, sysfs and ibv_devices of the host list rxe0 again" \
        eval 'lists "rxe0 rxe1" by_rdma rdma dev show && lists "rxe0 rxe1" by_ls ls /sys/class/infiniband &&
              lists "rxe0 rxe1" by_ibv ibv_devices'
    check "$rt: after it stops, the host opens rxe0's nodes (${mine[*]}) again" host_opens "${mine[@]}"
done

# --- netdevs: rxn0 on eth0 given to a container, rxn1 on eth1 in the host; the netdevs
# moved by hand as rdma.netns/with-netdevs=true does
# audit_warns TARGET TEXT : audit exits 0 with a line "rdma-netns-hook: warning: TEXT..."
audit_warns() {
    audit_clean "$1" || return 1
    grep -qF "rdma-netns-hook: warning: $2" "$outdir/audit.out" || { cat "$outdir/audit.out"; return 1; }
}
# audit_quiet TARGET : audit exits 0 without a warning
audit_quiet() {
    audit_clean "$1" || return 1
    not grep -q 'warning' "$outdir/audit.out" || { cat "$outdir/audit.out"; return 1; }
}
check "netdevs: rxn0 and rxn1 on the PCI NICs eth0 and eth1" nic_rxe_setup
iso_bundle /tmp/b-nd prestart n1 ""
bundle_jq /tmp/b-nd '.annotations = {"rdma.netns/devices": "rxn0"}'
start runc n1 /tmp/b-nd
check "netdevs: a container starts with rxn0, eth0 left in the host" ready n1
pid=$(runc state n1 | jq -r .pid)
check "netdevs: audit warns that rxn0's netdev is in the host, and exits 0" \
    audit_warns "$pid" "rxn0's netdev eth0 is in the host: rdma_cm and MLNX_OFED will refuse its GIDs; ask with rdma.netns/with-netdevs=true"
sed 's/^/#   /' "$outdir/audit.out"
check "  ...its table: rxn0/1 on Ethernet, eth0 not inside" \
    grep -q '^rxn0/1  *Ethernet  *eth0  *not inside$' "$outdir/audit.out"
check "netdevs: ip link set eth0 netns (the container)" ip link set eth0 netns "$pid"
check "netdevs: audit with eth0 inside: no warning, exit 0" audit_quiet "$pid"
sed 's/^/#   /' "$outdir/audit.out"
check "  ...its table: rxn0/1 on Ethernet, eth0 inside" \
    grep -q '^rxn0/1  *Ethernet  *eth0  *inside$' "$outdir/audit.out"
check "  ...its JSON: the port's netdev is eth0, found by RDMA netlink inside, no warnings" \
    eval "'$hook' audit n1 --json | jq -e '.clean and .warnings == []
        and .ports == [{device: \"rxn0\", port: 1, netdev: \"eth0\", gid_netdev: \"eth0\", link_layer: \"Ethernet\"}]
        and ([.netdevs[].name] | index(\"eth0\") != null)'"
check "netdevs: ip link set eth1 netns (the container), rxn1 stays in the host" \
    eval "ip link set eth1 netns $pid && rdma_has rxn1"
check "netdevs: audit exits 1 and names eth1 as rxn1's, leaked from the host" \
    audit_breach n1 "netdev eth1 is in the target, but it is bound to port 1 of rxn1, an RDMA device of the host the target was not given: return eth1 to the host, or give the target rxn1"
sed 's/^/#   /' "$outdir/audit.err"
check "netdevs: back by hand: eth1, then eth0 (rxn0 is still inside)" \
    nsenter --net="/proc/$pid/ns/net" sh -c 'ip link set eth1 netns 1 && ip link set eth0 netns 1'
check "netdevs: audit of the container warns again that eth0 is in the host" \
    audit_warns n1 "rxn0's netdev eth0 is in the host"
stop n1
check "netdevs: the container exits cleanly, rxn0, rxn1, eth0 and eth1 are home" \
    eval 'exited n1 && rdma_has rxn0 && rdma_has rxn1 && ip link show eth0 >/dev/null && ip link show eth1 >/dev/null'

# --- last: an assigned device that is gone (rxe deleted in the container's namespace is gone
# for good) is a breach that names it
read -r -a mine <<<"$(nodes rxe0)"
iso_bundle /tmp/b-gone prestart g1 "" "${mine[@]}"
start runc g1 /tmp/b-gone
check "gone: a container starts with rxe0" ready g1
pid=$(runc state g1 | jq -r .pid)
check "gone: rdma link delete rxe0, inside the container's namespace" \
    nsenter --net="/proc/$pid/ns/net" rdma link delete rxe0
check "gone: audit of the container id exits 1 and names rxe0 as missing" \
    audit_breach g1 "rxe0 was assigned to the target, but is missing from RDMA netlink and sysfs"
sed 's/^/#   /' "$outdir/audit.out" "$outdir/audit.err"
stop g1

finish
