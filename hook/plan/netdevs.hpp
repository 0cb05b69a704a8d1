// SPDX-License-Identifier: Apache-2.0
// The net devices that go with RDMA devices (RoCE): which ones, which are
// refused, and how to know one again after the kernel gave it back. Pure.
//
// Order: a netdev goes in before its device and comes back after it. The
// device's GIDs follow the netdev's addresses in the namespace the device is
// in, and a device whose port netdev is elsewhere has a GID table the
// container cannot use; the other way round, a netdev returned first leaves
// the container a device without its netdev while it still runs.
#pragma once

#include "hook/plan/snapshot.hpp"
#include "netlink/rdma.hpp"
#include "netlink/route.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace rnh {

// A netdev moved with an RDMA device, and its settings as they were in the
// host: what is set again inside the container and once it is home.
struct Netdev {
    std::string device; // the RDMA device whose port it is bound to
    nl::Link link;      // name, ifindex, MTU, up, parent, permanent MAC in the host
    std::vector<nl::Address> addresses;
    // Not found on its way back, neither in the host nor in the container's
    // namespace (renamed, or moved on into another namespace): the journal
    // keeps it, and `recover` looks for it again by parent device and
    // permanent MAC.
    bool not_home = false;
    bool operator==(const Netdev&) const = default;
};

// Every netdev bound to a port of `devices`, from `host_ports`, in port order,
// each once. Refused with an error naming it and the fix: a netdev with a link
// kind (veth, macvlan, dummy...: default_device_exit_net() in dev.c destroys it
// with the namespace instead of returning it); a port of a bond, bridge, team
// or VRF (IFLA_MASTER), and the lower device of another link of the host
// (IFLA_LINK: macvlan, ipvlan, VLAN), whatever `allow_default_route` says; one
// carrying a default route, unless `allow_default_route`; one whose name the
// target already has.
std::vector<Netdev> plan_netdevs(const std::vector<nl::Device>& devices,
                                 const std::vector<nl::Port>& host_ports, const LinkFacts& facts,
                                 bool allow_default_route, const std::string& config_source);

// The addresses a netdev keeps: IPv4 and IPv6 of global or site scope. IPv6
// temporary (privacy) and autoconfigured ones (not permanent) are left out:
// the kernel makes them again from router advertisements.
std::vector<nl::Address> kept_addresses(const std::vector<nl::Address>& addresses);

// The link among `links` that is the recorded netdev. Neither name nor
// ifindex survive a trip: a returned netdev whose name is taken in the host
// comes back as "dev<ifindex>" (default_device_exit_net()), and one whose
// ifindex is taken gets a new one (__dev_change_net_namespace()). The parent
// device and the permanent MAC do; with neither recorded, name and ifindex.
const nl::Link* find_link(const std::vector<nl::Link>& links, const nl::Link& recorded);

// Names of the netdevs, in order.
std::vector<std::string> netdev_names(const std::vector<Netdev>& netdevs);

} // namespace rnh
