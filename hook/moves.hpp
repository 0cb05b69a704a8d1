// Moving devices between the host and a container's namespace, and checking
// where they are. Each function does one thing and says what failed.
#pragma once

#include "hook/config.hpp"
#include "hook/netns.hpp"
#include "netlink/rdma.hpp"
#include "netlink/socket.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace rnh {

// Moves each device from the host into `target`, several at once
// (config.move_threads); after the first failure no further move starts, and
// that failure is thrown. `moved` lists what did move, for the caller to undo.
void move_each(const std::vector<nl::Device>& devices, const Netns& target, const Config& config,
               std::vector<nl::Device>& moved);

// Moves devices from `from` back to the host, from threads inside `from`.
// Returns the errors of the devices that could not be moved, one line each.
std::vector<std::string> move_home(const std::vector<nl::Device>& devices, const Netns& from,
                                   const Netns& host_ns, const Config& config);

// Throws unless every device is listed in `target` and none in the host.
void verify_in(const std::vector<nl::Device>& devices, nl::Socket& host, const Netns& target,
               const Config& config);

// Polls the host until every named device is back or the deadline passes;
// returns the names still missing.
std::vector<std::string> wait_home(const std::vector<std::string>& names, nl::Socket& host,
                                   std::chrono::milliseconds deadline);

} // namespace rnh
