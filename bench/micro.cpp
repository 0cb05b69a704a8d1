// SPDX-License-Identifier: Apache-2.0
// micro_bench: the hook's pure work on the host, without a kernel. Parsing the
// OCI state and config.json, turning annotations into a request and resolving
// it against a 32-device snapshot, building the netlink requests and parsing
// the replies, and all of it together as one prestart does it
// (BM_HookCpuPath, whose target is under 1 ms for 32 devices). A case that
// throws is reported as failed (ERROR OCCURRED) and micro_bench exits 1 after
// the other cases ran; the test bench.micro runs every case once.
//
// The inputs are made here, not read from files: a runc prestart state with
// the annotations a Kubernetes container carries, a config.json of about 10 KB
// with a seccomp filter, and kernel replies built attribute by attribute like
// the ones fill_dev_info() and fill_port_info() in drivers/infiniband/core/nldev.c
// send.
#include "hook/plan/resolve.hpp"
#include "netlink/rdma.hpp"
#include "netlink/reply.hpp"
#include "oci/request.hpp"
#include "oci/spec.hpp"
#include "oci/state.hpp"
#include "tests/support/netlink_datagram.hpp"

#include <benchmark/benchmark.h>
#include <linux/netlink.h>
#include <nlohmann/json.hpp>
#include <rdma/rdma_netlink.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace {

using nlohmann::json;

constexpr int total_devices = 32;
constexpr std::uint32_t portid = 3141;
constexpr std::uint32_t seq = 7;
const std::string container_id = "4f0c5b7d9e2a41c3b8f6d1e0a9c7b5d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7";
const std::string bundle = "/run/containerd/io.containerd.runtime.v2.task/k8s.io/" + container_id;

std::string device_name(int i)
{
    return "mlx5_" + std::to_string(i);
}

std::string netdev_name(int i)
{
    return "ens1f" + std::to_string(i);
}

// "mlx5_0,mlx5_1,..." for the first n devices.
std::string device_list(int n)
{
    std::string list;
    for (int i = 0; i < n; ++i)
        list.append(i ? "," : "").append(device_name(i));
    return list;
}

json annotations_for(int requested)
{
    return {
        {"io.kubernetes.cri.container-type", "container"},
        {"io.kubernetes.cri.container-name", "trainer"},
        {"io.kubernetes.cri.image-name", "registry.example.com/ml/trainer:2024.06.1"},
        {"io.kubernetes.cri.sandbox-id", std::string(64, 'a')},
        {"io.kubernetes.cri.sandbox-name", "trainer-7f9c6d5b4-x2k8p"},
        {"io.kubernetes.cri.sandbox-namespace", "ml-jobs"},
        {"io.kubernetes.cri.sandbox-uid", "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"},
        {"rdma.netns/devices", device_list(requested)},
    };
}

// The state runc writes on a prestart hook's stdin.
std::string make_state(int requested)
{
    json state = {{"ociVersion", "1.0.2-dev"}, {"id", container_id},
                  {"status", "created"},       {"pid", 48213},
                  {"bundle", bundle},          {"annotations", annotations_for(requested)}};
    return state.dump();
}

