#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# shellcheck disable=SC2016 # jq variables
# The README's demo: a runc container asks for rxe0 by annotation and gets it.
set -eu
# shellcheck source-path=SCRIPTDIR source=../guest/lib.sh
. "$(dirname "$0")/../guest/lib.sh"

hook=$RNH_BIN_DIR/rdma-netns-hook
step() { printf '\n=== %s\n' "$*"; }
bundle=/tmp/demo
mkdir -p /tmp/out

step "exclusive RDMA netns mode, and two soft-RoCE devices on veth pairs"
check "exclusive mode" set_exclusive
check "rxe0 and rxe1 created" rxe_setup 2
rdma system show
rdma dev show

step "a runc bundle asking for rxe0: annotation rdma.netns/devices=rxe0, hooks prestart and poststop"
cat >/tmp/out/workload <<'SH'
#!/bin/sh
ip link set lo up
echo "--- inside the container: rdma dev"; rdma dev show
echo "--- inside the container: ibv_devinfo -d rxe0"; ibv_devinfo -d rxe0 | head -n 12
echo "--- inside the container: ibv_rc_pingpong over rxe0"
timeout 60 ibv_rc_pingpong -d rxe0 -g 1 -n 1000 >/out/server.log 2>&1 &
sleep 2
timeout 60 ibv_rc_pingpong -d rxe0 -g 1 -n 1000 127.0.0.1 | tee /out/client.log
wait
touch /out/ready
while [ ! -e /out/go ]; do sleep 0.1; done
SH
chmod +x /tmp/out/workload
make_bundle "$bundle"
bundle_args "$bundle" /out/workload
bundle_jq "$bundle" '.annotations["rdma.netns/devices"] = "rxe0"
    | .mounts += [{destination: "/out", type: "bind", source: "/tmp/out", options: ["rbind", "rw"]}]
    | .process.capabilities |= with_entries(.value += ["CAP_NET_ADMIN"])'
bundle_hook "$bundle" prestart "$hook" prestart
bundle_hook "$bundle" poststop "$hook" poststop
jq '{annotations, hooks}' "$bundle/config.json"

step "runc run"
runc run -b "$bundle" demo &
runc_pid=$!
check "the workload ran and got ready" wait_for 240 test -e /tmp/out/ready
check "RDMA traffic passed inside the container" grep -q "1000 iters" /tmp/out/client.log

step "meanwhile on the host: rdma dev (rxe0 is gone) and rdma-netns-hook status"
rdma dev show
"$hook" status
check "the host no longer lists rxe0" not rdma_has rxe0
touch /tmp/out/go
runc_status=0
wait "$runc_pid" || runc_status=$?
check "the container exited cleanly" test "$runc_status" -eq 0

step "after the container: rdma dev (rxe0 is home)"
rdma dev show
check "rxe0 is home" rdma_has rxe0
check "no assignment left" eval "'$hook' status --json | jq -e '.assignments == []'"
finish
