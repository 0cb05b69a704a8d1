# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# Sourced by the benchmarks that run in the test VM (cni.sh, churn.sh, cni-profile.sh):
# on the host, in_vm SCRIPT [ARGS...] boots the VM with SCRIPT as its guest script, with
# RNH_BENCH_GUEST=1 so that the script knows it is the guest, and does not return.
# The guest's clock must be the TSC, or timings come in 4 ms steps (bench/run).
in_vm() {
    local top khz script
    top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    script=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
    shift
    khz=$(awk -F': ' '/^cpu MHz/ { printf "%d", $2 * 1000 + 0.5; exit }' /proc/cpuinfo)
    export RNH_BUILD_DIR=${RNH_BUILD_DIR:-$top/build}
    export RNH_BIN_DIR=${RNH_BIN_DIR:-$RNH_BUILD_DIR/install/bin}
    # 2 vCPUs, the guest of BENCHMARKS.md's figures (the tests' default is 1)
    RNH_BENCH_GUEST=1 RNH_VM_TIMEOUT=${RNH_VM_TIMEOUT:-3600} RNH_VM_CPUS=${RNH_VM_CPUS:-2} \
        RNH_VM_APPEND="tsc=reliable tsc_early_khz=$khz ${RNH_VM_APPEND:-}" \
        exec "$top/tests/vm/run" "$script" "$@"
}
