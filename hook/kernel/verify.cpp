// SPDX-License-Identifier: Apache-2.0
#include "hook/kernel/verify.hpp"

#include "base/error.hpp"
#include "hook/plan/device_list.hpp"

namespace rnh {
namespace {

const std::string& name_of(const nl::Device& device)
{
    return device.name;
}

const std::string& name_of(const Netdev& netdev)
{
    return netdev.link.name;
}

// Throws for the first item that `inside` lacks or `outside` still has.
template <typename Item, typename Seen, typename Find>
void check_placed(const std::vector<Item>& items, const Seen& inside, const Seen& outside,
                  Find find, const std::string& kind, const std::string& not_inside)
{
    for (const auto& item : items) {
        if (find(inside, item) == nullptr)
            fail(kind + " " + name_of(item) + " was moved but " + not_inside +
                 " the container's network namespace");
        if (find(outside, item) != nullptr)
            fail(kind + " " + name_of(item) + " was moved but the host still lists it");
    }
}

} // namespace

void verify_in(const std::vector<nl::Device>& devices, const std::vector<Netdev>& netdevs,
               nl::Socket& host, const Netns& target, const RdmaSession& rdma,
               const RouteSession& route)
{
    if (!devices.empty()) {
        const auto inside = rdma.in(target, [](nl::Socket& s) { return nl::dump_devices(s); });
        check_placed(
            devices, inside, nl::dump_devices(host),
            [](const auto& seen, const nl::Device& d) { return find_named(seen, d.name); },
            "RDMA device", "is not listed inside");
    }
    if (!netdevs.empty()) {
        const auto inside = route.in(target, [](nl::Socket& s) { return nl::dump_links(s); });
        auto route_host = route.open();
        check_placed(
            netdevs, inside, nl::dump_links(route_host),
            [](const auto& seen, const Netdev& n) { return find_link(seen, n.link); },
            "network interface", "is not inside");
    }
}

} // namespace rnh
