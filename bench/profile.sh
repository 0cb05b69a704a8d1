#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Guest script (RNH_BUILD_DIR=build tests/vm/run bench/profile.sh [RUNS]): where the
# hook's fixed cost goes, besides starting a process. On 8 rxe devices, times
# prestart and poststop of 1 and 8 devices (the default config, state under
# /run) RUNS times (default 5) after a warm-up under `strace -f -ttt -T`, and
# prints the median of each part, in ms:
#   total     execve to exit_group, under strace
#   start     execve to the opening of the hook's config file (loader, C++ start-up)
#   confine   the first seccomp() or prctl() of the filter to its installation
#   netlink   inside sendto/sendmsg/recvfrom/recvmsg (dumps, moves, acks)
#   setns     inside setns
#   fsync     inside fsync (the journal's atomic writes)
#   calls     system calls made, threads the clone calls started
# strace stops the hook at every system call, so the parts are inflated by about
# the same amount per call; compare them with each other and with `calls`, and
# with the unstraced medians printed beside them (plain, and --version). Also
# prints the system calls of one traced run, most frequent first, and the
# same stages (as "path") with a bundle whose config.json names the network
# namespace's path, which poststop then tries before it searches /proc.
set -eu
# shellcheck source-path=SCRIPTDIR source=../tests/vm/guest/lib.sh
. "$(dirname "$0")/../tests/vm/guest/lib.sh"
# shellcheck source-path=SCRIPTDIR source=strace.sh
. "$(dirname "$0")/strace.sh"

build=${RNH_BUILD_DIR:?RNH_BUILD_DIR must name the build directory}
hook=${RNH_BIN_DIR:-$build/hook}/rdma-netns-hook
runs=${1:-5}
work=/run/rnh-profile
cfg=$work/hook.json
mkdir -p "$work"
command -v strace >/dev/null || {
    echo "profile: strace is missing (apt-get install strace)" >&2
    exit 1
}
set_exclusive
rxe_setup 8
make_bundle "$work/bundle" >/dev/null
make_bundle "$work/bundle-path" >/dev/null
printf '{"state_dir": "%s/state"}\n' "$work" >"$cfg"

unshare -n sleep 3600 &
holder=$!
until [ "$(cat "/proc/$holder/comm")" = sleep ]; do :; done
# shellcheck disable=SC2016 # $p is a jq variable
bundle_jq "$work/bundle-path" '(.linux.namespaces[] | select(.type == "network")) |= . + {path: $p}' \
    --arg p "/proc/$holder/ns/net"

# states N [BUNDLE] : the states runc gives the hooks, for rxe0..rxe(N-1)
states() {
    local names bundle=${2:-$work/bundle}
    names=$(seq -s, -f 'rxe%g' 0 $(($1 - 1)))
    printf '{"ociVersion":"1.0.2","id":"p","status":"created","pid":%d,"bundle":"%s","annotations":{"rdma.netns/devices":"%s"}}\n' \
        "$holder" "$bundle" "$names" >"$work/in.json"
    printf '{"ociVersion":"1.0.2","id":"p","status":"stopped","bundle":"%s","annotations":{"rdma.netns/devices":"%s"}}\n' \
        "$bundle" "$names" >"$work/out.json"
}

# ms_of CMD... : runs CMD, prints the milliseconds it took
ms_of() {
    local t0=${EPOCHREALTIME/./}
    "$@" >/dev/null
    local us=$((${EPOCHREALTIME/./} - t0))
    printf '%d.%d\n' $((us / 1000)) $((us % 1000 / 100))
}

echo "profile: stage devices | total start confine netlink setns fsync calls threads (under strace) | plain ms"
for n in 1 8 path; do
    if [ "$n" = path ]; then
        states 1 "$work/bundle-path"
    else
        states "$n"
    fi
    "$hook" --config "$cfg" prestart <"$work/in.json" && "$hook" --config "$cfg" poststop <"$work/out.json"
    : >"$work/prestart" && : >"$work/poststop" && : >"$work/prestart.plain" && : >"$work/poststop.plain"
    for ((r = 0; r < runs; r++)); do
        for stage in prestart poststop; do
            st=$work/in.json
            [ "$stage" = prestart ] || st=$work/out.json
            strace -f -ttt -T -o "$work/$stage.trace" "$hook" --config "$cfg" "$stage" <"$st"
            strace_parts "$work/$stage.trace" "${cfg##*/}" >>"$work/$stage"
        done
        ms_of "$hook" --config "$cfg" prestart <"$work/in.json" >>"$work/prestart.plain"
        ms_of "$hook" --config "$cfg" poststop <"$work/out.json" >>"$work/poststop.plain"
    done
    for stage in prestart poststop; do
        # the system calls of the last traced run, most frequent first
        echo "profile: $stage $n calls: $(strace_counts "$work/$stage.trace" | cut -d' ' -f1-24)"
        line="$stage $n |"
        for col in 1 2 3 4 5 6 7 8; do
            line+=" $(cut -d' ' -f"$col" "$work/$stage" | median)"
        done
        echo "profile: $line | $(median <"$work/$stage.plain")"
    done
done
: >"$work/version"
for ((r = 0; r < runs; r++)); do ms_of "$hook" --version >>"$work/version"; done
echo "profile: --version | plain ms $(median <"$work/version")"
kill "$holder"
