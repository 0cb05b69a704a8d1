// SPDX-License-Identifier: Apache-2.0
// Moving the netdevs that go with RDMA devices, with their settings: what
// the host had (name, MTU, up, addresses) is recorded before they leave, set
// again inside, and set again once they are home. The kernel keeps none of
// it but the MTU: a netdev changing namespace is closed and loses its
// addresses (dev_change_net_namespace() in net/core/dev.c).
#pragma once

#include "hook/kernel/moves.hpp"
#include "hook/kernel/netns.hpp"
#include "hook/kernel/route_session.hpp"
#include "hook/plan/netdevs.hpp"
#include "hook/plan/snapshot.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace rnh {

using NetdevMoves = MovesOf<Netdev>;

// The host's links and default routes, and the target's links.
LinkFacts take_link_facts(const RouteSession& session, const Netns& target);

// Carries netdevs between the host and a container's namespace, and
// remembers which left the host, so that a failed start can bring them back
// (hook/kernel/verify.hpp checks where they are).
class NetdevCarrier {
public:
    NetdevCarrier(RouteSession session, std::chrono::milliseconds return_timeout)
        : session_(session), return_timeout_(return_timeout)
    {
    }

    // Fills in each netdev's addresses (kept_addresses()) as the host has them.
    void record_host_settings(std::vector<Netdev>& netdevs) const;

    // Moves each netdev from the host into `target`, then sets its addresses
    // and state again from a thread inside. Throws at the first failure;
    // moved() has each netdev that left the host. Returns one line per IPv6
    // address not set because IPv6 is disabled in `target`.
    std::vector<std::string> carry_in(const std::vector<Netdev>& netdevs, const Netns& target);
    const std::vector<Netdev>& moved() const { return moved_; }

    // Sends each netdev home from `from`, the namespace it is in while that
    // is alive (null once it is gone), from a thread inside it; waits up to the return timeout for
    // each to be in the host (a dying namespace returns physical ones by itself, renamed
    // dev<ifindex> when the name is taken: default_device_exit_net() in
    // dev.c), then gives each its name, MTU, addresses and state again.
    // Moved: home as they were; failed: the others, and why, each marked
    // not_home when it was found nowhere.
    NetdevMoves bring_home(const std::vector<Netdev>& netdevs, const Netns* from,
                           const Netns& host_ns) const;

private:
    void send_home(const std::vector<Netdev>& netdevs, const Netns& from, const Netns& host_ns,
                   std::vector<std::optional<Error>>& sent) const;
    std::vector<nl::Link> wait_for(const std::vector<Netdev>& netdevs, nl::Socket& host) const;

    RouteSession session_;
    std::chrono::milliseconds return_timeout_;
    std::vector<Netdev> moved_;
};

} // namespace rnh
