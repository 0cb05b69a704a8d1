// SPDX-License-Identifier: Apache-2.0
// Requests, byte by byte: the expected bytes are written out by hand from
// linux/netlink.h and rdma/rdma_netlink.h (host order; this is little-endian).
#include "netlink/message.hpp"
#include "netlink/rdma.hpp"

#include "base/error.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <string>
#include <vector>

static_assert(std::endian::native == std::endian::little, "expected bytes are little-endian");

namespace {

using rnh::nl::Message;

std::vector<std::uint8_t> bytes_of(const Message& message)
{
    std::vector<std::uint8_t> out;
    for (std::byte b : message.bytes())
        out.push_back(std::to_integer<std::uint8_t>(b));
    return out;
}

// nlmsghdr: len u32, type u16, flags u16, seq u32, pid u32 (seq and pid 0).
std::vector<std::uint8_t> header(std::uint32_t len, std::uint16_t type, std::uint16_t flags)
{
    return {static_cast<std::uint8_t>(len),
            0,
            0,
            0,
            static_cast<std::uint8_t>(type & 0xff),
            static_cast<std::uint8_t>(type >> 8),
            static_cast<std::uint8_t>(flags & 0xff),
            static_cast<std::uint8_t>(flags >> 8),
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0};
}

std::vector<std::uint8_t> bytes(std::initializer_list<std::uint8_t> list)
{
    return list;
}

std::vector<std::uint8_t> operator+(std::vector<std::uint8_t> a, const std::vector<std::uint8_t>& b)
{
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// RDMA_NL_GET_TYPE(RDMA_NL_NLDEV = 5, op) = (5 << 10) + op
constexpr std::uint16_t sys_get = 0x1406, sys_set = 0x1407, dev_get = 0x1401, dev_set = 0x1402,
                        port_get = 0x1405;
constexpr std::uint16_t request_ack = 0x0005;  // NLM_F_REQUEST | NLM_F_ACK
constexpr std::uint16_t request_dump = 0x0301; // NLM_F_REQUEST | NLM_F_ROOT | NLM_F_MATCH

TEST(NetlinkMessage, HeaderOnly)
{
    Message m(0x1234, 0x0105);
    EXPECT_EQ(bytes_of(m), header(16, 0x1234, 0x0105));
    EXPECT_EQ(m.header().nlmsg_len, 16u);
}

TEST(NetlinkMessage, AttributesArePaddedToFourBytes)
{
    Message m(1, 0);
    m.put_u8(3, 0xab);
    m.put_u32(4, 0x01020304);
    const std::vector<std::uint8_t> expected = header(16 + 8 + 8, 1, 0) +
                                               bytes({5, 0, 3, 0, 0xab, 0, 0, 0}) + // len 5, padded
                                               bytes({8, 0, 4, 0, 0x04, 0x03, 0x02, 0x01}); // u32
    EXPECT_EQ(bytes_of(m), expected);
}

TEST(NetlinkMessage, ExtraHeaderComesFirstOnly)
{
    Message m(1, 0);
    auto* family = static_cast<std::uint8_t*>(m.put_extra_header(3));
    family[0] = 7;
    EXPECT_EQ(bytes_of(m), header(20, 1, 0) + bytes({7, 0, 0, 0}));
    m.put_u32(1, 2);
    EXPECT_THROW(m.put_extra_header(4), rnh::Error);
}

TEST(NetlinkMessage, RefusesWhatDoesNotFit)
{
    Message m(1, 0);
    EXPECT_THROW(m.put_extra_header(Message::capacity), rnh::Error);
    EXPECT_EQ(m.header().nlmsg_len, 16u); // nothing half-written
    for (std::size_t i = 0; i < (Message::capacity - 16) / 8; ++i)
        m.put_u32(1, 2);
    EXPECT_THROW(m.put_u32(1, 2), rnh::Error);
    EXPECT_EQ(m.header().nlmsg_len, Message::capacity);
}

TEST(NetlinkRdmaRequest, SysGet)
{
    EXPECT_EQ(bytes_of(rnh::nl::build_sys_get()), header(16, sys_get, request_ack));
}

TEST(NetlinkRdmaRequest, SysSetNetnsMode)
{
    // RDMA_NLDEV_SYS_ATTR_NETNS_MODE = 66, u8: 0 exclusive, 1 shared
    EXPECT_EQ(bytes_of(rnh::nl::build_sys_set_netns_mode(rnh::nl::NetnsMode::exclusive)),
              header(24, sys_set, request_ack) + bytes({5, 0, 66, 0, 0, 0, 0, 0}));
    EXPECT_EQ(bytes_of(rnh::nl::build_sys_set_netns_mode(rnh::nl::NetnsMode::shared)),
              header(24, sys_set, request_ack) + bytes({5, 0, 66, 0, 1, 0, 0, 0}));
}

TEST(NetlinkRdmaRequest, DeviceDump)
{
    EXPECT_EQ(bytes_of(rnh::nl::build_dev_dump()), header(16, dev_get, request_dump));
}

TEST(NetlinkRdmaRequest, PortDumpOfOneDevice)
{
    // RDMA_NLDEV_ATTR_DEV_INDEX = 1, u32
    EXPECT_EQ(bytes_of(rnh::nl::build_port_dump(0x01020304)),
              header(24, port_get, request_dump) + bytes({8, 0, 1, 0, 0x04, 0x03, 0x02, 0x01}));
}

TEST(NetlinkRdmaRequest, MoveDevice)
{
    // RDMA_NLDEV_ATTR_DEV_INDEX = 1 and RDMA_NLDEV_NET_NS_FD = 68, both u32
    EXPECT_EQ(bytes_of(rnh::nl::build_dev_set_netns(3, 9)), header(32, dev_set, request_ack) +
                                                                bytes({8, 0, 1, 0, 3, 0, 0, 0}) +
                                                                bytes({8, 0, 68, 0, 9, 0, 0, 0}));
    EXPECT_THROW(rnh::nl::build_dev_set_netns(3, -1), rnh::Error);
}

} // namespace
