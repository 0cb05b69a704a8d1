// SPDX-License-Identifier: Apache-2.0
#include "hook/plan/netdevs.hpp"

#include "base/error.hpp"

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>

namespace rnh {
namespace {

const nl::Link* by_name(const std::vector<nl::Link>& links, const std::string& name)
{
    auto it =
        std::find_if(links.begin(), links.end(), [&](const nl::Link& l) { return l.name == name; });
    return it == links.end() ? nullptr : &*it;
}

const nl::Link* by_index(const std::vector<nl::Link>& links, std::uint32_t index)
{
    auto it = std::find_if(links.begin(), links.end(),
                           [&](const nl::Link& l) { return l.index == index; });
    return it == links.end() ? nullptr : &*it;
}

bool carries_default_route(const LinkFacts& facts, std::uint32_t index)
{
    return std::find(facts.default_route_links.begin(), facts.default_route_links.end(), index) !=
           facts.default_route_links.end();
}

// "bond0 (bond), which carries the host's default route"
std::string related(const LinkFacts& facts, std::uint32_t index)
{
    const auto* link = by_index(facts.host_links, index);
    std::string text = link == nullptr ? "interface " + std::to_string(index) : link->name;
    if (link != nullptr && !link->kind.empty())
        text += " (" + link->kind + ")";
    if (carries_default_route(facts, index))
        text += ", which carries the host's default route";
    return text;
}

// A netdev tied to another of the host's: a port of a bond, bridge, team or
// VRF, or the lower device of a macvlan, ipvlan or VLAN. Moving it breaks
// the other one while it is away, and the kernel returns it without the tie.
void refuse_related(const std::string& what, const nl::Link& link, const LinkFacts& facts)
{
    const std::string hint_tail =
        ", or ask for the RDMA device without its netdev (rdma.netns/with-netdevs=false)";
    if (link.master != 0)
        fail(what + " is a port of " + related(facts, link.master) +
                 ": moving it would take it out of its master, and it would not come back "
                 "a port",
             "take it out first (ip link set " + link.name + " nomaster)" + hint_tail);
    for (const auto& upper : facts.host_links)
        if (upper.lower == link.index && upper.index != link.index)
            fail(what + " is the lower device of " + related(facts, upper.index) +
                     ": it would stop working while " + link.name + " is away",
                 "delete " + upper.name + " first" + hint_tail);
}

} // namespace

std::vector<Netdev> plan_netdevs(const std::vector<nl::Device>& devices,
                                 const std::vector<nl::Port>& host_ports, const LinkFacts& facts,
                                 bool allow_default_route, const std::string& config_source)
{
    std::vector<Netdev> netdevs;
    for (const auto& device : devices) {
        for (const auto& port : host_ports) {
            if (port.dev_index != device.index || port.ndev_name.empty())
                continue;
            const std::string& name = port.ndev_name;
            if (std::any_of(netdevs.begin(), netdevs.end(),
                            [&](const Netdev& n) { return n.link.name == name; }))
                continue;
            const std::string what = "network interface " + name + " of RDMA device " + device.name;
            const auto* link = by_name(facts.host_links, name);
            if (link == nullptr)
                fail(what + " is not in the host network namespace any more",
                     "start the container again");
            if (!link->kind.empty())
                fail(what + " is a virtual link (" + link->kind +
                         "): the kernel would destroy it with the container's network "
                         "namespace instead of returning it",
                     "ask for the RDMA device without its netdev (rdma.netns/with-netdevs=false), "
                     "or bind the RDMA device to a physical interface");
            refuse_related(what, *link, facts);
            if (!allow_default_route && carries_default_route(facts, link->index))
                fail(what + " carries the host's default route: moving it would cut the host "
                            "off its network",
                     "use another interface, or set \"allow_default_route_netdev\": true in " +
                         config_source);
            if (by_name(facts.target_links, name) != nullptr)
                fail(what +
                         " cannot go into the container: its network namespace already has "
                         "an interface named " +
                         name,
                     "rename one of them; the hook does not rename interfaces");
            netdevs.push_back({device.name, *link, {}});
        }
    }
    return netdevs;
}

std::vector<nl::Address> kept_addresses(const std::vector<nl::Address>& addresses)
{
    std::vector<nl::Address> kept;
    for (const auto& a : addresses) {
        if (a.scope != RT_SCOPE_UNIVERSE && a.scope != RT_SCOPE_SITE)
            continue;
        if (a.family == AF_INET6 &&
            ((a.flags & IFA_F_TEMPORARY) != 0 || (a.flags & IFA_F_PERMANENT) == 0))
            continue;
        if (a.family == AF_INET || a.family == AF_INET6)
            kept.push_back(a);
    }
    return kept;
}

const nl::Link* find_link(const std::vector<nl::Link>& links, const nl::Link& recorded)
{
    const bool has_identity = !recorded.parent.empty() || !recorded.permanent_mac.empty();
    auto it = std::find_if(links.begin(), links.end(), [&](const nl::Link& l) {
        if (has_identity)
            return l.parent == recorded.parent && l.permanent_mac == recorded.permanent_mac;
        return l.name == recorded.name && l.index == recorded.index;
    });
    return it == links.end() ? nullptr : &*it;
}

std::vector<std::string> netdev_names(const std::vector<Netdev>& netdevs)
{
    std::vector<std::string> names;
    for (const auto& n : netdevs)
        names.push_back(n.link.name);
    return names;
}

} // namespace rnh
