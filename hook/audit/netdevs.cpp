// SPDX-License-Identifier: Apache-2.0
#include "hook/audit/netdevs.hpp"

#include <algorithm>

namespace rnh {
namespace {

const std::string with_netdevs_hint = "rdma_cm and MLNX_OFED will refuse its GIDs; ask with "
                                      "rdma.netns/with-netdevs=true";

bool is_roce(const PortView& port)
{
    return !port.gid_netdev.empty() || port.link_layer == "Ethernet";
}

} // namespace

NetdevFindings check_netdevs(const std::vector<PortView>& ports,
                             const std::vector<NetdevView>& netdevs,
                             const std::vector<HostPort>& host_ports,
                             const std::vector<std::string>& host_netdevs)
{
    NetdevFindings findings;
    for (const auto& port : ports) {
        if (!port.netdev.empty() || !is_roce(port))
            continue;
        const std::string who =
            port.device + (port.port == 1 ? "" : " port " + std::to_string(port.port));
        if (port.gid_netdev.empty())
            findings.warnings.push_back(
                who + " is a RoCE port without a netdev in the target: " + with_netdevs_hint);
        else if (std::find(host_netdevs.begin(), host_netdevs.end(), port.gid_netdev) !=
                 host_netdevs.end())
            findings.warnings.push_back(who + "'s netdev " + port.gid_netdev +
                                        " is in the host: " + with_netdevs_hint);
        else
            findings.warnings.push_back(
                who + "'s netdev " + port.gid_netdev +
                " is neither in the target nor in the host: " + with_netdevs_hint);
    }
    for (const auto& netdev : netdevs)
        for (const auto& host : host_ports)
            if (host.netdev == netdev.name &&
                (host.mac.empty() || netdev.mac.empty() || host.mac == netdev.mac))
                findings.breaches.push_back(
                    "netdev " + netdev.name + " is in the target, but it is bound to port " +
                    std::to_string(host.port) + " of " + host.device +
                    ", an RDMA device of the host the target was not given: return " + netdev.name +
                    " to the host, or give the target " + host.device);
    return findings;
}

} // namespace rnh
