// SPDX-License-Identifier: Apache-2.0
// Deciding what to move: a pure function from what was asked and what the
// kernel showed, to the devices to move, or an error that names the request.
#pragma once

#include "hook/plan/snapshot.hpp"
#include "netlink/rdma.hpp"
#include "oci/request.hpp"

#include <vector>

namespace rnh {

struct Plan {
    std::vector<nl::Device> to_move;       // in the host now
    std::vector<nl::Device> already_there; // in the target already: never moved again
};

Plan resolve(const oci::Request& request, const Snapshot& snapshot);

} // namespace rnh
