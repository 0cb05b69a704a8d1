// SPDX-License-Identifier: Apache-2.0
// The hook's privilege story: it runs as root in the host, so before it acts
// on untrusted input it checks it holds what the kernel will ask for, and
// confines itself to the system calls its job needs.
#pragma once

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
// thread created afterwards; cannot be undone.
void confine();

} // namespace rnh
