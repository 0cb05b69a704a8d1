#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Usage: bench/cni-profile.sh [RUNS] [PLUGIN...]   (from the repo root, as root)
#
# Where one ADD of the CNI plugin spends its time, in the test VM: for each PLUGIN
# (default: the installed rdma-netns), ADD of one rxe device into a fresh namespace
# (`ip netns add`), then DEL, RUNS times (default 5) after a warm-up:
#   plain     ADD unstraced, ms (median)
#   strace    ADD under `strace -f -ttt -T`: system calls, threads started, seccomp() and
#             prctl() calls; confine (the first seccomp() or prctl(PR_SET_NO_NEW_PRIVS)
#             to the filter's installation), and the time inside netlink calls, setns
#             and fsync, ms (median; strace stops the plugin at every call, so compare
#             the parts with each other, not with plain)
# and the system calls of one traced ADD by count. Not a test; not part of bench/run.
# (valgrind cannot follow a confined program: its own calls meet the filter.)
set -eu
if [ -z "${RNH_BENCH_GUEST:-}" ]; then
    # shellcheck source-path=SCRIPTDIR source=in-vm.sh
    . "$(dirname "$0")/in-vm.sh"
    in_vm "$0" "$@"
fi
# shellcheck source-path=SCRIPTDIR source=../tests/vm/guest/lib.sh
. "$(dirname "$0")/../tests/vm/guest/lib.sh"
# shellcheck source-path=SCRIPTDIR source=strace.sh
. "$(dirname "$0")/strace.sh"
runs=${1:-5}
shift || true
plugins=("$@")
[ ${#plugins[@]} -gt 0 ] || plugins=("$RNH_BIN_DIR/../lib/cni/rdma-netns")
work=/run/rnh-cni-profile
mkdir -p "$work" /etc/rdma-netns-hook
command -v strace >/dev/null || { echo "profile: strace is missing" >&2; exit 1; }
if ! { set_exclusive && rxe_setup 1; }; then echo "profile: no test bed" >&2 && exit 1; fi
all=rxe0
echo '{"policy": {"cni_requests": ["devices"]}}' >/etc/rdma-netns-hook/config.json
conf='{"cniVersion":"1.1.0","name":"profile","devices":["rxe0"]}'

# cni PLUGIN CMD [WRAPPER...] : the plugin's CMD for container b in namespace b
cni() {
    local plugin=$1 cmd=$2
    shift 2
    env -i CNI_COMMAND="$cmd" CNI_NETNS=/run/netns/b CNI_IFNAME=rdma0 CNI_CONTAINERID=b \
        "$@" "$plugin" <<<"$conf" >/dev/null
}
# add_del PLUGIN [WRAPPER...] : ADD (under WRAPPER) then DEL in a fresh namespace b
add_del() {
    local plugin=$1
    shift
    ip netns add b && cni "$plugin" ADD "$@" && cni "$plugin" DEL && ip netns del b && all_home
}
for p in "${plugins[@]}"; do
    [ -x "$p" ] || { echo "profile: $p is not a program" >&2; exit 1; }
    add_del "$p" || { echo "profile: $p: ADD/DEL failed" >&2; exit 1; }
done
for ((i = 0; i < ${#plugins[@]}; i++)); do : >"$work/$i.parts" && : >"$work/$i.plain"; done
for ((r = 0; r < runs; r++)); do
    for ((i = 0; i < ${#plugins[@]}; i++)); do
        p=${plugins[i]}
        ip netns add b
        t0=${EPOCHREALTIME/./}
        cni "$p" ADD
        t1=${EPOCHREALTIME/./}
        cni "$p" DEL && ip netns del b && all_home
        echo "$(((t1 - t0) / 1000)).$(((t1 - t0) % 1000 / 100))" >>"$work/$i.plain"
        add_del "$p" strace -f -ttt -T -o "$work/$i.trace" && strace_parts "$work/$i.trace" >>"$work/$i.parts"
    done
done
echo "profile: ADD of 1 device | plain ms | calls threads seccomp() prctl() | under strace: total confine netlink setns fsync (ms)"
for ((i = 0; i < ${#plugins[@]}; i++)); do
    line="${plugins[i]} | $(median <"$work/$i.plain") |"
    for col in 7 8 9 10; do line+=" $(cut -d' ' -f"$col" "$work/$i.parts" | median)"; done
    line+=" |"
    for col in 1 3 4 5 6; do line+=" $(cut -d' ' -f"$col" "$work/$i.parts" | median)"; done
    echo "profile: $line"
    echo "profile: ${plugins[i]} calls: $(strace_counts "$work/$i.trace")"
done
