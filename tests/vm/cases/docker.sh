#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# shellcheck disable=SC2016,SC2317 # jq variables; functions called through check
# Docker 20.10 (no OCI hooks config, no CDI) with rdma-netns-runtime as an added runtime:
# `docker run --runtime rdma -e RDMA_NETNS_DEVICES=...` gets the devices, and they go
# home when the container ends; without the variable the bundle is not touched; bad
# requests fail `docker run` with the hook's or the wrapper's message.
set -eu
# shellcheck source-path=SCRIPTDIR source=../guest/lib.sh
. "$(dirname "$0")/../guest/lib.sh"

check "rdma system netns mode is exclusive" set_exclusive # before dockerd makes any netns
check "create three rxe devices" rxe_setup 3

hook=$RNH_BIN_DIR/rdma-netns-hook
wrapper=$RNH_BIN_DIR/rdma-netns-runtime
all="rxe0 rxe1 rxe2"
outdir=/tmp/out
mkdir -p "$outdir" /tmp/rt

# the docker.io package's client, whatever else PATH holds
docker() { /usr/bin/docker "$@"; }
ms() { echo $(($(date +%s%N) / 1000000)); }
# note LABEL START_MS : the time since START_MS, for the summary at the end
note() {
    local d=$(($(ms) - $2))
    printf '%s: %d.%d s\n' "$1" $((d / 1000)) $((d % 1000 / 100)) >>"$outdir/timings"
}
# timed LABEL CMD... : CMD, its duration noted
timed() {
    local label=$1 t rc=0
    shift
    t=$(ms)
    "$@" || rc=$?
    note "$label" "$t"
    return "$rc"
}
# logged LOG CMD... : CMD succeeds, its output in LOG (shown if it fails)
logged() {
    local log=$1
    shift
    "$@" >"$log" 2>&1 || { cat "$log"; return 1; }
}
# refused LOG CMD... : CMD fails, its output in LOG
refused() {
    local log=$1
    shift
    if "$@" >"$log" 2>&1; then
        cat "$log"
        echo "it succeeded"
        return 1
    fi
}

# listed FILE DEV... : FILE (rdma dev output) names exactly DEVs
listed() {
    local file=$1 want got
    shift
    want=$(printf '%s\n' "$@" | sed '/^$/d' | sort)
    got=$(sed -n 's/^[0-9]*: \([^:]*\):.*/\1/p' "$file" | sort)
    [ "$got" = "$want" ] || { echo "listed: '$got'; wanted: '$want'"; cat "$file"; return 1; }
}
# shows FILE MESSAGE : FILE (docker's error output, quotes possibly escaped) has MESSAGE
shows() { sed 's/\\"/"/g' "$1" | grep -qF "$2" || { cat "$1"; return 1; }; }

# --- the daemon: the wrapper as runtime "rdma", and a test-only "rdma-spy" around it that
# copies the bundle's config.json before and after the wrapper's `create`.
cat >/tmp/rt/spy <<SH
#!/bin/sh
bundle='' prev='' create=''
for a in "\$@"; do
    case \$prev in --bundle | -b) bundle=\$a ;; esac
    [ "\$a" = create ] && create=1
    prev=\$a
done
[ -n "\$create" ] && [ -n "\$bundle" ] || exec "$wrapper" "\$@"
cp "\$bundle/config.json" $outdir/spy.before.json
"$wrapper" "\$@"
rc=\$?
cp "\$bundle/config.json" $outdir/spy.after.json
exit \$rc
SH
chmod +x /tmp/rt/spy

# The binaries are installed under the build directory, not where they were
# configured to go: the wrapper must find the hook beside itself. The real runtime
# is runc, found on PATH.
unset RDMA_NETNS_HOOK
t=$(ms)
dockerd --iptables=false --ip-masq=false --bridge=none --storage-driver=vfs \
    --exec-opt native.cgroupdriver=cgroupfs \
    --add-runtime "rdma=$wrapper" --add-runtime rdma-spy=/tmp/rt/spy >"$outdir/dockerd.log" 2>&1 &
dockerd_pid=$!
dockerd_up() {
    if ! wait_for 180 test -S /var/run/docker.sock || ! docker info >/dev/null 2>&1; then
        tail -n 20 "$outdir/dockerd.log"
        return 1
    fi
}
check "dockerd starts with the runtimes rdma and rdma-spy" dockerd_up
note "dockerd start" "$t"

