#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# shellcheck disable=SC2016,SC2317,SC2086 # jq variables, eval'd text; functions called through
# check; $all split into device names on purpose
# A broken settings file keeps no device out of the host. For each way to break it (an
# unknown key, text that is not JSON, a value out of range), every release path returns a
# device that the good file let a container have: the wrapper's delete and the poststop
# that runc runs for it (one container serves both), the CNI plugin's DEL and GC, and
# recover, each with one warning that names the file and the state directory it used, on
# its stderr and in the system log. That directory is the
# file's own while its state_dir still reads as a valid absolute path, else the default.
# Starts (prestart, ADD, the wrapper's create) refuse the same file and move nothing into
# a namespace that is alive.
set -eu
# shellcheck source-path=SCRIPTDIR source=../guest/lib.sh
. "$(dirname "$0")/../guest/lib.sh"

hook=$RNH_BIN_DIR/rdma-netns-hook
wrapper=$RNH_BIN_DIR/rdma-netns-runtime
plugin=$RNH_BIN_DIR/../lib/cni/rdma-netns
settings=/etc/rdma-netns-hook/config.json
custom=/run/rnh-custom
default=/run/rdma-netns-hook
all="rxe0 rxe1 rxe2 rxe3"
outdir=/tmp/out
mkdir -p "$outdir" /etc/rdma-netns-hook
unset RDMA_NETNS_HOOK RDMA_NETNS_RUNTIME # the wrapper finds the hook beside itself, runc on PATH
busybox syslogd -C256
ms() { echo $(($(date +%s%N) / 1000000)); }
start=$(ms)

check "exclusive mode" set_exclusive
check "four rxe devices" rxe_setup 4
# p: the namespace the container joins, alive after it, so that only a release brings its
# device home; d and g: the CNI attachments'; r: the one whose process dies; s: the refused
# starts'
for ns in p d g r s; do ip netns add "$ns"; done

# in_ns_now PID NS : process PID is in the network namespace NS
in_ns_now() { [ "$(stat -L -c %i "/proc/$1/ns/net")" = "$(stat -L -c %i "/run/netns/$2")" ]; }
# a process in s, for the starts that must be refused
nsenter --net=/run/netns/s sleep 3600 >/dev/null 2>&1 &
in_s=$!
wait_for 5 in_ns_now "$in_s" s

# bundle DIR NETNS JQ : a bundle whose container joins the namespace NETNS, edited by JQ
make_bundle /tmp/bundle
bundle() {
    local dir=$1 ns=$2 filter=$3
    shift 3
    mkdir -p "$dir" && cp -a /tmp/bundle/. "$dir/" &&
        bundle_jq "$dir" '.linux.namespaces |= map(if .type == "network" then .path = $ns else . end)
            | '"$filter" --arg ns "/run/netns/$ns" "$@"
}
# /tmp/bp: the container, created and deleted through the wrapper with runc's command line,
# as containerd calls it: the wrapper execs runc, which runs the hook's prestart (rxe0 into
# p) at create and its poststop at delete, that one's stderr kept in $outdir/poststop.err
# (runc shows a hook's stderr only when it fails) by a script named like the hook. The
# bundle has both entries already, so the wrapper leaves it as it is.
mkdir -p /tmp/keep
printf '#!/bin/sh\nexec %s "$@" 2>%s\n' "$hook" "$outdir/poststop.err" >/tmp/keep/rdma-netns-hook
chmod +x /tmp/keep/rdma-netns-hook
bundle /tmp/bp p '.annotations = {"rdma.netns/devices": "rxe0"}
    | .hooks.prestart = [{path: $hook, args: [$hook, "prestart"]}]
    | .hooks.poststop = [{path: $keep, args: [$keep, "poststop"]}]' \
    --arg hook "$hook" --arg keep /tmp/keep/rdma-netns-hook
# /tmp/bs: one that asks the wrapper for rxe2 in s, to be refused
bundle /tmp/bs s '.process.env += ["RDMA_NETNS_DEVICES=rxe2"]'

