// SPDX-License-Identifier: Apache-2.0
#include "hook/kernel/confine.hpp"

#include "base/error.hpp"
#include "base/file.hpp"

#include <linux/capability.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <memory>
#include <sstream>
#include <string>

namespace rnh {
namespace {

// The initial user namespace maps every uid to itself: "0 0 4294967295".
bool in_initial_user_namespace()
{
    const auto text = read_file("/proc/self/uid_map", 1 << 16);
    std::istringstream fields(text);
    unsigned long inside = 1, outside = 1, count = 0;
    return static_cast<bool>(fields >> inside >> outside >> count) && inside == 0 && outside == 0 &&
           count == 4294967295UL;
}

bool has_capability(const __user_cap_data_struct (&caps)[2], int cap)
{
    return (caps[cap / 32].effective & (1U << (cap % 32))) != 0;
}

// Everything the hook does after confine(), named as the kernel names it.
constexpr const char* allowed_calls[] = {
    // memory, threads, signals, time: what glibc and libstdc++ use underneath
    "brk", "mmap", "munmap", "mprotect", "mremap", "madvise", "futex", "set_robust_list", "rseq",
    "sched_yield", "sched_getaffinity", "gettid", "getpid", "tgkill", "rt_sigaction",
    "rt_sigprocmask", "rt_sigreturn", "sigaltstack", "exit", "exit_group", "clock_gettime",
    "clock_nanosleep", "nanosleep", "getrandom",
    // files: the state directory, sysfs, /proc, the config
    "read", "write", "pread64", "lseek", "close", "openat", "fstat", "newfstatat", "statx",
    "fstatfs", "fcntl", "getdents64", "readlink", "readlinkat", "mkdir", "mkdirat", "rename",
    "renameat", "renameat2", "unlink", "unlinkat", "fsync", "fchmod", "flock", "ioctl", "access",
    "faccessat", "faccessat2",
    // netlink, and syslog's unix socket
    "socket", "bind", "connect", "getsockname", "setsockopt", "getsockopt", "sendto", "sendmsg",
    "recvfrom", "recvmsg",
    // namespaces and the container's process
    "setns", "pidfd_open", "pidfd_send_signal", "capget",
    // the container's limits: RLIMIT_MEMLOCK of its process
    "prlimit64"};

void allow(scmp_filter_ctx filter, const char* name)
{
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR)
        return; // not a system call on this architecture
    if (int rc = seccomp_rule_add(filter, SCMP_ACT_ALLOW, nr, 0); rc != 0)
        fail_errno(-rc, std::string("allowing ") + name + " in the seccomp filter");
}

} // namespace

void require_privileges()
{
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct caps[2]{};
    if (::syscall(SYS_capget, &header, caps) != 0)
        fail_errno("reading the hook's capabilities");
    if (!in_initial_user_namespace() || !has_capability(caps, CAP_NET_ADMIN) ||
        !has_capability(caps, CAP_SYS_ADMIN))
        fail("rdma-netns-hook needs CAP_NET_ADMIN and CAP_SYS_ADMIN in the host's initial user "
             "namespace, and does not have them",
             "run it as root from a rootful runtime: the kernel moves RDMA devices only for a "
             "process privileged there, so rootless containers cannot be given devices");
}

void confine()
{
    std::unique_ptr<void, decltype(&seccomp_release)> filter(seccomp_init(SCMP_ACT_ERRNO(EPERM)),
                                                             &seccomp_release);
    if (!filter)
        fail("creating the seccomp filter");
    for (const char* name : allowed_calls)
        allow(filter.get(), name);
#ifdef RNH_SANITIZE_BUILD
    allow(filter.get(), "pipe2"); // the sanitizers probe memory through a pipe
    // LeakSanitizer's check at exit: a tracer task (clone with CLONE_VM but not
    // CLONE_THREAD) lists /proc/PID/task and ptraces each thread
    for (const char* name : {"ptrace", "wait4", "getppid", "open", "getdents"})
        allow(filter.get(), name);
    if (int rc = seccomp_rule_add(filter.get(), SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
                                  SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_VM | CLONE_THREAD, CLONE_VM));
        rc != 0)
        fail_errno(-rc, "allowing LeakSanitizer's tracer in the seccomp filter");
#endif
    // Threads, but no new processes: clone only with CLONE_THREAD; clone3's
    // flags are out of the filter's reach, and ENOSYS makes glibc use clone.
    if (int rc = seccomp_rule_add(filter.get(), SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
                                  SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD));
        rc != 0)
        fail_errno(-rc, "allowing threads in the seccomp filter");
    if (int rc = seccomp_rule_add(filter.get(), SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
        rc != 0)
        fail_errno(-rc, "answering clone3 with ENOSYS in the seccomp filter");
    if (int rc = seccomp_load(filter.get()); rc != 0)
        fail_errno(-rc, "installing the seccomp filter");
}

} // namespace rnh