// What a Kubernetes runtime writes for a container: the usual process,
// mounts, cgroup limits, namespaces, masked paths and a seccomp filter that
// allows a long list of system calls. About 10 KB.
std::string make_config(int requested)
{
    const std::vector<std::string> caps = {
        "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
        "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
        "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
        "CAP_KILL",    "CAP_AUDIT_WRITE",  "CAP_IPC_LOCK"};
    json mounts = json::array();
    auto mount = [&](const char* dest, const char* type, const char* source,
                     std::vector<std::string> options) {
        mounts.push_back(
            {{"destination", dest}, {"type", type}, {"source", source}, {"options", options}});
    };
    mount("/proc", "proc", "proc", {"nosuid", "noexec", "nodev"});
    mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"});
    mount("/dev/pts", "devpts", "devpts",
          {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"});
    mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"});
    mount("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"});
    mount("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"});
    mount("/dev/shm", "bind", "/run/containerd/io.containerd.grpc.v1.cri/sandboxes/shm",
          {"rbind", "ro", "nosuid", "nodev", "noexec"});
    mount("/etc/hosts", "bind", "/var/lib/kubelet/pods/0b1c2d3e/etc-hosts",
          {"rbind", "rprivate", "rw"});
    mount("/etc/hostname", "bind", "/var/lib/containerd/sandboxes/hostname",
          {"rbind", "rprivate", "rw"});
    mount("/etc/resolv.conf", "bind", "/var/lib/containerd/sandboxes/resolv.conf",
          {"rbind", "rprivate", "rw"});
    mount("/dev/termination-log", "bind", "/var/lib/kubelet/pods/0b1c2d3e/containers/trainer/1a2b",
          {"rbind", "rprivate", "rw"});
    mount("/var/run/secrets/kubernetes.io/serviceaccount", "bind",
          "/var/lib/kubelet/pods/0b1c2d3e/volumes/kubernetes.io~projected/kube-api-access-9xk2d",
          {"rbind", "rprivate", "ro"});
    mount("/data", "bind", "/mnt/datasets/imagenet", {"rbind", "rprivate", "ro"});
    mount("/data/checkpoints", "bind",
          "/var/lib/kubelet/pods/0b1c2d3e/volumes/kubernetes.io~csi/pvc-7d1e/mount",
          {"rbind", "rprivate", "rw"});
    mount("/etc/trainer", "bind",
          "/var/lib/kubelet/pods/0b1c2d3e/volumes/kubernetes.io~configmap/job",
          {"rbind", "rprivate", "ro"});
    mount("/dev/infiniband", "bind", "/dev/infiniband", {"rbind", "nosuid", "noexec"});

    // The calls a default container profile allows, by name.
    const std::vector<std::string> allowed = {"accept",
                                              "accept4",
                                              "access",
                                              "adjtimex",
                                              "alarm",
                                              "bind",
                                              "brk",
                                              "capget",
                                              "capset",
                                              "chdir",
                                              "chmod",
                                              "chown",
                                              "clock_adjtime",
                                              "clock_getres",
                                              "clock_gettime",
                                              "clock_nanosleep",
                                              "close",
                                              "close_range",
                                              "connect",
                                              "copy_file_range",
                                              "creat",
                                              "dup",
                                              "dup2",
                                              "dup3",
                                              "epoll_create",
                                              "epoll_create1",
                                              "epoll_ctl",
                                              "epoll_pwait",
                                              "epoll_pwait2",
                                              "epoll_wait",
                                              "eventfd",
                                              "eventfd2",
                                              "execve",
                                              "execveat",
                                              "exit",
                                              "exit_group",
                                              "faccessat",
                                              "faccessat2",
                                              "fadvise64",
                                              "fallocate",
                                              "fanotify_mark",
                                              "fchdir",
                                              "fchmod",
                                              "fchmodat",
                                              "fchown",
                                              "fchownat",
                                              "fcntl",
                                              "fdatasync",
                                              "fgetxattr",
                                              "flistxattr",
                                              "flock",
                                              "fork",
                                              "fremovexattr",
                                              "fsetxattr",
                                              "fstat",
                                              "fstatfs",
                                              "fsync",
                                              "ftruncate",
                                              "futex",
                                              "futex_waitv",
                                              "futimesat",
                                              "getcpu",
                                              "getcwd",
                                              "getdents",
                                              "getdents64",
                                              "getegid",
                                              "geteuid",
                                              "getgid",
                                              "getgroups",
                                              "getitimer",
                                              "getpeername",
                                              "getpgid",
                                              "getpgrp",
                                              "getpid",
                                              "getppid",
                                              "getpriority",
                                              "getrandom",
                                              "getresgid",
                                              "getresuid",
                                              "getrlimit",
                                              "get_robust_list",
                                              "getrusage",
                                              "getsid",
                                              "getsockname",
                                              "getsockopt",
                                              "get_thread_area",
                                              "gettid",
                                              "gettimeofday",
                                              "getuid",
                                              "getxattr",
                                              "inotify_add_watch",
                                              "inotify_init",
                                              "inotify_init1",
                                              "inotify_rm_watch",
                                              "io_cancel",
                                              "ioctl",
                                              "io_destroy",
                                              "io_getevents",
                                              "io_pgetevents",
                                              "ioprio_get",
                                              "ioprio_set",
                                              "io_setup",
                                              "io_submit",
                                              "io_uring_enter",
                                              "io_uring_register",
                                              "io_uring_setup",
                                              "ipc",
                                              "kill",
                                              "landlock_add_rule",
                                              "landlock_create_ruleset",
                                              "landlock_restrict_self",
                                              "lchown",
                                              "lgetxattr",
                                              "link",
                                              "linkat",
                                              "listen",
                                              "listxattr",
                                              "llistxattr",
                                              "lremovexattr",
                                              "lseek",
                                              "lsetxattr",
                                              "lstat",
                                              "madvise",
                                              "membarrier",
                                              "memfd_create",
                                              "memfd_secret",
                                              "mincore",
                                              "mkdir",
                                              "mkdirat",
                                              "mknod",
                                              "mknodat",
                                              "mlock",
                                              "mlock2",
                                              "mlockall",
                                              "mmap",
                                              "mprotect",
                                              "mq_getsetattr",
                                              "mq_notify",
                                              "mq_open",
                                              "mq_timedreceive",
                                              "mq_timedsend",
                                              "mq_unlink",
                                              "mremap",
                                              "msgctl",
                                              "msgget",
                                              "msgrcv",
                                              "msgsnd",
                                              "msync",
                                              "munlock",
                                              "munlockall",
                                              "munmap",
                                              "name_to_handle_at",
                                              "nanosleep",
                                              "newfstatat",
                                              "open",
                                              "openat",
                                              "openat2",
                                              "pause",
                                              "pidfd_open",
                                              "pidfd_send_signal",
                                              "pipe",
                                              "pipe2",
                                              "pkey_alloc",
                                              "pkey_free",
                                              "pkey_mprotect",
                                              "poll",
                                              "ppoll",
                                              "prctl",
                                              "pread64",
                                              "preadv",
                                              "preadv2",
                                              "prlimit64",
                                              "process_mrelease",
                                              "pselect6",
                                              "pwrite64",
                                              "pwritev",
                                              "pwritev2",
                                              "read",
                                              "readahead",
                                              "readlink",
                                              "readlinkat",
                                              "readv",
                                              "recv",
                                              "recvfrom",
                                              "recvmmsg",
                                              "recvmsg",
                                              "remap_file_pages",
                                              "removexattr",
                                              "rename",
                                              "renameat",
                                              "renameat2",
                                              "restart_syscall",
                                              "rmdir",
                                              "rseq",
                                              "rt_sigaction",
                                              "rt_sigpending",
                                              "rt_sigprocmask",
                                              "rt_sigqueueinfo",
                                              "rt_sigreturn",
                                              "rt_sigsuspend",
                                              "rt_sigtimedwait",
                                              "rt_tgsigqueueinfo",
                                              "sched_getaffinity",
                                              "sched_getattr",
                                              "sched_getparam",
                                              "sched_get_priority_max",
                                              "sched_get_priority_min",
                                              "sched_getscheduler",
                                              "sched_rr_get_interval",
                                              "sched_setaffinity",
                                              "sched_setattr",
                                              "sched_setparam",
                                              "sched_setscheduler",
                                              "sched_yield",
                                              "seccomp",
                                              "select",
                                              "semctl",
                                              "semget",
                                              "semop",
                                              "semtimedop",
                                              "send",
                                              "sendfile",
                                              "sendmmsg",
                                              "sendmsg",
                                              "sendto",
                                              "setfsgid",
                                              "setfsuid",
                                              "setgid",
                                              "setgroups",
                                              "setitimer",
                                              "setpgid",
                                              "setpriority",
                                              "setregid",
                                              "setresgid",
                                              "setresuid",
                                              "setreuid",
                                              "setrlimit",
                                              "set_robust_list",
                                              "setsid",
                                              "setsockopt",
                                              "set_thread_area",
                                              "set_tid_address",
                                              "setuid",
                                              "setxattr",
                                              "shmat",
                                              "shmctl",
                                              "shmdt",
                                              "shmget",
                                              "shutdown",
                                              "sigaltstack",
                                              "signalfd",
                                              "signalfd4",
                                              "sigreturn",
                                              "socket",
                                              "socketcall",
                                              "socketpair",
                                              "splice",
                                              "stat",
                                              "statfs",
                                              "statx",
                                              "symlink",
                                              "symlinkat",
                                              "sync",
                                              "sync_file_range",
                                              "syncfs",
                                              "sysinfo",
                                              "tee",
                                              "tgkill",
                                              "time",
                                              "timer_create",
                                              "timer_delete",
                                              "timer_getoverrun",
                                              "timer_gettime",
                                              "timer_settime",
                                              "timerfd_create",
                                              "timerfd_gettime",
                                              "timerfd_settime",
                                              "times",
                                              "tkill",
                                              "truncate",
                                              "umask",
                                              "uname",
                                              "unlink",
                                              "unlinkat",
                                              "utime",
                                              "utimensat",
                                              "utimes",
                                              "vfork",
                                              "vmsplice",
                                              "wait4",
                                              "waitid",
                                              "waitpid",
                                              "write",
                                              "writev"};

    // The OCI spec's limits are unsigned 64-bit; "unlimited" is RLIM_INFINITY,
    // 18446744073709551615, as Docker writes for --ulimit memlock=-1.
    constexpr std::uint64_t unlimited = std::numeric_limits<std::uint64_t>::max();
    json config = {
        {"ociVersion", "1.1.0"},
        {"process",
         {{"user", {{"uid", 1000}, {"gid", 1000}, {"additionalGids", {1000, 44}}}},
          {"args", {"/usr/bin/python3", "-m", "trainer", "--config", "/etc/trainer/job.yaml"}},
          {"env",
           {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOSTNAME=trainer",
            "LANG=C.UTF-8", "NCCL_IB_HCA=" + device_list(requested),
            "KUBERNETES_PORT=tcp://10.96.0.1:443", "KUBERNETES_SERVICE_HOST=10.96.0.1",
            "KUBERNETES_SERVICE_PORT=443", "KUBERNETES_SERVICE_PORT_HTTPS=443",
            "KUBERNETES_PORT_443_TCP=tcp://10.96.0.1:443", "KUBERNETES_PORT_443_TCP_PROTO=tcp",
            "KUBERNETES_PORT_443_TCP_ADDR=10.96.0.1", "NCCL_SOCKET_IFNAME=net1",
            "NCCL_IB_GID_INDEX=3", "NCCL_DEBUG=WARN", "TRAINER_JOB_ID=run-2024-06-17-0042",
            "TRAINER_CHECKPOINT_DIR=/data/checkpoints", "PYTHONUNBUFFERED=1", "OMP_NUM_THREADS=8"}},
          {"cwd", "/srv/train"},
          {"capabilities", {{"bounding", caps}, {"effective", caps}, {"permitted", caps}}},
          {"rlimits",
           {{{"type", "RLIMIT_NOFILE"}, {"hard", 1048576}, {"soft", 1048576}},
            {{"type", "RLIMIT_MEMLOCK"}, {"hard", unlimited}, {"soft", unlimited}}}},
          {"noNewPrivileges", true},
          {"apparmorProfile", "cri-containerd.apparmor.d"},
          {"oomScoreAdj", 936}}},
        {"root", {{"path", "rootfs"}, {"readonly", false}}},
        {"hostname", "trainer-7f9c6d5b4-x2k8p"},
        {"mounts", mounts},
        {"annotations", annotations_for(requested)},
        {"linux",
         {{"resources",
           {{"devices",
             {{{"allow", false}, {"access", "rwm"}},
              {{"allow", true}, {"type", "c"}, {"major", 231}, {"access", "rwm"}}}},
            {"memory", {{"limit", 68719476736}, {"swap", 68719476736}}},
            {"cpu", {{"shares", 8192}, {"quota", 800000}, {"period", 100000}}},
            {"pids", {{"limit", 4096}}}}},
          {"cgroupsPath", "kubepods-burstable-pod0b1c2d3e.slice:cri-containerd:" + container_id},
          {"namespaces",
           {{{"type", "pid"}},
            {{"type", "ipc"}, {"path", "/proc/48150/ns/ipc"}},
            {{"type", "uts"}, {"path", "/proc/48150/ns/uts"}},
            {{"type", "mount"}},
            {{"type", "network"}, {"path", "/proc/48150/ns/net"}},
            {{"type", "cgroup"}}}},
          {"maskedPaths",
           {"/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
            "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
            "/sys/firmware", "/sys/devices/virtual/powercap", "/proc/interrupts",
            "/sys/devices/system/cpu/cpu0/thermal_throttle", "/sys/kernel/debug"}},
          {"readonlyPaths",
           {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}},
          {"seccomp",
           {{"defaultAction", "SCMP_ACT_ERRNO"},
            {"defaultErrnoRet", 1},
            {"architectures", {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"}},
            {"syscalls",
             {{{"names", allowed}, {"action", "SCMP_ACT_ALLOW"}},
              {{"names", {"personality"}},
               {"action", "SCMP_ACT_ALLOW"},
               {"args",
                {{{"index", 0}, {"value", 0}, {"op", "SCMP_CMP_EQ"}},
                 {{"index", 0}, {"value", 8}, {"op", "SCMP_CMP_EQ"}}}}},
              {{"names", {"clone"}},
               {"action", "SCMP_ACT_ALLOW"},
               {"args", {{{"index", 0}, {"value", 2114060288}, {"op", "SCMP_CMP_MASKED_EQ"}}}}},
              {{"names", {"clone3"}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", 38}},
              {{"names",
                {"bpf", "perf_event_open", "syslog", "kexec_load", "open_by_handle_at", "quotactl",
                 "mount", "umount2", "pivot_root", "setns", "unshare"}},
               {"action", "SCMP_ACT_ERRNO"},
               {"errnoRet", 1}},
              {{"names", {"arch_prctl", "modify_ldt"}}, {"action", "SCMP_ACT_ALLOW"}}}}}}}}};
    return config.dump();
}

// Reply datagrams as the kernel writes them: messages one after another.
struct Datagram : rnh::test::Datagram {
    Datagram() : rnh::test::Datagram(portid, seq) {}
};

using rnh::test::nldev;

void put_device(Datagram& d, std::uint32_t index, const std::string& name)
{
    d.begin(nldev(RDMA_NLDEV_CMD_GET), NLM_F_MULTI)
        .attr_u32(RDMA_NLDEV_ATTR_DEV_INDEX, index)
        .attr_str(RDMA_NLDEV_ATTR_DEV_NAME, name)
        .attr_u32(RDMA_NLDEV_ATTR_PORT_INDEX, 1)
        .attr_u64(RDMA_NLDEV_ATTR_CAP_FLAGS, 0x1c0a1cce)
        .attr_str(RDMA_NLDEV_ATTR_FW_VERSION, "22.39.1002")
        .attr_u64(RDMA_NLDEV_ATTR_NODE_GUID, 0xb8cef603001a2b00ULL + index)
        .attr_u64(RDMA_NLDEV_ATTR_SYS_IMAGE_GUID, 0xb8cef603001a2b00ULL)
        .attr_u8(RDMA_NLDEV_ATTR_DEV_NODE_TYPE, 1)
        .attr_str(RDMA_NLDEV_ATTR_DEV_PROTOCOL, "roce")
        .attr_u8(RDMA_NLDEV_ATTR_DEV_DIM, 0)
        .end();
}

void put_port(Datagram& d, std::uint32_t index, const std::string& name, const std::string& netdev)
{
    d.begin(nldev(RDMA_NLDEV_CMD_PORT_GET), NLM_F_MULTI)
        .attr_u32(RDMA_NLDEV_ATTR_DEV_INDEX, index)
        .attr_str(RDMA_NLDEV_ATTR_DEV_NAME, name)
        .attr_u32(RDMA_NLDEV_ATTR_PORT_INDEX, 1)
        .attr_u64(RDMA_NLDEV_ATTR_CAP_FLAGS, 0x4010000)
        .attr_u8(RDMA_NLDEV_ATTR_PORT_STATE, 4)
        .attr_u8(RDMA_NLDEV_ATTR_PORT_PHYS_STATE, 5)
        .attr_u32(RDMA_NLDEV_ATTR_NDEV_INDEX, 100 + index)
        .attr_str(RDMA_NLDEV_ATTR_NDEV_NAME, netdev)
        .end();
}

void put_done(Datagram& d)
{
    d.begin(NLMSG_DONE, NLM_F_MULTI).i32(0).end();
}

// The ACK of a request, as capped by NETLINK_CAP_ACK: error 0 and the header.
void put_ack(Datagram& d)
{
    d.begin(NLMSG_ERROR, NLM_F_CAPPED).i32(0);
    d.u32(0).u16(nldev(RDMA_NLDEV_CMD_SET)).u16(0).u32(seq).u32(portid).end();
}

Datagram device_dump()
{
    Datagram d;
    for (int i = 0; i < total_devices; ++i)
        put_device(d, static_cast<std::uint32_t>(i + 1), device_name(i));
    put_done(d);
    return d;
}

Datagram port_dump(int i)
{
    Datagram d;
    put_port(d, static_cast<std::uint32_t>(i + 1), device_name(i), netdev_name(i));
    put_done(d);
    return d;
}

const rnh::nl::ReplyContext reply_context{portid, seq, "benchmark", {}};

std::vector<rnh::nl::Device> parse_devices(const Datagram& dump)
{
    std::vector<rnh::nl::Device> devices;
    rnh::nl::process_datagram(dump.bytes(), 0, reply_context, [&](const nlmsghdr& nlh) {
        devices.push_back(rnh::nl::parse_device(nlh));
    });
    return devices;
}

rnh::Snapshot snapshot_with_ports()
{
    rnh::Snapshot s;
    s.host_devices = parse_devices(device_dump());
    for (int i = 0; i < total_devices; ++i) {
        const Datagram ports = port_dump(i);
        rnh::nl::process_datagram(ports.bytes(), 0, reply_context, [&](const nlmsghdr& nlh) {
            s.host_ports.push_back(rnh::nl::parse_port(nlh));
        });
    }
    return s;
}

// --- benchmarks

void BM_ParseState(benchmark::State& st)
{
    const std::string text = make_state(8);
    for (auto _ : st)
        benchmark::DoNotOptimize(rnh::oci::parse_state(text));
    st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations() * text.size()));
    st.SetLabel(std::to_string(text.size()) + " B");
}

// config.json as a prestart with devices reads it: with its RLIMIT_MEMLOCK.
void BM_ParseSpec(benchmark::State& st)
{
    const std::string text = make_config(8);
    for (auto _ : st) {
        auto spec = rnh::oci::parse_spec(text, "config.json");
        const auto memlock = spec.memlock.value();
        benchmark::DoNotOptimize(spec);
        benchmark::DoNotOptimize(memlock);
    }
    st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations() * text.size()));
    st.SetLabel(std::to_string(text.size()) + " B");
}

