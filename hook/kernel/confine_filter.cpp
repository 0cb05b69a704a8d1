// SPDX-License-Identifier: Apache-2.0
#include "hook/kernel/confine_filter.hpp"

#include "base/error.hpp"
#include "base/fd.hpp"

#include <linux/seccomp.h>
#include <sched.h>
#include <sys/mman.h>
#include <unistd.h>

#include <string>

namespace rnh {
namespace {

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

bool attribute(scmp_filter_ctx filter, scmp_filter_attr attr)
{
    uint32_t value = 0;
    if (int rc = seccomp_attr_get(filter, attr, &value); rc != 0)
        fail_errno(-rc, "reading an attribute of the seccomp filter");
    return value != 0;
}

} // namespace

SeccompFilter confine_filter()
{
    SeccompFilter filter(seccomp_init(SCMP_ACT_ERRNO(EPERM)), &seccomp_release);
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
    return filter;
}

ExportedFilter export_filter(scmp_filter_ctx filter)
{
    const Fd fd(memfd_create("seccomp-bpf", MFD_CLOEXEC));
    if (fd.get() < 0)
        fail_errno("creating a memfd for the seccomp filter");
    if (int rc = seccomp_export_bpf(filter, fd.get()); rc != 0)
        fail_errno(-rc, "exporting the seccomp filter");
    ExportedFilter out;
    const off_t size = lseek(fd.get(), 0, SEEK_END);
    if (size < 0 || size % sizeof(sock_filter) != 0)
        fail("the exported seccomp filter is not a whole number of BPF instructions");
    out.program.resize(static_cast<size_t>(size) / sizeof(sock_filter));
    if (pread(fd.get(), out.program.data(), static_cast<size_t>(size), 0) != size)
        fail_errno("reading the exported seccomp filter");
    // the flags seccomp_load() gives seccomp(2), from the same attributes
    if (attribute(filter, SCMP_FLTATR_CTL_TSYNC))
        out.flags |= SECCOMP_FILTER_FLAG_TSYNC;
    if (attribute(filter, SCMP_FLTATR_CTL_LOG))
        out.flags |= SECCOMP_FILTER_FLAG_LOG;
    if (attribute(filter, SCMP_FLTATR_CTL_SSB))
        out.flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
    out.no_new_privs = attribute(filter, SCMP_FLTATR_CTL_NNP);
    return out;
}

} // namespace rnh
