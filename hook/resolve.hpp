// Deciding what to move: a pure function from what was asked and what the
// kernel showed, to the devices to move, or an error that names the request.
#pragma once

#include "netlink/rdma.hpp"
#include "oci/request.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rnh {

struct PciFunction {
    bool exists = false;
    std::vector<std::string> rdma_devices; // names under .../<bdf>/infiniband/
};

// What the hook saw before deciding: one dump of each namespace.
struct Snapshot {
    std::vector<nl::Device> host_devices;
    std::vector<nl::Port> host_ports;
    std::vector<nl::Device> target_devices;
    std::vector<nl::Port> target_ports;
    std::map<std::string, PciFunction> pci; // by requested address
};

struct Plan {
    std::vector<nl::Device> to_move;       // in the host now
    std::vector<nl::Device> already_there; // in the target already: never moved again
};

Plan resolve(const oci::Request& request, const Snapshot& snapshot);

} // namespace rnh
