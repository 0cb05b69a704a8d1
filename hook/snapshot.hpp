// Taking the Snapshot that resolve() decides on: one dump per namespace, and
// sysfs for PCI addresses.
#pragma once

#include "hook/config.hpp"
#include "hook/netns.hpp"
#include "hook/resolve.hpp"
#include "netlink/socket.hpp"

namespace rnh {

Snapshot take_snapshot(const oci::Request& request, nl::Socket& host, const Netns& target,
                       const Config& config);

// Port dumps need a device index (nldev_port_get_dumpit), so one per device.
std::vector<nl::Port> dump_all_ports(nl::Socket& socket, const std::vector<nl::Device>& devices);

} // namespace rnh
