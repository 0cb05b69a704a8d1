// SPDX-License-Identifier: Apache-2.0
#include "netlink/route.hpp"

#include "base/error.hpp"
#include "netlink/attributes.hpp"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <span>

namespace rnh::nl {

namespace {

constexpr std::uint16_t do_flags = NLM_F_REQUEST | NLM_F_ACK;
constexpr std::uint16_t dump_flags = NLM_F_REQUEST | NLM_F_DUMP;

// The family header of a reply message, copied out after a length check.
template <typename Header> Header family_header(const nlmsghdr& nlh, std::string_view reply)
{
    Header header{};
    if (nlh.nlmsg_len < MNL_NLMSG_HDRLEN + sizeof header)
        malformed(reply, "message shorter than its headers");
    std::memcpy(&header, mnl_nlmsg_get_payload(&nlh), sizeof header);
    return header;
}

template <typename Header>
void for_each_attr(const nlmsghdr& nlh, std::string_view reply, const OnAttr& on_attr)
{
    nl::for_each_attr(nlh, sizeof(Header), reply, on_attr);
}

void check(const nlattr& attr, mnl_attr_data_type type, std::string_view reply, const char* name)
{
    if (mnl_attr_validate(&attr, type) < 0)
        malformed(reply, std::string("the ") + name + " attribute has the wrong length or format");
}

std::string str(const nlattr& attr, std::string_view reply, const char* name)
{
    check(attr, MNL_TYPE_NUL_STRING, reply, name);
    return mnl_attr_get_str(&attr);
}

std::uint32_t u32(const nlattr& attr, std::string_view reply, const char* name)
{
    check(attr, MNL_TYPE_U32, reply, name);
    return mnl_attr_get_u32(&attr);
}

std::string mac_text(const nlattr& attr)
{
    const auto* bytes = static_cast<const unsigned char*>(mnl_attr_get_payload(&attr));
    std::string text;
    for (std::size_t i = 0; i < mnl_attr_get_payload_len(&attr); ++i) {
        std::array<char, 4> part{};
        std::snprintf(part.data(), part.size(), i == 0 ? "%02x" : ":%02x", bytes[i]);
        text += part.data();
    }
    return text;
}

// An IPv4 or IPv6 address attribute as text.
std::string ip_text(const nlattr& attr, std::uint8_t family, std::string_view reply,
                    const char* name)
{
    const std::size_t size = family == AF_INET ? 4 : 16;
    if (mnl_attr_get_payload_len(&attr) != size)
        malformed(reply, std::string("the ") + name + " attribute has the wrong length");
    std::array<char, INET6_ADDRSTRLEN> text{};
    if (inet_ntop(family, mnl_attr_get_payload(&attr), text.data(), text.size()) == nullptr)
        malformed(reply, std::string("the ") + name + " attribute does not print");
    return text.data();
}

std::vector<std::uint8_t> ip_bytes(const std::string& text, std::uint8_t family,
                                   const std::string& what)
{
    std::vector<std::uint8_t> bytes(family == AF_INET ? 4 : 16);
    if ((family != AF_INET && family != AF_INET6) ||
        inet_pton(family, text.c_str(), bytes.data()) != 1)
        fail(what + ": \"" + text + "\" is not an IPv" + (family == AF_INET ? "4" : "6") +
             " address");
    return bytes;
}

Message link_request(std::uint32_t index, unsigned flags = 0, unsigned change = 0)
{
    Message request(RTM_NEWLINK, do_flags);
    auto* ifi = static_cast<ifinfomsg*>(request.put_extra_header(sizeof(ifinfomsg)));
    ifi->ifi_family = AF_UNSPEC;
    ifi->ifi_index = static_cast<int>(index);
    ifi->ifi_flags = flags;
    ifi->ifi_change = change;
    return request;
}

void transact_ack(Socket& socket, Message& request, const std::string& what, const Hint& hint = {})
{
    socket.transact(
        request, what, [](const nlmsghdr&) {}, hint);
}

} // namespace

std::uint32_t kept_address_flags(std::uint32_t flags) noexcept
{
    return flags & (IFA_F_NODAD | IFA_F_HOMEADDRESS | IFA_F_MANAGETEMPADDR | IFA_F_NOPREFIXROUTE |
                    IFA_F_MCAUTOJOIN);
}

Message build_link_dump()
{
    Message request(RTM_GETLINK, dump_flags);
    static_cast<ifinfomsg*>(request.put_extra_header(sizeof(ifinfomsg)))->ifi_family = AF_UNSPEC;
    return request;
}

Message build_address_dump()
{
    Message request(RTM_GETADDR, dump_flags);
    static_cast<ifaddrmsg*>(request.put_extra_header(sizeof(ifaddrmsg)))->ifa_family = AF_UNSPEC;
    return request;
}

Message build_route_dump(std::uint8_t family)
{
    Message request(RTM_GETROUTE, dump_flags);
    static_cast<rtmsg*>(request.put_extra_header(sizeof(rtmsg)))->rtm_family = family;
    return request;
}

Message build_link_set_netns(std::uint32_t index, int netns_fd, const std::string& name)
{
    if (netns_fd < 0)
        fail("moving network interface " + std::to_string(index) +
             ": invalid network namespace fd " + std::to_string(netns_fd));
    if (name.size() >= IFNAMSIZ)
        fail("moving network interface " + std::to_string(index) + ": \"" + name +
             "\" is not a valid interface name");
    Message request = link_request(index);
    request.put_u32(IFLA_NET_NS_FD, static_cast<std::uint32_t>(netns_fd));
    if (!name.empty())
        request.put_str(IFLA_IFNAME, name);
    return request;
}

Message build_link_rename(std::uint32_t index, const std::string& name)
{
    if (name.empty() || name.size() >= IFNAMSIZ)
        fail("renaming network interface " + std::to_string(index) + ": \"" + name +
             "\" is not a valid interface name");
    Message request = link_request(index);
    request.put_str(IFLA_IFNAME, name);
    return request;
}

Message build_link_set_mtu(std::uint32_t index, std::uint32_t mtu)
{
    Message request = link_request(index);
    request.put_u32(IFLA_MTU, mtu);
    return request;
}

Message build_link_set_up(std::uint32_t index, bool up)
{
    return link_request(index, up ? IFF_UP : 0, IFF_UP);
}

Message build_address_add(const Address& address, std::uint32_t index)
{
    const std::string what = "adding address " + address.local;
    Message request(RTM_NEWADDR, do_flags | NLM_F_CREATE | NLM_F_EXCL);
    auto* ifa = static_cast<ifaddrmsg*>(request.put_extra_header(sizeof(ifaddrmsg)));
    ifa->ifa_family = address.family;
    ifa->ifa_prefixlen = address.prefix;
    ifa->ifa_scope = address.scope;
    ifa->ifa_index = index;
    const std::uint32_t flags = kept_address_flags(address.flags);
    ifa->ifa_flags = static_cast<std::uint8_t>(flags & 0xff);
    const auto local = ip_bytes(address.local, address.family, what);
    request.put_bytes(IFA_LOCAL, local);
    request.put_bytes(IFA_ADDRESS,
                      address.peer.empty() ? local : ip_bytes(address.peer, address.family, what));
    if (!address.broadcast.empty())
        request.put_bytes(IFA_BROADCAST, ip_bytes(address.broadcast, address.family, what));
    if (!address.label.empty())
        request.put_str(IFA_LABEL, address.label);
    request.put_u32(IFA_FLAGS, flags);
    return request;
}

Link parse_link(const nlmsghdr& nlh)
{
    constexpr std::string_view reply = "link";
    const auto ifi = family_header<ifinfomsg>(nlh, reply);
    Link link;
    link.index = static_cast<std::uint32_t>(ifi.ifi_index);
    link.up = (ifi.ifi_flags & IFF_UP) != 0;
    std::string bus;
    std::string parent;
    bool lower_elsewhere = false;
    for_each_attr<ifinfomsg>(nlh, reply, [&](const nlattr& attr) {
        switch (mnl_attr_get_type(&attr)) {
        case IFLA_IFNAME:
            link.name = str(attr, reply, "interface name");
            break;
        case IFLA_MTU:
            link.mtu = u32(attr, reply, "MTU");
            break;
        case IFLA_LINKINFO:
            for_each_nested(attr, reply, [&](const nlattr& info) {
                if (mnl_attr_get_type(&info) == IFLA_INFO_KIND)
                    link.kind = str(info, reply, "link kind");
            });
            break;
        case IFLA_PARENT_DEV_NAME:
            parent = str(attr, reply, "parent device name");
            break;
        case IFLA_PARENT_DEV_BUS_NAME:
            bus = str(attr, reply, "parent bus name");
            break;
        case IFLA_PERM_ADDRESS:
            link.permanent_mac = mac_text(attr);
            break;
        case IFLA_ADDRESS:
            link.mac = mac_text(attr);
            break;
        case IFLA_MASTER:
            link.master = u32(attr, reply, "master");
            break;
        case IFLA_LINK:
            link.lower = u32(attr, reply, "lower link");
            break;
        case IFLA_LINK_NETNSID:
            check(attr, MNL_TYPE_U32, reply, "lower link's namespace");
            lower_elsewhere = true;
            break;
        default:
            break;
        }
    });
    if (link.name.empty())
        malformed(reply, "no interface name attribute");
    if (lower_elsewhere)
        link.lower = 0;
    if (!parent.empty())
        link.parent = bus + "/" + parent;
    return link;
}

Address parse_address(const nlmsghdr& nlh)
{
    constexpr std::string_view reply = "address";
    const auto ifa = family_header<ifaddrmsg>(nlh, reply);
    Address address;
    address.family = ifa.ifa_family;
    address.prefix = ifa.ifa_prefixlen;
    address.scope = ifa.ifa_scope;
    address.flags = ifa.ifa_flags;
    address.index = ifa.ifa_index;
    std::string ifa_address;
    const bool ip = ifa.ifa_family == AF_INET || ifa.ifa_family == AF_INET6;
    for_each_attr<ifaddrmsg>(nlh, reply, [&](const nlattr& attr) {
        switch (mnl_attr_get_type(&attr)) {
        case IFA_LOCAL:
            if (ip)
                address.local = ip_text(attr, ifa.ifa_family, reply, "local address");
            break;
        case IFA_ADDRESS:
            if (ip)
                ifa_address = ip_text(attr, ifa.ifa_family, reply, "address");
            break;
        case IFA_BROADCAST:
            if (ip)
                address.broadcast = ip_text(attr, ifa.ifa_family, reply, "broadcast address");
            break;
        case IFA_LABEL:
            address.label = str(attr, reply, "label");
            break;
        case IFA_FLAGS:
            address.flags = u32(attr, reply, "flags");
            break;
        default:
            break;
        }
    });
    if (address.local.empty())
        address.local = ifa_address;
    else if (ifa_address != address.local)
        address.peer = ifa_address;
    if (ip && address.local.empty())
        malformed(reply, "no address attribute");
    return address;
}

std::vector<std::uint32_t> parse_default_route(const nlmsghdr& nlh)
{
    constexpr std::string_view reply = "route";
    const auto rtm = family_header<rtmsg>(nlh, reply);
    std::uint32_t table = rtm.rtm_table;
    std::vector<std::uint32_t> links;
    for_each_attr<rtmsg>(nlh, reply, [&](const nlattr& attr) {
        switch (mnl_attr_get_type(&attr)) {
        case RTA_TABLE:
            table = u32(attr, reply, "table");
            break;
        case RTA_OIF:
            links.push_back(u32(attr, reply, "output interface"));
            break;
        case RTA_MULTIPATH: {
            const auto* data = static_cast<const std::byte*>(mnl_attr_get_payload(&attr));
            const std::size_t size = mnl_attr_get_payload_len(&attr);
            std::size_t offset = 0;
            while (offset + sizeof(rtnexthop) <= size) {
                rtnexthop hop{};
                std::memcpy(&hop, data + offset, sizeof hop);
                if (hop.rtnh_len < sizeof hop || hop.rtnh_len > size - offset)
                    malformed(reply, "truncated next hop");
                links.push_back(static_cast<std::uint32_t>(hop.rtnh_ifindex));
                offset += RTNH_ALIGN(hop.rtnh_len);
            }
            break;
        }
        default:
            break;
        }
    });
    if (rtm.rtm_dst_len != 0 || table != RT_TABLE_MAIN || rtm.rtm_type != RTN_UNICAST)
        return {};
    return links;
}

std::vector<Link> dump_links(Socket& socket)
{
    Message request = build_link_dump();
    std::vector<Link> links;
    socket.transact(request, "listing network interfaces",
                    [&](const nlmsghdr& nlh) { links.push_back(parse_link(nlh)); });
    return links;
}

std::vector<Address> dump_addresses(Socket& socket, std::uint32_t index)
{
    Message request = build_address_dump();
    std::vector<Address> addresses;
    socket.transact(request, "listing the addresses of network interface " + std::to_string(index),
                    [&](const nlmsghdr& nlh) {
                        auto address = parse_address(nlh);
                        if (address.index == index &&
                            (address.family == AF_INET || address.family == AF_INET6))
                            addresses.push_back(std::move(address));
                    });
    return addresses;
}

std::vector<std::uint32_t> default_route_links(Socket& socket)
{
    std::vector<std::uint32_t> links;
    for (const std::uint8_t family : {std::uint8_t{AF_INET}, std::uint8_t{AF_INET6}}) {
        Message request = build_route_dump(family);
        socket.transact(request, "listing the default routes", [&](const nlmsghdr& nlh) {
            for (auto index : parse_default_route(nlh))
                if (std::find(links.begin(), links.end(), index) == links.end())
                    links.push_back(index);
        });
    }
    return links;
}

void move_link(Socket& socket, std::uint32_t index, int netns_fd, const std::string& name,
               const std::string& new_name)
{
    Message request = build_link_set_netns(index, netns_fd, new_name);
    transact_ack(socket, request,
                 "moving network interface " + name + " (index " + std::to_string(index) + ")" +
                     (new_name.empty() ? "" : " as " + new_name),
                 [name, new_name](int err) -> std::string {
                     switch (err) {
                     case EEXIST:
                         return "the target network namespace already has an interface named " +
                                (new_name.empty() ? name : new_name);
                     case EINVAL:
                         return "the interface cannot change network namespace "
                                "(NETIF_F_NETNS_LOCAL), or the fd is not a network namespace";
                     case ENODEV:
                         return "the interface is gone, or is no longer in this namespace";
                     default:
                         return {};
                     }
                 });
}

void rename_link(Socket& socket, std::uint32_t index, const std::string& name)
{
    Message request = build_link_rename(index, name);
    transact_ack(socket, request,
                 "renaming network interface " + std::to_string(index) + " to " + name,
                 [name](int err) -> std::string {
                     if (err == EEXIST)
                         return "another interface is named " + name + " now";
                     if (err == EBUSY)
                         return "the kernel renames only interfaces that are down";
                     return {};
                 });
}

void set_link_mtu(Socket& socket, std::uint32_t index, std::uint32_t mtu, const std::string& name)
{
    Message request = build_link_set_mtu(index, mtu);
    transact_ack(socket, request, "setting the MTU of " + name + " to " + std::to_string(mtu));
}

void set_link_up(Socket& socket, std::uint32_t index, bool up, const std::string& name)
{
    Message request = build_link_set_up(index, up);
    transact_ack(socket, request, std::string("setting ") + name + (up ? " up" : " down"));
}

void add_address(Socket& socket, const Address& address, std::uint32_t index,
                 const std::string& link_name)
{
    Message request = build_address_add(address, index);
    try {
        transact_ack(socket, request,
                     "adding address " + address.local + "/" + std::to_string(address.prefix) +
                         " to " + link_name);
    } catch (const Error& e) {
        if (e.err() != EEXIST)
            throw;
    }
}

} // namespace rnh::nl
