// SPDX-License-Identifier: Apache-2.0
// audit, the part that touches the kernel: a probe process that joins the
// target's namespaces and tries every access path.
#pragma once

#include "hook/audit/report.hpp"
#include "hook/kernel/netns.hpp"
#include "hook/kernel/rdma_session.hpp"

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace rnh {

// The target's namespaces, held open: its network namespace, and the mount
// namespace of a live process in it, whose /dev and /sys are the target's
// view. A bare namespace path has no mount namespace.
struct TargetNamespaces {
    std::string description;
    Netns net;
    Fd mnt;
};

// The RDMA device behind each character device number, from the host's
// sysfs: class/infiniband_verbs/uverbsN and class/infiniband_mad/{umad,issm}N,
// each with `dev` (major:minor) and `ibdev`. These classes are not
// namespaced, so the host sees the nodes of every device, wherever it is.
using NodeDevices = std::map<dev_t, std::string>;
NodeDevices read_node_devices(const std::string& sysfs_root);

// The ports of the host's RDMA devices whose netdev is not in the host (this
// process's namespace), named by GID 0 in the host's sysfs.
std::vector<HostPort> host_ports_elsewhere(nl::Socket& host, const std::string& sysfs_root);
// The netdevs of this process's network namespace.
std::vector<std::string> host_netdev_names();

// Forks the probe: setns() of a mount namespace needs a single-threaded
// process, and entering the target's namespaces must not change this one's.
// The probe writes its view (or its error) as JSON to a pipe and exits.
AuditView probe(const TargetNamespaces& target, const NodeDevices& devices,
                const RdmaSession& session);

} // namespace rnh
