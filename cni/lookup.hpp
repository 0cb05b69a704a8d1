// SPDX-License-Identifier: Apache-2.0
// Finding RDMA devices the way rdma-cni's users name them: by an auxiliary
// device, or by the netdev a previous plugin moved into the sandbox.
#pragma once

#include "cni/netconf.hpp"
#include "netlink/route.hpp"
#include "netlink/socket.hpp"

#include <string>
#include <vector>

namespace rnh::cni {

// <root>/bus/auxiliary/devices/NAME/infiniband/: the RDMA devices of an
// auxiliary device (a sub-function, or the RDMA part of a NIC) in the host.
std::vector<std::string> aux_rdma_devices(const std::string& sysfs_root, const std::string& name);

// Refuses `iface` unless a link of its name, and of its MAC when it gives
// one, is among `links` (those of CNI_NETNS): a previous plugin's result is
// the configuration's word, not the kernel's.
void require_in_sandbox(const SandboxInterface& iface, const std::vector<nl::Link>& links,
                        const std::string& netns);

// The RDMA device in the host whose port is bound to `iface`, which is in the
// sandbox already.
std::string device_bound_to(const SandboxInterface& iface, nl::Socket& host,
                            const std::string& sysfs_root);

} // namespace rnh::cni