# cni CMD NETNS CONTAINERID CONF : the plugin as a runtime calls it
cni() {
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin CNI_COMMAND="$1" CNI_NETNS="$2" CNI_IFNAME=rdma0 \
        CNI_CONTAINERID="$3" CNI_PATH=/usr/lib/cni "$plugin" <<<"$4"
}
# conf [JSON MEMBERS] : a network configuration of network "rdma"
conf() { printf '{"cniVersion":"1.1.0","name":"rdma","type":"rdma-netns"%s}' "${1:+,$1}"; }
# state ID PID DEV : the OCI state of a container asking for DEV, as runc passes it to prestart
state() {
    printf '{"ociVersion":"1.0.2","id":"%s","status":"creating","pid":%s,"bundle":"/tmp/bp","annotations":{"rdma.netns/devices":"%s"}}' "$@"
}
# recorded DIR ID / lacks DIR ID : the journal in DIR has / has no file for ID (one per
# container, DIR/containers/ID.json; tests of the shell, no process)
recorded() { [ -e "$1/containers/$2.json" ] || { echo "no journal file $1/containers/$2.json"; return 1; }; }
lacks() { [ ! -e "$1/containers/$2.json" ] || { echo "the journal in $1 still has $2:"; cat "$1/containers/$2.json"; return 1; }; }
# empty DIR : the journal in DIR holds nothing
empty() { ! compgen -G "$1/containers/*.json" >/dev/null || { echo "the journal in $1 holds:" "$1"/containers/*.json; return 1; }; }
# host_has DEV... / host_lacks DEV... : each DEV is / is not listed in the host (one
# `rdma dev show` for all: every process counts under emulation)
host_has() {
    local list d
    list=$(rdma dev show) || return 1
    for d in "$@"; do [[ $list == *": $d: "* ]] || { echo "$d is not in the host"; return 1; }; done
}
host_lacks() {
    local list d
    list=$(rdma dev show) || return 1
    for d in "$@"; do [[ $list != *": $d: "* ]] || { echo "$d is still in the host"; return 1; }; done
}
# warnings : "HOOK PLUGIN WRAPPER", how many warnings naming the settings file each of the
# three programs has put in the system log
warnings() {
    busybox logread | awk -v file="$settings" 'index($0, file) && / daemon\.warn / {
        if (/ rdma-netns-hook\[[0-9]+\]: warning: /) hook++
        if (/ rdma-netns\[[0-9]+\]: warning: /) plugin++
        if (/ rdma-netns-runtime\[[0-9]+\]: warning: /) wrapper++ }
        END { print hook + 0, plugin + 0, wrapper + 0 }'
}
# gained BEFORE HOOK PLUGIN WRAPPER : since `warnings` printed BEFORE, the system log
# gained exactly that many of each
gained() {
    local b want
    read -ra b <<<"$1"
    want="$((b[0] + $2)) $((b[1] + $3)) $((b[2] + $4))"
    wait_for 5 eval '[ "$(warnings)" = "$want" ]' ||
        { echo "warnings (hook, plugin, wrapper) went from $1 to $(warnings), not $want"; busybox logread | tail -n 8; return 1; }
}
# one_warning PROGRAM DIR FILE : FILE (a stderr) is one line, PROGRAM's warning that names
# the settings file and the state directory DIR
one_warning() {
    if [ ! -e "$3" ] || [ "$(wc -l <"$3")" -ne 1 ] ||
        ! grep -q "^$1: warning: .*$settings.*state directory $2)\$" "$3"; then
        echo "stderr is not one warning of $1 that names $settings and $2:"
        cat "$3"
        return 1
    fi
}
# released PROGRAM DEV ID DIR CMD... : CMD succeeds; DEV is home; the journal in DIR no
# longer has ID; CMD's stderr is one warning of PROGRAM (one_warning). CMD's stdout is left
# in $outdir/stdout.
released() {
    local program=$1 dev=$2 id=$3 dir=$4
    shift 4
    "$@" >"$outdir/stdout" 2>"$outdir/stderr" || { echo "it failed:"; cat "$outdir/stdout" "$outdir/stderr"; return 1; }
    host_has "$dev" && lacks "$dir" "$id" && one_warning "$program" "$dir" "$outdir/stderr"
}

# nothing_moved DEV : DEV is home, and s (alive) does not list it
nothing_moved() {
    local inside
    inside=$(nsenter --net=/run/netns/s rdma dev show) && host_has "$1" || return 1
    [[ $inside != *": $1: "* ]] || { echo "s lists: $inside"; return 1; }
}
# not_started CMD... : CMD (a start) fails, else says it did not
not_started() { ! "$@" || { echo "not refused: $*"; return 1; }; }
# prestart ID PID DEV : the hook's prestart of container ID, PID, asking for DEV; stderr in
# $outdir/stderr
prestart() { state "$@" | "$hook" prestart 2>"$outdir/stderr"; }
# refused PROGRAM FILE : FILE (a failed start's stderr or CNI error) names the settings file
refused() {
    sed 's/\\"/"/g' "$2" | grep -q "$1.*$settings" || { echo "no refusal of $1 naming $settings:"; cat "$2"; return 1; }
}

# stale ROUND : rxe3 held by r-ROUND in r, whose process is then gone (what recover is for)
stale() {
    local pid rc=0
    nsenter --net=/run/netns/r sleep 600 >/dev/null 2>&1 &
    pid=$!
    if ! wait_for 5 in_ns_now "$pid" r || ! prestart "r-$1" "$pid" rxe3 || ! host_lacks rxe3; then
        cat "$outdir/stderr"
        rc=1
    fi
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    return "$rc"
}

# put TEXT : the settings file holds TEXT; none if TEXT is empty
put() { if [ -n "$1" ]; then printf '%s' "$1" >"$settings"; else rm -f "$settings"; fi; }

# tidy ROUND : with the good file, return whatever a failed round left out, so that the
# next round starts with every device home
tidy() {
    local r=$1 id
    runc delete --force "c-$r"
    runc delete --force "ws-$r"
    printf '{"ociVersion":"1.0.2","id":"hs-%s","status":"stopped","bundle":"/tmp/bp"}' "$r" | "$hook" poststop
    for id in "pod-d-$r" "pod-g-$r" "pod-s-$r"; do cni DEL "" "$id" "$(conf)"; done
    "$hook" recover
} >/dev/null 2>&1

# round NAME GOOD BROKEN DIR : a device on each release path with the GOOD file (empty:
# none), then the BROKEN file: releases through DIR, then starts refused
round() {
    local r=$1 good=$2 broken=$3 dir=$4 failed=$RNH_FAILED t0 before
    t0=$(ms)
    put "$good"
    check "$r: the wrapper's create c-$r: the hook's prestart moved rxe0 out" \
        eval '"$wrapper" create --bundle /tmp/bp "c-$r" </dev/null >"$outdir/create.log" 2>&1 && host_lacks rxe0 ||
            { cat "$outdir/create.log"; false; }'
    check "$r: CNI ADD pod-d-$r and pod-g-$r: rxe1 and rxe2 moved out" \
        eval 'cni ADD /run/netns/d "pod-d-$r" "$(conf "\"devices\":[\"rxe1\"]")" &&
            cni ADD /run/netns/g "pod-g-$r" "$(conf "\"devices\":[\"rxe2\"]")" && host_lacks rxe1 rxe2'
    check "$r: prestart of r-$r, whose process is then gone: rxe3 left out" stale "$r"
    check "$r: all four recorded in the journal in $dir" \
        eval 'for id in c-$r pod-d-$r@rdma0 pod-g-$r@rdma0 r-$r; do recorded "$dir" "$id" || exit 1; done'
    put "$broken"

    before=$(warnings)
    rm -f "$outdir/poststop.err"
    check "$r: the wrapper's delete c-$r: rxe0 home, journal clean, one warning on stderr" \
        released rdma-netns-runtime rxe0 "c-$r" "$dir" "$wrapper" delete "c-$r"
    check "$r: the hook's poststop that runc ran for that delete: one warning on its stderr" \
        one_warning rdma-netns-hook "$dir" "$outdir/poststop.err"
    check "$r: CNI DEL pod-d-$r: rxe1 home" \
        released rdma-netns rxe1 "pod-d-$r@rdma0" "$dir" cni DEL /run/netns/d "pod-d-$r" "$(conf)"
    check "$r: CNI GC of pod-g-$r's configuration keeping pod-d-$r only: rxe2 home" \
        released rdma-netns rxe2 "pod-g-$r@rdma0" "$dir" cni GC "" "" \
        "$(conf "\"devices\":[\"rxe2\"],\"cni.dev/valid-attachments\":[{\"containerID\":\"pod-d-$r\",\"ifname\":\"rdma0\"}]")"
    check "$r: recover returned r-$r's rxe3" \
        eval 'released rdma-netns-hook rxe3 "r-$r" "$dir" "$hook" recover &&
            grep -q "^recovered container r-$r (its process [0-9]* is gone)$" "$outdir/stdout"'
    check "$r: the system log has each release's warning once (hook: poststop, recover)" \
        gained "$before" 2 2 1

    check "$r: prestart of rxe0 refused, naming the file; rxe0 not moved into s" \
        eval 'not_started prestart "hs-$r" "$in_s" rxe0 &&
            refused rdma-netns-hook "$outdir/stderr" && nothing_moved rxe0'
    check "$r: CNI ADD of rxe1 refused, naming the file; rxe1 not moved into s" \
        eval 'not_started cni ADD /run/netns/s "pod-s-$r" "$(conf "\"devices\":[\"rxe1\"]")" >"$outdir/stdout" 2>/dev/null &&
            refused "" "$outdir/stdout" && nothing_moved rxe1'
    check "$r: the wrapper's create for rxe2 refused, naming the file; rxe2 not moved into s, no container" \
        eval 'not_started "$wrapper" create --bundle /tmp/bs "ws-$r" </dev/null >"$outdir/create.log" 2>&1 &&
            refused rdma-netns-runtime "$outdir/create.log" && nothing_moved rxe2 &&
            not runc state "ws-$r" >/dev/null 2>&1'
    put "$good"
    check "$r: every device home, both journals empty" \
        eval 'host_has $all && empty "$default" && empty "$custom"'
    [ "$RNH_FAILED" -eq "$failed" ] || tidy "$r"
    echo "# round $r: $(($(ms) - t0)) ms"
}

echo "# setup: $(($(ms) - start)) ms"
# the good files let the CNI plugin take a "devices" list (policy.cni_requests)
lists='"policy":{"cni_requests":["devices"]}'
round unknown "{\"state_dir\":\"$custom\",$lists}" "{\"state_dir\":\"$custom\",\"colour\":\"blue\"}" "$custom"
# not JSON: nothing of it can be read, so the default state directory, not the one it names
round badjson "{$lists}" "{\"state_dir\":\"$custom\"," "$default"
round range "{\"state_dir\":\"$custom\",$lists}" \
    "{\"state_dir\":\"$custom\",\"netlink_timeout_ms\":0,\"move_threads\":99}" "$custom"

# a state_dir that is not an absolute path: the default state directory
put ""
check "relative state_dir: prestart of r-rel, whose process is then gone" stale rel
put '{"state_dir":"run/rnh-custom"}'
check "relative state_dir: recover returned rxe3 from the default state directory" \
    released rdma-netns-hook rxe3 r-rel "$default" "$hook" recover
put ""
check "invariant: every device home or held by a live container in the journal" invariant "$hook" $all
echo "# the case took $(($(ms) - start)) ms of guest time after boot"
finish
