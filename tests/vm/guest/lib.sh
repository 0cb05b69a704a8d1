# SPDX-License-Identifier: Apache-2.0
# Helpers for guest test scripts (bash), sourced as: . "$(dirname "$0")/../guest/lib.sh"
# shellcheck shell=bash disable=SC2016 # $names in single quotes are jq variables

RNH_PASSED=0
RNH_FAILED=0
guest_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# check DESCRIPTION CMD... : run CMD, print "ok - ..." or "not ok - ..." plus its output,
# and the guest's uptime when it ended (where a case spends its time).
# CMD runs in an `if`, where `set -e` is off: make multi-step functions chain with &&.
check() {
    local desc=$1 out up
    shift
    if out=$("$@" 2>&1); then
        RNH_PASSED=$((RNH_PASSED + 1))
        read -r up _ </proc/uptime
        echo "ok - $desc [$up s]"
    else
        RNH_FAILED=$((RNH_FAILED + 1))
        read -r up _ </proc/uptime
        echo "not ok - $desc [$up s]"
        [ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/#   /'
    fi
}

# finish : print the tally and exit non-zero if any check failed.
finish() {
    echo "$RNH_PASSED passed, $RNH_FAILED failed"
    [ "$RNH_FAILED" -eq 0 ] || exit 1
    exit 0
}

# not CMD... : succeed when CMD fails (for check).
not() { ! "$@"; }

# wait_for SECONDS CMD... : poll CMD every 0.1 s until it succeeds or SECONDS pass.
wait_for() {
    local end=$(($(date +%s) + $1))
    shift
    until "$@" >/dev/null 2>&1; do
        [ "$(date +%s)" -lt "$end" ] || return 1
        sleep 0.1
    done
}

# in_netns NS CMD... : CMD in network namespace NS ("" = this one).
in_netns() {
    local ns=$1
    shift
    if [ -n "$ns" ]; then ip netns exec "$ns" "$@"; else "$@"; fi
}

# rdma_has DEV [NETNS] : DEV is listed by `rdma dev` (in NETNS if given).
rdma_has() { in_netns "${2:-}" rdma dev show | grep -q "^[0-9]*: $1:"; }

# set_exclusive : RDMA devices belong to one netns. Only works while no other netns exists.
set_exclusive() {
    rdma system set netns exclusive &&
        rdma system show | grep -q 'netns exclusive'
}

# rxe_setup N : veth pairs vI/vIp (vI has 10.99.I.1/24) and soft-RoCE devices rxeI on vI.
rxe_setup() {
    local i
    for ((i = 0; i < $1; i++)); do
        ip link add "v$i" type veth peer name "v${i}p" &&
            ip link set "v$i" up && ip link set "v${i}p" up &&
            ip addr add "10.99.$i.1/24" dev "v$i" &&
            rdma link add "rxe$i" type rxe netdev "v$i" || return 1
    done
}

# nic_rxe_setup : soft-RoCE devices rxn0 and rxn1 on the two virtio NICs eth0 and eth1
# (PCI functions, wired only to each other; a NIC that leaves a namespace as it dies
# comes back to the host, and the test kernel's rxe keeps its device when it moves).
nic_rxe_setup() {
    local i
    for i in 0 1; do
        ip link set "eth$i" up && rdma link add "rxn$i" type rxe netdev "eth$i" || return 1
    done
}

# nics_rxe_setup : soft-RoCE device rxnI on every virtio NIC ethI of the guest (as many as
# RNH_VM_NICS gave it, in PCI order); prints their count
nics_rxe_setup() {
    local n=0
    while [ -e "/sys/class/net/eth$n/device" ]; do
        ip link set "eth$n" up && rdma link add "rxn$n" type rxe netdev "eth$n" || return 1
        n=$((n + 1))
    done
    [ "$n" -gt 0 ] || { echo "no NIC eth0 in the guest" >&2; return 1; }
    echo "$n"
}

# siw_setup : soft-iWARP device siw0 on dummy link s0; the kernel refuses to move it
# to another namespace (siw has no disassociate_ucontext: EOPNOTSUPP).
siw_setup() {
    ip link add s0 type dummy && ip link set s0 up &&
        rdma link add siw0 type siw netdev s0
}

# pci_function SYSFS_PATH : the PCI address of the function at or above SYSFS_PATH
pci_function() {
    local d
    d=$(readlink -e "$1") || { echo "no such sysfs path: $1" >&2; return 1; }
    while [ "$d" != /sys/devices ]; do
        [ "$(readlink -e "$d/subsystem")" = /sys/bus/pci ] && { echo "${d##*/}"; return 0; }
        d=${d%/*}
    done
    echo "$1 is on no PCI function" >&2
    return 1
}

# netdev_pci NETDEV : the PCI function of NETDEV (in this namespace)
netdev_pci() { pci_function "/sys/class/net/$1/device"; }

# rdma_netdev DEV [NETNS] : the netdev of DEV's port 1, as `rdma link` reports it
rdma_netdev() { in_netns "${2:-}" rdma link show "$1/1" | sed -n 's/.* netdev \([^ ]*\).*/\1/p'; }

# rdma_pci DEV : the PCI function of RDMA device DEV: its parent device's, or, for a soft
# device such as rxe that has none, that of its port's netdev
rdma_pci() {
    if [ -e "/sys/class/infiniband/$1/device" ]; then
        pci_function "/sys/class/infiniband/$1/device" 2>/dev/null && return 0
    fi
    netdev_pci "$(rdma_netdev "$1")"
}

# json_str STR / json_array STR... : JSON text in plain bash (jq starts slowly under
# emulation, and its --args would eat arguments like -c). Escapes \ " \n \t \r only.
json_str() {
    local s=${1//\\/\\\\}
    s=${s//\"/\\\"}
    s=${s//$'\n'/\\n}
    s=${s//$'\t'/\\t}
    s=${s//$'\r'/\\r}
    printf '"%s"' "$s"
}
json_array() {
    local sep='' x
    printf '['
    for x in "$@"; do
        printf '%s%s' "$sep" "$(json_str "$x")"
        sep=,
    done
    printf ']\n'
}

# bundle_jq DIR JQ_FILTER [JQ_OPTIONS...] : edit DIR/config.json in place.
bundle_jq() {
    local dir=$1 filter=$2
    shift 2
    jq "$filter" "$@" <"$dir/config.json" >"$dir/config.json.new" &&
        mv "$dir/config.json.new" "$dir/config.json"
}

# make_bundle DIR : OCI bundle whose rootfs borrows the host's /usr read-only, with
# verbs access (/dev/infiniband, /etc/libibverbs.d, char major 231) and its own netns.
make_bundle() {
    local dir=$1 d
    mkdir -p "$dir/rootfs" && (cd "$dir" && rm -f config.json && runc spec) || return 1
    mkdir -p "$dir/rootfs"/{usr,proc,sys,dev,tmp,etc/libibverbs.d}
    local mounts=''
    for d in usr etc/libibverbs.d dev/infiniband bin sbin lib lib64; do
        if [ -L "/$d" ]; then
            ln -sfn "$(readlink "/$d")" "$dir/rootfs/$d"
        elif [ -e "/$d" ]; then
            mounts+="${mounts:+,}{\"destination\":\"/$d\",\"type\":\"bind\",\"source\":\"/$d\",\"options\":[\"rbind\",\"ro\"]}"
        fi
    done
    bundle_jq "$dir" '
        .process.terminal = false
        | .process.args = ["/bin/sh", "-c", "true"]
        | .hostname = "rnh-test"
        | .mounts += $mounts
        | .linux.resources.devices += [{allow: true, type: "c", major: 231, access: "rwm"}]
        | if any(.linux.namespaces[]; .type == "network") then .
          else .linux.namespaces += [{type: "network"}] end' --argjson mounts "[$mounts]"
}

# bundle_args DIR ARG... : the container's command line.
bundle_args() {
    local dir=$1
    shift
    bundle_jq "$dir" '.process.args = $a' --argjson a "$(json_array "$@")"
}

# bundle_hook DIR STAGE [--env K=V]... [--timeout S] PATH [ARG...] : append a hook entry
# (STAGE: prestart, createRuntime, createContainer, startContainer, poststart, poststop).
# args[0] is PATH, as runtimes expect.
bundle_hook() {
    local dir=$1 stage=$2 env=() timeout=null
    shift 2
    while :; do
        case ${1:-} in
        --env) env+=("$2") && shift 2 ;;
        --timeout) timeout=$2 && shift 2 ;;
        *) break ;;
        esac
    done
    bundle_jq "$dir" '.hooks[$stage] += [{path: $a[0], args: $a}
            + (if $env == [] then {} else {env: $env} end)
            + (if $timeout == null then {} else {timeout: $timeout} end)]' \
        --arg stage "$stage" --argjson env "$(json_array "${env[@]}")" --argjson timeout "$timeout" \
        --argjson a "$(json_array "$@")"
}

# invariant HOOK DEV... : every DEV is in the host, or in the live network namespace of
# a container the journal says holds it; the journal has no entry whose namespace is gone.
invariant() {
    local hook=$1 dev status ns alive bad=0
    shift
    status=$("$hook" status --json) || return 1
    # namespaces alive now, as "dev:inode" of their nsfs file (one stat for all: a process
    # gone meanwhile is an error it skips)
    alive=$(stat -L -c '%d:%i' /proc/[0-9]*/ns/net 2>/dev/null | sort -u)
    for ns in $(jq -r '.assignments[] | "\(.netns.dev):\(.netns.ino)"' <<<"$status"); do
        grep -qx "$ns" <<<"$alive" || { echo "journal entry for namespace $ns, which is gone"; bad=1; }
    done
    for dev in "$@"; do
        rdma_has "$dev" && continue
        jq -e --arg d "$dev" 'any(.assignments[].devices[]; .name == $d)' <<<"$status" >/dev/null ||
            { echo "$dev is neither in the host nor held by a container in the journal"; bad=1; }
    done
    return "$bad"
}

# The cases' devices and the directory their containers share with them.
all=${all:-}
outdir=${outdir:-/tmp/out}

# preamble : $outdir, with workload.sh for the containers' programs (they see it as
# /out/workload.sh), and a system log (busybox logread) for what the hook logs
preamble() {
    mkdir -p "$outdir" && cp "$guest_dir/workload.sh" "$outdir/workload.sh" && busybox syslogd -C64
}

# all_home : every device of $all is listed in the host
all_home() {
    local d
    for d in $all; do rdma_has "$d" || { echo "$d is not in the host"; return 1; }; done
}
# host_lacks DEV... : none of DEVs is listed in the host
host_lacks() {
    local d
    for d in "$@"; do not rdma_has "$d" || { echo "$d is still in the host"; return 1; }; done
}

# Containers in the background, each known by an ID; their files are in $outdir:
# ID.log (the runtime's output), ID.ready (the workload made it), ID.go (the test
# tells the workload to end), ID.rc (the runtime's exit status).
declare -A RNH_BG_PID
# start_bg ID CMD... : run CMD in the background (in this shell: not inside a check)
start_bg() {
    local id=$1
    shift
    "$@" >"$outdir/$id.log" 2>&1 &
    RNH_BG_PID[$id]=$!
}
# ready ID : the workload got ready within two minutes, or why not
ready() {
    local id=$1 i=0
    until [ -e "$outdir/$id.ready" ]; do
        kill -0 "${RNH_BG_PID[$id]}" 2>/dev/null || { cat "$outdir/$id.log"; return 1; }
        [ "$i" -lt 600 ] || { echo "workload never got ready"; return 1; }
        sleep 0.2
        i=$((i + 1))
    done
}
# stop ID : tell the workload to end, wait for the runtime (poststop included), keep its status
stop() {
    local rc=0
    touch "$outdir/$1.go"
    wait "${RNH_BG_PID[$1]}" || rc=$?
    echo "$rc" >"$outdir/$1.rc"
}
# exited ID : the runtime exited 0
exited() { grep -qx 0 "$outdir/$1.rc" || { cat "$outdir/$1.log"; return 1; }; }

# podman_setup ROOTFS : what `podman run --rootfs ROOTFS -v /usr:/usr:ro` needs in the guest:
# a rootfs of empty mount points and links into /usr, and vfs storage under /run and
# /var/lib (exported CONTAINERS_STORAGE_CONF; call it outside a check).
podman_setup() {
    local rootfs=$1 d
    mkdir -p "$rootfs"/{usr,proc,sys,dev,etc/libibverbs.d,tmp,out} || return 1
    for d in bin sbin lib lib64; do [ -L "/$d" ] && ln -sfn "$(readlink "/$d")" "$rootfs/$d"; done
    printf '[storage]\ndriver = "vfs"\nrunroot = "/run/containers/storage"\ngraphroot = "/var/lib/containers/storage"\n' \
        >/tmp/storage.conf || return 1
    export CONTAINERS_STORAGE_CONF=/tmp/storage.conf
}

# dummy_rxe_setup PREFIX N : soft-RoCE devices PREFIX0.. PREFIX(N-1), each on a dummy link of
# its own (PREFIXId, up); lighter than rxe_setup's veth pairs: one `ip` and one `rdma` for all
dummy_rxe_setup() {
    local i links='' devs=''
    for ((i = 0; i < $2; i++)); do
        links+="link add $1${i}d type dummy"$'\n'"link set $1${i}d up"$'\n'
        devs+="link add $1$i type rxe netdev $1${i}d"$'\n'
    done
    ip -batch - <<<"$links" && rdma -b - <<<"$devs"
}
# dummy_rxe_remove PREFIX N : dummy_rxe_setup's devices and links deleted (all in the host)
dummy_rxe_remove() {
    local i links='' devs=''
    for ((i = 0; i < $2; i++)); do
        links+="link del $1${i}d"$'\n'
        devs+="link delete $1$i"$'\n'
    done
    rdma -b - <<<"$devs" && ip -batch - <<<"$links"
}