// request_from_annotations + resolve: N of the 32 devices asked for by name.
void BM_RequestAndResolve(benchmark::State& st)
{
    const int requested = static_cast<int>(st.range(0));
    const json object = annotations_for(requested);
    rnh::oci::Annotations annotations;
    for (const auto& [key, value] : object.items())
        annotations[key] = value.get<std::string>();
    rnh::Snapshot snapshot;
    snapshot.host_devices = parse_devices(device_dump());
    for (auto _ : st) {
        auto request = rnh::oci::request_from_annotations(annotations);
        benchmark::DoNotOptimize(rnh::resolve(request, snapshot));
    }
}

// The same by netdev (rdma.netns/netdevs), which looks through the ports.
void BM_RequestAndResolveByNetdev(benchmark::State& st)
{
    const int requested = static_cast<int>(st.range(0));
    std::string netdevs;
    for (int i = 0; i < requested; ++i)
        netdevs.append(i ? "," : "").append(netdev_name(i));
    const rnh::oci::Annotations annotations{{"rdma.netns/netdevs", netdevs}};
    const rnh::Snapshot snapshot = snapshot_with_ports();
    for (auto _ : st) {
        auto request = rnh::oci::request_from_annotations(annotations);
        benchmark::DoNotOptimize(rnh::resolve(request, snapshot));
    }
}

