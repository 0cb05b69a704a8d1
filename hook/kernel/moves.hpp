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

// What became of each device of a batch: moved, or the error it got. A
// device never tried, after another failed, is in neither list.
struct Moves {
    std::vector<nl::Device> moved;
    std::vector<std::pair<nl::Device, Error>> failed;
};

// Moves each device from the host into `target`, session.move_threads at
// once; after the first failure no further move starts.
Moves move_in(const std::vector<nl::Device>& devices, const Netns& target,
              const RdmaSession& session);

// Moves devices from `from` back to the host, from threads inside `from`,
// trying every one.
Moves move_home(const std::vector<nl::Device>& devices, const Netns& from, const Netns& host_ns,
                const RdmaSession& session);

// One line per device move_home could not return: "returning <name> to the host: <error>".
std::vector<std::string> return_failures(const Moves& moves);

// Throws unless every device is listed in `target` and none in the host.
void verify_in(const std::vector<nl::Device>& devices, nl::Socket& host, const Netns& target,
               const RdmaSession& session);

// Polls the host until every named device is back or the deadline passes;
// returns the names still missing.
std::vector<std::string> wait_home(const std::vector<std::string>& names, nl::Socket& host,
                                   std::chrono::milliseconds deadline);

} // namespace rnh
