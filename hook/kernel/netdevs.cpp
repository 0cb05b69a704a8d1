// SPDX-License-Identifier: Apache-2.0
#include "hook/kernel/netdevs.hpp"

#include "base/error.hpp"
#include "hook/plan/device_list.hpp"
#include "netlink/route.hpp"

#include <sys/socket.h>

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

// Inside a catch block: one line saying what failed.
std::string failure(const std::string& doing, const Netdev& netdev)
{
    return doing + " " + netdev.link.name + ": " + current_error().what();
}

} // namespace

nl::Socket open_route_socket(std::chrono::milliseconds timeout)
{
    return nl::Socket::open(NETLINK_ROUTE, timeout);
}

LinkFacts take_link_facts(nl::Socket& host, const Netns& target, std::chrono::milliseconds timeout)
{
    LinkFacts facts;
    facts.host_links = nl::dump_links(host);
    facts.default_route_links = nl::default_route_links(host);
    facts.target_links = in_netns(target.fd.get(), [timeout] {
        auto inside = open_route_socket(timeout);
        return nl::dump_links(inside);
    });
    return facts;
}

void record_host_settings(std::vector<Netdev>& netdevs, nl::Socket& host)
{
    for (auto& netdev : netdevs)
        netdev.addresses = kept_addresses(nl::dump_addresses(host, netdev.link.index));
}

std::vector<std::string> move_netdevs_in(const std::vector<Netdev>& netdevs, nl::Socket& host,
                                         const Netns& target, std::chrono::milliseconds timeout,
                                         std::vector<Netdev>& moved)
{
    std::vector<std::string> skipped;
    for (const auto& netdev : netdevs) {
        nl::move_link(host, netdev.link.index, target.fd.get(), netdev.link.name);
        moved.push_back(netdev);
    }
    in_netns(target.fd.get(), [&] {
        auto inside = open_route_socket(timeout);
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

void verify_netdevs_in(const std::vector<Netdev>& netdevs, nl::Socket& host, const Netns& target,
                       std::chrono::milliseconds timeout)
{
    const auto inside = in_netns(target.fd.get(), [timeout] {
        auto socket = open_route_socket(timeout);
        return nl::dump_links(socket);
    });
    const auto outside = nl::dump_links(host);
    for (const auto& netdev : netdevs) {
        if (find_link(inside, netdev.link) == nullptr)
            fail("network interface " + netdev.link.name +
                 " was moved but is not inside the container's network namespace");
        if (find_link(outside, netdev.link) != nullptr)
            fail("network interface " + netdev.link.name +
                 " was moved but the host still lists it");
    }
}

std::vector<std::string> send_netdevs_home(const std::vector<Netdev>& netdevs, const Netns& from,
                                           const Netns& host_ns, std::chrono::milliseconds timeout)
{
    std::vector<std::string> failures;
    try {
        in_netns(from.fd.get(), [&] {
            auto inside = open_route_socket(timeout);
            const auto links = nl::dump_links(inside);
            for (const auto& netdev : netdevs) {
                const auto* link = find_link(links, netdev.link);
                if (link == nullptr)
                    continue; // already home, or gone: restore_netdevs_home() tells
                try {
                    nl::move_link(inside, link->index, host_ns.fd.get(), link->name);
                } catch (...) {
                    failures.push_back(failure("returning", netdev));
                }
            }
        });
    } catch (const Error& e) {
        failures.push_back(std::string("returning network interfaces: ") + e.what());
    }
    return failures;
}

NetdevReturn restore_netdevs_home(const std::vector<Netdev>& netdevs,
                                  std::chrono::milliseconds timeout,
                                  std::chrono::milliseconds deadline)
{
    NetdevReturn result;
    auto host = open_route_socket(timeout);
    const auto until = std::chrono::steady_clock::now() + deadline;
    std::vector<nl::Link> links = nl::dump_links(host);
    for (;;) {
        bool all = true;
        for (const auto& netdev : netdevs)
            all = all && find_link(links, netdev.link) != nullptr;
        if (all || std::chrono::steady_clock::now() >= until)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        links = nl::dump_links(host);
    }
    for (const auto& netdev : netdevs) {
        const auto* link = find_link(links, netdev.link);
        if (link == nullptr) {
            result.left.push_back(netdev);
            result.failures.push_back("network interface " + netdev.link.name +
                                      " did not return to the host within " +
                                      std::to_string(deadline.count()) + " ms");
            continue;
        }
        try {
            apply_settings(host, *link, netdev);
        } catch (...) {
            result.left.push_back(netdev);
            result.failures.push_back(failure("restoring the host's settings of", netdev));
        }
    }
    return result;
}

} // namespace rnh
