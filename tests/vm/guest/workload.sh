# SPDX-License-Identifier: Apache-2.0
# Helpers for the programs that the cases run inside containers (POSIX sh: a container
# has the host's /usr, not necessarily bash). `workload_lib` (lib.sh) copies this file to
# $outdir, which the containers see as /out: source it there as `. /out/workload.sh`.
# shellcheck shell=sh

# pingpong ID DEV GID ITERS [SIZE] : ibv_rc_pingpong of DEV to itself over GID index GID,
# ITERS iterations (of SIZE bytes); the server's output in /out/ID.server, the client's in
# /out/ID.client. The client starts as soon as the server listens (or has died).
pingpong() {
    pp_id=$1 pp_dev=$2 pp_gid=$3 pp_n=$4
    shift 4
    set -- -d "$pp_dev" -g "$pp_gid" -n "$pp_n" ${1:+-s "$1"}
    timeout 120 ibv_rc_pingpong "$@" >/out/"$pp_id".server 2>&1 &
    pp_srv=$!
    pp_i=0
    until ss -Hltn 'sport = :18515' | grep -q . || ! kill -0 "$pp_srv" 2>/dev/null; do
        [ "$pp_i" -lt 300 ] || break
        sleep 0.1
        pp_i=$((pp_i + 1))
    done
    timeout 120 ibv_rc_pingpong "$@" 127.0.0.1 >/out/"$pp_id".client 2>&1
    wait "$pp_srv"
}

# ready_then_wait ID [SECONDS] : tell the host the workload is ready (/out/ID.ready), then
# wait for its go (/out/ID.go), at most SECONDS (default 60)
ready_then_wait() {
    touch /out/"$1".ready
    rw_i=0
    while [ ! -e /out/"$1".go ] && [ "$rw_i" -lt $((${2:-60} * 10)) ]; do
        sleep 0.1
        rw_i=$((rw_i + 1))
    done
}
