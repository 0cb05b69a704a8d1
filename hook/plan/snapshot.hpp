// SPDX-License-Identifier: Apache-2.0
// What a start saw before deciding: one dump of each namespace, what sysfs
// says of the PCI functions, and, when netdevs may go along, the links of
// both namespaces and the host's default routes. decide() decides on it.
#pragma once

#include "netlink/rdma.hpp"
#include "netlink/route.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace rnh {

struct PciFunction {
    bool exists = false;
    std::vector<std::string> rdma_devices; // names under .../<bdf>/infiniband/
};

// What the hook saw of the host's and the target's links.
struct LinkFacts {
    std::vector<nl::Link> host_links;
    std::vector<std::uint32_t> default_route_links; // ifindexes in the host
    std::vector<nl::Link> target_links;
};

struct Snapshot {
    std::vector<nl::Device> host_devices;
    std::vector<nl::Port> host_ports;
    std::vector<nl::Device> target_devices;
    std::vector<nl::Port> target_ports;
    std::map<std::string, PciFunction> pci; // by requested address
    // Device name -> the PCI address of its parent device (or of its port's
    // netdev), for the allow and deny rules and a device plugin's allocation;
    // taken when either applies.
    std::map<std::string, std::string> pci_addresses;
    LinkFacts links; // taken when netdevs may go along
};

} // namespace rnh
