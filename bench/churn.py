#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Usage: bench/churn.py [--check DEVICES] POD_CONFIG...

One round of bench/churn.sh: a pod per PodSandboxConfig (JSON), all at once, each
from a thread of its own through one CRI connection: RunPodSandbox, StopPodSandbox,
RemovePodSandbox. Prints one JSON line per pod, its times in microseconds
(run_us, stop_us, remove_us, total_us: RunPodSandbox's request to
RemovePodSandbox's reply), and one line of the round's wall time (kind "round").
The client is tests/cri/cri's (its stubs and endpoint), loaded as a module, so
no process start is timed. With --check yes, once every pod runs, each pod's
network namespace must list the devices of its rdma.netns/devices annotation;
with --check no, none at all. Exits 1 if any call or check fails."""

import importlib.machinery
import importlib.util
import json
import os
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.realpath(__file__))


def load_cri():
    loader = importlib.machinery.SourceFileLoader("cri", os.path.join(HERE, "..", "tests", "cri", "cri"))
    spec = importlib.util.spec_from_loader("cri", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def rdma_devices(pid):
    """The RDMA devices the network namespace of PID lists."""
    out = subprocess.run(["nsenter", "-t", str(pid), "-n", "rdma", "dev", "show"],
                         capture_output=True, text=True, check=True).stdout
    return sorted(line.split()[1].rstrip(":") for line in out.splitlines() if line.strip())


def main():
    args = sys.argv[1:]
    check = None
    if args[:1] == ["--check"]:
        check, args = args[1], args[2:]
    if not args or check not in (None, "yes", "no"):
        sys.exit(__doc__)
    cri = load_cri()
    sys.path.insert(0, cri.stubs_dir())
    import grpc  # pylint: disable=import-outside-toplevel
    from google.protobuf import json_format  # pylint: disable=import-outside-toplevel
    api = importlib.import_module("api_pb2")
    api_grpc = importlib.import_module("api_pb2_grpc")
    rpc = api_grpc.RuntimeServiceStub(grpc.insecure_channel(
        os.environ.get("CONTAINER_RUNTIME_ENDPOINT", cri.DEFAULT_ENDPOINT)))
    rpc.Version(api.VersionRequest(version="v1"), timeout=60)  # connected before the clock starts

    configs = [cri.parse(json_format, cri.load_json(p), api.PodSandboxConfig()) for p in args]
    results = [None] * len(configs)
    ids = [None] * len(configs)
    errors = []
    running = threading.Barrier(len(configs) + 1)  # every pod runs: the checks
    checked = threading.Barrier(len(configs) + 1)
    start = threading.Barrier(len(configs) + 1)

    def pod(i, config):
        name = config.metadata.name
        try:
            start.wait()
            t0 = time.monotonic_ns()
            ids[i] = rpc.RunPodSandbox(api.RunPodSandboxRequest(config=config), timeout=600).pod_sandbox_id
            t1 = time.monotonic_ns()
        except grpc.RpcError as e:
            errors.append(f"{name}: RunPodSandbox: {e.code().name}: {e.details()}")
            running.abort()
            return
        if check:
            try:
                running.wait()
                checked.wait()
            except threading.BrokenBarrierError:
                pass  # another pod failed: this one is still torn down
        try:
            t2 = time.monotonic_ns()
            rpc.StopPodSandbox(api.StopPodSandboxRequest(pod_sandbox_id=ids[i]), timeout=600)
            t3 = time.monotonic_ns()
            rpc.RemovePodSandbox(api.RemovePodSandboxRequest(pod_sandbox_id=ids[i]), timeout=600)
            t4 = time.monotonic_ns()
        except grpc.RpcError as e:
            errors.append(f"{name}: tearing down: {e.code().name}: {e.details()}")
            return
        results[i] = {"pod": name, "run_us": (t1 - t0) // 1000, "stop_us": (t3 - t2) // 1000,
                      "remove_us": (t4 - t3) // 1000, "total_us": (t4 - t2 + t1 - t0) // 1000,
                      "t0": t0, "t4": t4}

    threads = [threading.Thread(target=pod, args=(i, c)) for i, c in enumerate(configs)]
    for th in threads:
        th.start()
    start.wait()
    if check:
        try:
            running.wait()
            for i, config in enumerate(configs):
                want = config.annotations.get("rdma.netns/devices", "")
                want = sorted(want.split(",")) if check == "yes" and want else []
                status = rpc.PodSandboxStatus(api.PodSandboxStatusRequest(
                    pod_sandbox_id=ids[i], verbose=True), timeout=60)
                pid = json.loads(status.info["info"])["pid"]
                got = rdma_devices(pid)
                if got != want:
                    errors.append(f"{config.metadata.name}: its network namespace lists {got}, not {want}")
            checked.wait()
        except threading.BrokenBarrierError:
            pass
        except (grpc.RpcError, subprocess.CalledProcessError, KeyError, ValueError) as e:
            errors.append(f"the check: {e}")
            checked.abort()
    for th in threads:
        th.join()
    if errors:
        print("\n".join(errors), file=sys.stderr)
        return 1
    for t in results:
        print(json.dumps({k: v for k, v in t.items() if k not in ("t0", "t4")}))
    print(json.dumps({"kind": "round", "pods": len(results),
                      "wall_us": (max(t["t4"] for t in results) - min(t["t0"] for t in results)) // 1000}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