# An image without a pull: the host's /usr comes in read-only at run time.
make_image() {
    local d
    mkdir -p /tmp/img/{usr,proc,sys,dev,etc,out}
    for d in bin sbin lib lib64; do
        [ -L "/$d" ] && ln -sfn "$(readlink "/$d")" "/tmp/img/$d"
    done
    tar -C /tmp/img -c . | docker import - rnh-base >/dev/null
}
check "a base image is imported" make_image
run=(docker run --network none -v /usr:/usr:ro -v "$outdir:/out")
# the container's program: what it sees, then it waits for the host's go (or for SIGTERM)
workload() {
    echo "trap 'exit 0' TERM; rdma dev show >/out/$1.rdma 2>&1; touch /out/$1.ready;
          while [ ! -e /out/$1.go ]; do sleep 0.2; done"
}
journal_empty() { "$hook" status --json | jq -e '.assignments == []' >/dev/null; }

# --- (1) by name, foreground docker run --rm
t=$(ms)
start_bg c1 "${run[@]}" --rm --runtime rdma -e RDMA_NETNS_DEVICES=rxe0 rnh-base /bin/sh -c "$(workload c1)"
check "by name: docker run --runtime rdma -e RDMA_NETNS_DEVICES=rxe0 starts" ready c1
note "docker run --rm (by name): start to workload ready" "$t"
check "by name: inside, rdma dev lists rxe0 and nothing else" listed "$outdir/c1.rdma" rxe0
check "by name: the host does not list rxe0 while it runs" host_lacks rxe0
t=$(ms)
stop c1
note "docker run --rm (by name): workload's end to docker run's exit" "$t"
check "by name: docker run exits 0" exited c1
check "by name: after exit every device is home" wait_for 30 all_home
check "by name: poststop ran and cleared the journal" journal_empty

# --- (2) by netdev, detached; docker exec passes through; docker stop, docker rm
check "by netdev: docker run -d -e RDMA_NETNS_NETDEVS=v1" timed "docker run -d (netdev)" \
    "${run[@]}" -d --name d2 --runtime rdma -e RDMA_NETNS_NETDEVS=v1 rnh-base /bin/sh -c "$(workload d2)"
check "by netdev: the workload is ready" wait_for 120 test -e "$outdir/d2.ready"
check "by netdev: inside, rdma dev lists rxe1 and nothing else" listed "$outdir/d2.rdma" rxe1
check "by netdev: docker exec runs in the container" logged "$outdir/d2.exec" docker exec d2 rdma dev show
check "by netdev: docker exec sees rxe1 and nothing else" listed "$outdir/d2.exec" rxe1
check "by netdev: the host does not list rxe1 while it runs" host_lacks rxe1
check "by netdev: docker stop" timed "docker stop" docker stop -t 20 d2
check "by netdev: after stop every device is home" wait_for 30 all_home
check "by netdev: docker rm" docker rm d2
check "by netdev: poststop ran and cleared the journal" journal_empty
check "by netdev: after rm every device is still home" all_home

# --- (3) no variable: a plain pass-through, config.json unchanged byte for byte
check "no request: docker run --runtime rdma-spy exits 0" timed "docker run --rm (no request)" \
    logged "$outdir/n3.log" "${run[@]}" --rm --runtime rdma-spy rnh-base /bin/sh -c 'rdma dev show >/out/n3.rdma 2>&1'
check "no request: the wrapper saw create and the bundle's config.json" \
    test -s "$outdir/spy.before.json" -a -s "$outdir/spy.after.json"
check "no request: config.json unchanged byte for byte" cmp "$outdir/spy.before.json" "$outdir/spy.after.json"
check "no request: no hook of ours in config.json" not grep -q rdma-netns "$outdir/spy.after.json"
check "no request: inside, no RDMA device" listed "$outdir/n3.rdma"
check "no request: every device is home" all_home

# --- the same spy with a request: the bundle gains the annotation and both hooks, and
# keeps everything else (members in their order)
rm -f "$outdir"/spy.*.json
check "request through the spy: docker run exits 0" timed "docker run --rm (by name, through the spy)" \
    logged "$outdir/s3.log" "${run[@]}" --rm --runtime rdma-spy -e RDMA_NETNS_DEVICES=rxe2 rnh-base \
    /bin/sh -c 'rdma dev show >/out/s3.rdma 2>&1'
check "request through the spy: config.json gained the annotation and both hooks" \
    jq -e --arg h "$hook" '.annotations["rdma.netns/devices"] == "rxe2"
        and .hooks.prestart[-1] == {path: $h, args: ["rdma-netns-hook", "prestart"]}
        and .hooks.poststop[-1] == {path: $h, args: ["rdma-netns-hook", "poststop"]}' "$outdir/spy.after.json"