void BM_BuildDevSetNetns(benchmark::State& st)
{
    std::uint32_t index = 0;
    for (auto _ : st)
        benchmark::DoNotOptimize(rnh::nl::build_dev_set_netns(++index % 64, 5));
}

void BM_BuildDevDump(benchmark::State& st)
{
    for (auto _ : st)
        benchmark::DoNotOptimize(rnh::nl::build_dev_dump());
}

// One datagram of a 32-device dump (each message with the attributes
// fill_dev_info() puts) and its NLMSG_DONE, into Devices.
void BM_ParseDeviceDump32(benchmark::State& st)
{
    const Datagram dump = device_dump();
    for (auto _ : st)
        benchmark::DoNotOptimize(parse_devices(dump));
    st.SetBytesProcessed(static_cast<std::int64_t>(st.iterations() * dump.bytes().size()));
    st.SetLabel(std::to_string(dump.bytes().size()) + " B");
}

void BM_ParsePortDump(benchmark::State& st)
{
    const Datagram dump = port_dump(3);
    for (auto _ : st)
        rnh::nl::process_datagram(dump.bytes(), 0, reply_context, [](const nlmsghdr& nlh) {
            benchmark::DoNotOptimize(rnh::nl::parse_port(nlh));
        });
}

void BM_ParseAck(benchmark::State& st)
{
    Datagram ack;
    put_ack(ack);
    for (auto _ : st)
        benchmark::DoNotOptimize(
            rnh::nl::process_datagram(ack.bytes(), 0, reply_context, [](const nlmsghdr&) {}));
}

