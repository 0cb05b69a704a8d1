// SPDX-License-Identifier: Apache-2.0
// Moving the netdevs that go with RDMA devices, with their settings: what
// the host had (name, MTU, up, addresses) is recorded before they leave, set
// again inside, and set again once they are home. The kernel keeps none of
// it but the MTU: a netdev changing namespace is closed and loses its
// addresses (dev_change_net_namespace() in net/core/dev.c).
#pragma once

#include "hook/kernel/netns.hpp"
#include "hook/plan/netdevs.hpp"
#include "netlink/socket.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace rnh {

// A route netlink socket in the calling thread's network namespace.
nl::Socket open_route_socket(std::chrono::milliseconds timeout);

// The host's links and default routes, and the target's links.
LinkFacts take_link_facts(nl::Socket& host, const Netns& target, std::chrono::milliseconds timeout);

// Fills in each netdev's addresses (kept_addresses()) as the host has them.
void record_host_settings(std::vector<Netdev>& netdevs, nl::Socket& host);

// Moves each netdev from the host into `target`, then sets its addresses and
// state again from a thread inside. `moved` gets each netdev that left the
// host, before anything else can fail. Throws at the first failure. Returns
// one line per IPv6 address not set because IPv6 is disabled in `target`.
std::vector<std::string> move_netdevs_in(const std::vector<Netdev>& netdevs, nl::Socket& host,
                                         const Netns& target, std::chrono::milliseconds timeout,
                                         std::vector<Netdev>& moved);

// Throws unless every netdev is inside `target` and gone from the host.
void verify_netdevs_in(const std::vector<Netdev>& netdevs, nl::Socket& host, const Netns& target,
                       std::chrono::milliseconds timeout);

// Sends each netdev from `from` to the host, from a thread inside `from`,
// trying every one; one line per failure.
std::vector<std::string> send_netdevs_home(const std::vector<Netdev>& netdevs, const Netns& from,
                                           const Netns& host_ns, std::chrono::milliseconds timeout);

// What restore_netdevs_home() could not do: the netdevs concerned, and why.
struct NetdevReturn {
    std::vector<Netdev> left;
    std::vector<std::string> failures;
};

// Waits up to `deadline` for each netdev to be in the host (a dying namespace
// returns physical ones by itself, renamed dev<ifindex> when the name is
// taken: default_device_exit_net() in dev.c), then gives it back its name,
// MTU, addresses and state.
NetdevReturn restore_netdevs_home(const std::vector<Netdev>& netdevs,
                                  std::chrono::milliseconds timeout,
                                  std::chrono::milliseconds deadline);

} // namespace rnh
