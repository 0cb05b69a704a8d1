// SPDX-License-Identifier: Apache-2.0
#include "hook/kernel/confine.hpp"

#include "base/error.hpp"
#include "base/file.hpp"

#include <linux/capability.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <iterator>
#include <sstream>
#include <string>

namespace rnh {
namespace {

// seccomp_program, seccomp_flags, seccomp_no_new_privs: the filter of
// confine_filter.cpp, exported at build time by confine_export
#include "seccomp_program.inc"

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

ConfineProgram confine_program()
{
    return {seccomp_program, seccomp_flags, seccomp_no_new_privs};
}

void confine()
{
    // as seccomp_load() does by default: no_new_privs first, which seccomp(2)
    // would otherwise demand of a caller without CAP_SYS_ADMIN
    if (seccomp_no_new_privs && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        fail_errno("setting no_new_privs before the seccomp filter");
    sock_fprog program{static_cast<unsigned short>(std::size(seccomp_program)),
                       const_cast<sock_filter*>(seccomp_program)};
    // without flags prctl() does what seccomp(2) does, and valgrind knows it
    const long rc = seccomp_flags == 0
                        ? ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program, 0, 0)
                        : ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, seccomp_flags, &program);
    if (rc != 0)
        fail_errno("installing the seccomp filter");
}

} // namespace rnh
