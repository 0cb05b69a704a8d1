// SPDX-License-Identifier: Apache-2.0
// The route netlink (rtnetlink) commands the hook needs for the net devices
// that go with RDMA devices, after iproute2's ip/: a pure builder for each
// request, a pure parser for each reply message, and a function doing both
// over a Socket of NETLINK_ROUTE (which sees the namespace it was opened in).
#pragma once

#include "netlink/message.hpp"
#include "netlink/socket.hpp"

#include <linux/netlink.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rnh::nl {

struct Link {
    std::uint32_t index = 0;
    std::string name;
    std::uint32_t mtu = 0;
    bool up = false;           // IFF_UP, the administrative state
    std::string kind;          // IFLA_INFO_KIND: veth, macvlan...; empty for a physical NIC
    std::string parent;        // "<bus>/<device>" (IFLA_PARENT_DEV_*), empty if none
    std::string permanent_mac; // IFLA_PERM_ADDRESS as aa:bb:..., empty if none
    std::string mac;           // IFLA_ADDRESS as aa:bb:..., empty if none
    std::uint32_t master = 0;  // IFLA_MASTER: the bond, bridge, team or VRF it is a port of
    // IFLA_LINK: the lower device (macvlan, ipvlan, VLAN over it; a veth's
    // peer), 0 when none or when it is in another namespace (IFLA_LINK_NETNSID)
    std::uint32_t lower = 0;
    bool operator==(const Link&) const = default;
};

struct Address {
    std::uint8_t family = 0; // AF_INET, AF_INET6
    std::string local;       // IFA_LOCAL, else IFA_ADDRESS, as inet_ntop() writes it
    std::string peer;        // IFA_ADDRESS when it differs from local (point-to-point)
    std::string broadcast;   // IFA_BROADCAST (IPv4)
    std::string label;       // IFA_LABEL (IPv4)
    std::uint8_t prefix = 0;
    std::uint8_t scope = 0;  // RT_SCOPE_UNIVERSE (global), RT_SCOPE_SITE...
    std::uint32_t flags = 0; // IFA_FLAGS, else ifa_flags
    std::uint32_t index = 0; // the link's ifindex
    bool operator==(const Address&) const = default;
};

// The flags an address keeps when it is added again; the rest describe its
// state (tentative, deprecated...) and are the kernel's to set.
std::uint32_t kept_address_flags(std::uint32_t flags) noexcept;

// Requests.
Message build_link_dump();                     // RTM_GETLINK, dump
Message build_address_dump();                  // RTM_GETADDR, dump
Message build_route_dump(std::uint8_t family); // RTM_GETROUTE, dump
// IFLA_NET_NS_FD; with `name`, IFLA_IFNAME too (see move_link()).
Message build_link_set_netns(std::uint32_t index, int netns_fd, const std::string& name = {});
Message build_link_rename(std::uint32_t index, const std::string& name);
Message build_link_set_mtu(std::uint32_t index, std::uint32_t mtu);
Message build_link_set_up(std::uint32_t index, bool up); // ifi_change IFF_UP
// RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL; the address on link `index`.
// Throws rnh::Error for an address that does not parse as its family.
Message build_address_add(const Address& address, std::uint32_t index);

// Reply messages, as Socket::transact hands them out. Throw rnh::Error
// (EPROTO) on a malformed message or attribute; unknown attributes are skipped.
Link parse_link(const nlmsghdr& nlh);
Address parse_address(const nlmsghdr& nlh);
// The ifindexes a route sends through when it is a default route (dst_len 0,
// unicast) of the main table: RTA_OIF, or each hop of RTA_MULTIPATH.
std::vector<std::uint32_t> parse_default_route(const nlmsghdr& nlh);

// Commands.
std::vector<Link> dump_links(Socket& socket);
// The addresses of link `index` (all links' are dumped, this one's kept).
std::vector<Address> dump_addresses(Socket& socket, std::uint32_t index);
// The ifindexes of the default routes' net devices, IPv4 and IPv6.
std::vector<std::uint32_t> default_route_links(Socket& socket);
// Moves link `index` (in the socket's namespace), named `name`, into the
// namespace `netns_fd` refers to. Fails with EEXIST when its name is taken
// there: the kernel renames only when asked to (__dev_change_net_namespace()
// in dev.c). With `new_name` (a name, or a pattern like "dev%d") it is asked
// to in the same request: the link is `new_name` there, taken instead of a
// name in use before the move, and set after it (do_setlink() in
// rtnetlink.c). EEXIST when `new_name` is taken there too: before the move
// when `name` is taken as well, else after it, the link moved under `name`.
void move_link(Socket& socket, std::uint32_t index, int netns_fd, const std::string& name,
               const std::string& new_name = {});
void rename_link(Socket& socket, std::uint32_t index, const std::string& name);
void set_link_mtu(Socket& socket, std::uint32_t index, std::uint32_t mtu, const std::string& name);
void set_link_up(Socket& socket, std::uint32_t index, bool up, const std::string& name);
// EEXIST (already there) is success.
void add_address(Socket& socket, const Address& address, std::uint32_t index,
                 const std::string& link_name);

} // namespace rnh::nl
