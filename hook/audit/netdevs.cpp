// SPDX-License-Identifier: Apache-2.0
#include "hook/audit/netdevs.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace rnh {
namespace {

const std::string with_netdevs_hint = "rdma_cm and MLNX_OFED will refuse its GIDs; ask with "
                                      "rdma.netns/with-netdevs=true";

bool is_roce(const PortView& port)
{
    return !port.gid_netdev.empty() || port.link_layer == "Ethernet";
}

} // namespace

std::string mac_text(const std::array<unsigned char, 6>& mac)
{
    constexpr std::string_view hex = "0123456789abcdef";
    std::string text;
    for (const unsigned char byte : mac) {
        if (!text.empty())
            text += ':';
        text += hex[byte >> 4];
        text += hex[byte & 0xf];
    }
    return text;
}

std::string mac_of_default_gid(std::string_view gid)
{
    // eight groups of four hex digits
    std::array<unsigned, 8> groups{};
    for (std::size_t i = 0; i < groups.size(); ++i) {
        const auto group = gid.substr(i * 5, 4);
        if (group.size() != 4 || (i < 7 && gid.substr(i * 5 + 4, 1) != ":"))
            return {};
        auto [end, ec] = std::from_chars(group.data(), group.data() + 4, groups[i], 16);
        if (ec != std::errc() || end != group.data() + 4)
            return {};
    }
    if (gid.size() != 39 || groups[0] != 0xfe80 || groups[1] != 0 || groups[2] != 0 ||
        groups[3] != 0 || (groups[5] & 0xff) != 0xff || groups[6] >> 8 != 0xfe)
        return {};
    // addrconf_ifid_eui48(): the MAC with ff:fe in the middle and the
    // universal/local bit flipped
    return mac_text(
        {static_cast<unsigned char>((groups[4] >> 8) ^ 0x02), static_cast<unsigned char>(groups[4]),
         static_cast<unsigned char>(groups[5] >> 8), static_cast<unsigned char>(groups[6]),
         static_cast<unsigned char>(groups[7] >> 8), static_cast<unsigned char>(groups[7])});
}

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
