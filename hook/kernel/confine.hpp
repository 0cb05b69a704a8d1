// SPDX-License-Identifier: Apache-2.0
// The hook's privilege story: it runs as root in the host, so before it acts
// on untrusted input it checks it holds what the kernel will ask for, and
// confines itself to the system calls its job needs.
#pragma once

#include <linux/filter.h>

#include <span>

namespace rnh {

// Refuses to go on without CAP_NET_ADMIN and CAP_SYS_ADMIN in the initial user
// namespace: the kernel moves a device only for a sender capable there
// (netlink_capable() on RDMA_NL_ADMIN_PERM commands), and setns() needs
// CAP_SYS_ADMIN. Rootless runtimes get a clear refusal here.
void require_privileges();

// Installs a seccomp filter that allows only the system calls moving devices
// needs (netlink, setns, threads, and the file calls; a filter sees no paths,
// so which files stays up to the file permissions); every other call, exec
// first of all, fails with EPERM. Inherited by every
// thread created afterwards; cannot be undone. A foreign architecture's
// system call (int 0x80 on x86-64) kills the thread.
void confine();

// What confine() installs: the BPF program libseccomp built from the rules of
// confine_filter.cpp at build time, the flags of seccomp(2), and whether
// no_new_privs is set first.
struct ConfineProgram {
    std::span<const sock_filter> program;
    unsigned flags;
    bool no_new_privs;
};
ConfineProgram confine_program();

} // namespace rnh
