// SPDX-License-Identifier: Apache-2.0
// Whether what a container holds is where it should be: each of its RDMA
// devices and netdevs inside its network namespace and none in the host.
// Shared by a start, after its moves, and the CNI plugin's CHECK.
#pragma once

#include "hook/kernel/netns.hpp"
#include "hook/kernel/rdma_session.hpp"
#include "hook/kernel/route_session.hpp"
#include "hook/plan/netdevs.hpp"
#include "netlink/rdma.hpp"

#include <vector>

namespace rnh {

// Throws, naming the first device or netdev that is not inside `target` or
// is still in the host (`host`: an RDMA socket there).
void verify_in(const std::vector<nl::Device>& devices, const std::vector<Netdev>& netdevs,
               nl::Socket& host, const Netns& target, const RdmaSession& rdma,
               const RouteSession& route);

} // namespace rnh
