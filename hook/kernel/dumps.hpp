// SPDX-License-Identifier: Apache-2.0
// Taking the Snapshot that resolve() decides on: one dump per namespace, and
// sysfs for PCI addresses.
#pragma once

#include "hook/kernel/netns.hpp"
#include "hook/kernel/rdma_session.hpp"
#include "hook/plan/snapshot.hpp"
#include "netlink/socket.hpp"
#include "oci/request.hpp"

#include <string>
#include <vector>

namespace rnh {

Snapshot take_snapshot(const oci::Request& request, nl::Socket& host, const Netns& target,
                       const RdmaSession& session, const std::string& sysfs_root);

// Port dumps need a device index (nldev_port_get_dumpit), so one per device.
std::vector<nl::Port> dump_all_ports(nl::Socket& socket, const std::vector<nl::Device>& devices);

} // namespace rnh
