// SPDX-License-Identifier: Apache-2.0
// Taking the Snapshot a start decides on: one dump per namespace, sysfs for
// PCI addresses, and the links when netdevs may go along.
#pragma once

#include "hook/kernel/netns.hpp"
#include "hook/kernel/rdma_session.hpp"
#include "hook/kernel/route_session.hpp"
#include "hook/plan/snapshot.hpp"
#include "netlink/socket.hpp"
#include "oci/request.hpp"

#include <string>
#include <vector>

namespace rnh {

// What a Snapshot holds beyond the device dumps and what `request` needs.
struct SnapshotScope {
    bool links = false;         // netdevs may go along: links, default routes, host ports
    bool pci_addresses = false; // the policy has allow or deny rules
};

Snapshot take_snapshot(const oci::Request& request, const SnapshotScope& scope, nl::Socket& host,
                       const Netns& target, const RdmaSession& rdma, const RouteSession& route,
                       const std::string& sysfs_root);

// Port dumps need a device index (nldev_port_get_dumpit), so one per device.
std::vector<nl::Port> dump_all_ports(nl::Socket& socket, const std::vector<nl::Device>& devices);

} // namespace rnh
