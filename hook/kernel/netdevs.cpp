// SPDX-License-Identifier: Apache-2.0
#include "hook/kernel/netdevs.hpp"

#include "base/error.hpp"
#include "hook/plan/device_list.hpp"
#include "netlink/route.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <thread>

namespace rnh {
namespace {

// Gives `current` (the recorded netdev, as it is now) the recorded name, MTU,
// addresses and state, in the socket's namespace. A rename needs the link
// down (dev_change_name(): EBUSY while up), and IPv6 drops addresses when a
// link goes down (addrconf_ifdown()), so: down, rename, MTU, up, addresses.
// With `skipped`, an IPv6 address the namespace refuses because IPv6 is
// disabled there (EACCES from ipv6_add_addr(): Docker disables it in its
// containers) is noted there instead of failing.
void apply_settings(nl::Socket& socket, const nl::Link& current, const Netdev& recorded,
                    std::vector<std::string>* skipped = nullptr)
{
    const auto& want = recorded.link;
    if (current.name != want.name) {
        if (current.up)
            nl::set_link_up(socket, current.index, false, current.name);
        nl::rename_link(socket, current.index, want.name);
    }
    if (current.mtu != want.mtu)
        nl::set_link_mtu(socket, current.index, want.mtu, want.name);
    if (want.up != current.up || current.name != want.name)
        nl::set_link_up(socket, current.index, want.up, want.name);
    for (const auto& address : recorded.addresses) {
        try {
            nl::add_address(socket, address, current.index, want.name);
        } catch (const Error& e) {
            if (skipped == nullptr || e.err() != EACCES || address.family != AF_INET6)
                throw;
            skipped->push_back(want.name +
                               ": IPv6 is disabled in the container's network "
                               "namespace, so its address " +
                               address.local + "/" + std::to_string(address.prefix) +
                               " was not set there (it is again once the interface is home)");
        }
    }
}

const nl::Link& find_or_fail(const std::vector<nl::Link>& links, const Netdev& netdev,
                             const std::string& where)
{
    const auto* link = find_link(links, netdev.link);
    if (link == nullptr)
        fail("network interface " + netdev.link.name + " of RDMA device " + netdev.device +
             " is not in " + where);
    return *link;
}

} // namespace

LinkFacts take_link_facts(const RouteSession& session, const Netns& target)
{
    LinkFacts facts;
    auto host = session.open();
    facts.host_links = nl::dump_links(host);
    facts.default_route_links = nl::default_route_links(host);
    facts.target_links =
        session.in(target, [](nl::Socket& inside) { return nl::dump_links(inside); });
    return facts;
}

void NetdevCarrier::record_host_settings(std::vector<Netdev>& netdevs) const
{
    auto host = session_.open();
    for (auto& netdev : netdevs)
        netdev.addresses = kept_addresses(nl::dump_addresses(host, netdev.link.index));
}

std::vector<std::string> NetdevCarrier::carry_in(const std::vector<Netdev>& netdevs,
                                                 const Netns& target)
{
    if (netdevs.empty())
        return {};
    auto host = session_.open();
    for (const auto& netdev : netdevs) {
        nl::move_link(host, netdev.link.index, target.fd.get(), netdev.link.name);
        moved_.push_back(netdev);
    }
    std::vector<std::string> skipped;
    session_.in(target, [&](nl::Socket& inside) {
        const auto links = nl::dump_links(inside);
        for (const auto& netdev : netdevs) {
            try {
                apply_settings(inside,
                               find_or_fail(links, netdev, "the container's network namespace"),
                               netdev, &skipped);
            } catch (const Error& e) {
                throw e.wrap("setting up " + netdev.link.name +
                             " in the container's network namespace");
            }
        }
    });
    return skipped;
}

NetdevMoves NetdevCarrier::bring_home(const std::vector<Netdev>& netdevs, const Netns* from,
                                      const Netns& host_ns) const
{
    NetdevMoves result;
    if (netdevs.empty())
        return result;
    std::vector<std::optional<Error>> sent(netdevs.size());
    if (from != nullptr)
        send_home(netdevs, *from, host_ns, sent);
    auto host = session_.open();
    const auto links = wait_for(netdevs, host);
    for (std::size_t i = 0; i < netdevs.size(); ++i) {
        const auto& netdev = netdevs[i];
        const auto* link = find_link(links, netdev.link);
        try {
            if (link == nullptr) {
                if (sent[i])
                    throw *sent[i];
                fail("network interface " + netdev.link.name +
                     " did not return to the host within " +
                     std::to_string(return_timeout_.count()) + " ms");
            }
            try {
                apply_settings(host, *link, netdev);
            } catch (const Error& e) {
                throw e.wrap("restoring the host's settings of " + netdev.link.name);
            }
            auto home = netdev;
            home.not_home = false;
            result.moved.push_back(home);
        } catch (...) {
            auto kept = netdev;
            kept.not_home = link == nullptr;
            result.failed.emplace_back(kept, current_error());
        }
    }
    return result;
}

// From a thread inside `from`: each netdev still there goes to the host
// under its host name, whatever the container named it; a failure is noted
// in `sent` at the netdev's place.
void NetdevCarrier::send_home(const std::vector<Netdev>& netdevs, const Netns& from,
                              const Netns& host_ns, std::vector<std::optional<Error>>& sent) const
{
    try {
        session_.in(from, [&](nl::Socket& inside) {
            const auto links = nl::dump_links(inside);
            for (std::size_t i = 0; i < netdevs.size(); ++i) {
                const auto* link = find_link(links, netdevs[i].link);
                if (link == nullptr)
                    continue; // already home, or gone: bring_home() tells
                const auto& home_name = netdevs[i].link.name;
                try {
                    nl::move_link(inside, link->index, host_ns.fd.get(), link->name, home_name);
                } catch (const Error& e) {
                    sent[i] = e.wrap("returning " + home_name);
                    if (e.err() != EEXIST ||
                        find_link(nl::dump_links(inside), netdevs[i].link) == nullptr)
                        continue;
                    // The host has both names (the container named it after a
                    // host netdev, and the host took its own): it goes home as
                    // the kernel's dev%d, and keeps it until its name is free.
                    try {
                        nl::move_link(inside, link->index, host_ns.fd.get(), link->name, "dev%d");
                    } catch (const Error& again) {
                        sent[i] = again.wrap("returning " + home_name);
                    }
                }
            }
        });
    } catch (const Error& e) {
        for (auto& s : sent)
            if (!s)
                s = e.wrap("returning network interfaces");
    }
}

// The host's links once every netdev is among them, or the return timeout
// has passed.
std::vector<nl::Link> NetdevCarrier::wait_for(const std::vector<Netdev>& netdevs,
                                              nl::Socket& host) const
{
    const auto until = std::chrono::steady_clock::now() + return_timeout_;
    for (;;) {
        auto links = nl::dump_links(host);
        const bool all = std::all_of(netdevs.begin(), netdevs.end(), [&](const Netdev& n) {
            return find_link(links, n.link) != nullptr;
        });
        if (all || std::chrono::steady_clock::now() >= until)
            return links;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

} // namespace rnh
