// SPDX-License-Identifier: Apache-2.0
// Moving devices between the host and a container's namespace, and checking
// where they are. Each function does one thing and says what failed.
#pragma once

#include "base/error.hpp"
#include "hook/kernel/netns.hpp"
#include "hook/kernel/rdma_session.hpp"
#include "netlink/rdma.hpp"
#include "netlink/socket.hpp"

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace rnh {

// What became of each item of a batch (a device, a netdev): moved, or the
// error it got. An item never tried, after another failed, is in neither list.
template <typename Item> struct MovesOf {
    std::vector<Item> moved;
    std::vector<std::pair<Item, Error>> failed;
};
using Moves = MovesOf<nl::Device>;

// One line per item that failed, as its error says.
template <typename Item> std::vector<std::string> failure_lines(const MovesOf<Item>& moves)
{
    std::vector<std::string> lines;
    for (const auto& [item, error] : moves.failed)
        lines.emplace_back(error.what());
    return lines;
}

// Moves each device from the host into `target`, session.move_threads at
// once; after the first failure no further move starts.
Moves move_in(const std::vector<nl::Device>& devices, const Netns& target,
              const RdmaSession& session);

// Moves devices from `from` back to the host, from threads inside `from`,
// trying every one; each failure says "returning <name> to the host".
Moves move_home(const std::vector<nl::Device>& devices, const Netns& from, const Netns& host_ns,
                const RdmaSession& session);

// Polls the host until every named device is back or the deadline passes;
// returns the names still missing.
std::vector<std::string> wait_home(const std::vector<std::string>& names, nl::Socket& host,
                                   std::chrono::milliseconds deadline);

} // namespace rnh