// Everything a prestart computes for N devices, without the kernel: parse the
// state and config.json with its RLIMIT_MEMLOCK, make the request, read the
// host's 32-device dump and the (empty) container's, resolve, build one SET
// per device and read its ACK.
void BM_HookCpuPath(benchmark::State& st)
{
    const int requested = static_cast<int>(st.range(0));
    const std::string state_text = make_state(requested);
    const std::string config_text = make_config(requested);
    const Datagram host_dump = device_dump();
    Datagram empty_dump;
    put_done(empty_dump);
    Datagram ack;
    put_ack(ack);
    for (auto _ : st) {
        auto state = rnh::oci::parse_state(state_text);
        auto spec = rnh::oci::parse_spec(config_text, bundle + "/config.json");
        const auto memlock = spec.memlock.value();
        auto request = rnh::oci::request_from_annotations(*state.annotations);
        rnh::Snapshot snapshot;
        snapshot.host_devices = parse_devices(host_dump);
        snapshot.target_devices = parse_devices(empty_dump);
        const auto plan = rnh::resolve(request, snapshot);
        for (const auto& device : plan.to_move) {
            auto message = rnh::nl::build_dev_set_netns(device.index, 5);
            benchmark::DoNotOptimize(message);
            rnh::nl::process_datagram(ack.bytes(), 0, reply_context, [](const nlmsghdr&) {});
        }
        benchmark::DoNotOptimize(spec);
        benchmark::DoNotOptimize(memlock);
    }
}