check "request through the spy: every other member kept, in its order" \
    jq -n -e --slurpfile b "$outdir/spy.before.json" --slurpfile a "$outdir/spy.after.json" '
        $a[0] as $a | $b[0] as $b
        | ($a | del(.annotations, .hooks)) == ($b | del(.annotations, .hooks))
        and ($a | keys_unsorted | map(select(. != "annotations" and . != "hooks")))
            == ($b | keys_unsorted | map(select(. != "annotations" and . != "hooks")))
        and ($a.annotations | del(.["rdma.netns/devices"])) == ($b.annotations // {})
        and $a.hooks.prestart[:-1] == ($b.hooks.prestart // [])
        and $a.hooks.poststop[:-1] == ($b.hooks.poststop // [])
        and ($a.hooks | del(.prestart, .poststop)) == ($b.hooks // {} | del(.prestart, .poststop))'
check "request through the spy: inside, exactly rxe2" listed "$outdir/s3.rdma" rxe2
check "request through the spy: every device is home" wait_for 30 all_home

# --- refusals, in the network namespace of a plain container "holder" that outlives them:
# a device moved in and not brought back would stay there, where the kernel's return of
# devices from a dead namespace cannot hide it
check "a plain container holds a namespace for the refused ones" \
    logged "$outdir/holder.log" docker run -d --name holder --network none -v /usr:/usr:ro rnh-base /bin/sleep 100000
refused_run=(docker run --network container:holder -v /usr:/usr:ro --rm --runtime rdma)
# nothing_moved : every device is home and the holder's namespace has none
nothing_moved() {
    local inside
    inside=$(nsenter --net="/proc/$(docker inspect -f '{{.State.Pid}}' holder)/ns/net" rdma dev show) &&
        all_home && { [ -z "$inside" ] || { echo "in the holder's namespace: $inside"; return 1; }; }
}

# --- (4) an unknown device: docker run fails with the hook's message, nothing moves
check "unknown device: docker run fails" timed "docker run --rm (refused by the hook)" \
    refused "$outdir/u4.log" "${refused_run[@]}" -e RDMA_NETNS_DEVICES=rxe0,rxe9 rnh-base /bin/true
check "unknown device: docker's error carries the hook's message" \
    shows "$outdir/u4.log" 'rdma-netns-hook: no RDMA device named "rxe9" in the host network namespace'
check "unknown device: nothing moved (its namespace is alive)" nothing_moved

# --- (5) a malformed variable: refused by the wrapper before runc runs
check "malformed variable: docker run fails" timed "docker run --rm (refused by the wrapper)" \
    refused "$outdir/m5.log" "${refused_run[@]}" -e 'RDMA_NETNS_DEVICES=rxe0;reboot' rnh-base /bin/true
check "malformed variable: docker's error carries the wrapper's message" \
    shows "$outdir/m5.log" 'rdma-netns-runtime: environment variable RDMA_NETNS_DEVICES: "rxe0;reboot" is not a valid RDMA device name'
check "malformed variable: nothing moved (its namespace is alive)" nothing_moved
docker rm -f holder >/dev/null
no_containers() { [ -z "$(docker ps -aq)" ] || { docker ps -a; return 1; }; }
check "no container is left" no_containers

# --- (6) a wrapper copied away from its hook: refused with its own message, not
# runc's "no such file" for the hook
lone_wrapper() {
    local out rc=0
    mkdir -p /tmp/lone && cp "$wrapper" /tmp/lone/ && make_bundle /tmp/lone/b &&
        bundle_jq /tmp/lone/b '.annotations["rdma.netns/devices"] = "rxe0"' || return 1
    out=$(/tmp/lone/rdma-netns-runtime --root /tmp/lone/state create --bundle /tmp/lone/b lone 2>&1) || rc=$?
    [ "$rc" -eq 1 ] && grep -qF "rdma-netns-runtime: the hook to add to the container, /usr/local/bin/rdma-netns-hook, is not an executable file" <<<"$out" &&
        ! jq -e '.hooks' /tmp/lone/b/config.json >/dev/null || { echo "exit $rc: $out"; return 1; }
}
check "a wrapper without its hook refuses, naming the hook it looked for" lone_wrapper
check "the lone wrapper left every device home" all_home

echo "--- what docker run said when refused"
cat "$outdir/u4.log" "$outdir/m5.log"
echo "--- timings"
cat "$outdir/timings"
kill "$dockerd_pid" 2>/dev/null || true
finish
