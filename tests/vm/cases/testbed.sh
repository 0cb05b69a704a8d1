#!/bin/bash
# shellcheck disable=SC2016,SC2317 # jq variables; functions called through check
# The test bed itself: soft-RoCE devices, net namespace moves, verbs traffic, runtimes, hooks.
set -eu
# shellcheck source-path=SCRIPTDIR source=../guest/lib.sh
. "$(dirname "$0")/../guest/lib.sh"

# --- (a) devices and mode; exclusive mode must be set before any other netns exists
check "rdma system netns mode is exclusive" set_exclusive
check "create rxe0 and rxe1 on veth pairs" rxe_setup 2
check "rxe0 and rxe1 are listed" eval 'rdma_has rxe0 && rdma_has rxe1'

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

# --- (c) runtimes run the test bundle and call its hooks with the OCI state
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
    check "$rt: no RDMA device in the container's own netns (exclusive)" not grep -q rxe "$out.log"
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