// Set when a case failed; micro_bench then exits 1, after the other cases ran.
bool any_failed = false;

// Registers a case. An exception (a sample the code refuses, say) fails that
// case with its message, as Google Benchmark reports an error, instead of
// ending micro_bench.
benchmark::internal::Benchmark* add(const char* name, void (*body)(benchmark::State&))
{
    return benchmark::RegisterBenchmark(name, [body](benchmark::State& st) {
        try {
            body(st);
        } catch (const std::exception& e) {
            st.SkipWithError(e.what());
        }
        if (st.error_occurred())
            any_failed = true;
    });
}

void add_cases()
{
    add("BM_ParseState", BM_ParseState);
    add("BM_ParseSpec", BM_ParseSpec);
    add("BM_RequestAndResolve", BM_RequestAndResolve)->Arg(1)->Arg(8)->Arg(32);
    add("BM_RequestAndResolveByNetdev", BM_RequestAndResolveByNetdev)->Arg(8)->Arg(32);
    add("BM_BuildDevSetNetns", BM_BuildDevSetNetns);
    add("BM_BuildDevDump", BM_BuildDevDump);
    add("BM_ParseDeviceDump32", BM_ParseDeviceDump32);
    add("BM_ParsePortDump", BM_ParsePortDump);
    add("BM_ParseAck", BM_ParseAck);
    add("BM_HookCpuPath", BM_HookCpuPath)->Arg(1)->Arg(8)->Arg(32)->Unit(benchmark::kMicrosecond);
}

} // namespace

int main(int argc, char** argv)
{
    add_cases();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 2;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    if (any_failed)
        std::fputs("micro_bench: a case failed (ERROR OCCURRED above)\n", stderr);
    return any_failed ? 1 : 0;
}
