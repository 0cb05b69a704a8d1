// SPDX-License-Identifier: Apache-2.0
// What the hook saw before deciding: one dump of each namespace, and sysfs
// for the PCI addresses requested. resolve() decides on it.
#pragma once

#include "netlink/rdma.hpp"

#include <map>
#include <string>
#include <vector>

namespace rnh {

struct PciFunction {
    bool exists = false;
    std::vector<std::string> rdma_devices; // names under .../<bdf>/infiniband/
};

struct Snapshot {
    std::vector<nl::Device> host_devices;
    std::vector<nl::Port> host_ports;
    std::vector<nl::Device> target_devices;
    std::vector<nl::Port> target_ports;
    std::map<std::string, PciFunction> pci; // by requested address
};

} // namespace rnh
