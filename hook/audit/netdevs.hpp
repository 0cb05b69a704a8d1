// SPDX-License-Identifier: Apache-2.0
// audit's netdev checks: which netdevs are bound to the ports of the RDMA
// devices the target sees, whether those netdevs are inside with them, and
// whether a netdev of a host RDMA device has leaked into the target. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rnh {

// A port of an RDMA device the target sees, as the probe found it inside.
struct PortView {
    std::string device;
    std::uint32_t port = 0;
    // The port's netdev from RDMA netlink in the target's namespace; empty
    // when the netdev is elsewhere or the port has none.
    std::string netdev;
    // The netdev of GID 0 from sysfs (ports/N/gid_attrs/ndevs/0), wherever
    // that netdev is: the GID table is kept per netdev, whatever its
    // namespace (roce_gid_mgmt.c). Empty: no such GID, or sysfs unchecked.
    std::string gid_netdev;
    std::string link_layer; // ports/N/link_layer: "Ethernet", "InfiniBand"; empty: unchecked
    bool operator==(const PortView&) const = default;
};

// A netdev in the target's namespace; mac is "aa:bb:cc:dd:ee:ff" for an
// Ethernet link, empty otherwise.
struct NetdevView {
    std::string name;
    std::string mac;
    bool operator==(const NetdevView&) const = default;
};

// A port of an RDMA device in the host whose netdev is not in the host: RDMA
// netlink names none there, but GID 0 of the port names one (netdev, with
// the MAC its default GID was made from).
struct HostPort {
    std::string device;
    std::uint32_t port = 0;
    std::string netdev;
    std::string mac;
    bool operator==(const HostPort&) const = default;
};

struct NetdevFindings {
    // A RoCE port whose netdev is not inside: the device works for verbs
    // only. Not a breach of isolation.
    std::vector<std::string> warnings;
    // A netdev inside that belongs to an RDMA port of a host device.
    std::vector<std::string> breaches;
};

// host_netdevs: the names of the host's own netdevs.
NetdevFindings check_netdevs(const std::vector<PortView>& ports,
                             const std::vector<NetdevView>& netdevs,
                             const std::vector<HostPort>& host_ports,
                             const std::vector<std::string>& host_netdevs);

} // namespace rnh
