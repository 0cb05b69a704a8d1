// SPDX-License-Identifier: Apache-2.0
// Route netlink: replies built by hand from linux/rtnetlink.h, as the kernel
// writes them, through the parsers; requests read back field by field.
#include "netlink/route.hpp"

#include "tests/support/error_of.hpp"
#include "tests/support/netlink_datagram.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <map>
#include <string>
#include <string_view>

namespace {

using rnh::test::Datagram;

// Kernel ABI the parsers depend on.
static_assert(IFLA_IFNAME == 3 && IFLA_MTU == 4 && IFLA_LINKINFO == 18 && IFLA_NET_NS_FD == 28 &&
              IFLA_PERM_ADDRESS == 54 && IFLA_PARENT_DEV_NAME == 56 &&
              IFLA_PARENT_DEV_BUS_NAME == 57 && IFLA_INFO_KIND == 1);
static_assert(IFA_ADDRESS == 1 && IFA_LOCAL == 2 && IFA_LABEL == 3 && IFA_BROADCAST == 4 &&
              IFA_FLAGS == 8);
static_assert(RTA_OIF == 4 && RTA_MULTIPATH == 9 && RTA_TABLE == 15);

template <typename T> std::string_view bytes_of(const T& v)
{
    return {reinterpret_cast<const char*>(&v), sizeof v};
}

// One attribute, padded, as nested attributes are laid out.
std::string nla(std::uint16_t type, std::string_view payload)
{
    std::string out;
    const auto len = static_cast<std::uint16_t>(NLA_HDRLEN + payload.size());
    out.append(bytes_of(len)).append(bytes_of(type)).append(payload);
    out.resize(MNL_ALIGN(out.size()), '\0');
    return out;
}

std::string v4(const char* text)
{
    std::array<char, 4> b{};
    inet_pton(AF_INET, text, b.data());
    return {b.data(), b.size()};
}

std::string v6(const char* text)
{
    std::array<char, 16> b{};
    inet_pton(AF_INET6, text, b.data());
    return {b.data(), b.size()};
}

Datagram& link_header(Datagram& w, int index, unsigned flags)
{
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    ifi.ifi_index = index;
    ifi.ifi_flags = flags;
    return w.begin(RTM_NEWLINK, NLM_F_MULTI).raw(&ifi, sizeof ifi);
}

Datagram& address_header(Datagram& w, std::uint8_t family, std::uint8_t prefix, std::uint8_t scope,
                         std::uint32_t index, std::uint8_t flags = 0)
{
    ifaddrmsg ifa{};
    ifa.ifa_family = family;
    ifa.ifa_prefixlen = prefix;
    ifa.ifa_scope = scope;
    ifa.ifa_index = index;
    ifa.ifa_flags = flags;
    return w.begin(RTM_NEWADDR, NLM_F_MULTI).raw(&ifa, sizeof ifa);
}

Datagram& route_header(Datagram& w, std::uint8_t dst_len, std::uint8_t table,
                       std::uint8_t type = RTN_UNICAST)
{
    rtmsg rtm{};
    rtm.rtm_family = AF_INET;
    rtm.rtm_dst_len = dst_len;
    rtm.rtm_table = table;
    rtm.rtm_type = type;
    return w.begin(RTM_NEWROUTE, NLM_F_MULTI).raw(&rtm, sizeof rtm);
}

// The attributes of a request after its family header of `header` bytes, by type.
std::map<std::uint16_t, std::string> attrs_of(const rnh::nl::Message& m, std::size_t header)
{
    std::map<std::uint16_t, std::string> out;
    const auto bytes = m.bytes();
    std::size_t offset = MNL_NLMSG_HDRLEN + MNL_ALIGN(header);
    while (offset < bytes.size()) {
        const auto* attr = reinterpret_cast<const nlattr*>(bytes.data() + offset);
        out[attr->nla_type] =
            std::string(reinterpret_cast<const char*>(attr + 1), attr->nla_len - NLA_HDRLEN);
        offset += MNL_ALIGN(attr->nla_len);
    }
    return out;
}

template <typename Header> Header header_of(const rnh::nl::Message& m)
{
    Header h{};
    std::memcpy(&h, m.bytes().data() + MNL_NLMSG_HDRLEN, sizeof h);
    return h;
}

std::uint32_t u32_of(const std::string& s)
{
    std::uint32_t v = 0;
    std::memcpy(&v, s.data(), sizeof v);
    return v;
}

// --- links ---------------------------------------------------------------

TEST(NetlinkRoute, PhysicalLinkWithParentAndPermanentAddress)
{
    Datagram w(1, 1);
    const std::array<unsigned char, 6> mac{0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
    const std::array<unsigned char, 6> now{0x02, 0x00, 0x00, 0x00, 0x00, 0x0a};
    link_header(w, 2, IFF_UP | IFF_BROADCAST)
        .attr_str(IFLA_IFNAME, "eth0")
        .attr_u32(IFLA_MTU, 1400)
        .attr(IFLA_PERM_ADDRESS, std::string_view(reinterpret_cast<const char*>(mac.data()), 6))
        .attr(IFLA_ADDRESS, std::string_view(reinterpret_cast<const char*>(now.data()), 6))
        .attr_str(IFLA_PARENT_DEV_NAME, "0000:00:03.0")
        .attr_str(IFLA_PARENT_DEV_BUS_NAME, "pci")
        .attr_u32(999, 7) // unknown: skipped
        .end();
    const auto link = rnh::nl::parse_link(w.message());
    EXPECT_EQ(link, (rnh::nl::Link{2, "eth0", 1400, true, "", "pci/0000:00:03.0",
                                   "52:54:00:12:34:56", "02:00:00:00:00:0a"}));
}

TEST(NetlinkRoute, VirtualLinkHasItsKindAndDownIsDown)
{
    Datagram w(1, 1);
    link_header(w, 7, IFF_BROADCAST)
        .attr_str(IFLA_IFNAME, "v0")
        .attr_u32(IFLA_MTU, 1500)
        .attr(IFLA_LINKINFO, nla(IFLA_INFO_KIND, std::string_view("veth", 5)))
        .end();
    const auto link = rnh::nl::parse_link(w.message());
    EXPECT_EQ(link.kind, "veth");
    EXPECT_FALSE(link.up);
    EXPECT_TRUE(link.parent.empty());
}

TEST(NetlinkRoute, MasterAndLowerLinkInThisNamespaceOnly)
{
    Datagram port(1, 1);
    link_header(port, 3, 0).attr_str(IFLA_IFNAME, "eth1").attr_u32(IFLA_MASTER, 9).end();
    EXPECT_EQ(rnh::nl::parse_link(port.message()).master, 9u);
    Datagram vlan(1, 1);
    link_header(vlan, 8, 0).attr_str(IFLA_IFNAME, "eth0.5").attr_u32(IFLA_LINK, 2).end();
    EXPECT_EQ(rnh::nl::parse_link(vlan.message()).lower, 2u);
    // a macvlan whose lower device is in another namespace has none here
    Datagram moved(1, 1);
    link_header(moved, 4, 0)
        .attr_str(IFLA_IFNAME, "m0")
        .attr_u32(IFLA_LINK, 2)
        .attr_u32(IFLA_LINK_NETNSID, 0)
        .end();
    EXPECT_EQ(rnh::nl::parse_link(moved.message()).lower, 0u);
    EXPECT_EQ(rnh::nl::parse_link(moved.message()).master, 0u);
}

TEST(NetlinkRoute, MalformedLinksAreRefused)
{
    Datagram nameless(1, 1);
    link_header(nameless, 2, 0).attr_u32(IFLA_MTU, 1500).end();
    EXPECT_EQ(error_of([&] { rnh::nl::parse_link(nameless.message()); }),
              "reading the kernel's link reply: no interface name attribute: Protocol error; "
              "report this with the kernel version (uname -r)");
    Datagram short_mtu(1, 1);
    link_header(short_mtu, 2, 0).attr_str(IFLA_IFNAME, "eth0").attr_u8(IFLA_MTU, 1).end();
    EXPECT_EQ(error_from([&] { rnh::nl::parse_link(short_mtu.message()); })->err(), EPROTO);
    Datagram headless(1, 1);
    headless.begin(RTM_NEWLINK).u32(0).end();
    EXPECT_EQ(error_from([&] { rnh::nl::parse_link(headless.message()); })->err(), EPROTO);
}

// --- addresses -----------------------------------------------------------

TEST(NetlinkRoute, Ipv4AddressWithBroadcastLabelAndFlags)
{
    Datagram w(1, 1);
    address_header(w, AF_INET, 24, RT_SCOPE_UNIVERSE, 2, IFA_F_PERMANENT)
        .attr(IFA_ADDRESS, v4("10.9.0.1"))
        .attr(IFA_LOCAL, v4("10.9.0.1"))
        .attr(IFA_BROADCAST, v4("10.9.0.255"))
        .attr_str(IFA_LABEL, "eth0:a")
        .attr_u32(IFA_FLAGS, IFA_F_PERMANENT | IFA_F_NOPREFIXROUTE)
        .end();
    EXPECT_EQ(rnh::nl::parse_address(w.message()),
              (rnh::nl::Address{AF_INET, "10.9.0.1", "", "10.9.0.255", "eth0:a", 24,
                                RT_SCOPE_UNIVERSE, IFA_F_PERMANENT | IFA_F_NOPREFIXROUTE, 2}));
}

TEST(NetlinkRoute, PointToPointPeerAndIpv6)
{
    Datagram p2p(1, 1);
    address_header(p2p, AF_INET, 32, RT_SCOPE_UNIVERSE, 3)
        .attr(IFA_ADDRESS, v4("10.0.0.2"))
        .attr(IFA_LOCAL, v4("10.0.0.1"))
        .end();
    const auto a = rnh::nl::parse_address(p2p.message());
    EXPECT_EQ(a.local, "10.0.0.1");
    EXPECT_EQ(a.peer, "10.0.0.2");

    Datagram six(1, 1);
    address_header(six, AF_INET6, 64, RT_SCOPE_UNIVERSE, 2, IFA_F_PERMANENT | IFA_F_NODAD)
        .attr(IFA_ADDRESS, v6("fd00:9::1"))
        .end();
    const auto b = rnh::nl::parse_address(six.message());
    EXPECT_EQ(b.local, "fd00:9::1");
    EXPECT_TRUE(b.peer.empty());
    EXPECT_EQ(b.flags, unsigned{IFA_F_PERMANENT | IFA_F_NODAD});
}

TEST(NetlinkRoute, AnAddressOfTheWrongLengthIsRefused)
{
    Datagram w(1, 1);
    address_header(w, AF_INET6, 64, RT_SCOPE_UNIVERSE, 2).attr(IFA_ADDRESS, v4("10.0.0.1")).end();
    EXPECT_EQ(error_of([&] { rnh::nl::parse_address(w.message()); }),
              "reading the kernel's address reply: the address attribute has the wrong length: "
              "Protocol error; report this with the kernel version (uname -r)");
    Datagram none(1, 1);
    address_header(none, AF_INET, 24, RT_SCOPE_UNIVERSE, 2).end();
    EXPECT_EQ(error_from([&] { rnh::nl::parse_address(none.message()); })->err(), EPROTO);
}

// --- default routes --------------------------------------------------------

TEST(NetlinkRoute, DefaultRoutesOfTheMainTableOnly)
{
    Datagram plain(1, 1);
    route_header(plain, 0, RT_TABLE_MAIN).attr_u32(RTA_OIF, 2).end();
    EXPECT_EQ(rnh::nl::parse_default_route(plain.message()), (std::vector<std::uint32_t>{2}));

    Datagram subnet(1, 1);
    route_header(subnet, 24, RT_TABLE_MAIN).attr_u32(RTA_OIF, 2).end();
    EXPECT_TRUE(rnh::nl::parse_default_route(subnet.message()).empty());

    Datagram local(1, 1);
    route_header(local, 0, RT_TABLE_LOCAL).attr_u32(RTA_OIF, 2).end();
    EXPECT_TRUE(rnh::nl::parse_default_route(local.message()).empty());

    // tables above 255 come in RTA_TABLE, with rtm_table RT_TABLE_COMPAT
    Datagram other(1, 1);
    route_header(other, 0, RT_TABLE_COMPAT).attr_u32(RTA_TABLE, 1000).attr_u32(RTA_OIF, 2).end();
    EXPECT_TRUE(rnh::nl::parse_default_route(other.message()).empty());
    Datagram main_by_attr(1, 1);
    route_header(main_by_attr, 0, RT_TABLE_COMPAT)
        .attr_u32(RTA_TABLE, RT_TABLE_MAIN)
        .attr_u32(RTA_OIF, 5)
        .end();
    EXPECT_EQ(rnh::nl::parse_default_route(main_by_attr.message()),
              (std::vector<std::uint32_t>{5}));

    Datagram unreachable(1, 1);
    route_header(unreachable, 0, RT_TABLE_MAIN, RTN_UNREACHABLE).end();
    EXPECT_TRUE(rnh::nl::parse_default_route(unreachable.message()).empty());
}

TEST(NetlinkRoute, EveryHopOfAMultipathDefaultRoute)
{
    std::string hops;
    for (int index : {3, 4}) {
        rtnexthop hop{};
        hop.rtnh_len = sizeof hop;
        hop.rtnh_ifindex = index;
        hops.append(bytes_of(hop));
    }
    Datagram w(1, 1);
    route_header(w, 0, RT_TABLE_MAIN).attr(RTA_MULTIPATH, hops).end();
    EXPECT_EQ(rnh::nl::parse_default_route(w.message()), (std::vector<std::uint32_t>{3, 4}));

    rtnexthop bad{};
    bad.rtnh_len = 200;
    Datagram broken(1, 1);
    route_header(broken, 0, RT_TABLE_MAIN).attr(RTA_MULTIPATH, bytes_of(bad)).end();
    EXPECT_EQ(error_from([&] { rnh::nl::parse_default_route(broken.message()); })->err(), EPROTO);
}

// --- requests ----------------------------------------------------------------

TEST(NetlinkRoute, MoveRenameMtuAndStateRequests)
{
    const auto move = rnh::nl::build_link_set_netns(7, 12);
    EXPECT_EQ(move.header().nlmsg_type, RTM_NEWLINK);
    EXPECT_EQ(move.header().nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
    EXPECT_EQ(header_of<ifinfomsg>(move).ifi_index, 7);
    auto attrs = attrs_of(move, sizeof(ifinfomsg));
    EXPECT_EQ(u32_of(attrs.at(IFLA_NET_NS_FD)), 12u);
    // no IFLA_IFNAME: the kernel must refuse a name clash, not rename
    EXPECT_FALSE(attrs.contains(IFLA_IFNAME));
    EXPECT_EQ(error_of([] { rnh::nl::build_link_set_netns(7, -1); }),
              "moving network interface 7: invalid network namespace fd -1");
    // on the way home, the host name in the same request
    attrs = attrs_of(rnh::nl::build_link_set_netns(7, 12, "eth0"), sizeof(ifinfomsg));
    EXPECT_EQ(u32_of(attrs.at(IFLA_NET_NS_FD)), 12u);
    EXPECT_EQ(attrs.at(IFLA_IFNAME), std::string("eth0", 5));
    EXPECT_EQ(error_of([] { rnh::nl::build_link_set_netns(7, 12, "a-name-of-16-chars"); }),
              "moving network interface 7: \"a-name-of-16-chars\" is not a valid interface name");

    attrs = attrs_of(rnh::nl::build_link_rename(7, "eth0"), sizeof(ifinfomsg));
    EXPECT_EQ(attrs.at(IFLA_IFNAME), std::string("eth0", 5));
    EXPECT_EQ(error_of([] { rnh::nl::build_link_rename(7, "a-name-of-16-chars"); }),
              "renaming network interface 7: \"a-name-of-16-chars\" is not a valid interface name");

    attrs = attrs_of(rnh::nl::build_link_set_mtu(7, 9000), sizeof(ifinfomsg));
    EXPECT_EQ(u32_of(attrs.at(IFLA_MTU)), 9000u);

    const auto up = header_of<ifinfomsg>(rnh::nl::build_link_set_up(7, true));
    EXPECT_EQ(up.ifi_flags, unsigned{IFF_UP});
    EXPECT_EQ(up.ifi_change, unsigned{IFF_UP});
    const auto down = header_of<ifinfomsg>(rnh::nl::build_link_set_up(7, false));
    EXPECT_EQ(down.ifi_flags, 0u);
    EXPECT_EQ(down.ifi_change, unsigned{IFF_UP});
}

TEST(NetlinkRoute, AddressAddKeepsOnlyTheFlagsAUserSets)
{
    const rnh::nl::Address a{AF_INET6,
                             "fd00:9::1",
                             "",
                             "",
                             "",
                             64,
                             RT_SCOPE_UNIVERSE,
                             IFA_F_PERMANENT | IFA_F_NODAD | IFA_F_TENTATIVE,
                             2};
    const auto m = rnh::nl::build_address_add(a, 9);
    EXPECT_EQ(m.header().nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
    const auto ifa = header_of<ifaddrmsg>(m);
    EXPECT_EQ(ifa.ifa_index, 9u); // where it goes now, not where it was
    EXPECT_EQ(ifa.ifa_prefixlen, 64);
    auto attrs = attrs_of(m, sizeof(ifaddrmsg));
    EXPECT_EQ(attrs.at(IFA_LOCAL), v6("fd00:9::1"));
    EXPECT_EQ(attrs.at(IFA_ADDRESS), v6("fd00:9::1"));
    EXPECT_EQ(u32_of(attrs.at(IFA_FLAGS)), unsigned{IFA_F_NODAD});

    const rnh::nl::Address b{AF_INET, "10.0.0.1", "10.0.0.2", "10.0.0.255", "eth0:p", 32, 0, 0, 2};
    attrs = attrs_of(rnh::nl::build_address_add(b, 2), sizeof(ifaddrmsg));
    EXPECT_EQ(attrs.at(IFA_LOCAL), v4("10.0.0.1"));
    EXPECT_EQ(attrs.at(IFA_ADDRESS), v4("10.0.0.2"));
    EXPECT_EQ(attrs.at(IFA_BROADCAST), v4("10.0.0.255"));
    EXPECT_EQ(attrs.at(IFA_LABEL), std::string("eth0:p", 7));

    rnh::nl::Address bad = b;
    bad.local = "fd00::1";
    EXPECT_EQ(error_of([&] { rnh::nl::build_address_add(bad, 2); }),
              "adding address fd00::1: \"fd00::1\" is not an IPv4 address");
}

} // namespace
